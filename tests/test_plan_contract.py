"""recommendations.csv, the action plan and the new audit.yaml keys, rule by rule: a broken
copy of a valid audit, and the problem that must be reported, located by file, spreadsheet
row and column (or key), with the near-miss hint."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from auditrap.themes import load_taxonomy
from auditrap.validate import load_audit

from conftest import FIXTURE_AUDIT, ROOT, read_rows, set_cell, write_rows

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
    [
        "A1",
        "R1",
        "Children's Social Care",
        "Add GP to the strategy list.",
        "2021-10-01",
        "Completed",
        "2021-09-20",
        "2021-12-01",
        "Dip sample of 10 files.",
    ],
    [
        "A2",
        "R2",
        "Police",
        "Audit return home interview recording.",
        "2021-11-30",
        "In progress",
        "",
        "2021-12-01",
        "",
    ],
    [
        "A3",
        "R3",
        "Board",
        "Agree a revised screening tool.",
        "2022-03-31",
        "Not started",
        "",
        "2021-12-01",
        "",
    ],
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
        ("audit.yaml", 14, "findings"),  # the line of the key
        "entry 1",
        "Swift response",
    ),
    "findings twice": (
        _yaml("findings: [swift-response, swift-response]\n"),
        ("audit.yaml", 14, "findings"),  # the line of the key
        "twice",
        None,
    ),
    "responds_to without its recommendation": (
        _yaml("responds_to:\n  - review: Child X review\n"),
        ("audit.yaml", 15, "responds_to"),  # the line of the key
        "entry 1: the key recommendation is missing",
        None,
    ),
    "responds_to with an unknown key": (
        _yaml("responds_to:\n  - review: R\n    recommendation: S\n    reveiw: T\n"),
        ("audit.yaml", 17, "responds_to"),  # the line of the key
        "`reveiw` is not a key",
        "T",
    ),
    "topic empty": (
        _yaml('topic: ""\n'),
        ("audit.yaml", 14, "topic"),  # the line of the key
        "must not be empty",
        "",
    ),
    "unknown key still an error": (
        _yaml("topc: neglect\n"),
        ("audit.yaml", 14, "topc"),  # the line of the key
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


def test_a_valid_plan_is_typed_and_numbered(audit_copy):
    audit_dir = add_plan(audit_copy())
    audit, errors, _ = problems_of(audit_dir)
    assert errors == []
    assert audit.has_recommendations and audit.has_action_plan
    assert audit.recommendations["number"].tolist() == [1, 2, 3]
    assert audit.recommendations["source_row"].tolist() == [2, 3, 4]
    assert pd.isna(audit.recommendations["theme_id"].iloc[2])
    plan = audit.action_plan
    assert str(plan["target_date"].dtype) == "datetime64[s]"
    assert plan["status"].astype(str).tolist() == ["Completed", "In progress", "Not started"]
    assert plan["completed_date"].notna().tolist() == [True, False, False]
    assert audit.files["action_plan.csv"] == 3


def test_without_the_files_the_plan_tables_are_empty(audit_copy):
    audit, errors, _ = problems_of(audit_copy())
    assert errors == []
    assert not audit.has_recommendations and not audit.has_action_plan
    assert len(audit.recommendations) == 0 and len(audit.action_plan) == 0
    assert "target_date" in audit.action_plan


def test_recommendations_alone_are_valid(audit_copy):
    audit, errors, _ = problems_of(add_plan(audit_copy(), plan=False))
    assert errors == [] and audit.has_recommendations and not audit.has_action_plan


def test_every_plan_problem_of_every_file_in_one_run(audit_copy):
    audit_dir = add_plan(audit_copy())
    set_cell(audit_dir / "cases.csv", 2, "area", "Nowhere")
    set_cell(audit_dir / "recommendations.csv", 2, "addressed_to", "Nobody")
    set_cell(audit_dir / "action_plan.csv", 2, "status", "Done")
    set_cell(audit_dir / "action_plan.csv", 3, "recommendation_id", "R9")
    set_cell(audit_dir / "action_plan.csv", 4, "target_date", "soon")
    _yaml("findings: [nothing-like-it]\n")(audit_dir)
    _, errors, _ = problems_of(audit_dir)
    assert {
        ("cases.csv", 2, "area"),
        ("recommendations.csv", 2, "addressed_to"),
        ("action_plan.csv", 2, "status"),
        ("action_plan.csv", 3, "recommendation_id"),
        ("action_plan.csv", 4, "target_date"),
        ("audit.yaml", None, "findings"),
    } <= {(p.file, p.row, p.column) for p in errors}


def test_without_the_taxonomy_theme_ids_are_not_checked(audit_copy):
    audit_dir = add_plan(audit_copy())
    set_cell(audit_dir / "recommendations.csv", 2, "theme_id", "a-local-theme")
    assert problems_of(audit_dir, theme_ids=None)[1] == []
    assert problems_of(audit_dir)[1] != []


def test_an_unanswered_recommendation_is_a_warning(audit_copy):
    audit_dir = add_plan(audit_copy())
    _append_row(audit_dir / "recommendations.csv", ["R4", "", "Another.", "Board"])
    audit, errors, problems = problems_of(audit_dir)
    assert errors == [] and audit is not None
    warnings = [p for p in problems if p.severity == "warning"]
    assert [(p.file, p.row, p.column, p.value) for p in warnings] == [
        ("recommendations.csv", 5, "recommendation_id", "R4")
    ]


def test_plan_problems_are_grouped_by_lead_agency(audit_copy):
    audit_dir = add_plan(audit_copy())
    set_cell(audit_dir / "action_plan.csv", 3, "updated", "yesterday")
    _, errors, _ = problems_of(audit_dir)
    assert [p.agency for p in errors if p.file == "action_plan.csv"] == ["Police"]


def test_two_action_plans_are_an_error(audit_copy, tmp_path):
    audit_dir = add_plan(audit_copy())
    (audit_dir / "action_plan.xlsx").write_bytes(b"not really")
    _, errors, _ = problems_of(audit_dir)
    assert any(p.file == "action_plan.xlsx" and "two action plans" in p.message for p in errors), (
        errors
    )


# -- The action-plan workbook ----------------------------------------------------------------


def _workbook(audit_dir: Path, out: Path) -> Path:
    from typer.testing import CliRunner

    from auditrap.cli import app

    result = CliRunner().invoke(
        app,
        [
            "template",
            audit_dir.name,
            "--action-plan",
            "-o",
            str(out),
            "--raw-dir",
            str(audit_dir.parent),
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def test_the_workbook_is_prefilled_with_dropdowns_and_dates(audit_copy, tmp_path):
    audit_dir = add_plan(audit_copy())
    book = openpyxl.load_workbook(_workbook(audit_dir, tmp_path / "plan.xlsx"))
    assert book.sheetnames == ["Instructions", "Action plan", "Recommendations", "Lists"]
    sheet = book["Action plan"]
    assert [c.value for c in sheet[1]] == ACTION_PLAN[0]
    assert [c.value for c in sheet[2]][:3] == ["A1", "R1", "Children's Social Care"]
    assert sheet["E2"].value == dt.datetime(2021, 10, 1)  # a real date
    assert sheet["G3"].value is None  # a blank stays blank
    checks = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert checks["B2:B501"] == "=list_recommendation_id"
    assert checks["C2:C501"] == "=list_lead_agency"
    assert checks["F2:F501"] == "=list_status"
    lists = book["Lists"]
    assert lists.sheet_state == "hidden" and lists.protection.sheet
    assert [c.value for c in lists["A"][1:] if c.value] == ["R1", "R2", "R3"]
    assert [c.value for c in lists["B"][1:] if c.value][-1] == "Board"
    assert [c.value for c in lists["C"][1:] if c.value] == [
        "Completed",
        "In progress",
        "Not started",
    ]
    guide = " ".join(str(c.value) for c in book["Instructions"]["A"] if c.value)
    assert "action_plan.xlsx" in guide and "names" in guide


def test_the_returned_workbook_is_read_back_as_the_action_plan(audit_copy, tmp_path):
    audit_dir = add_plan(audit_copy())
    before, errors, _ = problems_of(audit_dir)
    assert errors == []
    # A lead updates the workbook: a status, the dates (one typed as text), evidence that
    # looks like a formula; and adds an action.
    book = openpyxl.load_workbook(_workbook(audit_dir, tmp_path / "plan.xlsx"))
    sheet = book["Action plan"]
    sheet["F3"] = "Completed"
    sheet["G3"] = dt.datetime(2021, 12, 10)
    sheet["H3"] = "2021-12-15"
    sheet["I3"] = "=Dip sample of 20 files"
    sheet["I3"].data_type = "s"
    sheet.append(
        [
            "A4",
            "R1",
            "Board",
            "Report to the board.",
            dt.datetime(2022, 1, 31),
            "Not started",
            None,
            44545,
            None,
        ]
    )  # updated as a serial day number
    book.save(audit_dir / "action_plan.xlsx")
    (audit_dir / "action_plan.csv").unlink()
    after, errors, _ = problems_of(audit_dir)
    assert errors == [], errors
    plan = after.action_plan
    assert plan["source_file"].unique().tolist() == ["action_plan.xlsx"]
    assert plan["action_id"].tolist() == ["A1", "A2", "A3", "A4"]
    assert plan["status"].astype(str).tolist()[1] == "Completed"
    assert str(plan["updated"].iloc[1].date()) == "2021-12-15"
    assert str(plan["updated"].iloc[3].date()) == "2021-12-15"  # 44545
    assert plan["evidence"].iloc[1] == "=Dip sample of 20 files"
    unchanged = ["action_id", "recommendation_id", "lead_agency", "action", "target_date"]
    assert plan[unchanged].iloc[:3].equals(before.action_plan[unchanged])


def test_a_formula_or_a_bad_status_in_the_workbook_is_located(audit_copy, tmp_path):
    audit_dir = add_plan(audit_copy())
    book = openpyxl.load_workbook(_workbook(audit_dir, tmp_path / "plan.xlsx"))
    sheet = book["Action plan"]
    sheet["D2"] = '=CONCAT("a", "b")'
    sheet["F4"] = "Not Started"
    book.save(audit_dir / "action_plan.xlsx")
    (audit_dir / "action_plan.csv").unlink()
    _, errors, _ = problems_of(audit_dir)
    where = {(p.file, p.row, p.column): p.message for p in errors}
    assert "formula" in where[("action_plan.xlsx", 2, "D")]
    assert "of sheet Action plan" in where[("action_plan.xlsx", 2, "D")]
    assert "did you mean `Not started`" in where[("action_plan.xlsx", 4, "status")]


def test_the_workbook_text_never_becomes_a_formula(audit_copy, tmp_path):
    audit_dir = add_plan(audit_copy())
    set_cell(audit_dir / "action_plan.csv", 2, "action", '=HYPERLINK("http://x")')
    out = _workbook(audit_dir, tmp_path / "plan.xlsx")
    import zipfile

    xml = zipfile.ZipFile(out).read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in xml
    assert openpyxl.load_workbook(out)["Action plan"]["D2"].data_type == "s"


def test_the_workbook_needs_valid_recommendations(audit_copy, tmp_path):
    from typer.testing import CliRunner

    from auditrap.cli import app

    audit_dir = add_plan(audit_copy())
    set_cell(audit_dir / "action_plan.csv", 2, "recommendation_id", "R7")
    result = CliRunner().invoke(
        app,
        [
            "template",
            audit_dir.name,
            "--action-plan",
            "-o",
            str(tmp_path / "p.xlsx"),
            "--raw-dir",
            str(audit_dir.parent),
        ],
    )
    assert result.exit_code == 1
    assert "action_plan.csv, row 2, column recommendation_id [R7]" in result.output
    assert not (tmp_path / "p.xlsx").exists()


# -- The validate step: taxonomy, redaction, identifiers -------------------------------------


def _validate_stage(audit_dir: Path, tmp_path: Path, names: list[str] = (), taxonomy=None):
    from auditrap.pipeline import validate_stage

    names_path = tmp_path / "names.txt"
    names_path.write_text("\n".join(names) + "\n")
    validate_stage(
        audit_dir=audit_dir,
        audit_id=audit_dir.name,
        out_dir=tmp_path / "processed",
        report_dir=tmp_path / "validation",
        names_path=names_path,
        redactions_out=tmp_path / "redactions.csv",
        taxonomy_paths=[taxonomy or ROOT / "data" / "themes.yaml"],
    )
    return tmp_path / "processed"


def test_evidence_and_actions_are_redacted_before_they_are_written(audit_copy, tmp_path):
    audit_dir = add_plan(audit_copy())
    set_cell(
        audit_dir / "action_plan.csv", 2, "evidence", "Checked with Kylie Brennan on 07700 900123."
    )
    set_cell(audit_dir / "action_plan.csv", 3, "action", "Call mum (Kylie) back.")
    processed = _validate_stage(audit_dir, tmp_path, names=["Kylie Brennan"])
    plan = pd.read_parquet(processed / "action_plan.parquet")
    text = " ".join(plan["evidence"].dropna()) + " ".join(plan["action"])
    assert "Kylie" not in text and "07700" not in text
    redactions = pd.read_csv(tmp_path / "redactions.csv")
    assert set(redactions["table"]) == {"action_plan"}


def test_a_recommendation_naming_someone_stops_validation(audit_copy, tmp_path):
    from auditrap.pipeline import StageError

    audit_dir = add_plan(audit_copy())
    set_cell(audit_dir / "recommendations.csv", 3, "recommendation", "Ask Kylie Brennan to lead.")
    with pytest.raises(StageError) as raised:
        _validate_stage(audit_dir, tmp_path, names=["Kylie Brennan"])
    message = str(raised.value)
    assert "recommendations.csv, row 3, column recommendation" in message
    assert "published in full" in message and "Kylie" not in message


def test_a_broken_taxonomy_is_a_located_problem(audit_copy, tmp_path):
    from auditrap.pipeline import StageError

    taxonomy = tmp_path / "themes.yaml"
    taxonomy.write_text("themes:\n  - title: no id\n")
    with pytest.raises(StageError) as raised:
        _validate_stage(add_plan(audit_copy()), tmp_path, taxonomy=taxonomy)
    assert f"{taxonomy}: The theme taxonomy cannot be used" in str(raised.value)


def test_the_metadata_keeps_the_new_keys(audit_copy, tmp_path):
    audit_dir = add_plan(audit_copy())
    _yaml(
        "findings: [step-down, swift-response]\ntopic: exploitation\n"
        "responds_to:\n  - review: Review A\n    recommendation: Do B.\n"
    )(audit_dir)
    processed = _validate_stage(audit_dir, tmp_path)
    import json

    meta = json.loads((processed / "audit.json").read_text())
    assert meta["findings"] == ["step-down", "swift-response"]
    assert meta["topic"] == "exploitation"
    assert meta["responds_to"] == [{"review": "Review A", "recommendation": "Do B."}]
    from auditrap.validate import read_processed

    audit = read_processed(processed)
    assert audit.meta.responds_to[0].review == "Review A"
    assert len(audit.action_plan) == 3


@pytest.mark.e2e
def test_a_bad_action_plan_publishes_nothing(tmp_path):
    from test_workflow import make_workspace, snakemake

    source = add_plan(Path(shutil.copytree(FIXTURE_AUDIT, tmp_path / "src" / FIXTURE_AUDIT.name)))
    workspace = make_workspace(tmp_path / "ws", {source.name: source})
    first = snakemake(workspace)
    assert first.returncode == 0, first.stderr[-3000:]
    processed = workspace / "data" / "processed" / source.name / "published"
    assert (processed / "action_plan_progress.csv").read_text() == (
        "status,actions,overdue\nCompleted,1,0\nIn progress,1,1\nNot started,1,0\n"
    )
    published = workspace / "report" / "_output"
    before = {p: p.read_bytes() for p in published.rglob("*") if p.is_file()}
    plan = workspace / "data" / "raw" / source.name / "action_plan.csv"
    set_cell(plan, 3, "status", "In Progress")
    set_cell(plan, 2, "completed_date", "2021-12-02")
    second = snakemake(workspace)
    assert second.returncode != 0
    assert "action_plan.csv, row 3, column status [In Progress]" in second.stderr
    assert "did you mean `In progress`" in second.stderr
    assert "action_plan.csv, row 2, column completed_date [2021-12-02]" in second.stderr
    assert "Traceback" not in second.stderr
    assert {p: p.read_bytes() for p in published.rglob("*") if p.is_file()} == before
    report = workspace / "data" / "processed" / source.name / "validation" / "problems.csv"
    assert "In Progress" in report.read_text()


def test_the_validate_command_checks_the_plan_and_the_findings(audit_copy, tmp_path):
    from typer.testing import CliRunner

    from auditrap.cli import app

    audit_dir = add_plan(audit_copy())
    _yaml("findings: [step-dwn]\n")(audit_dir)
    set_cell(audit_dir / "action_plan.csv", 2, "status", "Complete")
    config = tmp_path / "config.yaml"
    config.write_text(f"audits: [x]\ntaxonomy: {ROOT / 'data' / 'themes.yaml'}\n")
    result = CliRunner().invoke(app, ["validate", str(audit_dir), "--config", str(config)])
    assert result.exit_code == 1
    assert "audit.yaml, key findings [step-dwn]" in result.output
    assert "did you mean `step-down`" in result.output
    assert "action_plan.csv, row 2, column status [Complete]" in result.output


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("as_of", "phrase"),
    [("2019-02-30", "is not a real date"), ("30/09/2019", "does not match")],
)
def test_a_bad_as_of_date_in_config_is_refused(tmp_path, as_of, phrase):
    from test_workflow import make_workspace, snakemake

    workspace = make_workspace(tmp_path, {FIXTURE_AUDIT.name: FIXTURE_AUDIT})
    config = workspace / "config.yaml"
    config.write_text(config.read_text() + f'as_of: "{as_of}"\n')
    result = snakemake(workspace, "--dry-run")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert phrase in output and "as_of" in output
    assert "Traceback" not in output
