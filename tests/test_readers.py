"""Files as they come from real offices: encodings, stray spaces, blank rows, headers."""

from __future__ import annotations

from pathlib import Path

from auditrap.readers import read_csv_table

EXPECTED = ["case_id", "area", "ratified_grade", "meeting_date"]
REQUIRED = ["case_id", "area"]


def read(path: Path, ignored=()):
    return read_csv_table(
        path, display=path.name, expected=EXPECTED, required=REQUIRED, ignored=ignored
    )


def test_utf8_with_bom(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes(b"\xef\xbb\xbfcase_id,area\nA1,North\n")
    table = read(path)
    assert table.problems == []
    assert table.frame.loc[0, "case_id"] == "A1"


def test_windows_1252_is_decoded_with_a_warning(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes("case_id,area\nA1,St Mary\u2019s \u00a3\n".encode("cp1252"))
    table = read(path)
    assert table.frame.loc[0, "area"] == "St Mary\u2019s \u00a3"
    assert [p.severity for p in table.problems] == ["warning"]
    assert "Windows-1252" in table.problems[0].message


def test_binary_file_is_refused_with_the_byte_offset(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00junk")
    table = read(path)
    assert not table.ok
    assert "byte offset 4" in table.problems[0].message


def test_blank_rows_are_ignored_and_row_numbers_kept(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("case_id,area\nA1,North\n,\n\nA2,East\n,,\n\n", encoding="utf-8")
    table = read(path)
    assert table.ok
    assert list(table.frame["case_id"]) == ["A1", "A2"]
    assert list(table.origin["source_row"]) == [2, 5]


def test_cells_are_trimmed_and_blank_cells_are_missing(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("case_id,area,ratified_grade\n  A1 , North ,   \n", encoding="utf-8")
    table = read(path)
    assert table.frame.loc[0, "case_id"] == "A1"
    assert table.frame.loc[0, "area"] == "North"
    assert table.frame["ratified_grade"].isna().all()


def test_headers_match_ignoring_case_and_spaces(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(" Case ID ,AREA,Ratified_Grade\nA1,North,Good\n", encoding="utf-8")
    table = read(path)
    assert table.ok
    assert table.columns_present == ["case_id", "area", "ratified_grade"]


def test_unknown_header_is_named_with_the_nearest_column(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("case_id,area,ratified_grde\nA1,North,Good\n", encoding="utf-8")
    table = read(path)
    (problem,) = table.problems
    assert (problem.row, problem.column) == (1, "ratified_grde")
    assert "did you mean `ratified_grade`" in problem.message


def test_configured_extra_column_is_ignored(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("case_id,area,notes\nA1,North,x\n", encoding="utf-8")
    assert read(path, ignored=["notes"]).ok


def test_formula_like_cells_are_read_as_text(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text('case_id,area\nA1,"=HYPERLINK(""x"")"\n', encoding="utf-8")
    assert read(path).frame.loc[0, "area"] == '=HYPERLINK("x")'


def test_row_with_too_many_values_is_reported(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("case_id,area\nA1,North,extra\n", encoding="utf-8")
    (problem,) = read(path).problems
    assert problem.row == 2
