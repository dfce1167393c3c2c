"""Files as they come from real offices: encodings, stray spaces, blank rows, headers."""

from __future__ import annotations

import copy
import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditrap.normalise import BIDI
from auditrap.problems import Problem, did_you_mean
from auditrap.readers import (
    RawTable,
    _bidi_warning,
    empty_table,
    fold_header,
    read_csv_table,
    table_from_records,
)

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


def test_header_only_file_has_whole_row_numbers(tmp_path):
    path = tmp_path / "returns.csv"
    path.write_text("case_id,agency,grade\n", encoding="utf-8")
    table = read_csv_table(
        path, display="returns.csv", expected=["case_id", "agency", "grade"], required=[]
    )
    assert len(table.frame) == 0
    assert table.origin["source_row"].dtype == "int64"


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


# table_from_records builds the table with whole-array operations. The loop it replaced
# is kept here, unchanged, as the reference the new code must agree with exactly.


def reference_table_from_records(
    records,
    *,
    display,
    expected,
    required,
    ignored=(),
    problems=None,
    first_row=1,
):
    """The row-by-row table_from_records that the vectorised one replaced."""
    problems = list(problems or [])
    if not records or not any(cell.strip() for cell in records[0]):
        problems.append(
            Problem(
                display,
                row=first_row,
                message="The file has no header row. "
                "The first row must name the columns: " + ", ".join(expected),
            )
        )
        return empty_table(display, expected, problems)

    # (Since the reference was written: direction controls are taken out, with a warning.)
    header = [BIDI.sub("", cell).strip() for cell in records[0]]
    if any(BIDI.search(cell) for cell in records[0]):
        problems.append(_bidi_warning(display, [first_row], None))
    wanted = {fold_header(c): c for c in expected}
    ignore = {fold_header(c) for c in ignored}
    keep: dict[int, str] = {}
    for position, name in enumerate(header):
        folded = fold_header(name)
        if not name:
            continue
        if folded in wanted:
            column = wanted[folded]
            if column in keep.values():
                problems.append(
                    Problem(
                        display,
                        row=first_row,
                        column=name,
                        value=name,
                        message=f"The column {column} appears twice; "
                        "keep one and delete the other.",
                    )
                )
                continue
            keep[position] = column
        elif folded not in ignore:
            problems.append(
                Problem(
                    display,
                    row=first_row,
                    column=name,
                    value=name,
                    message=f"`{name}` is not a column of this file{did_you_mean(name, expected)} "
                    "Rename it, delete it, or list it under ignored_columns in config.yaml.",
                )
            )
    present = list(keep.values())
    for column in required:
        if column not in present:
            problems.append(
                Problem(
                    display,
                    row=first_row,
                    column=column,
                    message=f"The required column {column} is missing. Add it to the header row.",
                )
            )

    width = len(header)
    held: dict[int, list[int]] = {}
    for offset, cells in enumerate(records[1:], start=first_row + 1):
        for at, cell in enumerate(cells):
            if BIDI.search(cell):
                held.setdefault(at, []).append(offset)
    for at in sorted(held):
        problems.append(_bidi_warning(display, held[at], header[at] if at < width else None))
    body = [[BIDI.sub("", cell) for cell in cells] for cells in records[1:]]
    rows: list[list[str]] = []
    row_numbers: list[int] = []
    for offset, cells in enumerate(body, start=first_row + 1):
        if not any(cell.strip() for cell in cells):
            continue  # blank rows (trailing or not) are not data
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            problems.append(
                Problem(
                    display,
                    row=offset,
                    value=", ".join(cells[width:]).strip(),
                    message=f"This row has {len(cells)} values but the header "
                    f"names {width} columns. A value may hold an unquoted "
                    "comma; check the row in a spreadsheet.",
                )
            )
        cells = (list(cells) + [""] * width)[:width]
        rows.append([cells[i] for i in keep])
        row_numbers.append(offset)

    frame = pd.DataFrame(rows, columns=present, dtype="string")
    frame = frame.apply(lambda col: col.str.strip()).replace("", pd.NA) if len(frame) else frame
    # The one change from the original: whole numbers even when empty (it made float64).
    origin = pd.DataFrame(
        {"source_file": display, "source_row": np.asarray(row_numbers, dtype="int64")},
        index=frame.index,
    )
    return RawTable(display, frame, origin, present, problems)


def assert_same_table(table: RawTable, reference: RawTable) -> None:
    assert table.name == reference.name
    assert table.columns_present == reference.columns_present
    assert table.problems == reference.problems
    for got, want in ((table.frame, reference.frame), (table.origin, reference.origin)):
        assert type(got) is type(want)
        pd.testing.assert_frame_equal(got, want, check_exact=True, check_column_type=True)
        assert got.dtypes.to_dict() == want.dtypes.to_dict()
        assert got.columns.dtype == want.columns.dtype


