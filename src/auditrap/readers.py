"""Reading the raw files as they come from real offices: encodings, stray spaces, headers."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditrap.limits import DEFAULT_LIMITS, InputLimits
from auditrap.normalise import BIDI, BIDI_RE2
from auditrap.problems import ERROR, WARNING, Problem, did_you_mean


@dataclass
class RawTable:
    """A table read as text, with where each row came from.

    ``frame`` holds the contract's columns (blank cells as <NA>); ``origin`` has the same
    index and the columns ``source_file`` and ``source_row`` (the row number a spreadsheet
    shows, with the header as row 1).
    """

    name: str
    frame: pd.DataFrame
    origin: pd.DataFrame
    columns_present: list[str]
    problems: list[Problem] = field(default_factory=list)
    #: Cells already reported by the reader, as (source_file, source_row, column): a
    #: workbook's formula or merged cell, read as blank, is not reported again as blank.
    reported_cells: set[tuple[str, int, str]] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)


def decode(data: bytes, display: str) -> tuple[str | None, list[Problem]]:
    """Text of a CSV file: UTF-8 (with or without BOM), else Windows-1252 with a warning."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), [
                Problem(
                    display,
                    message="Read as UTF-16 (Excel's 'Unicode text'). "
                    "Saving it as 'CSV UTF-8' next time avoids this warning.",
                    severity=WARNING,
                )
            ]
        except UnicodeDecodeError as exc:
            return None, [
                Problem(
                    display,
                    message=f"This is not readable text (byte offset "
                    f"{exc.start}). Save it from the spreadsheet as 'CSV UTF-8'.",
                )
            ]
    nul = data.find(b"\x00")
    if nul >= 0:
        return None, [
            Problem(
                display,
                message=f"This is not a text file: byte offset {nul} holds a NUL byte. "
                "It may be a spreadsheet or a PDF saved with a .csv name; "
                "save it from the spreadsheet as 'CSV UTF-8'.",
            )
        ]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return None, [
                Problem(
                    display,
                    message=f"This is not UTF-8 or Windows-1252 text (byte offset "
                    f"{utf8_error.start}). Save it from the spreadsheet as 'CSV UTF-8'.",
                )
            ]
        return text, [
            Problem(
                display,
                message="Read as Windows-1252, the encoding Excel uses for plain 'CSV'. "
                "The text was decoded correctly; saving as 'CSV UTF-8' next time avoids this warning.",
                severity=WARNING,
            )
        ]


_HEADER_FOLD = re.compile(r"[\s\-]+")


def fold_header(name: str) -> str:
    """Header names match case-insensitively; spaces and hyphens count as underscores."""
    return _HEADER_FOLD.sub("_", name.strip().lower())


def read_csv_table(
    path: Path,
    *,
    display: str,
    expected: Sequence[str],
    required: Sequence[str],
    ignored: Sequence[str] = (),
    limits: InputLimits = DEFAULT_LIMITS,
) -> RawTable:
    """Read one CSV file of the contract as text, reporting every problem found.

    Every CSV input is read here, so that each gets the same limits (:mod:`auditrap.limits`)
    and the same care with broken quoting.
    """
    size = path.stat().st_size
    if size > limits.file_bytes:
        return empty_table(
            display,
            expected,
            [
                Problem(
                    display,
                    message=f"This file is {size / 1e6:,.1f} MB, more than an audit's file "
                    f"should be {limits.how_to_raise('file_mb')}. Check that it is the right "
                    "file.",
                )
            ],
        )
    data = path.read_bytes()
    text, problems = decode(data, display)
    if text is None:
        return empty_table(display, expected, problems)
    # An upper bound on the cells (a comma inside a quoted value counts too), known before
    # any is made: a file of nothing but commas would otherwise fill the memory.
    bound = text.count(",") + text.count("\n") + 1
    if bound > limits.cells:
        problems.append(
            Problem(
                display,
                message=f"This file has up to {bound:,} cells (values between commas), more "
                f"than an audit's file should have {limits.how_to_raise('cells')}. Check that "
                "it is the right file, saved as CSV.",
            )
        )
        return empty_table(display, expected, problems)
    records, broken = parse_csv(text, display, max_rows=limits.rows)
    return table_from_records(
        records,
        display=display,
        expected=expected,
        required=required,
        ignored=ignored,
        problems=problems + broken,
        limits=limits,
    )


