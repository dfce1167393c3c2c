"""Returns filled in as Excel workbooks (``returns/*.xlsx``), read as the CSV files are.

The returns sheet is found by its header row (a renamed sheet still works). Excel's habits are
undone: dates stored as dates or serial numbers become ``YYYY-MM-DD``, whole numbers stored
as numbers lose their ``.0``, cells holding only spaces are blank, trailing empty rows are
ignored. A formula or a merged cell is refused, never evaluated: its value could not be
checked against what the agency meant. Returns on a hidden sheet, or in hidden rows or
columns, are read, with a warning naming them.

A workbook is a zip of XML parts, and a small one can declare or unpack to an enormous sheet.
So before any sheet is loaded, :func:`survey_workbook` reads the zip's directory and streams
each sheet's XML once, in chunks, to learn the size of every part, the sheet's declared
dimension and the cells it really addresses, and whether it has formulas, merged cells or
error values; anything over the limits (:mod:`auditrap.limits`) is refused there. A workbook
with none of those is then read with calamine (Rust: 400,000 rows in seconds); one with any
of them with openpyxl, which can say where each is. Both give the same values, and so the
same messages (``tests/test_workbooks.py`` reads tricky workbooks both ways).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from auditrap.limits import DEFAULT_LIMITS, InputLimits
from auditrap.problems import WARNING, Problem
from auditrap.readers import RawTable, empty_table, fold_header, table_from_records

#: Serial day numbers read as dates: 1 January 1990 to 31 December 2099 (1900 system).
SERIAL_DATES = (32874, 73415)

_CHUNK = 8 << 20  # bytes of sheet XML scanned at a time
_NS = rb"<(?:[\w.-]+:)?"  # an element's start, with or without a namespace prefix
_CELL = re.compile(_NS + rb"c[\s/>]")
_CELL_REF = re.compile(_NS + rb"c\s[^>]*?\br=[\"']([A-Z]{1,4})([0-9]{1,9})[\"']")
_ROW = re.compile(_NS + rb"row[\s/>]")
_ROW_REF = re.compile(_NS + rb"row\s[^>]*?\br=[\"']([0-9]{1,9})[\"']")
_HIDDEN_ROW = re.compile(_NS + rb"row\s[^>]*?\bhidden=[\"'](?:1|true)[\"'][^>]*>")
_HIDDEN_COLUMNS = re.compile(_NS + rb"col\s[^>]*?\bhidden=[\"'](?:1|true)[\"'][^>]*>")
_ATTRIBUTE = re.compile(rb"\b(r|min|max)=[\"']([0-9]{1,9})[\"']")
_DIMENSION = re.compile(
    _NS + rb"dimension\s[^>]*?\bref=[\"']\$?([A-Z]{1,4})\$?([0-9]{1,9})"
    rb"(?::\$?([A-Z]{1,4})\$?([0-9]{1,9}))?[\"']"
)
_FORMULA = re.compile(_NS + rb"f[\s/>]")
_MERGED = re.compile(_NS + rb"mergeCell[\s/>]")
_ERROR_VALUE = re.compile(_NS + rb"c\s[^>]*?\bt=[\"']e[\"']")
_WORKSHEET = "/relationships/worksheet"
_HIDDEN_LISTED = 20  # hidden rows named in a warning; the rest are counted


def column_number(letters: bytes | str) -> int:
    """``A`` is 1, ``Z`` 26, ``AA`` 27."""
    number = 0
    for letter in letters if isinstance(letters, str) else letters.decode("ascii"):
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class UnreadableWorkbook(Exception):
    """The file is not a workbook that can be read; the message says what to do."""


@dataclass
class SheetSurvey:
    """What a sheet's XML holds, learnt without loading it."""

    name: str
    part: str
    state: str = "visible"
    declared: tuple[int, int] | None = None  # rows, columns of its <dimension>
    rows: int = 0  # the last row any cell or row may be in (an upper bound)
    columns: int = 0  # the last column any cell may be in (an upper bound)
    formulas: bool = False
    merged: bool = False
    error_values: bool = False
    hidden_rows: list[int] = field(default_factory=list)
    hidden_columns: list[tuple[int, int]] = field(default_factory=list)

    @property
    def plain(self) -> bool:
        """No formula, merged cell or error value: calamine reads it exactly as openpyxl."""
        return not (self.formulas or self.merged or self.error_values)


