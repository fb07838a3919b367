"""Files that reports and exports build: written under a temporary name beside their final
one and moved into place, so that the final name only ever holds a complete file.

``os.replace`` is atomic on one file system. A build that fails removes its temporary file;
one that dies with its worker (``kill -9``) leaves it to ``pdf.temp_files_sweep``, which
knows it by ``BUILDING``.
"""

import contextlib
import os
import tempfile
from pathlib import Path

BUILDING = ".building-"


@contextlib.contextmanager
def built_file(final: Path, suffix: str):
    """A temporary path to write ``final`` into; moved onto ``final`` when the block ends
    without error, removed when it raises."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=BUILDING, suffix=suffix)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
