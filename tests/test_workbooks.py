"""Returns sent back as Excel workbooks: read like returns.csv, Excel's habits undone."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl

from auditrap.validate import load_audit

from conftest import FIXTURE_AUDIT, read_rows, write_rows

HEADER = ["case_id", "agency", "auditor_role", "return_date", "grade", "strengths", "improvements"]


def move_rows_to_workbook(audit_dir, rows_to_move, sheet_title="Returns", transform=None):
    """Take some returns out of returns.csv and put them in returns/<agency>.xlsx."""
    rows = read_rows(audit_dir / "returns.csv")
    moved = [rows[i] for i in rows_to_move]
    write_rows(audit_dir / "returns.csv", [r for i, r in enumerate(rows) if i not in rows_to_move])
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = sheet_title
    sheet.append(HEADER)
    for row in moved:
        values = list(row)
        values[3] = dt.datetime.fromisoformat(values[3])  # a real Excel date
        sheet.append(transform(values) if transform else values)
    sheet.append([None] * 7)  # trailing empty rows
    sheet.append(["   "] + [None] * 6)
    (audit_dir / "returns").mkdir(exist_ok=True)
    book.save(audit_dir / "returns" / "agency.xlsx")
    return book


def test_workbook_returns_join_the_csv_returns(audit_copy):
    audit_dir = audit_copy()
    move_rows_to_workbook(audit_dir, [1, 2], sheet_title="My renamed sheet")
    audit, problems = load_audit(audit_dir, audit_dir.name)
    assert [p for p in problems if p.severity == "error"] == []
    assert len(audit.returns) == 18
    from_book = audit.returns[audit.returns["source_file"] == "returns/agency.xlsx"]
    assert list(from_book["source_row"]) == [2, 3]
    first = read_rows(FIXTURE_AUDIT / "returns.csv")[1]
    assert str(from_book["return_date"].iloc[0].date()) == first[3]  # an Excel date, read back


def test_a_formula_is_refused_not_evaluated(audit_copy):
    audit_dir = audit_copy()

    def formula(values):
        values[4] = '=IF(1,"Good","Inadequate")'
        return values

    move_rows_to_workbook(audit_dir, [1], transform=formula)
    audit, problems = load_audit(audit_dir, audit_dir.name)
    assert audit is None
    assert any("formula" in p.message and p.row == 2 and p.column == "E" for p in problems)


def test_a_merged_cell_is_refused(audit_copy):
    audit_dir = audit_copy()
    book = move_rows_to_workbook(audit_dir, [1, 2])
    sheet = book.active
    sheet.merge_cells("F2:F3")
    book.save(audit_dir / "returns" / "agency.xlsx")
    audit, problems = load_audit(audit_dir, audit_dir.name)
    assert audit is None
    assert any("merged" in p.message for p in problems)


def test_a_workbook_without_the_returns_header_is_named(audit_copy):
    audit_dir = audit_copy()
    (audit_dir / "returns").mkdir()
    book = openpyxl.Workbook()
    book.active.append(["Name", "Comment"])
    book.save(audit_dir / "returns" / "notes.xlsx")
    audit, problems = load_audit(audit_dir, audit_dir.name)
    assert audit is None
    assert any(p.file == "returns/notes.xlsx" and "No sheet" in p.message for p in problems)


def test_a_file_that_is_not_a_workbook_is_named(audit_copy):
    audit_dir = audit_copy()
    (audit_dir / "returns").mkdir()
    (audit_dir / "returns" / "broken.xlsx").write_text("not a workbook")
    audit, problems = load_audit(audit_dir, audit_dir.name)
    assert audit is None
    assert any(p.file == "returns/broken.xlsx" and "cannot be read" in p.message for p in problems)


def test_the_same_return_in_a_workbook_and_the_csv_names_both(audit_copy):
    audit_dir = audit_copy()
    rows = read_rows(audit_dir / "returns.csv")
    move_rows_to_workbook(audit_dir, [1])
    with (audit_dir / "returns.csv").open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerow(rows[1])
    audit, problems = load_audit(audit_dir, audit_dir.name)
    assert audit is None
    duplicate = [p for p in problems if "more than one return" in p.message]
    assert any("returns/agency.xlsx row 2" in p.message for p in duplicate)
    assert any("returns.csv row" in p.message for p in duplicate)


def test_excel_habits_serial_dates_numbers_and_spaces(audit_copy):
    audit_dir = audit_copy()

    def habits(values):
        values[3] = (values[3] - dt.datetime(1899, 12, 30)).days  # a serial day number
        values[2] = "   "  # only spaces: blank
        return values

    move_rows_to_workbook(audit_dir, [1, 2], transform=habits)
    audit, problems = load_audit(audit_dir, audit_dir.name)
    assert [p for p in problems if p.severity == "error"] == []
    from_book = audit.returns[audit.returns["source_file"] == "returns/agency.xlsx"]
    first = read_rows(FIXTURE_AUDIT / "returns.csv")[1]
    assert str(from_book["return_date"].iloc[0].date()) == first[3]
    assert from_book["auditor_role"].isna().all()


def test_two_sheets_with_the_returns_header_are_refused(audit_copy):
    audit_dir = audit_copy()
    book = move_rows_to_workbook(audit_dir, [1, 2])
    old = book.create_sheet("Returns (old)", 0)
    old.append(HEADER)
    book.save(audit_dir / "returns" / "agency.xlsx")
    audit, problems = load_audit(audit_dir, audit_dir.name)
    assert audit is None
    assert any("More than one sheet" in p.message for p in problems)


def test_other_files_in_returns_are_named_and_lock_files_skipped(audit_copy):
    audit_dir = audit_copy()
    move_rows_to_workbook(audit_dir, [1])
    (audit_dir / "returns" / "~$agency.xlsx").write_bytes(b"lock")
    _, problems = load_audit(audit_dir, audit_dir.name)
    assert [p for p in problems if p.severity == "error"] == []
    (audit_dir / "returns" / "police.xls").write_bytes(b"old excel")
    audit, problems = load_audit(audit_dir, audit_dir.name)
    assert audit is None
    assert any(p.file == "returns/police.xls" and ".xlsx" in p.message for p in problems)


def test_a_folder_in_returns_is_named_not_skipped(audit_copy):
    """Returns extracted from a zip into returns/School/ would otherwise be left out of the
    report without a word."""
    audit_dir = audit_copy()
    move_rows_to_workbook(audit_dir, [1])
    (audit_dir / "returns" / "agency.xlsx").rename(audit_dir / "returns" / "Agency.XLSX")
    audit, problems = load_audit(audit_dir, audit_dir.name)
    assert [p for p in problems if p.severity == "error"] == []
    assert list(audit.returns["source_file"]).count("returns/Agency.XLSX") == 1
    (audit_dir / "returns" / "School").mkdir()
    audit, problems = load_audit(audit_dir, audit_dir.name)
    assert audit is None
    assert any(p.file == "returns/School" and "folder" in p.message for p in problems)


def test_numbers_in_text_columns_and_non_dates_in_date_columns(audit_copy):
    audit_dir = audit_copy()

    def numbers(values):
        values[2] = 1234  # a role typed as a number: read as text "1234"
        values[3] = True  # not a date: reported, never read as 1900-01-01
        return values

    move_rows_to_workbook(audit_dir, [1], transform=numbers)
    audit, problems = load_audit(audit_dir, audit_dir.name)
    assert audit is None
    (problem,) = [p for p in problems if p.severity == "error"]
    assert (problem.file, problem.row, problem.column) == ("returns/agency.xlsx", 2, "return_date")