@dataclass
class WorkbookSurvey:
    sheets: list[SheetSurvey]
    date1904: bool = False


def survey_workbook(path: Path, limits: InputLimits = DEFAULT_LIMITS) -> WorkbookSurvey:
    """Read a workbook's structure and the size of each sheet, without loading any sheet.

    Raises :class:`UnreadableWorkbook` for a file that is not a readable workbook or that is
    over a limit.
    """
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise UnreadableWorkbook(
            f"This workbook is {size / 1e6:,.1f} MB, more than a return should be "
            f"{limits.how_to_raise('file_mb')}. Check that it is the right file."
        )
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > limits.unpacked_bytes:
                raise UnreadableWorkbook(
                    f"This workbook unpacks to {unpacked / 1e6:,.1f} MB, more than a return "
                    f"should {limits.how_to_raise('unpacked_mb')}. Check that it is the right "
                    "file: a workbook of a few thousand returns unpacks to a few megabytes."
                )
            survey = _survey_parts(archive)
            for sheet in survey.sheets:
                _survey_sheet(archive, sheet, limits)
            return survey
    except UnreadableWorkbook:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise UnreadableWorkbook(
            f"This file cannot be read as an Excel workbook: it is not one, or it is damaged "
            f"({exc}). Save it from Excel as 'Excel Workbook (.xlsx)'; if it is protected with "
            "a password, remove the password first."
        ) from None
    except Exception as exc:  # zlib.error, XML errors, ...: a damaged file, whatever the kind
        raise UnreadableWorkbook(
            f"This workbook is damaged and cannot be read ({type(exc).__name__}: {exc}). Open "
            "it in Excel, and save it again as 'Excel Workbook (.xlsx)'."
        ) from None


def _xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(archive.read(name))
    except KeyError:
        raise UnreadableWorkbook(
            f"This workbook has no part {name}, which every workbook has. Open it in Excel "
            "and save it again as 'Excel Workbook (.xlsx)'."
        ) from None
    except ElementTree.ParseError as exc:
        raise UnreadableWorkbook(
            f"This workbook is damaged: its part {name} is not well-formed XML ({exc}). Open "
            "it in Excel, and save it again as 'Excel Workbook (.xlsx)'."
        ) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _survey_parts(archive: zipfile.ZipFile) -> WorkbookSurvey:
    """The worksheets, in workbook order, with their names, parts and visibility."""
    main = "xl/workbook.xml"
    for rel in _xml(archive, "_rels/.rels"):
        if rel.get("Type", "").endswith("/officeDocument"):
            main = rel.get("Target", main).lstrip("/")
    folder = posixpath.dirname(main)
    rels_name = posixpath.join(folder, "_rels", posixpath.basename(main) + ".rels")
    targets, styles = {}, None
    for rel in _xml(archive, rels_name):
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        if rel.get("Type", "").endswith(_WORKSHEET):
            targets[rel.get("Id")] = posixpath.normpath(target)
        elif rel.get("Type", "").endswith("/styles"):
            styles = posixpath.normpath(target)
    if styles is not None:
        _check_styles(archive, styles)
    workbook = _xml(archive, main)
    survey = WorkbookSurvey(sheets=[])
    for element in workbook.iter():
        tag = _local(element.tag)
        if tag == "workbookPr":
            survey.date1904 = element.get("date1904", "").lower() in ("1", "true")
        elif tag == "sheet":
            rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            if rel_id in targets:
                survey.sheets.append(
                    SheetSurvey(
                        name=element.get("name", ""),
                        part=targets[rel_id],
                        state=element.get("state", "visible"),
                    )
                )
    return survey


def _check_styles(archive: zipfile.ZipFile, name: str) -> None:
    """The styles say which cells are dates: a styles part that cannot be read would make
    openpyxl stop and calamine read dates as numbers, so it is refused either way."""
    for element in _xml(archive, name).iter():
        number_format = element.get("numFmtId")
        if number_format is not None and not number_format.strip().isdigit():
            raise UnreadableWorkbook(
                f"This workbook is damaged: its styles part ({name}) gives the number format "
                f"`{number_format[:20]}`, which is not a number, so its dates cannot be told "
                "from other numbers. Open it in Excel, and save it again as 'Excel Workbook "
                "(.xlsx)'."
            )


