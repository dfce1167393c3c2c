"""Shared fixtures: small audits copied into a temporary folder, ready to break."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
FIXTURE_AUDIT = DATA / "audits" / "exploitation-2021"
SAMPLE_AUDIT = ROOT / "data" / "raw" / "nai-2018"


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell, addressed as a spreadsheet shows it (the header is row 1)."""
    rows = read_rows(path)
    rows[row - 1][rows[0].index(column)] = value
    write_rows(path, rows)


@pytest.fixture
def audit_copy(tmp_path: Path) -> Callable[..., Path]:
    """Copy an audit folder into tmp_path and return the copy's path."""

    def copy(source: Path = FIXTURE_AUDIT, name: str | None = None) -> Path:
        target = tmp_path / "raw" / (name or source.name)
        shutil.copytree(source, target)
        return target

    return copy


# --------------------------------------------------------------------------------------
# Real Quarto, for the tests that render with it (tests/test_quarto.py, and the Quarto half
# of tests/test_injection.py). It is found through an explicit path, never through PATH:
# AUDITRAP_QUARTO (the quarto command, or the folder of its bin/), else the copy `.ci/run`
# installs into .ci/quarto/ from the shared folder (AUDITRAP_QUARTO_SHARED, by default
# ../shared/quarto beside the repository). Without one the tests are skipped; in CI (the CI
# environment variable set) they fail if the shared folder is there but Quarto is not usable.

QUARTO_CI_INSTALL = ROOT / ".ci" / "quarto"


def quarto_shared_folder() -> Path:
    return Path(os.environ.get("AUDITRAP_QUARTO_SHARED") or ROOT.parent / "shared" / "quarto")


def find_quarto() -> tuple[Path | None, str]:
    """(the quarto command, "") if one is usable; else (None, why not)."""
    given = os.environ.get("AUDITRAP_QUARTO")
    if given:
        candidate = Path(given)
        if candidate.is_dir():
            candidate = (
                candidate / "bin" / "quarto"
                if (candidate / "bin").is_dir()
                else candidate / "quarto"
            )
        where = f"AUDITRAP_QUARTO={given}"
    else:
        candidate = QUARTO_CI_INSTALL / "bin" / "quarto"
        where = f"{candidate.relative_to(ROOT)} (installed by .ci/run)"
    if not candidate.is_file() or not os.access(candidate, os.X_OK):
        return None, f"there is no quarto command at {where}"
    try:
        result = subprocess.run(
            [str(candidate), "--version"], capture_output=True, text=True, timeout=300
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"{candidate} --version failed: {exc}"
    if result.returncode != 0:
        return None, f"{candidate} --version failed: {result.stderr.strip()[-300:]}"
    return candidate, ""


@pytest.fixture(scope="session")
def quarto_command() -> Path:
    """The Quarto to test with; skips without one (fails in CI when one was to be there)."""
    quarto, why = find_quarto()
    if quarto is None:
        reason = f"Real Quarto is not available: {why}."
        if os.environ.get("CI") and quarto_shared_folder().is_dir():
            pytest.fail(
                f"{reason} The shared Quarto is at {quarto_shared_folder()}, so CI must test "
                "with it: .ci/run installs it into .ci/quarto/.",
                pytrace=False,
            )
        pytest.skip(reason + " Set AUDITRAP_QUARTO, or run .ci/run.")
    return quarto


@pytest.fixture(scope="session")
def quarto_env(quarto_command: Path) -> dict[str, str]:
    """The environment of a run that renders with that Quarto: its bin/ first on PATH."""
    return {**os.environ, "PATH": f"{quarto_command.parent}{os.pathsep}{os.environ['PATH']}"}


def add_sample_programme(workspace: Path) -> None:
    """The sample's board programme (programme.yaml, the board's narrative) in a workspace."""
    shutil.copyfile(ROOT / "data" / "programme.yaml", workspace / "data" / "programme.yaml")
    shutil.copytree(ROOT / "data" / "boards", workspace / "data" / "boards")


@pytest.fixture(scope="session")
def quarto_workspace(quarto_env, tmp_path_factory) -> Path:
    """The sample audit and the hostile fixture audit (tests/test_injection.py), built with
    `engine: quarto` in one run, shared by every test of Quarto's output."""
    from test_injection import make_hostile

    from test_workflow import make_workspace, snakemake

    workspace = make_workspace(
        tmp_path_factory.mktemp("quarto"),
        {"nai-2018": SAMPLE_AUDIT, "exploitation-2021": FIXTURE_AUDIT},
        engine="quarto",
    )
    make_hostile(workspace / "data" / "raw" / "exploitation-2021")
    add_sample_programme(workspace)
    result = snakemake(workspace, env=quarto_env, timeout=1800)
    assert result.returncode == 0, result.stderr[-5000:]
    return workspace