def parse_csv(
    text: str, display: str, *, max_rows: int | None = None
) -> tuple[list[list[str]], list[Problem]]:
    """The rows of a CSV text, and a problem for each row whose quoting is broken.

    A quote mark that opens a value and is never closed would make Python's CSV reader take
    the rest of the file as that one value (or, at the next quote mark, turn the file's
    quoting inside out), giving dozens of knock-on problems that never say what is wrong.
    So the text is read strictly; a row whose quoted value runs on past its line and breaks
    there is reported once, as an unclosed quote in the row where it opened, and reading goes
    on from the next line. A quote that closes too early on a single line (``"ab"c``) is
    read as before, as ``abc``. A broken row keeps its number (as an empty row), so that the
    rows after it are numbered as a spreadsheet shows them.
    """
    lines = io.StringIO(text, newline="").readlines()
    records: list[list[str]] = []
    problems: list[Problem] = []
    start = 0
    old_limit = csv.field_size_limit(max(len(text), 131_072))
    try:
        while start < len(lines):
            reader = csv.reader((lines[i] for i in range(start, len(lines))), strict=True)
            done = 0  # lines of this reader's records read so far
            try:
                for record in reader:
                    records.append(record)
                    done = reader.line_num
                    if max_rows is not None and len(records) > max_rows + 1:
                        break
                start = len(lines)
            except csv.Error as exc:
                first = start + done  # the line where the broken record starts
                spans = reader.line_num - done > 1 or "end of data" in str(exc)
                if spans:
                    problems.append(
                        Problem(
                            display,
                            row=len(records) + 1,
                            value=_clip(lines[first].rstrip("\r\n")),
                            message='A quote mark (") opens a value in this row (line '
                            f"{first + 1} of the file) and is never closed, so the lines after "
                            "it would be read as part of that value. Close the quote, or write "
                            'a quote mark inside a value as two (""). This row was not read; '
                            "the rows after it were.",
                        )
                    )
                    records.append([])
                else:
                    records.append(next(csv.reader([lines[first]])))
                start = first + 1
            if max_rows is not None and len(records) > max_rows + 1:
                problems.append(
                    Problem(
                        display,
                        message=f"This file has more than {max_rows:,} rows "
                        "(the limit is set by `rows` under `input_limits` in config.yaml). "
                        "Only the first were read: check that it is the right file.",
                    )
                )
                del records[max_rows + 1 :]
                break
    finally:
        csv.field_size_limit(old_limit)
    return records, problems


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def table_from_records(
    records: list[list[str]],
    *,
    display: str,
    expected: Sequence[str],
    required: Sequence[str],
    ignored: Sequence[str] = (),
    problems: list[Problem] | None = None,
    first_row: int = 1,
    limits: InputLimits | None = None,
) -> RawTable:
    """Build a :class:`RawTable` from rows of cells; ``records[0]`` is the header.

    Given ``limits``, a header of more columns, or a cell of more characters, than they
    allow is reported.
    """
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

    if limits is not None and len(records[0]) > limits.columns:
        problems.append(
            Problem(
                display,
                row=first_row,
                message=f"The header row has {len(records[0]):,} columns, more than an "
                f"audit's file should have {limits.how_to_raise('columns')}. Delete the "
                "columns that are not the contract's.",
            )
        )
        return empty_table(display, expected, problems)
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

    body = records[1:]
    width = len(header)
    # Every cell of the body in one Arrow array, row after row; a row's cells start at
    # ``starts[row]``. Arrow's idea of white space is Python's (``str.isspace``).
    lengths = np.fromiter(map(len, body), dtype=np.int64, count=len(body))
    starts = np.cumsum(lengths) - lengths
    cells = pa.array(chain.from_iterable(body), type=pa.large_string())
    # Direction controls (they make a browser show text backwards) are taken out, with a
    # warning for each column that held any.
    held = pc.match_substring_regex(cells, BIDI_RE2).to_numpy(zero_copy_only=False)
    if held.any():
        cells = pc.replace_substring_regex(cells, BIDI_RE2, "")
    filled = pc.invert(
        pc.or_(pc.equal(pc.binary_length(cells), 0), pc.utf8_is_space(cells))
    ).to_numpy(zero_copy_only=False)
    row_of_cell = np.repeat(np.arange(len(body)), lengths)
    position = np.arange(len(cells)) - np.repeat(starts, lengths)
    for at in sorted(set(position[held].tolist())):
        rows = (row_of_cell[held & (position == at)] + first_row + 1).tolist()
        problems.append(_bidi_warning(display, rows, header[at] if at < width else None))

    # Blank rows (trailing or not) are not data. A row is numbered by its record, so a
    # quoted cell holding a line break still counts as one spreadsheet row.
    kept = np.flatnonzero(np.bincount(row_of_cell[filled], minlength=len(body)))
    overlong = np.bincount(row_of_cell[filled & (position >= width)], minlength=len(body))
    for record in np.flatnonzero(overlong):
        cells_of_row = body[record]
        problems.append(
            Problem(
                display,
                row=first_row + 1 + int(record),
                value=BIDI.sub("", ", ".join(cells_of_row[width:])).strip(),
                message=f"This row has {len(cells_of_row)} values but the header "
                f"names {width} columns. A value may hold an unquoted "
                "comma; check the row in a spreadsheet.",
            )
        )

    if limits is not None and len(cells):
        too_long = pc.greater(pc.utf8_length(cells), limits.cell_chars).to_numpy(
            zero_copy_only=False
        )
        for at in np.flatnonzero(too_long):
            record = int(row_of_cell[at])
            length = len(body[record][position[at]])
            problems.append(
                Problem(
                    display,
                    row=first_row + 1 + record,
                    column=header[position[at]] if position[at] < width else None,
                    value=_clip(body[record][position[at]]),
                    message=f"This cell holds {length:,} characters, more than a cell can "
                    f"{limits.how_to_raise('cell_chars')}. Shorten it, or check that the "
                    "quote marks around it are closed.",
                )
            )

    columns = {}
    for at, column in keep.items():
        # A short row has no cell there: null, which is <NA> like a blank cell.
        taken = cells.take(pa.array(starts[kept] + at, mask=lengths[kept] <= at))
        values = pd.Series(pd.array(taken, dtype="string")).str.strip()
        columns[column] = values.replace("", pd.NA)
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(kept)), columns=present)
    # Whole numbers even when no row is kept (a list would make an empty column float64, and
    # a header-only file beside workbooks would then give "row 5.0" in messages).
    row_numbers = (kept + first_row + 1).astype("int64")
    origin = pd.DataFrame({"source_file": display, "source_row": row_numbers}, index=frame.index)
    return RawTable(display, frame, origin, present, problems)


