"""A build stopped at any moment (``kill -9``, a full disk) never loses or half-replaces a
publication, and the next plain ``auditrap build`` (what ``make report`` runs) recovers by
itself: no ``--unlock``, no ``--rerun-incomplete``."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from auditrap import provenance
from auditrap.publish import leftovers

from conftest import FIXTURE_AUDIT
from test_workflow import make_workspace

pytestmark = pytest.mark.e2e

AUDIT = "exploitation-2021"
OUT = Path("report/_output")
CONCLUSION = Path("data/raw") / AUDIT / "narrative" / "conclusion.md"
BUILD = [sys.executable, "-m", "auditrap.cli", "build", "--cores", "2", "--quiet"]


def start_build(workspace: Path) -> subprocess.Popen:
    """``auditrap build`` in its own process group, so that it can be killed with every job
    it started, as a killed terminal or the OOM killer would."""
    return subprocess.Popen(
        BUILD,
        cwd=workspace,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def kill(process: subprocess.Popen) -> str:
    """Kill the build and every process it started; what it had printed."""
    with contextlib.suppress(ProcessLookupError):  # it had finished
        os.killpg(process.pid, signal.SIGKILL)
    return process.communicate(timeout=60)[1]


def read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def run_build(workspace: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*BUILD, *extra], cwd=workspace, capture_output=True, text=True, timeout=600
    )


def failures(results: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [r for r in results if r[0] not in provenance.PASSING]


def check_publication(workspace: Path, narratives: dict[str, str]) -> bool:
    """The audit's published folder is absent or a complete build that verify accepts (its
    narrative put back as that build recorded it). True when there is one."""
    folder = workspace / OUT / AUDIT
    if not folder.exists():
        return False
    manifest = json.loads((folder / "manifest.json").read_text())
    recorded = manifest["inputs"][CONCLUSION.as_posix()]
    (workspace / CONCLUSION).write_text(narratives[recorded])
    results = provenance.verify(folder, root=workspace)
    assert not failures(results), failures(results)
    return True


def with_narrative(workspace: Path, narratives: dict[str, str], n: int) -> None:
    text = f"Kill test, version {n}: agencies now listen to children's views.\n"
    narratives[hashlib.sha256(text.encode()).hexdigest()] = text
    (workspace / CONCLUSION).write_text(text)


def test_a_build_killed_at_any_moment_never_loses_the_publication(tmp_path):
    rng = random.Random(20261207)
    workspace = make_workspace(tmp_path, {AUDIT: FIXTURE_AUDIT})
    (workspace / CONCLUSION).parent.mkdir(parents=True)
    narratives: dict[str, str] = {}
    published = False
    messages = ""

    # A cold build, killed early (the analysis), then once it is under way.
    for n in range(3):
        with_narrative(workspace, narratives, n)
        process = start_build(workspace)
        if n == 0:
            # A second build while this one runs is refused, and changes nothing.
            lock = workspace / ".snakemake" / "auditrap-build.lock"
            while process.poll() is None and str(process.pid) not in read(lock):
                time.sleep(0.01)
            second = run_build(workspace)
            assert process.poll() is None, "the first build ended too soon to test this"
            assert second.returncode == 1
            assert "Another auditrap build is running in this folder" in second.stderr
            assert f"(process {process.pid})" in second.stderr
        time.sleep(rng.uniform(0.5, 4.0))
        messages += kill(process)
        published |= check_publication(workspace, narratives)

    # One whole build, timed, so that the kills that follow spread over a build's duration.
    with_narrative(workspace, narratives, 3)
    started = time.perf_counter()
    result = run_build(workspace)
    span = time.perf_counter() - started
    assert result.returncode == 0, result.stderr[-3000:]
    messages += result.stderr
    assert check_publication(workspace, narratives)

    # A narrative edit re-renders and publishes again. Half the kills fall anywhere in the
    # build; half just as the new folder is being made beside the published one (the
    # publishing step lasts a fraction of a second, which random moments would rarely hit).
    for n in range(4, 18):
        with_narrative(workspace, narratives, n)
        before = set(leftovers(workspace / OUT / AUDIT))  # what an earlier kill left
        process = start_build(workspace)
        if n % 2:
            time.sleep(rng.uniform(0, span))
        else:
            deadline = time.perf_counter() + span * 3
            while (
                not set(leftovers(workspace / OUT / AUDIT)) - before
                and time.perf_counter() < deadline
            ):
                if process.poll() is not None:
                    break
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.05))
        messages += kill(process)
        assert check_publication(workspace, narratives)
        page = (workspace / OUT / "index.html").read_text(encoding="utf-8")
        assert page.rstrip().endswith("</html>")  # the programme page is never partial

    # The next plain build recovers by itself, and everything verifies.
    with_narrative(workspace, narratives, 99)
    result = run_build(workspace)
    assert result.returncode == 0, result.stderr[-3000:]
    messages += result.stderr
    for folder in (workspace / OUT / AUDIT, workspace / OUT):
        results = provenance.verify(folder, root=workspace)
        assert not failures(results), failures(results)
    assert "Kill test, version 99" in (workspace / OUT / AUDIT / f"{AUDIT}.html").read_text()
    assert not leftovers(workspace / OUT / AUDIT)
    again = run_build(workspace, "--dry-run")
    assert "Nothing to be done" in again.stdout + again.stderr
    assert "Traceback" not in messages
    # Each recovery said what it did.
    assert "the stale lock was removed" in messages
    assert "they will be made again" in messages


def published_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_full_disk_while_publishing_keeps_the_publication(tmp_path):
    """report/_output on a small file system (a tmpfs) that holds one publication but not a
    second beside it: publishing a new build fails with a plain message, the previous one
    is untouched and the partial new folder removed; with space again, a plain build
    publishes it."""
    workspace = make_workspace(tmp_path, {AUDIT: FIXTURE_AUDIT})
    output = workspace / OUT
    output.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(output)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(
            "mounting a small tmpfs needs root (or CAP_SYS_ADMIN), which this machine does not "
            f"give: {mounted.stderr.strip()}. The injected ENOSPC tests of test_publish.py "
            "still run."
        )
    try:
        (workspace / CONCLUSION).parent.mkdir(parents=True)
        (workspace / CONCLUSION).write_text("The first conclusion.\n")
        first = run_build(workspace)
        assert first.returncode == 0, first.stderr[-3000:]
        before = published_bytes(output)

        (workspace / CONCLUSION).write_text("The second conclusion, which needs more room.\n")
        full = run_build(workspace)
        assert full.returncode == 1
        assert "There is not enough space on the disk to publish" in full.stderr
        assert "the previous publication is as it was" in full.stderr
        assert "Traceback" not in full.stderr
        assert published_bytes(output) == before
        assert not leftovers(output / AUDIT)
        (workspace / CONCLUSION).write_text("The first conclusion.\n")
        assert not failures(provenance.verify(output / AUDIT, root=workspace))

        (workspace / CONCLUSION).write_text("The second conclusion, which needs more room.\n")
        subprocess.run(["mount", "-o", "remount,size=8m", str(output)], check=True)
        again = run_build(workspace)
        assert again.returncode == 0, again.stderr[-3000:]
        assert "which needs more room" in (output / AUDIT / f"{AUDIT}.html").read_text()
        for folder in (output / AUDIT, output):
            assert not failures(provenance.verify(folder, root=workspace))
    finally:
        subprocess.run(["umount", "-l", str(output)], capture_output=True)