def _survey_sheet(archive: zipfile.ZipFile, sheet: SheetSurvey, limits: InputLimits) -> None:
    """Stream one sheet's XML once; refuse it as soon as it is over a limit."""
    cells = cells_with_ref = rows = rows_with_ref = 0
    last_row = last_column = 0
    first = True
    for chunk in _chunks(archive, sheet.part):
        if first:
            first = False
            found = _DIMENSION.search(chunk)
            if found:
                top, left = int(found.group(2)), column_number(found.group(1))
                bottom = int(found.group(4)) if found.group(4) else top
                right = column_number(found.group(3)) if found.group(3) else left
                sheet.declared = (bottom, right)
                _check_extent(sheet, bottom, right, limits, "declares")
        found = _scan(chunk)
        sheet.formulas = sheet.formulas or found.formulas
        sheet.merged = sheet.merged or found.merged
        sheet.error_values = sheet.error_values or found.error_values
        cells += found.cells
        cells_with_ref += found.cells_with_ref
        rows += found.rows
        rows_with_ref += found.rows_with_ref
        last_row = max(last_row, found.last_row)
        last_column = max(last_column, found.last_column)
        if b'hidden="' in chunk or b"hidden='" in chunk:
            for tag in _HIDDEN_ROW.findall(chunk):
                number = dict(_ATTRIBUTE.findall(tag)).get(b"r")
                if number:
                    sheet.hidden_rows.append(int(number))
            for tag in _HIDDEN_COLUMNS.findall(chunk):
                bounds = dict(_ATTRIBUTE.findall(tag))
                if b"min" in bounds:
                    low = int(bounds[b"min"])
                    sheet.hidden_columns.append((low, int(bounds.get(b"max", low))))
        # A cell or row without its own address follows the one before it: count each as
        # one more, so that the bound holds whatever the file says.
        sheet.rows = last_row + (rows - rows_with_ref)
        sheet.columns = last_column + (cells - cells_with_ref)
        _check_extent(sheet, sheet.rows, sheet.columns, limits, "reaches")


@dataclass
class _Facts:
    formulas: bool
    merged: bool
    error_values: bool
    cells: int
    cells_with_ref: int
    rows: int
    rows_with_ref: int
    last_row: int
    last_column: int


_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:")
_PLAIN_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,4}([0-9]{1,9})"')
_PLAIN_COLUMN = re.compile(rb'<c r="([A-Z]{1,4})[0-9]')
_PLAIN_ROW_REF = re.compile(rb'<row r="([0-9]{1,9})"')
_PLAIN_FORMULA = re.compile(rb"<f[\s/>]")
_PLAIN_MERGED = re.compile(rb"<mergeCell[\s/>]")
_ANY_ERROR_TYPE = re.compile(rb"t=[\"']e[\"']")


def _scan(chunk: bytes) -> _Facts:
    """What one piece of a sheet's XML holds.

    Excel, LibreOffice and openpyxl write elements without a namespace prefix and each cell's
    and row's address as its first attribute: then plain byte searches and two regular
    expressions with a literal start say it all (174 MB of XML in a few seconds). Anything
    else (a prefix, attributes in another order) is read with general expressions that try
    every tag, which is slower but holds for any well-formed sheet.
    """
    if not _PREFIXED.search(chunk):
        cells = chunk.count(b"<c ") + chunk.count(b"<c>") + chunk.count(b"<c/")
        rows = chunk.count(b"<row ") + chunk.count(b"<row>") + chunk.count(b"<row/")
        cell_rows = _PLAIN_CELL_ROW.findall(chunk)
        row_refs = _PLAIN_ROW_REF.findall(chunk)
        if len(cell_rows) == cells and len(row_refs) == rows:
            letters = set(_PLAIN_COLUMN.findall(chunk))
            last_column = max(map(column_number, letters), default=0)
            return _Facts(
                formulas=bool(_PLAIN_FORMULA.search(chunk)),
                merged=bool(_PLAIN_MERGED.search(chunk)),
                # Conservative: any t="e" sends the workbook to openpyxl.
                error_values=bool(_ANY_ERROR_TYPE.search(chunk)),
                cells=cells,
                cells_with_ref=cells,
                rows=rows,
                rows_with_ref=rows,
                last_row=max(_last_number(cell_rows), _last_number(row_refs)),
                last_column=last_column,
            )
    references = _CELL_REF.findall(chunk)
    row_refs = _ROW_REF.findall(chunk)
    return _Facts(
        formulas=bool(_FORMULA.search(chunk)),
        merged=bool(_MERGED.search(chunk)),
        error_values=bool(_ERROR_VALUE.search(chunk)),
        cells=len(_CELL.findall(chunk)),
        cells_with_ref=len(references),
        rows=len(_ROW.findall(chunk)),
        rows_with_ref=len(row_refs),
        last_row=_last_number([n for _, n in references] + row_refs),
        last_column=max((column_number(x) for x in {x for x, _ in references}), default=0),
    )


