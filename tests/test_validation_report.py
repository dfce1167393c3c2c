"""The validation report: every problem, grouped by file and by agency, warnings kept."""

from __future__ import annotations

import csv

import pytest

from auditrap.pipeline import StageError, validate_stage

from conftest import read_rows, set_cell, write_rows


def run(audit_dir, tmp_path, names_path=None):
    validate_stage(
        audit_dir=audit_dir,
        audit_id=audit_dir.name,
        out_dir=tmp_path / "out",
        report_dir=tmp_path / "out" / "validation",
        names_path=names_path,
    )


def test_problems_page_and_csv_group_by_file_and_agency(audit_copy, tmp_path):
    audit_dir = audit_copy()
    set_cell(audit_dir / "returns.csv", 2, "grade", '=HYPERLINK("http://x")')
    set_cell(audit_dir / "cases.csv", 3, "area", "Hiltop")
    with pytest.raises(StageError) as failure:
        run(audit_dir, tmp_path)
    message = str(failure.value)
    assert "2 problems in 2 files" in message
    assert "did you mean `Hilltop`" in message
    page = (tmp_path / "out" / "validation" / "report.html").read_text()
    assert "<h2>Problems by file</h2>" in page and "<h2>Problems by agency</h2>" in page
    assert "<h3>Children&#x27;s Social Care</h3>" in page
    assert "=HYPERLINK(&quot;http://x&quot;)" in page  # shown as text
    rows = list(csv.DictReader((tmp_path / "out" / "validation" / "problems.csv").open()))
    assert {(r["file"], r["row"], r["column"]) for r in rows} == {
        ("returns.csv", "2", "grade"),
        ("cases.csv", "3", "area"),
    }
    grade = next(r for r in rows if r["column"] == "grade")
    assert grade["value"].startswith("'=")  # no spreadsheet will run it
    assert not (tmp_path / "out" / "cases.parquet").exists()


def test_windows_1252_warning_is_recorded_and_the_run_goes_on(audit_copy, tmp_path):
    audit_dir = audit_copy()
    text = (audit_dir / "returns.csv").read_text(encoding="utf-8")
    text = text.replace("Consistent worker", "Consistent worker\u2019s \u00a35")
    (audit_dir / "returns.csv").write_bytes(text.encode("cp1252"))
    run(audit_dir, tmp_path)
    page = (tmp_path / "out" / "validation" / "report.html").read_text()
    assert "Windows-1252" in page
    assert (tmp_path / "out" / "returns.parquet").exists()


def test_the_validation_report_redacts_what_it_quotes(audit_copy, tmp_path):
    """A bad cell is quoted back, but never an identifier in it: the report may be sent to
    the agencies."""
    audit_dir = audit_copy()
    set_cell(audit_dir / "returns.csv", 2, "grade", "Jessica Thornley, NHS 943 476 5919")
    names = tmp_path / "names.txt"
    names.write_text("Jessica Thornley\n", encoding="utf-8")
    with pytest.raises(StageError) as failure:
        run(audit_dir, tmp_path, names)
    page = (tmp_path / "out" / "validation" / "report.html").read_text()
    table = (tmp_path / "out" / "validation" / "problems.csv").read_text()
    for text in (str(failure.value), page, table):
        assert "Thornley" not in text and "943 476 5919" not in text
        assert "[name]" in text and "[NHS number]" in text


@pytest.mark.parametrize(
    ("file", "column", "row", "value"),
    [
        ("cases.csv", "case_id", 2, "JessicaThornley"),
        ("actions.csv", "action_id", 2, "IA-Thornley"),
    ],
)
def test_a_reference_that_names_a_person_is_refused(audit_copy, tmp_path, file, column, row, value):
    audit_dir = audit_copy()
    old = read_rows(audit_dir / file)[row - 1][read_rows(audit_dir / file)[0].index(column)]
    for other in ("cases.csv", "returns.csv", "actions.csv"):  # keep the references joined up
        rows = read_rows(audit_dir / other)
        if column in rows[0]:
            index = rows[0].index(column)
            for cells in rows[1:]:
                cells[index] = value if cells[index] == old else cells[index]
            write_rows(audit_dir / other, rows)
    names = tmp_path / "names.txt"
    names.write_text("Jessica Thornley\n", encoding="utf-8")
    with pytest.raises(StageError) as failure:
        run(audit_dir, tmp_path, names)
    message = str(failure.value)
    assert f"{file}, row {row}, column {column}" in message
    assert "pseudonymous reference" in message and "Thornley" not in message
