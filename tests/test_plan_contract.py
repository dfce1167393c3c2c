"""recommendations.csv, the action plan and the new audit.yaml keys, rule by rule: a broken
copy of a valid audit, and the problem that must be reported, located by file, spreadsheet
row and column (or key), with the near-miss hint."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from auditrap.themes import load_taxonomy
from auditrap.validate import load_audit

from conftest import ROOT, read_rows, set_cell, write_rows

THEME_IDS = load_taxonomy(ROOT / "data" / "themes.yaml").ids

RECOMMENDATIONS = [
    ["recommendation_id", "theme_id", "recommendation", "addressed_to"],
    ["R1", "gp-information-sharing", "Share exploitation risk assessments with GPs.", "Board"],
    ["R2", "record-keeping", "Record return home interviews on the child's file.", "Police"],
    ["R3", "", "Review the screening tool with schools.", "Children's Social Care"],
]
ACTION_PLAN = [
    [
        "action_id",
        "recommendation_id",
        "lead_agency",
        "action",
        "target_date",
        "status",
        "completed_date",
        "updated",
        "evidence",
    ],
    ["A1", "R1", "Children's Social Care", "Add GP to the strategy list.", "2021-10-01",
     "Completed", "2021-09-20", "2021-12-01", "Dip sample of 10 files."],
    ["A2", "R2", "Police", "Audit return home interview recording.", "2021-11-30",
     "In progress", "", "2021-12-01", ""],
    ["A3", "R3", "Board", "Agree a revised screening tool.", "2022-03-31",
     "Not started", "", "2021-12-01", ""],
]


def add_plan(audit_dir: Path, plan: bool = True) -> Path:
    """Give an audit folder a valid recommendations.csv and (by default) action_plan.csv."""
    write_rows(audit_dir / "recommendations.csv", RECOMMENDATIONS)
    if plan:
        write_rows(audit_dir / "action_plan.csv", ACTION_PLAN)
    return audit_dir


def problems_of(audit_dir: Path, theme_ids=THEME_IDS):
    audit, problems = load_audit(audit_dir, audit_dir.name, theme_ids=theme_ids)
    return audit, [p for p in problems if p.severity == "error"], problems


def _yaml(extra: str):
    return lambda d: (d / "audit.yaml").write_text((d / "audit.yaml").read_text() + extra)


def _append_row(path: Path, row: list[str]) -> None:
    write_rows(path, read_rows(path) + [row])


# Each case: how to break the audit, the (file, row, column) that must be named, a phrase
# the message must contain, and the value it must quote (None: none).
CASES = {
    "unknown recommendation_id": (
        lambda d: set_cell(d / "action_plan.csv", 3, "recommendation_id", "R22"),
        ("action_plan.csv", 3, "recommendation_id"),
        "did you mean `R2`",
        "R22",
    ),
    "status Complete": (
        lambda d: set_cell(d / "action_plan.csv", 2, "status", "Complete"),
        ("action_plan.csv", 2, "status"),
        "did you mean `Completed`",
        "Complete",
    ),
    "status completed in lower case": (
        lambda d: set_cell(d / "action_plan.csv", 2, "status", "completed"),
        ("action_plan.csv", 2, "status"),
        "did you mean `Completed`",
        "completed",
    ),
    "status In Progress": (
        lambda d: set_cell(d / "action_plan.csv", 3, "status", "In Progress"),
        ("action_plan.csv", 3, "status"),
        "did you mean `In progress`",
        "In Progress",
    ),
    "Completed without a date": (
        lambda d: set_cell(d / "action_plan.csv", 2, "completed_date", ""),
        ("action_plan.csv", 2, "completed_date"),
        "Completed but has no completed_date",
        None,
    ),
    "completed_date while In progress": (
        lambda d: set_cell(d / "action_plan.csv", 3, "completed_date", "2021-11-01"),
        ("action_plan.csv", 3, "completed_date"),
        "In progress but has a completed_date",
        "2021-11-01",
    ),
    "completed_date after updated": (
        lambda d: set_cell(d / "action_plan.csv", 2, "completed_date", "2021-12-02"),
        ("action_plan.csv", 2, "completed_date"),
        "after `updated`",
        "2021-12-02",
    ),
    "lead agency not listed": (
        lambda d: set_cell(d / "action_plan.csv", 3, "lead_agency", "Polise"),
        ("action_plan.csv", 3, "lead_agency"),
        "did you mean `Police`",
        "Polise",
    ),
    "lead Board misspelt": (
        lambda d: set_cell(d / "action_plan.csv", 4, "lead_agency", "Boared"),
        ("action_plan.csv", 4, "lead_agency"),
        "did you mean `Board`",
        "Boared",
    ),
    "addressed_to not listed": (
        lambda d: set_cell(d / "recommendations.csv", 3, "addressed_to", "Youth Justice"),
        ("recommendations.csv", 3, "addressed_to"),
        "did you mean `Youth Justice Service`",
        "Youth Justice",
    ),
    "theme_id unknown": (
        lambda d: set_cell(d / "recommendations.csv", 2, "theme_id", "gp-info-sharing"),
        ("recommendations.csv", 2, "theme_id"),
        "did you mean `gp-information-sharing`",
        "gp-info-sharing",
    ),
    "recommendation_id twice": (
        lambda d: set_cell(d / "recommendations.csv", 3, "recommendation_id", "R1"),
        ("recommendations.csv", 3, "recommendation_id"),
        "more than once",
        "R1",
    ),
    "action_id twice": (
        lambda d: set_cell(d / "action_plan.csv", 4, "action_id", "A1"),
        ("action_plan.csv", 4, "action_id"),
        "more than once",
        "A1",
    ),
    "recommendation blank": (
        lambda d: set_cell(d / "recommendations.csv", 2, "recommendation", ""),
        ("recommendations.csv", 2, "recommendation"),
        "blank",
        None,
    ),
    "target_date not a date": (
        lambda d: set_cell(d / "action_plan.csv", 2, "target_date", "31/10/2021"),
        ("action_plan.csv", 2, "target_date"),
        "YYYY-MM-DD",
        "31/10/2021",
    ),
    "updated not a real date": (
        lambda d: set_cell(d / "action_plan.csv", 3, "updated", "2021-02-30"),
        ("action_plan.csv", 3, "updated"),
        "not a real date",
        "2021-02-30",
    ),
    "updated blank": (
        lambda d: set_cell(d / "action_plan.csv", 3, "updated", ""),
        ("action_plan.csv", 3, "updated"),
        "blank",
        None,
    ),
    "unknown column in the action plan": (
        lambda d: write_rows(
            d / "action_plan.csv",
            [r + ["x"] for r in read_rows(d / "action_plan.csv")],
        ),
        ("action_plan.csv", 1, "x"),
        "not a column",
        "x",
    ),
    "missing column in recommendations": (
        lambda d: write_rows(
            d / "recommendations.csv", [r[:3] for r in read_rows(d / "recommendations.csv")]
        ),
        ("recommendations.csv", 1, "addressed_to"),
        "missing",
        None,
    ),
    "action plan without recommendations": (
        lambda d: (d / "recommendations.csv").unlink(),
        ("action_plan.csv", None, None),
        "needs recommendations.csv",
        None,
    ),
    "finding not a theme id": (
        _yaml("findings: [swift-response, gp-informaton-sharing]\n"),
        ("audit.yaml", None, "findings"),
        "did you mean `gp-information-sharing`",
        "gp-informaton-sharing",
    ),
    "finding badly written": (
        _yaml("findings: [Swift response]\n"),
        ("audit.yaml", None, "findings"),
        "entry 1",
        "Swift response",
    ),
    "findings twice": (
        _yaml("findings: [swift-response, swift-response]\n"),
        ("audit.yaml", None, "findings"),
        "twice",
        None,
    ),
    "responds_to without its recommendation": (
        _yaml("responds_to:\n  - review: Child X review\n"),
        ("audit.yaml", None, "responds_to"),
        "entry 1: the key recommendation is missing",
        None,
    ),
    "responds_to with an unknown key": (
        _yaml("responds_to:\n  - review: R\n    recommendation: S\n    reveiw: T\n"),
        ("audit.yaml", None, "responds_to"),
        "`reveiw` is not a key",
        "T",
    ),
    "topic empty": (
        _yaml('topic: ""\n'),
        ("audit.yaml", None, "topic"),
        "must not be empty",
        "",
    ),
    "unknown key still an error": (
        _yaml("topc: neglect\n"),
        ("audit.yaml", None, "topc"),
        "did you mean `topic`",
        "topc",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_plan_rule_is_enforced(audit_copy, name):
    breaks, (file, row, column), phrase, value = CASES[name]
    audit_dir = add_plan(audit_copy())
    assert problems_of(audit_dir)[1] == []
    breaks(audit_dir)
    audit, errors, _ = problems_of(audit_dir)
    assert audit is None, f"{name}: the broken audit was accepted"
    located = [p for p in errors if (p.file, p.row, p.column) == (file, row, column)]
    assert located, f"{name}: no problem at {file} row {row} column {column}: {errors}"
    assert any(phrase in p.message for p in located), located
    assert any(p.value == value for p in located), located
