"""Run the workflow on this machine through Snakemake's Python API, as ``make report`` does.

This is the same workflow and the same jobs as ``snakemake --cores N``, with one difference:
no job-rate limiter. Snakemake's command line always sets one (``--max-jobs-per-timespan``,
100 jobs a second by default, meant to spare a cluster's scheduler), and in Snakemake 9.27
it costs a local build dearly: every scheduling round starts a one-second timer that starts
another round, so rounds pile up as jobs finish (each round checks every input of every job
that is ready), and the last timer holds the process for up to a second after the last job.
For 100 audits that was most of Snakemake's own time (``docs/performance.md``). The API's
scheduling settings have no limiter unless one is asked for; nothing in Snakemake is patched.
Jobs are picked by the greedy scheduler, which is as good here (no temporary files) and
cheaper than the ILP one.

A build recovers by itself from one that was stopped (``kill -9``, a power cut, a full
disk): it holds a lock of its own (:class:`BuildLock`) for the whole build, so a second
``auditrap build`` in the same folder is refused; holding it, a Snakemake lock left behind
can only be stale (unless a plain ``snakemake`` is running here, which is checked), so it is
removed, and jobs a stopped build left unfinished are run again, each said in a message.
"""

from __future__ import annotations

import base64
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

LOCK_NAME = "auditrap-build.lock"


class BuildBusy(Exception):
    """Another build is running in this folder: the message says which and what to do."""