def _last_number(numbers: list[bytes]) -> int:
    """At least the largest of numbers written in digits (exactly, unless one is written
    with leading zeros, which no spreadsheet program writes)."""
    if not numbers:
        return 0
    lengths = set(map(len, numbers))
    if len(lengths) == 1:
        return int(max(numbers))
    longest = max(lengths)
    return int(max(n for n in numbers if len(n) == longest))


def _check_extent(
    sheet: SheetSurvey, rows: int, columns: int, limits: InputLimits, verb: str
) -> None:
    corner = f"{column_letters(columns)}{rows}" if rows and columns else "?"
    where = f"The sheet {sheet.name} {verb} cells up to {corner}"
    if rows > limits.rows:
        raise UnreadableWorkbook(
            f"{where}: {rows:,} rows, more than a return should have "
            f"{limits.how_to_raise('rows')}. Delete the rows below the returns (select them, "
            "then Delete Sheet Rows), save, and send it again."
        )
    if columns > limits.columns:
        raise UnreadableWorkbook(
            f"{where}: {columns:,} columns, more than a return should have "
            f"{limits.how_to_raise('columns')}. Delete the columns to the right of the "
            "returns (select them, then Delete Sheet Columns), save, and send it again."
        )
    if rows * columns > limits.cells:
        raise UnreadableWorkbook(
            f"{where}: {rows * columns:,} cells, more than a return should have "
            f"{limits.how_to_raise('cells')}. Delete the rows and columns around the "
            "returns, save, and send it again."
        )


def _chunks(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """A part's bytes in pieces that each end at the end of a tag."""
    try:
        handle = archive.open(name)
    except KeyError:
        raise UnreadableWorkbook(
            f"This workbook lists a sheet in {name}, which is not in the file. Open it in "
            "Excel, and save it again as 'Excel Workbook (.xlsx)'."
        ) from None
    with handle:
        rest = b""
        while True:
            data = handle.read(_CHUNK)
            if not data:
                if rest:
                    yield rest
                return
            data = rest + data
            cut = data.rfind(b">") + 1
            rest = data[cut:]
            if cut:
                yield data[:cut]


# --- reading the cells ------------------------------------------------------------------------


@dataclass
class SheetCells:
    """One sheet's values, row by row from row 1 and column A, as Python values."""

    name: str
    rows: list[list[Any]]
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column): text
    formula_ranges: list[tuple[str, int, int, str]] = field(default_factory=list)
    merged: list[tuple[str, int]] = field(default_factory=list)  # (range, first row)
    skipped: set[tuple[int, int]] = field(default_factory=set)  # cells reported already


def _read_calamine(path: Path, names: Sequence[str]) -> dict[str, SheetCells]:
    from python_calamine import CalamineWorkbook

    sheets = {}
    with CalamineWorkbook.from_path(str(path)) as workbook:
        for name in names:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            sheets[name] = SheetCells(name, rows)
    return sheets


def _read_openpyxl(path: Path, names: Sequence[str]) -> dict[str, SheetCells]:
    import openpyxl
    from openpyxl.worksheet.formula import ArrayFormula

    workbook = openpyxl.load_workbook(path, data_only=False)
    sheets = {}
    for name in names:
        sheet = workbook[name]
        cells = SheetCells(name, [])
        for row in sheet.iter_rows():
            values = []
            for cell in row:
                if cell.data_type == "f" or isinstance(cell.value, ArrayFormula):
                    position = (cell.row, cell.column)
                    if isinstance(cell.value, ArrayFormula):
                        # One formula whose results fill a range: one problem, and no cell of
                        # the range is read (they hold the results Excel worked out).
                        text = cell.value.text or ""
                        cells.formula_ranges.append((cell.value.ref, cell.row, cell.column, text))
                    else:
                        cells.formulas[position] = str(cell.value)
                    values.append(None)
                else:
                    values.append(cell.value)
            cells.rows.append(values)
        for merged in sheet.merged_cells.ranges:
            cells.merged.append((str(merged), merged.min_row))
            for row, column in merged.cells:
                cells.skipped.add((row, column))
        for ref, row, column, _ in cells.formula_ranges:
            from openpyxl.worksheet.cell_range import CellRange

            for position in CellRange(ref or f"{column_letters(column)}{row}").cells:
                cells.skipped.add(position)
        cells.skipped.update(cells.formulas)
        sheets[name] = cells
    return sheets


