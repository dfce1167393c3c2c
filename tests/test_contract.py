"""One test per rule of the data contract: a broken copy of a valid audit, and the problem
that must be reported, located by file, spreadsheet row and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditrap.validate import load_audit

from conftest import FIXTURE_AUDIT, SAMPLE_AUDIT, read_rows, set_cell, write_rows


def problems_of(audit_dir: Path):
    audit, problems = load_audit(
        audit_dir, audit_dir.name, grade_aliases={"RI": "Requires improvement"}
    )
    errors = [p for p in problems if p.severity == "error"]
    return audit, errors


@pytest.mark.parametrize("source", [FIXTURE_AUDIT, SAMPLE_AUDIT], ids=["fixture", "nai-2018"])
def test_valid_audits_pass(source):
    audit, errors = problems_of(source)
    assert errors == []
    assert audit is not None
    assert len(audit.cases) > 0


def _append_column(path: Path, name: str, value: str) -> None:
    rows = read_rows(path)
    write_rows(path, [rows[0] + [name]] + [r + [value] for r in rows[1:]])


def _drop_column(path: Path, name: str) -> None:
    rows = read_rows(path)
    i = rows[0].index(name)
    write_rows(path, [r[:i] + r[i + 1 :] for r in rows])


def _append_row(path: Path, row: list[str]) -> None:
    write_rows(path, read_rows(path) + [row])


# Each case: how to break the audit, and the (file, row, column) that must be named, with a
# phrase the message must contain.
CASES = {
    "missing required column": (
        lambda d: _drop_column(d / "cases.csv", "area"),
        ("cases.csv", 1, "area"),
        "missing",
    ),
    "unknown column": (
        lambda d: _append_column(d / "returns.csv", "notes", "x"),
        ("returns.csv", 1, "notes"),
        "not a column",
    ),
    "blank required value": (
        lambda d: set_cell(d / "returns.csv", 3, "return_date", ""),
        ("returns.csv", 3, "return_date"),
        "blank",
    ),
    "case_id not unique": (
        lambda d: set_cell(d / "cases.csv", 3, "case_id", "CE-1"),
        ("cases.csv", 3, "case_id"),
        "more than once",
    ),
    "case_id pattern": (
        lambda d: set_cell(d / "cases.csv", 2, "case_id", "Jane Smith"),
        ("cases.csv", 2, "case_id"),
        "never be a name",
    ),
    "area not listed": (
        lambda d: set_cell(d / "cases.csv", 2, "area", "Riversid"),
        ("cases.csv", 2, "area"),
        "did you mean `Riverside`",
    ),
    "grade misspelt": (
        lambda d: set_cell(d / "returns.csv", 2, "grade", "Requires Improvment"),
        ("returns.csv", 2, "grade"),
        "did you mean `Requires improvement`",
    ),
    "ratified grade unknown": (
        lambda d: set_cell(d / "cases.csv", 2, "ratified_grade", "Excellent"),
        ("cases.csv", 2, "ratified_grade"),
        "not a grade",
    ),
    "agency not listed": (
        lambda d: set_cell(d / "returns.csv", 2, "agency", "Polce"),
        ("returns.csv", 2, "agency"),
        "did you mean `Police`",
    ),
    "return refers to unknown case": (
        lambda d: set_cell(d / "returns.csv", 2, "case_id", "CE-99"),
        ("returns.csv", 2, "case_id"),
        "not a case_id",
    ),
    "action refers to unknown case": (
        lambda d: set_cell(d / "actions.csv", 2, "case_id", "XX-1"),
        ("actions.csv", 2, "case_id"),
        "not a case_id",
    ),
    "two returns from one agency for one case": (
        lambda d: _append_row(d / "returns.csv", read_rows(d / "returns.csv")[1]),
        ("returns.csv", 20, "agency"),
        "more than one return",
    ),
    "date not ISO": (
        lambda d: set_cell(d / "returns.csv", 2, "return_date", "11/05/2021"),
        ("returns.csv", 2, "return_date"),
        "YYYY-MM-DD",
    ),
    "date not real": (
        lambda d: set_cell(d / "cases.csv", 2, "meeting_date", "2019-02-31"),
        ("cases.csv", 2, "meeting_date"),
        "not a real date",
    ),
    "completed without completed_date": (
        lambda d: set_cell(d / "actions.csv", 2, "completed_date", ""),
        ("actions.csv", 2, "completed_date"),
        "no completed_date",
    ),
    "open with completed_date": (
        lambda d: set_cell(d / "actions.csv", 4, "completed_date", "2021-07-01"),
        ("actions.csv", 4, "completed_date"),
        "Open but has a completed_date",
    ),
    "completed before raised": (
        lambda d: set_cell(d / "actions.csv", 2, "completed_date", "2021-06-01"),
        ("actions.csv", 2, "completed_date"),
        "before the raised_date",
    ),
    "status unknown": (
        lambda d: set_cell(d / "actions.csv", 2, "status", "Done"),
        ("actions.csv", 2, "status"),
        "not a status",
    ),
    "action_id not unique": (
        lambda d: set_cell(d / "actions.csv", 3, "action_id", "IA-1"),
        ("actions.csv", 3, "action_id"),
        "more than once",
    ),
    "case with no return": (
        lambda d: _append_row(d / "cases.csv", ["CE-7", "Hilltop", "Good", "2021-06-30"]),
        ("cases.csv", 8, "case_id"),
        "No agency returned",
    ),
    "unknown audit.yaml key": (
        lambda d: (d / "audit.yaml").write_text((d / "audit.yaml").read_text() + "titel: oops\n"),
        ("audit.yaml", 14, "titel"),  # the line of the key
        "did you mean `title`",
    ),
    "audit.yaml key missing": (
        lambda d: (d / "audit.yaml").write_text(
            (d / "audit.yaml").read_text().replace("period:", "# period:")
        ),
        ("audit.yaml", None, "period"),
        "missing",
    ),
    "audit_number not a whole number": (
        lambda d: (d / "audit.yaml").write_text(
            (d / "audit.yaml").read_text().replace("audit_number: 7", "audit_number: seven")
        ),
        ("audit.yaml", 5, "audit_number"),
        "whole number",
    ),
    "actions.csv missing": (
        lambda d: (d / "actions.csv").unlink(),
        ("actions.csv", None, None),
        "missing",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_contract_rule_is_enforced(audit_copy, name):
    breaks, (file, row, column), phrase = CASES[name]
    audit_dir = audit_copy()
    breaks(audit_dir)
    audit, errors = problems_of(audit_dir)
    assert audit is None, f"{name}: the broken audit was accepted"
    located = [p for p in errors if (p.file, p.row, p.column) == (file, row, column)]
    assert located, f"{name}: no problem at {file} row {row} column {column}: {errors}"
    assert any(phrase in p.message for p in located), located


def test_every_problem_of_every_file_in_one_run(audit_copy):
    audit_dir = audit_copy()
    set_cell(audit_dir / "cases.csv", 2, "area", "Nowhere")
    set_cell(audit_dir / "returns.csv", 4, "grade", "Brilliant")
    set_cell(audit_dir / "returns.csv", 6, "return_date", "2021-13-01")
    set_cell(audit_dir / "actions.csv", 3, "status", "Finished")
    _append_column(audit_dir / "actions.csv", "owner_name", "x")
    _, errors = problems_of(audit_dir)
    where = {(p.file, p.row, p.column) for p in errors}
    assert {
        ("cases.csv", 2, "area"),
        ("returns.csv", 4, "grade"),
        ("returns.csv", 6, "return_date"),
        ("actions.csv", 3, "status"),
        ("actions.csv", 1, "owner_name"),
    } <= where


def test_frame_wide_failures_are_folded_into_one_problem(audit_copy):
    audit_dir = audit_copy()
    set_cell(audit_dir / "actions.csv", 2, "completed_date", "2021-06-01")
    _, errors = problems_of(audit_dir)
    assert len([p for p in errors if p.file == "actions.csv" and p.row == 2]) == 1


def test_grade_case_spaces_and_aliases_are_accepted(audit_copy):
    audit_dir = audit_copy()
    set_cell(audit_dir / "returns.csv", 2, "grade", "  good ")
    set_cell(audit_dir / "returns.csv", 3, "grade", "RI")
    audit, errors = problems_of(audit_dir)
    assert errors == []
    assert list(audit.returns["grade"].astype(str)[:2]) == ["Good", "Requires improvement"]


def test_problems_name_the_agency_for_returns(audit_copy):
    audit_dir = audit_copy()
    set_cell(audit_dir / "returns.csv", 3, "grade", "Great")
    agency = read_rows(audit_dir / "returns.csv")[2][1]
    _, errors = problems_of(audit_dir)
    assert [p.agency for p in errors if p.row == 3] == [agency]
