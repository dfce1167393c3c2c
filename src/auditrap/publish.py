"""Atomic publication: a published folder is the complete previous build or the complete new
one, never a mix, never empty, never without its manifest.

:func:`publish_folder` is the one way anything is published into ``report/_output``: it
copies the finished files into a new folder beside the published one (so on the same file
system), then swaps the two in one step, and only then removes the previous publication.
On Linux the swap is ``renameat2(..., RENAME_EXCHANGE)``, which exchanges two directories
atomically; elsewhere (or on a file system without it) the previous folder is renamed aside
and the new one into place, two renames, and a build stopped between them leaves the
previous folder under its aside name, which the next publication of that folder puts back
before anything else (:func:`clear_leftovers`). A full disk, or any other failure while the
files are copied, removes the new folder and leaves the published one as it was.

Snakemake deletes a job's declared outputs before the job runs and after it fails, so the
rules never declare a file inside a published folder: they declare a *receipt* under
``data/processed`` (:func:`write_receipt`), which records the SHA-256 of every file
published, and the workflow re-publishes any folder that is missing or no longer matches its
receipt (:func:`receipt_problem`, checked when the workflow is read).
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from auditrap.provenance import sha256

#: Snakemake's own report of the run (rule code, parameters, run times): ``make report``
#: writes it into each audit's internal edition after the build. It cannot be recorded in the
#: manifest (it is made afterwards, and its run times differ every run), so the receipt and
#: ``verify`` name it apart from the recorded files; a new publication does not carry it over.
RUN_REPORT = "internal/workflow-report.html"
#: The names of the folders a publication is built in (beside the target) and set aside in.
STAGING, ASIDE = "staging", "previous"

_NO_SPACE = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


class PublishError(Exception):
    """Publishing failed for a reason the person running the build can act on (a full disk);
    the message says what happened and that the previous publication is unchanged."""


def publish_folder(target: Path | str, files: Mapping[Path | str, str]) -> None:
    """Publish ``files`` (each finished file mapped to its name inside ``target``, such as
    ``data/grades.csv``) as the folder ``target``, atomically.

    Readers of ``target`` see the previous folder until the new one is complete, then the new
    one, whole; at no moment is ``target`` absent (when it existed before), partly copied or
    a mix of the two. Board pages and audit reports alike are published this way. Raises
    :class:`PublishError` (with a plain message) when the disk is full; any other ``OSError``
    is raised as it is. Either way the new folder is removed and ``target`` is unchanged.
    """
    target = Path(target)
    names = [_checked_name(name) for name in files.values()]
    if len(set(names)) != len(names):
        raise ValueError(f"Two files would be published under the same name in {target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    clear_leftovers(target)
    staging: Path | None = None
    try:
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.{STAGING}-"))
        os.chmod(staging, 0o777 & ~_umask())  # as a folder made by mkdir would be
        for source, name in sorted(files.items(), key=lambda item: item[1]):
            _copy(Path(source), staging / name)
        _sync_folder(staging)
        swap_in(staging, target)
    except OSError as exc:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if exc.errno in _NO_SPACE:
            raise PublishError(
                f"There is not enough space on the disk to publish {target} ({exc.strerror}). "
                "Nothing was changed: the previous publication is as it was. Free some space "
                "and run the report again."
            ) from None
        raise
    # The staging folder now holds the previous publication (or nothing): remove it.
    shutil.rmtree(staging, ignore_errors=True)


def publish_files(folder: Path | str, files: Mapping[Path | str, str]) -> None:
    """Publish ``files`` into ``folder`` one by one, each replaced in one rename, in the
    order given (put the manifest last). For a folder that also holds other publications,
    such as ``report/_output`` with the programme page: each file is whole at every moment,
    but a build stopped between two of them leaves them out of step, which ``verify`` reports
    and the receipt makes the next build put right. Raises :class:`PublishError` on a full
    disk, with the file being replaced as it was."""
    folder = Path(folder)
    for source, name in files.items():
        target = folder / _checked_name(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        os.close(handle)
        try:
            _copy(Path(source), Path(partial))
            os.chmod(partial, 0o666 & ~_umask())
            os.replace(partial, target)
        except OSError as exc:
            Path(partial).unlink(missing_ok=True)
            if exc.errno in _NO_SPACE:
                raise PublishError(
                    f"There is not enough space on the disk to publish {target} "
                    f"({exc.strerror}). It was left as it was. Free some space and run the "
                    "report again."
                ) from None
            raise
        _sync_folder_entry(target.parent)


def swap_in(new: Path, target: Path) -> None:
    """Put the folder ``new`` in place of ``target`` in one step; afterwards ``new`` holds
    the previous ``target`` (or does not exist, when there was none)."""
    if not target.exists():
        os.rename(new, target)
        _sync_folder_entry(target.parent)
        return
    if exchange(new, target):
        _sync_folder_entry(target.parent)
        return
    # No atomic exchange here: two renames. A stop between them leaves the previous folder
    # set aside, under a name clear_leftovers() knows and puts back.
    aside = target.parent / f".{target.name}.{ASIDE}-{os.getpid()}-{secrets.token_hex(4)}"
    os.rename(target, aside)
    os.rename(new, target)
    os.rename(aside, new)
    _sync_folder_entry(target.parent)


def exchange(first: Path, second: Path) -> bool:
    """Exchange two paths atomically with Linux's ``renameat2(RENAME_EXCHANGE)``. False when
    this system or file system cannot (then nothing was done); an ``OSError`` otherwise."""
    if not sys.platform.startswith("linux") or os.environ.get("AUDITRAP_NO_EXCHANGE"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):  # a C library older than glibc 2.28
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange):
        code = ctypes.get_errno()
        if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM):
            return False
        raise OSError(code, os.strerror(code), str(first), None, str(second))
    return True


def leftovers(target: Path | str) -> list[Path]:
    """Folders a stopped publication of ``target`` left beside it."""
    target = Path(target)
    if not target.parent.is_dir():
        return []
    return sorted(
        p
        for p in target.parent.iterdir()
        if p.name.startswith((f".{target.name}.{STAGING}-", f".{target.name}.{ASIDE}-"))
    )


def clear_leftovers(target: Path | str) -> list[str]:
    """Repair what a stopped publication of ``target`` left: when ``target`` is missing and
    a previous publication was set aside (the two-rename swap stopped half way), put it
    back; remove every unfinished new folder. Only call it where no other publication of
    ``target`` can be running (the publishing job, under the workflow's lock). Says what it
    did, one line each."""
    target = Path(target)
    done = []
    found = leftovers(target)
    aside = [p for p in found if p.name.startswith(f".{target.name}.{ASIDE}-")]
    if aside and not target.exists():
        os.rename(aside[-1], target)
        done.append(f"Put back {target}, which a stopped build had set aside.")
    for path in found:
        if path.exists():
            shutil.rmtree(path, ignore_errors=True)
            done.append(f"Removed {path.name}, left by a stopped build.")
    return done


def stopped_publications(output_dir: Path | str) -> list[Path]:
    """Every publication under ``output_dir`` (audit folders, board pages) that a stopped
    build left something beside (see :func:`leftovers`)."""
    found: list[Path] = []
    output_dir = Path(output_dir)
    if not output_dir.is_dir():
        return found
    marker = re.compile(rf"^\.(?P<target>.+)\.(?:{STAGING}|{ASIDE})-")
    for dirpath, dirnames, _ in os.walk(output_dir):
        here = Path(dirpath)
        targets = {m["target"] for d in dirnames if (m := marker.match(d))}
        dirnames[:] = [d for d in dirnames if not marker.match(d)]  # never inside a leftover
        found += [here / target for target in sorted(targets)]
    return found


def clear_all_leftovers(output_dir: Path | str) -> list[str]:
    """:func:`clear_leftovers` for every publication under ``output_dir`` that a stopped
    build left something beside. Only while no build runs."""
    return [line for target in stopped_publications(output_dir) for line in clear_leftovers(target)]


def folder_files(folder: Path | str) -> dict[str, Path]:
    """Every file under ``folder`` (symbolic links included, never followed), by its name
    relative to it, as POSIX paths."""
    folder = Path(folder)
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        for name in filenames + [d for d in dirnames if (here / d).is_symlink()]:
            found[(here / name).relative_to(folder).as_posix()] = here / name
    return found


def receipt_record(folder: Path | str, names: Iterable[str] | None = None) -> dict:
    """What a receipt records of ``folder``: the SHA-256 of each published file (``names``,
    or every file but the run report when the folder is the publication's own)."""
    folder = Path(folder)
    if names is None:
        files = {n: p for n, p in folder_files(folder).items() if n != RUN_REPORT}
    else:
        files = {n: folder / n for n in names}
    return {
        "folder": folder.as_posix(),
        "whole_folder": names is None,
        "files": {n: sha256(p) for n, p in sorted(files.items())},
    }


def write_receipt(receipt: Path | str, folder: Path | str, names: Iterable[str] | None = None):
    """Record what was just published in ``folder`` (see :func:`receipt_record`)."""
    receipt = Path(receipt)
    receipt.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(receipt_record(folder, names), indent=2, sort_keys=True) + "\n"
    partial = receipt.with_name(f".{receipt.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, receipt)


def receipt_problem(receipt: Path | str, folder: Path | str) -> str | None:
    """Why ``folder`` no longer matches its receipt (missing, a file changed, added or
    removed), or None when it does, or when there is no receipt to compare with."""
    receipt, folder = Path(receipt), Path(folder)
    try:
        recorded = json.loads(receipt.read_text(encoding="utf-8"))
        expected = dict(recorded["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return None if not receipt.exists() else f"its receipt {receipt} cannot be read"
    if not folder.is_dir():
        return f"{folder} is missing"
    if recorded.get("whole_folder"):
        present = {n: p for n, p in folder_files(folder).items() if n != RUN_REPORT}
    else:
        present = {n: folder / n for n in expected if (folder / n).is_file()}
    for name in sorted(set(expected) | set(present)):
        if name not in present:
            return f"{folder / name} is missing"
        if name not in expected:
            return f"{folder / name} was not published by the build"
        if present[name].is_symlink() or sha256(present[name]) != expected[name]:
            return f"{folder / name} has changed since it was published"
    return None


def _checked_name(name: str) -> str:
    """A name inside the published folder: relative, with no ``..``."""
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or ".." in path.parts or "\\" in name:
        raise ValueError(f"{name!r} is not a file name inside a published folder")
    return path.as_posix()


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as reader, target.open("wb") as writer:
        shutil.copyfileobj(reader, writer, 1 << 20)
        writer.flush()
        os.fsync(writer.fileno())


def _sync_folder(folder: Path) -> None:
    for dirpath, _, _ in os.walk(folder):
        _sync_folder_entry(Path(dirpath))


def _sync_folder_entry(folder: Path) -> None:
    """Make a folder's entries (a rename into it) durable; where folders cannot be opened
    (Windows), there is nothing to do."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