def _text(value: object) -> str:
    if value is None:
        return ""
    if type(value) is str:
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _serial_date(value: object, epoch: dt.datetime) -> str | None:
    """A date stored as Excel's serial day number (a cell formatted as General), in the
    workbook's own date system (1900, or 1904 on old Macs); None for any other value."""
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and SERIAL_DATES[0] <= value <= SERIAL_DATES[1]
    ):
        from openpyxl.utils.datetime import from_excel

        return from_excel(value, epoch=epoch).date().isoformat()
    return None


def read_returns_workbook(
    path: Path,
    *,
    display: str,
    expected: Sequence[str],
    required: Sequence[str],
    ignored: Sequence[str] = (),
    limits: InputLimits = DEFAULT_LIMITS,
    engine: str = "auto",
    what: str = "returns",
    date_columns: Sequence[str] = (),
) -> RawTable:
    """Read the returns sheet of one workbook, reporting every problem found.

    ``what`` names the sheet's contents in messages; columns ending ``_date``, and those of
    ``date_columns``, are dates. :func:`read_action_plan_workbook` reads an action plan so.
    ``engine`` is ``auto`` (calamine where the workbook has no formula, merged cell or error
    value, else openpyxl), or ``calamine`` or ``openpyxl`` to compare them in tests.
    """
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    def refuse(message: str) -> RawTable:
        return empty_table(display, expected, [Problem(display, message=message)])

    try:
        survey = survey_workbook(path, limits)
    except UnreadableWorkbook as exc:
        return refuse(str(exc))
    names = [sheet.name for sheet in survey.sheets]
    plain = all(sheet.plain for sheet in survey.sheets)
    use = engine if engine != "auto" else "calamine" if plain else "openpyxl"
    try:
        sheets = (_read_calamine if use == "calamine" else _read_openpyxl)(path, names)
    except Exception as exc:  # the reader's own failure on a damaged file, whatever the kind
        return refuse(
            f"This file cannot be read as an Excel workbook ({type(exc).__name__}: {exc}). "
            "Open it in Excel and save it again as 'Excel Workbook (.xlsx)'."
        )
    epoch = CALENDAR_MAC_1904 if survey.date1904 else CALENDAR_WINDOWS_1900

    wanted = {fold_header(c) for c in required}
    found = []
    for surveyed in survey.sheets:
        cells = sheets[surveyed.name]
        header_at = next(
            (i for i, row in enumerate(cells.rows) if any(v not in (None, "") for v in row)),
            None,
        )
        if header_at is not None and wanted <= {
            fold_header(_text(v)) for v in cells.rows[header_at]
        }:
            found.append((surveyed, cells, header_at))
    if len(found) > 1:
        names_found = ", ".join(surveyed.name for surveyed, _, _ in found)
        return refuse(
            f"More than one sheet has the {what} columns ({names_found}). Keep the {what} "
            "on one sheet and delete or rename the others' header rows."
        )
    if not found:
        return refuse(
            f"No sheet in this workbook has the {what} columns ("
            + ", ".join(expected)
            + ") in its first row. "
            + (
                "Use the audit tool's returns sheet."
                if what == "returns"
                else f"Use the {what} sheet of the workbook auditrap made."
            )
        )
    surveyed, cells, header_at = found[0]
    problems = _structure_problems(display, surveyed, cells, header_at, what)
    header = cells.rows[header_at]
    also_dates = {fold_header(c) for c in date_columns}
    date_columns = {
        at
        for at, value in enumerate(header)
        if fold_header(_text(value)).endswith("_date") or fold_header(_text(value)) in also_dates
    }
    records = []
    for offset, row in enumerate(cells.rows[header_at:]):
        number = header_at + 1 + offset
        record = [value if type(value) is str else _text(value) for value in row]
        for at in date_columns:
            if at < len(row):
                day = _serial_date(row[at], epoch)
                if day is not None:
                    record[at] = day
        if cells.skipped:
            for at in range(len(record)):
                if (number, at + 1) in cells.skipped:
                    record[at] = ""
        records.append(record)
    table = table_from_records(
        records,
        display=display,
        expected=expected,
        required=required,
        ignored=ignored,
        problems=problems,
        first_row=header_at + 1,
        limits=limits,
    )
    # A formula or merged cell is reported once: the blank left in its place is not.
    columns = {at + 1: fold_header(_text(value)) for at, value in enumerate(header)}
    table.reported_cells = {
        (display, row, columns[column]) for row, column in cells.skipped if column in columns
    }
    return table


