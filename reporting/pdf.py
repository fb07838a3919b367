"""HTML to PDF with WeasyPrint, written to a temporary name and moved into place."""

import os
import tempfile
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
    try:
        HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(tmp)
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return relative_path
