"""Returns filled in as Excel workbooks (``returns/*.xlsx``), read as the CSV files are.

The returns sheet is found by its header row (a renamed sheet still works). Excel's habits are
undone: dates stored as dates or serial numbers become ``YYYY-MM-DD``, whole numbers stored
as numbers lose their ``.0``, cells holding only spaces are blank, trailing empty rows are
ignored. A formula or a merged cell is refused, never evaluated: its value could not be
checked against what the agency meant.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Sequence
from pathlib import Path

from auditrap.problems import Problem
from auditrap.readers import RawTable, empty_table, fold_header, table_from_records

#: Serial day numbers read as dates: 1 January 1990 to 31 December 2099 (1900 system).
SERIAL_DATES = (32874, 73415)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_returns_workbook(
    path: Path,
    *,
    display: str,
    expected: Sequence[str],
    required: Sequence[str],
    ignored: Sequence[str] = (),
    what: str = "returns",
    date_columns: Sequence[str] = (),
) -> RawTable:
    """Read the returns sheet of one workbook, reporting every problem found.

    ``what`` names the sheet's contents in messages; columns ending ``_date``, and those of
    ``date_columns``, are dates. :func:`read_action_plan_workbook` reads an action plan so.
    """
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.datetime import from_excel

    try:
        workbook = openpyxl.load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        return empty_table(
            display,
            expected,
            [
                Problem(
                    display,
                    message=f"This file cannot be read as an Excel workbook ({exc}). Save it "
                    "from Excel as 'Excel Workbook (.xlsx)'.",
                )
            ],
        )
    wanted = {fold_header(c) for c in required}
    found = []
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows())
        header_at = next(
            (i for i, row in enumerate(rows) if any(c.value not in (None, "") for c in row)), None
        )
        if header_at is not None and wanted <= {
            fold_header(_text(c.value)) for c in rows[header_at]
        }:
            found.append((sheet, rows, header_at))
    if len(found) > 1:
        names = ", ".join(sheet.title for sheet, _, _ in found)
        return empty_table(
            display,
            expected,
            [
                Problem(
                    display,
                    message=f"More than one sheet has the {what} columns ({names}). Keep the "
                    f"{what} on one sheet and delete or rename the others' header rows.",
                )
            ],
        )
    for sheet, rows, header_at in found:
        problems: list[Problem] = []
        where = f"{display} (sheet {sheet.title})"
        for merged in sheet.merged_cells.ranges:
            problems.append(
                Problem(
                    where,
                    row=merged.min_row,
                    value=str(merged),
                    message=f"The cells {merged} are merged. Unmerge them and "
                    "give each row its own value.",
                )
            )
        date_columns = {
            cell.column
            for cell in rows[header_at]
            if fold_header(_text(cell.value)).endswith("_date")
            or fold_header(_text(cell.value)) in {fold_header(c) for c in date_columns}
        }
        records = []
        for row in rows[header_at:]:
            cells = []
            for cell in row:
                if (
                    cell.column in date_columns
                    and isinstance(cell.value, int | float)
                    and not isinstance(cell.value, bool)
                    and SERIAL_DATES[0] <= cell.value <= SERIAL_DATES[1]
                ):
                    # A date stored as Excel's serial day number (a cell formatted as General),
                    # in the workbook's own date system (1900, or 1904 on old Macs). Any
                    # other number stays a number, and validation says it is not a date.
                    day = from_excel(cell.value, epoch=workbook.epoch).date()
                    cells.append(day.isoformat())
                    continue
                if cell.data_type == "f":
                    column = get_column_letter(cell.column)
                    problems.append(
                        Problem(
                            where,
                            row=cell.row,
                            column=column,
                            value=str(cell.value),
                            message="This cell holds a formula. Formulas are never run: type the "
                            "value itself.",
                        )
                    )
                    cells.append("")
                else:
                    cells.append(_text(cell.value))
            records.append(cells)
        return table_from_records(
            records,
            display=display,
            expected=expected,
            required=required,
            ignored=ignored,
            problems=problems,
            first_row=header_at + 1,
        )
    return empty_table(
        display,
        expected,
        [
            Problem(
                display,
                message=f"No sheet in this workbook has the {what} columns ("
                + ", ".join(expected)
                + ") in its first row. "
                + (
                    "Use the audit tool's returns sheet."
                    if what == "returns"
                    else f"Use the {what} sheet of the workbook auditrap made."
                ),
            )
        ],
    )


def read_action_plan_workbook(
    path: Path,
    *,
    display: str,
    expected: Sequence[str],
    required: Sequence[str],
    ignored: Sequence[str] = (),
) -> RawTable:
    """Read the action plan sheet of a workbook made by ``auditrap template --action-plan``
    (or any workbook with the action plan's columns), as :func:`read_returns_workbook` reads
    the returns: formulas and merged cells refused, Excel dates and serial numbers read as
    dates (``updated`` too)."""
    return read_returns_workbook(
        path,
        display=display,
        expected=expected,
        required=required,
        ignored=ignored,
        what="action plan",
        date_columns=("updated",),
    )
