"""The temporary files of builds that died with their worker are swept, and only those."""

import os
import time
from pathlib import Path

from reporting.pdf import temp_files_sweep
from reporting.tasks import report_temp_files_sweep


def test_only_temporary_files_older_than_any_build_are_removed(settings):
    folder = Path(settings.MEDIA_ROOT) / "reports" / "2025"
    folder.mkdir(parents=True)
    dead, live, done = (folder / n for n in (".building-a.pdf", ".building-b.pdf", "x-v1.pdf"))
    for path in (dead, live, done):
        path.write_bytes(b"")
    old = time.time() - (settings.BANGFU_REPORT_STALE_MINUTES + 6) * 60
    os.utime(dead, (old, old))
    os.utime(done, (old, old))

    assert report_temp_files_sweep.delay().get() == 1  # as Celery beat sends it

    assert sorted(p.name for p in folder.iterdir()) == [".building-b.pdf", "x-v1.pdf"]
    assert temp_files_sweep() == 0