def assert_same_as_reference(records, **options) -> RawTable:
    options = {"display": "returns.csv", "expected": EXPECTED, "required": REQUIRED, **options}
    given_records = copy.deepcopy(records)
    table = table_from_records(records, **options)
    assert records == given_records  # the caller's rows are left as they were
    assert_same_table(table, reference_table_from_records(records, **options))
    return table


# Cells that are blank to Python's str.strip but not all ASCII: tab, line break, the
# separators \x1c-\x1f, NEL, no-break space, em space, ideographic space, line separator.
WHITE_SPACE = " \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2003\u3000\u2028"
CELL = st.one_of(
    st.just(""),
    st.text(alphabet=WHITE_SPACE, min_size=1, max_size=3),
    st.text(alphabet=WHITE_SPACE + "A1,\"'=\u200b\u00e9-", max_size=6),
    # Direction controls (taken out, with a warning), alone or with text.
    st.text(alphabet=" A\u200e\u202e\u2066", min_size=1, max_size=4),
    st.text(max_size=8),
)
HEADER_NAME = st.sampled_from(
    ["case_id", " Case ID ", "AREA", "area", "ratified-grade", "meeting_date", "notes"]
    + ["aera", "", "  ", "\xa0", "\u2003"]
)


@st.composite
def ragged_records(draw):
    header = draw(st.lists(HEADER_NAME, max_size=7))
    width = len(header)
    rows = draw(st.lists(st.lists(CELL, max_size=width + 3), max_size=12))
    return [header, *rows] if draw(st.booleans()) or rows else draw(st.sampled_from([[], [header]]))


@given(
    records=ragged_records(),
    first_row=st.integers(1, 5),
    ignored=st.sampled_from([(), ("notes",)]),
    earlier=st.sampled_from([[], [Problem("returns.csv", message="Read as Windows-1252.")]]),
)
@settings(max_examples=400, deadline=None)
def test_table_is_the_same_as_the_row_by_row_reference(records, first_row, ignored, earlier):
    assert_same_as_reference(records, first_row=first_row, ignored=ignored, problems=earlier)


@pytest.mark.parametrize(
    "records",
    [
        pytest.param([], id="no records"),
        pytest.param([[]], id="empty header"),
        pytest.param([[" ", "\t"], ["A1", "North"]], id="blank header"),
        pytest.param([["case_id", "area"]], id="header only"),
        pytest.param([["case_id", "area"], [], [""], ["", " "]], id="blank rows only"),
        pytest.param([["notes"], ["x"], ["y"]], id="no column kept"),
        pytest.param([["notes"]], id="no column kept, header only"),
        pytest.param([["case_id", "area"], ["A1"], [], ["A2", "East"]], id="short rows"),
        pytest.param([["case_id", "area"], [" \t", "\xa0"], ["A1", "\u3000"]], id="white space"),
        pytest.param([["case_id", "area"], ["\x1c", "\x85"], ["\u2028"]], id="unicode space"),
        pytest.param(
            [["case_id", "area"], ["A1", "North", " ", ""], ["A2", "East", "", " x ", "y "]],
            id="over-long rows, blank and not",
        ),
        pytest.param([["case_id", "area"], ["", "", "extra"]], id="over-long, else blank"),
        pytest.param(
            [["case_id", "Area", "area", "AREA", "aera"], ["A1", "N", "S", "E", "W"]],
            id="duplicate and unknown columns",
        ),
        pytest.param([["", "case_id", "", "area", ""], ["x", "A1", "y", "North"]], id="gaps"),
        pytest.param([["case_id", "area"], ["\u200b", "\ufeff"]], id="zero-width, not space"),
    ],
)
@pytest.mark.parametrize("first_row", [1, 4])
def test_awkward_tables_are_the_same_as_the_reference(records, first_row):
    assert_same_as_reference(records, first_row=first_row)


def test_a_quoted_line_break_is_still_one_spreadsheet_row(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(
        'case_id,area\nA1,"North\nand more"\n\n"A2",East,"extra\n,cell"\nA3,West\n',
        encoding="utf-8",
    )
    table = read(path)
    assert list(table.origin["source_row"]) == [2, 4, 5]
    assert table.frame.loc[0, "area"] == "North\nand more"
    (problem,) = table.problems
    assert (problem.row, problem.value) == (4, "extra\n,cell")
    records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert_same_as_reference(records, display="cases.csv")
