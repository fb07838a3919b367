"""The web process keeps what it loaded at start out of the garbage collector's full passes."""

import gc
import importlib


def test_the_wsgi_module_freezes_what_it_loaded():
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    import township.wsgi

    importlib.reload(township.wsgi)
    try:
        assert gc.get_freeze_count() > 10_000  # Django and the apps, not a handful of objects
    finally:
        gc.unfreeze()
