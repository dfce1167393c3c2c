"""Rebuild on content, not clocks: content stamps of the workflow's source files.

Snakemake decides what to run by modification times: an input newer than an output re-runs
the job. That is wrong both ways for the files people handle. A returns file replaced by one
with an older date (a zip extracted with its dates, ``cp -p``, ``rsync -a``, a backup restored)
changes the report without re-running anything; a file that was only touched re-runs what
did not change.

So the workflow declares the source files themselves as ``ancient()`` (their dates never
count) and depends instead on a few small *stamps* under ``data/processed``: each lists the
SHA-256 of a group of source files, and is rewritten only when one of those hashes (or the
set of files) changes. A stamp's date is therefore the date its content last changed, which
is exactly what Snakemake needs. The stamps are written when the workflow is read (see
``workflow/rules/common.smk``), before Snakemake compares any dates, so a ``--dry-run`` sees
them too and tells the truth.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from auditrap.provenance import sha256


class Hasher:
    """SHA-256 of files, each read once however many stamps list it (a parse of the
    workflow hashes the shared templates once, not once per audit)."""

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}

    def __call__(self, path: Path | str) -> str:
        key = os.path.normpath(str(path))
        if key not in self._cache:
            try:
                self._cache[key] = sha256(Path(key))
            except FileNotFoundError:
                self._cache[key] = "missing"
            except IsADirectoryError:
                self._cache[key] = "directory"
        return self._cache[key]


def stamp_text(files: Iterable[Path | str], hasher: Hasher, *, extra: Iterable[str] = ()) -> str:
    """The stamp of ``files``: one ``<sha256>  <path>`` line each, in path order, then any
    ``extra`` lines (what else the stamp stands for, such as a folder's listing)."""
    paths = sorted({Path(f).as_posix() for f in files})
    lines = [f"{hasher(p)}  {p}" for p in paths]
    lines += [f"# {line}" for line in extra]
    return "\n".join(lines) + "\n"


def write_stamp(path: Path | str, text: str) -> bool:
    """Write ``text`` to the stamp ``path`` only when it differs from what is there, in one
    atomic rename (a build stopped at any moment leaves the old stamp or the new one).
    True when it was rewritten."""
    path = Path(path)
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (FileNotFoundError, UnicodeDecodeError, IsADirectoryError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return True