class BuildLock:
    """An exclusive lock on the project folder for the whole of one ``auditrap build``
    (``fcntl.flock`` on ``.snakemake/auditrap-build.lock``). The system releases it when the
    process ends, however it ends, so a killed build never leaves it held."""

    def __init__(self, root: Path) -> None:
        self.path = root / ".snakemake" / LOCK_NAME
        self._handle = None

    def __enter__(self) -> BuildLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            import fcntl
        except ImportError:  # not a POSIX system: Snakemake's own lock still applies
            self._handle = handle
            return self
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise BuildBusy(
                f"Another auditrap build is running in this folder (process {holder}). Wait "
                "for it to finish, then run the build again. Nothing was changed."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return self

    def __exit__(self, *exc) -> None:
        if self._handle is not None:
            self._handle.close()  # releases the flock
            self._handle = None


def snakemake_processes(root: Path) -> list[int]:
    """Other processes running Snakemake (or one of its jobs) in ``root`` (Linux's /proc;
    elsewhere none can be seen, and an empty list is returned)."""
    found = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    here = root.resolve()
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if Path(os.readlink(entry / "cwd")).resolve() != here:
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if b"snakemake" in command:
            found.append(int(entry.name))
    return sorted(found)


def incomplete_files(root: Path) -> list[str]:
    """The files a stopped run left marked as unfinished (Snakemake's ``.snakemake/
    incomplete`` records: each a file's path in URL-safe base 64, split into folders of at
    most the file system's name length, every part but the last marked with ``@``)."""
    folder = root / ".snakemake" / "incomplete"
    found = []
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            parts = (Path(dirpath) / name).relative_to(folder).parts
            encoded = "".join(part.removeprefix("@") for part in parts)
            try:
                path = base64.urlsafe_b64decode(encoded.encode()).decode()
            except (ValueError, UnicodeDecodeError):
                continue
            if (root / path).exists():
                found.append(path)
    return sorted(found)


def output_dir(root: Path, configfiles: Sequence[Path] = ()) -> Path:
    """The folder the build publishes into (config.yaml's ``output_dir``, as the config files
    given set it)."""
    import yaml

    folder = "report/_output"
    for path in [root / "config.yaml", *configfiles]:
        try:
            settings = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
            folder = str(settings.get("output_dir", folder))
        except (OSError, ValueError, yaml.YAMLError, AttributeError):
            continue  # the workflow reports an unreadable config file itself
    return root / folder


def recover(root: Path, published: Path | None = None) -> list[str]:
    """Clear what a stopped build left, while holding the :class:`BuildLock`: a Snakemake
    lock (stale, since no other build can be running) is removed, and the folders a stopped
    publication left in ``published`` (the output folder) are removed, or put back
    (:func:`auditrap.publish.clear_all_leftovers`). Says what it did; raises
    :class:`BuildBusy` when a plain ``snakemake`` is running here."""
    from auditrap.publish import clear_all_leftovers, stopped_publications

    notes = []
    locks = root / ".snakemake" / "locks"
    running = None
    if locks.is_dir() and any(locks.iterdir()):
        running = snakemake_processes(root)
        if running:
            raise BuildBusy(
                "Snakemake is running in this folder (process "
                + ", ".join(str(p) for p in running)
                + "). Wait for it to finish, then run the build again. Nothing was changed."
            )
        shutil.rmtree(locks, ignore_errors=True)
        notes.append(
            "A build that was stopped before it finished had left this folder locked. No "
            "other build is running here, so the stale lock was removed."
        )
    unfinished = incomplete_files(root)
    if unfinished:
        shown = ", ".join(unfinished[:5]) + (" and others" if len(unfinished) > 5 else "")
        notes.append(
            f"A build that was stopped before it finished left {len(unfinished)} file(s) "
            f"unfinished ({shown}): they will be made again."
        )
    if published is not None and stopped_publications(published):
        if running is None:
            running = snakemake_processes(root)
        if not running:
            notes += clear_all_leftovers(published)
    return notes


def build(
    *,
    cores: int,
    targets: Sequence[str] = (),
    configfiles: Sequence[Path] = (),
    keep_going: bool = False,
    quiet: bool = False,
    snakefile: Path = Path("Snakefile"),
    final: bool = False,
    dry_run: bool = False,
) -> bool:
    """Build ``targets`` (default: the workflow's default target); True when every job ran.
    ``final`` makes it a final build (config.yaml's ``final``); ``dry_run`` says what would
    run and runs nothing."""
    root = Path.cwd()
    try:
        with BuildLock(root):
            for note in recover(root, output_dir(root, configfiles)):
                print(note, file=sys.stderr)
            return _run(
                cores=cores,
                targets=targets,
                configfiles=configfiles,
                keep_going=keep_going,
                quiet=quiet,
                snakefile=snakefile,
                final=final,
                dry_run=dry_run,
            )
    except BuildBusy as exc:
        print(str(exc), file=sys.stderr)
        return False


def _run(
    *,
    cores: int,
    targets: Sequence[str],
    configfiles: Sequence[Path],
    keep_going: bool,
    quiet: bool,
    snakefile: Path,
    final: bool,
    dry_run: bool,
) -> bool:
    from snakemake.api import SnakemakeApi
    from snakemake.scheduling.greedy import SchedulerSettings as GreedySettings
    from snakemake.settings.types import (
        ConfigSettings,
        DAGSettings,
        ExecutionSettings,
        OutputSettings,
        Quietness,
        ResourceSettings,
        SchedulingSettings,
    )

    from auditrap.readiness import format_warnings, publisher_warnings

    output = OutputSettings(
        printshellcmds=True, quiet={Quietness.PROGRESS, Quietness.RULES} if quiet else None
    )
    # The workflow's own end-of-build hook leaves the publisher warnings to us (below), so
    # that they are printed after a build that had nothing to do as well.
    os.environ["AUDITRAP_BUILD"] = "1"
    ok, inner = True, None
    with SnakemakeApi(output) as api:
        try:
            workflow = api.workflow(
                resource_settings=ResourceSettings(cores=cores),
                config_settings=ConfigSettings(
                    configfiles=[Path(f) for f in configfiles],
                    config={"final": True} if final else {},
                ),
                snakefile=snakefile,
                workdir=Path.cwd(),
            )
            # Files a stopped build left unfinished are made again (--rerun-incomplete):
            # none of them is a published file, which only ever changes by a whole swap.
            dag = workflow.dag(
                dag_settings=DAGSettings(targets=frozenset(targets), force_incomplete=True)
            )
            inner = getattr(workflow, "_workflow", None)  # the workflow as read
            dag.execute_workflow(
                executor="dryrun" if dry_run else "local",
                execution_settings=ExecutionSettings(keep_going=keep_going),
                scheduling_settings=SchedulingSettings(scheduler="greedy"),
                scheduler_settings=GreedySettings(),
                greedy_scheduler_settings=GreedySettings(),
            )
        except Exception as exc:  # Snakemake's own errors, printed as its command line does
            api.print_exception(exc)
            ok = False
    settings = getattr(inner, "config", None)
    if settings and not dry_run:
        found = {a: publisher_warnings(a, settings) for a in settings.get("audits", [])}
        if any(found.values()):
            print(format_warnings(found, final=bool(settings.get("final"))), file=sys.stderr)
    return ok
