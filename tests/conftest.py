"""Shared fixtures: small audits copied into a temporary folder, ready to break."""

from __future__ import annotations

import csv
import shutil
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
