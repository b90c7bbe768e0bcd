"""Folders the portal writes to (uploads, the instance folder, paper-run's output): made when
missing, and tried with a real file, with the reason in Dutch when that cannot be done."""

from __future__ import annotations

import errno
import tempfile
from pathlib import Path

# Why a folder cannot be written to, in Dutch (the system's own text is English).
WHY_NOT_WRITABLE = {
    errno.ENOENT: "de map bestaat niet en kan hier niet gemaakt worden",
    errno.ENOTDIR: "een deel van het pad is een bestand, geen map",
    errno.EEXIST: "er staat al een bestand met die naam",
    errno.EACCES: "u heeft geen rechten om daarin te schrijven",
    errno.EPERM: "u heeft geen rechten om daarin te schrijven",
    errno.EROFS: "die schijf kan alleen gelezen worden",
    errno.ENOSPC: "de schijf is vol",
}


def why_not_writable(path: Path) -> str | None:
    """Make `path` (and its parents) if needed and write a file in it; None when that worked,
    else why not, in Dutch."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".schrijftest-"):
            pass
    except OSError as error:
        return WHY_NOT_WRITABLE.get(error.errno or 0, "het systeem staat het niet toe")
    return None