def _structure_problems(
    display: str, surveyed: SheetSurvey, cells: SheetCells, header_at: int, what: str
) -> list[Problem]:
    """Formulas and merged cells (errors); a hidden sheet, rows or columns (warnings)."""
    sheet = surveyed.name
    problems = []
    for (row, column), formula in sorted(cells.formulas.items()):
        letters = column_letters(column)
        problems.append(
            Problem(
                display,
                row=row,
                column=letters,
                value=formula,
                message=f"The cell {letters}{row} of sheet {sheet} holds a formula. Formulas "
                "are never run: type the value itself.",
            )
        )
    for ref, row, column, formula in cells.formula_ranges:
        letters = column_letters(column)
        problems.append(
            Problem(
                display,
                row=row,
                column=letters,
                value=formula,
                message=f"The cells {ref} of sheet {sheet} are filled by one array formula. "
                "Formulas are never run: type each value itself.",
            )
        )
    for ref, row in cells.merged:
        problems.append(
            Problem(
                display,
                row=row,
                value=ref,
                message=f"The cells {ref} of sheet {sheet} are merged. Unmerge them and give "
                "each row its own value.",
            )
        )
    if surveyed.state != "visible":
        problems.append(
            Problem(
                display,
                message=f"Sheet {sheet}, which holds the {what}, is hidden. It was read; unhide "
                "it (right-click a sheet tab, Unhide) to check it.",
                severity=WARNING,
            )
        )
    hidden = sorted(r for r in set(surveyed.hidden_rows) if r > header_at + 1)
    hidden = [r for r in hidden if r <= len(cells.rows)]
    if hidden:
        listed = ", ".join(map(str, hidden[:_HIDDEN_LISTED]))
        more = f" and {len(hidden) - _HIDDEN_LISTED:,} more" if len(hidden) > _HIDDEN_LISTED else ""
        problems.append(
            Problem(
                display,
                message=f"Rows {listed}{more} of sheet {sheet} are hidden. They were read with "
                "the others; unhide them (select the rows around them, right-click, Unhide) "
                "to check them.",
                severity=WARNING,
            )
        )
    width = max((len(row) for row in cells.rows), default=0)
    spans = [(low, min(high, width)) for low, high in surveyed.hidden_columns if low <= width]
    if spans:
        named = ", ".join(
            column_letters(low)
            if low == high
            else f"{column_letters(low)} to {column_letters(high)}"
            for low, high in spans
        )
        problems.append(
            Problem(
                display,
                message=f"Columns {named} of sheet {sheet} are hidden. They were read with "
                "the others; unhide them to check them.",
                severity=WARNING,
            )
        )
    return problems


def read_action_plan_workbook(
    path: Path,
    *,
    display: str,
    expected: Sequence[str],
    required: Sequence[str],
    ignored: Sequence[str] = (),
    limits: InputLimits = DEFAULT_LIMITS,
) -> RawTable:
    """Read the action plan sheet of a workbook made by ``auditrap template --action-plan``
    (or any workbook with the action plan's columns), as :func:`read_returns_workbook` reads
    the returns: formulas and merged cells refused, Excel dates and serial numbers read as
    dates (``updated`` too), hidden sheets and rows warned about, the same limits."""
    return read_returns_workbook(
        path,
        display=display,
        expected=expected,
        required=required,
        ignored=ignored,
        limits=limits,
        what="action plan",
        date_columns=("updated",),
    )
