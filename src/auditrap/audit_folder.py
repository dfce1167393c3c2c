"""An audit's folder holds its files, never a way to files elsewhere.

Everything under ``data/raw/<audit_id>/`` is read and published: audit.yaml, the CSV files,
the returns workbooks, the narrative and its pictures, the audit's theme taxonomy, and any
file added later. A symbolic link there (to ``/etc/passwd``, to another audit, to a folder
on a shared drive) would make the pipeline read, and perhaps publish, a file that nobody
put in the audit; a hard link is the same file as one elsewhere; a pipe or a device is not a
file at all (reading a pipe waits for ever). :func:`check_audit_folder` walks the whole
folder without following anything and refuses each of them, before any stage reads a file,
with a message that names the file and says what to do: copy the file itself in.

The folder must also be inside the project: a relative path (as the workflow gives it) may
not pass through a link on its way (``data`` or ``data/raw`` a link to somewhere else).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from auditrap.problems import Problem

__all__ = ["check_audit_folder", "returns_files"]

_COPY_IN = (
    "The pipeline reads only files that are really inside the audit's folder: put a copy of "
    "the file itself there instead (copy it, do not link it)."
)


def _link_target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:  # pragma: no cover - a link that vanished while being read
        return "somewhere else"


def _refusal(path: Path, shown: str, info: os.stat_result, is_dir: bool) -> Problem | None:
    what = "folder" if is_dir else "file"
    if stat.S_ISLNK(info.st_mode):
        return Problem(
            shown,
            message=f"This is a symbolic link (to {_link_target(path)}), not a {what} of the "
            f"audit. {_COPY_IN}",
        )
    if stat.S_ISDIR(info.st_mode):
        return None
    if not stat.S_ISREG(info.st_mode):
        return Problem(
            shown,
            message="This is not an ordinary file (it is a pipe, a socket or a device), so it "
            "cannot be read as part of the audit. Delete it, or put the real file there.",
        )
    if info.st_nlink > 1:
        return Problem(
            shown,
            message=f"This file is a hard link: the same file is also stored elsewhere "
            f"({info.st_nlink} names), and a change made there would change the audit. "
            f"{_COPY_IN}",
        )
    return None


def check_audit_folder(audit_dir: Path) -> list[Problem]:
    """Every link, and everything that is not an ordinary file or folder, in ``audit_dir``
    (which is not followed if it is a link itself), and every link on a relative
    ``audit_dir``'s way from the project folder (the working directory). Nothing is read;
    no problem means every file there is the audit's own."""
    audit_dir = Path(audit_dir)
    problems: list[Problem] = []
    if not audit_dir.is_absolute():
        way = Path()
        for part in audit_dir.parts[:-1]:
            way /= part
            if way.is_symlink():
                problems.append(
                    Problem(
                        way.as_posix(),
                        message=f"This folder is a symbolic link (to {_link_target(way)}): the "
                        "audits must be inside the project's own folder. Move or copy them "
                        "into it.",
                    )
                )
    try:
        top = audit_dir.lstat()
    except FileNotFoundError:
        return problems  # a missing folder is reported by validation, which names the audit
    refused = _refusal(audit_dir, audit_dir.as_posix(), top, True)
    if refused or problems:
        return [*problems, *([refused] if refused else [])]
    for root, folders, files in os.walk(audit_dir, followlinks=False):
        for name in sorted(folders) + sorted(files):
            path = Path(root, name)
            shown = path.relative_to(audit_dir).as_posix()
            try:
                info = path.lstat()
            except OSError as exc:
                problems.append(Problem(shown, message=f"This cannot be read ({exc.strerror})."))
                continue
            refused = _refusal(path, shown, info, name in folders)
            if refused:
                problems.append(refused)
        # os.walk lists a linked folder among the folders but never goes into it.
    return problems


def returns_files(audit_dir: Path | str) -> tuple[list[Path], list[Path]]:
    """What ``returns/`` holds: the workbooks read as returns (``*.xlsx`` in any case:
    ``School.XLSX`` too), and everything else in it (files of other kinds, folders), which
    validation refuses. Excel's lock files (``~$school.xlsx``, there while a workbook is open)
    and hidden files are neither. Validation reads exactly these, and the workflow's content
    stamps and manifest list exactly these, so that an edit to any of them rebuilds."""
    folder = Path(audit_dir) / "returns"
    workbooks: list[Path] = []
    others: list[Path] = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.name.startswith(("~$", ".")):
            continue
        is_workbook = path.suffix.lower() == ".xlsx" and path.is_file()
        (workbooks if is_workbook else others).append(path)
    return workbooks, others
