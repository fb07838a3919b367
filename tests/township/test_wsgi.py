"""The web process keeps what it loaded at start out of the garbage collector's full passes."""

import gc
import importlib
import os
import subprocess
import sys


def test_the_wsgi_module_freezes_what_it_loaded():
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    import township.wsgi

    importlib.reload(township.wsgi)
    try:
        assert gc.get_freeze_count() > 10_000  # Django and the apps, not a handful of objects
    finally:
        gc.unfreeze()


def test_a_web_process_loads_its_urls_and_views_before_its_first_request():
    # In a fresh interpreter: this one has long loaded them.
    script = "import sys, township.wsgi; print('households.views' in sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "township.test_settings"},
    )
    assert loaded.stdout.strip() == "True"
