"""HTML to PDF with WeasyPrint, written to a temporary name and moved into place."""

import os
import shutil
import tempfile
import time
from pathlib import Path

from django.conf import settings
from weasyprint import HTML


def write_pdf(html: str, relative_path: str) -> str:
    """Render ``html`` into MEDIA_ROOT/``relative_path`` atomically; return the path.

    A failed render leaves nothing behind: the temporary file is removed, and the final
    name only ever holds a complete PDF (``os.replace`` is atomic on one file system).
    """
    final = Path(settings.MEDIA_ROOT) / relative_path
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".building-", suffix=".pdf")
    os.close(fd)
    pause = getattr(settings, "BANGFU_TEST_BUILD_PAUSE_SECONDS", 0)
    if pause:  # set by the test settings only: time to kill a worker mid-build
        time.sleep(pause)
    try:
        HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(tmp)
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return relative_path


def temp_files_sweep(*, now: float | None = None) -> int:
    """Remove the temporary files of builds that died with their worker (``kill -9`` leaves
    them behind): half-written reports and exports, and the parts of county-wide runs. Only
    files older than the build time limit and a margin: no build can still be writing them.
    Returns how many were removed."""
    root = Path(settings.MEDIA_ROOT) / "reports"
    if not root.is_dir():
        return 0
    older_than = (now or time.time()) - (settings.BANGFU_REPORT_STALE_MINUTES + 5) * 60
    removed = 0
    for path in root.rglob(".building-*"):
        try:
            if path.stat().st_mtime < older_than:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # removed meanwhile
            continue
    # The parts of county-wide runs whose merge never came (reporting/parts.py).
    parts = root / "parts"
    for folder in parts.iterdir() if parts.is_dir() else ():
        try:
            newest = max([folder.stat().st_mtime, *(p.stat().st_mtime for p in folder.iterdir())])
        except FileNotFoundError:
            continue
        if newest < older_than:
            removed += sum(1 for p in folder.iterdir() if p.is_file())
            shutil.rmtree(folder, ignore_errors=True)
    return removed