def _bidi_warning(display: str, rows: list[int], column: str | None) -> Problem:
    listed = ", ".join(map(str, rows[:10])) + (
        f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    )
    return Problem(
        display,
        row=rows[0],
        column=column,
        message="Invisible direction controls (which make a browser show text backwards) were "
        f"taken out of {'row' if len(rows) == 1 else 'rows'} {listed}. Check that the text "
        "reads as you meant it.",
        severity=WARNING,
    )


def empty_table(display: str, expected: Sequence[str], problems: list[Problem]) -> RawTable:
    frame = pd.DataFrame({c: pd.Series(dtype="string") for c in expected})
    origin = pd.DataFrame(
        {"source_file": pd.Series(dtype="string"), "source_row": pd.Series(dtype="int64")}
    )
    return RawTable(display, frame, origin, [], problems)


def concat_tables(name: str, tables: Sequence[RawTable], expected: Sequence[str]) -> RawTable:
    """Join tables of the same kind (returns.csv and every workbook) into one."""
    frames = [t.frame.reindex(columns=expected) for t in tables]
    origins = [t.origin for t in tables]
    frame = (
        pd.concat(frames, ignore_index=True) if frames else empty_table(name, expected, []).frame
    )
    origin = (
        pd.concat(origins, ignore_index=True) if origins else empty_table(name, expected, []).origin
    )
    # A column counts as present only when every file has it: a file without a required
    # column has already been reported, and its rows are not reported again cell by cell.
    present = [c for c in expected if all(c in t.columns_present for t in tables)]
    problems = [p for t in tables for p in t.problems]
    reported = set().union(*(t.reported_cells for t in tables))
    return RawTable(name, frame.astype("string"), origin, present, problems, reported)
