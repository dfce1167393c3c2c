"""The blank audit tool: an Excel workbook generated from the contract's models.

Everything in it comes from the pandera ``Returns`` model (columns, their descriptions, the
grades) and the audit's own ``audit.yaml`` and ``cases.csv`` (cases, agencies): there is no
second, hand-kept copy of the rules. Dropdowns and date checks stop most mistakes at the
keyboard; the pipeline still validates every returned workbook.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from auditrap import schemas
from auditrap.grades import GRADE_DEFINITIONS, GRADES
from auditrap.metadata import AuditMeta

if TYPE_CHECKING:
    import pandas as pd

#: How many rows of the returns sheet carry the dropdowns and checks.
ROWS = 500
LISTS_SHEET = "Lists"
RETURNS_SHEET = "Returns"


#: What makes a spreadsheet read typed text as a formula.
FORMULA_START = ("=", "+", "-", "@")


def text_cell(sheet, row: int, column: int, value: str):
    """Write ``value`` into a cell as text, never as a formula: the title, board, period,
    agencies and case references come from audit.yaml and cases.csv, and openpyxl stores any
    string starting with ``=`` as a live formula (``=HYPERLINK(...)``, ``=WEBSERVICE(...)``
    would run in every agency's spreadsheet). The cell is typed as a string, and one that a
    spreadsheet would read as a formula when edited gets the quote prefix (``'``) too."""
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    return cell


def write_template(meta: AuditMeta, case_ids: list[str], out: Path) -> Path:
    """Write the audit tool for one audit to ``out`` (an .xlsx file)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    guide = book.active
    guide.title = "Instructions"
    returns = book.create_sheet(RETURNS_SHEET)
    lists = book.create_sheet(LISTS_SHEET)

    model = schemas.Returns.to_schema()
    columns = list(model.columns)

    # Instructions, in plain English.
    lines = [
        (meta.title, True),
        (f"{meta.board}: the audit tool for period {meta.period}", False),
        ("", False),
        ("How to fill in this audit tool", True),
        (
            f"Use the '{RETURNS_SHEET}' sheet: one row for each case your agency was involved "
            "with. Choose the case, your agency and your grade from the dropdown lists.",
            False,
        ),
        ("Dates are dates: type them as a date (for example 05/11/2018) or pick them.", False),
        (
            "Do not write any names or identifying details (names, dates of birth, addresses, NHS "
            "numbers, phone numbers) in the free text. Refer to 'the child', 'mother', 'the GP'.",
            False,
        ),
        (
            "Do not add formulas, merge cells or change the column headings: the returns are read "
            "by a program that checks every cell.",
            False,
        ),
        ("", False),
        ("The columns", True),
        *[
            (f"{name}: {column.description}" + ("" if column.nullable else " (required)"), False)
            for name, column in model.columns.items()
        ],
        ("", False),
        ("The grades (Ofsted and CQC four-point scale)", True),
        *[(f"{grade}: {GRADE_DEFINITIONS[grade]}", False) for grade in GRADES],
    ]
    for row, (text, bold) in enumerate(lines, start=1):
        cell = text_cell(guide, row, 1, text)
        cell.font = Font(bold=bold, size=14 if row == 1 else 11)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        # Row heights for wrapped text (spreadsheets do not always grow rows by themselves).
        guide.row_dimensions[row].height = 16 * max(1, -(-len(text) // 80))
    guide.column_dimensions["A"].width = 90

    # The lists behind the dropdowns, on a hidden, protected sheet.
    named = {"case_id": case_ids, "agency": list(meta.agencies), "grade": list(GRADES)}
    for col, (name, values) in enumerate(named.items(), start=1):
        lists.cell(row=1, column=col, value=name).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            text_cell(lists, row, col, str(value))
        letter = get_column_letter(col)
        ref = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
        book.defined_names[f"list_{name}"] = DefinedName(f"list_{name}", attr_text=ref)
    lists.sheet_state = "hidden"
    lists.protection.sheet = True

    # The returns sheet: the contract's columns, a frozen header, checks on every column.
    header_fill = PatternFill("solid", fgColor="DDE6EE")
    for col, name in enumerate(columns, start=1):
        cell = returns.cell(row=1, column=col, value=name)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        free_text = name in ("strengths", "improvements")
        returns.column_dimensions[get_column_letter(col)].width = 60 if free_text else 24
    returns.freeze_panes = "A2"
    # Printed, the returns fit the page width (landscape), with the header on every page.
    returns.page_setup.orientation = "landscape"
    returns.sheet_properties.pageSetUpPr.fitToPage = True
    returns.page_setup.fitToWidth = 1
    returns.page_setup.fitToHeight = 0
    returns.print_title_rows = "1:1"

    def span(name: str) -> str:
        letter = get_column_letter(columns.index(name) + 1)
        return f"{letter}2:{letter}{ROWS + 1}"

    for name, column in model.columns.items():
        prompt = (column.description or "")[:255]
        if name in named:
            check = DataValidation(
                type="list", formula1=f"=list_{name}", allow_blank=True, showDropDown=False
            )
            check.error = f"Choose a {name.replace('_', ' ')} from the list."
        elif name.endswith("_date"):
            check = DataValidation(
                type="date", operator="greaterThan", formula1="DATE(2000,1,1)", allow_blank=True
            )
            check.error = "Type a date, for example 05/11/2018."
            for row in range(2, ROWS + 2):
                returns.cell(row=row, column=columns.index(name) + 1).number_format = "yyyy-mm-dd"
        else:
            check = DataValidation(
                type="textLength", operator="lessThanOrEqual", formula1="4000", allow_blank=True
            )
            check.error = "Keep this cell under 4,000 characters."
        check.errorTitle = "Not accepted"
        check.showErrorMessage = True
        check.promptTitle = name
        check.prompt = prompt
        check.showInputMessage = True
        check.add(span(name))
        returns.add_data_validation(check)

    book.active = book.index(returns)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


REVIEW_SHEET = "Review"

#: What each column of the review workbook is for (its input message and the instructions).
REVIEW_PROMPTS = {
    "case_id": "The case the return is about. Leave as it is.",
    "agency": "The agency that wrote the return. Leave as it is.",
    "field": "strengths (the theme is noted as good practice) or improvements (raised as a "
    "concern). Leave as it is.",
    "sentence": "The sentence of the return, as the report's software read it (names "
    "redacted). Leave as it is.",
    "theme_id": "The theme the software suggests this sentence speaks of (blank: none).",
    "theme": "The suggested theme's title, for reading. Leave as it is.",
    "decision": "accept if the sentence does speak of the suggested theme, reject if it does "
    "not. Blank: not yet reviewed (the report stays a draft).",
    "added_theme": "A theme the software missed that this sentence speaks of. Choose from "
    "the list. For two, copy the row and choose the second on the copy.",
    "note": "Your reasons, for yourself and other reviewers. Never published.",
    "sentence_hash": "Names the sentence by its words, so that your decision still applies "
    "after an edit elsewhere. Leave as it is.",
}


def write_review_workbook(
    meta: AuditMeta,
    audit_id: str,
    sheet: object,
    theme_titles: dict[str, str],
    out: Path,
) -> Path:
    """Write the theme review workbook: one row per suggestion of the tagger (and per added
    tag), with the decision so far, and one row for each other sentence, where a theme the
    tagger missed can be added. ``sheet`` is :func:`auditrap.review.review_sheet`."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    from auditrap.review import DECISIONS, REVIEW_COLUMNS

    rows = sheet.to_dict("records")  # type: ignore[attr-defined]
    book = Workbook()
    guide = book.active
    guide.title = "Instructions"
    review = book.create_sheet(REVIEW_SHEET)
    lists = book.create_sheet(LISTS_SHEET)
    waiting = sum(1 for r in rows if r["theme_id"] and not r["decision"])
    lines = [
        (f"{meta.title}: review of the theme suggestions", True),
        (f"{meta.board}, period {meta.period} (audit {audit_id})", False),
        ("", False),
        ("What to do", True),
        (
            "The report's software reads every sentence of the audit returns and suggests which "
            "themes of the taxonomy it speaks of. You decide. On the "
            f"'{REVIEW_SHEET}' sheet, each row with a theme_id is a suggestion: choose accept "
            "if the sentence speaks of that theme, or reject if it does not.",
            False,
        ),
        (
            "If a sentence speaks of a theme the software missed, choose it under added_theme "
            "(on any row of that sentence, including the rows without a suggestion).",
            False,
        ),
        (
            "A sentence from the strengths notes the theme as good practice; one from the "
            "improvements raises it as a concern. The report counts accepted and added themes, "
            "never rejected ones. Until every suggestion has a decision, the report says it is "
            f"a draft. {waiting} suggestion{'' if waiting == 1 else 's'} still "
            f"need{'s' if waiting == 1 else ''} a decision.",
            False,
        ),
        (
            f"Save this workbook as theme_review.xlsx in the audit's folder (data/raw/{audit_id}/) "
            "and run the report again. Keep only one review file there: this workbook or "
            "theme_review.csv, not both.",
            False,
        ),
        (
            "Your decisions survive a rebuild and an edit elsewhere in the returns. If the words "
            "of a sentence change, its decisions no longer apply: the build warns, and running "
            f"`auditrap review {audit_id}` again gives a fresh workbook with every decision that "
            "still applies carried over.",
            False,
        ),
        ("Do not add formulas or change the column headings.", False),
        ("", False),
        ("The columns", True),
        *[(f"{name}: {REVIEW_PROMPTS[name]}", False) for name in REVIEW_COLUMNS],
        ("", False),
        ("The themes", True),
        *[(f"{tid}: {title}", False) for tid, title in theme_titles.items()],
    ]
    for row, (text, bold) in enumerate(lines, start=1):
        cell = text_cell(guide, row, 1, text)  # the title and board come from audit.yaml
        cell.font = Font(bold=bold, size=14 if row == 1 else 11)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        guide.row_dimensions[row].height = 16 * max(1, -(-len(text) // 80))
    guide.column_dimensions["A"].width = 90

    named = {"theme_id": list(theme_titles), "decision": list(DECISIONS)}
    for col, (name, values) in enumerate(named.items(), start=1):
        lists.cell(row=1, column=col, value=name).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            text_cell(lists, row, col, str(value))
        letter = get_column_letter(col)
        ref = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
        book.defined_names[f"list_{name}"] = DefinedName(f"list_{name}", attr_text=ref)
    lists.sheet_state = "hidden"
    lists.protection.sheet = True

    columns = list(REVIEW_COLUMNS)
    header_fill = PatternFill("solid", fgColor="DDE6EE")
    widths = {"sentence": 70, "theme": 36, "note": 30, "agency": 22}
    for col, name in enumerate(columns, start=1):
        cell = review.cell(row=1, column=col, value=name)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        review.column_dimensions[get_column_letter(col)].width = widths.get(name, 14)
    for n, record in enumerate(rows, start=2):
        for col, name in enumerate(columns, start=1):
            value = record.get(name) or None
            cell = review.cell(row=n, column=col, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, even if it starts with "=": never a formula
            if name == "sentence":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    review.freeze_panes = "A2"
    review.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows), 1) + 1}"
    last = max(len(rows), 1) + 1

    def span(name: str) -> str:
        letter = get_column_letter(columns.index(name) + 1)
        return f"{letter}2:{letter}{last}"

    for name in columns:
        if name in ("decision", "added_theme", "theme_id"):
            source = "decision" if name == "decision" else "theme_id"
            check = DataValidation(
                type="list", formula1=f"=list_{source}", allow_blank=True, showDropDown=False
            )
            check.error = "Choose accept or reject." if name == "decision" else "Choose a theme id."
            check.errorTitle = "Not accepted"
            check.showErrorMessage = True
        else:
            check = DataValidation(allow_blank=True)
        check.promptTitle = name
        check.prompt = REVIEW_PROMPTS[name][:255]
        check.showInputMessage = True
        check.add(span(name))
        review.add_data_validation(check)

    book.active = book.index(review)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


PLAN_SHEET = "Action plan"
RECOMMENDATIONS_SHEET = "Recommendations"


def write_action_plan_template(
    meta: AuditMeta,
    recommendations: pd.DataFrame,
    action_plan: pd.DataFrame | None,
    out: Path,
    *,
    audit_id: str = "",
) -> Path:
    """Write the action-plan workbook that the leads update each quarter to ``out``.

    ``recommendations`` and ``action_plan`` are the audit's, as read (text, the columns of
    the contract); the current plan, when there is one, fills the rows. Every cell that comes
    from the data is written as text (a value beginning ``=`` stays text, never a formula),
    except the dates, which are real dates. Dropdowns offer the recommendations, the
    agencies and the board, and the statuses; the workbook is read back as
    ``data/raw/<audit_id>/action_plan.xlsx``.
    """
    import datetime as dt

    import pandas as pd
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    model = schemas.ActionPlan.to_schema()
    columns = list(model.columns)
    date_columns = {"target_date", "completed_date", "updated"}
    rec_ids = [str(r) for r in recommendations["recommendation_id"]]
    leads = [*meta.agencies, schemas.BOARD]

    book = Workbook()
    guide = book.active
    guide.title = "Instructions"
    plan_sheet = book.create_sheet(PLAN_SHEET)
    rec_sheet = book.create_sheet(RECOMMENDATIONS_SHEET)
    lists = book.create_sheet(LISTS_SHEET)

    def text(cell, value: object) -> None:
        """A cell holding ``value`` as text: never a formula, whatever it begins with (an
        empty cell for None)."""
        if value is None or str(value) == "":
            cell.value = None
            return
        cell.value = str(value)
        cell.data_type = "s"

    folder = f"data/raw/{audit_id}/" if audit_id else "the audit's data folder"
    lines = [
        (meta.title, True),
        (f"{meta.board}: the action plan, period audited {meta.period}", False),
        ("", False),
        ("How to update the action plan", True),
        (
            f"Use the '{PLAN_SHEET}' sheet: one row for each action. For each action your "
            "agency leads, update its status and the date you reviewed it (updated). When an "
            "action is Completed, give the date it was completed (completed_date): not after "
            "the date you reviewed it. Say briefly what shows the action made a difference "
            "(evidence).",
            False,
        ),
        (
            "To add an action, use a new row with a new action_id, and choose the "
            "recommendation it answers and its lead from the dropdown lists. Do not change "
            "the action_id of an existing action.",
            False,
        ),
        (
            f"The recommendations are listed on the '{RECOMMENDATIONS_SHEET}' sheet. An action "
            "is overdue when it is not Completed and its target date has passed.",
            False,
        ),
        ("Dates are dates: type them as a date (for example 30/09/2019) or pick them.", False),
        (
            "Do not write any names or identifying details (names, dates of birth, addresses, "
            "NHS numbers, phone numbers) in any cell. Refer to 'the child', 'the family', "
            "'the GP practice'.",
            False,
        ),
        (
            "Do not add formulas, merge cells or change the column headings: the action plan "
            "is read by a program that checks every cell.",
            False,
        ),
        (
            f"For the analyst: save the returned workbook as {folder}action_plan.xlsx, in "
            "place of action_plan.csv if there is one, and run the report again.",
            False,
        ),
        ("", False),
        ("The columns", True),
        *[
            (f"{name}: {column.description}" + ("" if column.nullable else " (required)"), False)
            for name, column in model.columns.items()
        ],
        ("", False),
        ("The statuses", True),
        *[(status, False) for status in schemas.PLAN_STATUSES],
    ]
    for row, (line, bold) in enumerate(lines, start=1):
        cell = guide.cell(row=row, column=1)
        text(cell, line)
        cell.font = Font(bold=bold, size=14 if row == 1 else 11)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        guide.row_dimensions[row].height = 16 * max(1, -(-len(line) // 80))
    guide.column_dimensions["A"].width = 90

    # The recommendations, for reference.
    header_fill = PatternFill("solid", fgColor="DDE6EE")
    rec_columns = ["number", *schemas.columns(schemas.Recommendations)]
    for col, name in enumerate(rec_columns, start=1):
        cell = rec_sheet.cell(row=1, column=col, value=name)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        rec_sheet.column_dimensions[get_column_letter(col)].width = (
            80 if name == "recommendation" else 22
        )
    for row, record in enumerate(recommendations.itertuples(index=False), start=2):
        values = {"number": row - 1, **record._asdict()}
        for col, name in enumerate(rec_columns, start=1):
            cell = rec_sheet.cell(row=row, column=col)
            if name == "number":
                cell.value = values[name]
            else:
                value = values.get(name)
                text(cell, None if pd.isna(value) else value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    rec_sheet.freeze_panes = "A2"
    rec_sheet.protection.sheet = True

    # The lists behind the dropdowns, on a hidden, protected sheet.
    named = {
        "recommendation_id": rec_ids,
        "lead_agency": leads,
        "status": list(schemas.PLAN_STATUSES),
    }
    for col, (name, values) in enumerate(named.items(), start=1):
        lists.cell(row=1, column=col, value=name).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            text(lists.cell(row=row, column=col), value)
        letter = get_column_letter(col)
        ref = f"{quote_sheetname(LISTS_SHEET)}!${letter}${2}:${letter}${max(2, len(values) + 1)}"
        book.defined_names[f"list_{name}"] = DefinedName(f"list_{name}", attr_text=ref)
    lists.sheet_state = "hidden"
    lists.protection.sheet = True

    # The action plan: the contract's columns, the current plan, checks on every column.
    for col, name in enumerate(columns, start=1):
        cell = plan_sheet.cell(row=1, column=col, value=name)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        wide = name in ("action", "evidence")
        plan_sheet.column_dimensions[get_column_letter(col)].width = 60 if wide else 22
    rows = 0
    if action_plan is not None:
        for rows, record in enumerate(
            action_plan.reindex(columns=columns).itertuples(index=False), start=1
        ):
            for col, (name, value) in enumerate(zip(columns, record, strict=True), start=1):
                cell = plan_sheet.cell(row=rows + 1, column=col)
                blank = (
                    value is None or value is pd.NA or (isinstance(value, float) and value != value)
                )
                if name in date_columns and not blank:
                    try:
                        cell.value = dt.date.fromisoformat(str(value))
                        continue
                    except ValueError:
                        pass  # not a date yet: kept as typed, validation will say so
                text(cell, None if blank else value)
    last = max(ROWS, rows + 100) + 1
    for name in date_columns:
        for row in range(2, last + 1):
            plan_sheet.cell(row=row, column=columns.index(name) + 1).number_format = "yyyy-mm-dd"
    plan_sheet.freeze_panes = "B2"
    plan_sheet.page_setup.orientation = "landscape"
    plan_sheet.sheet_properties.pageSetUpPr.fitToPage = True
    plan_sheet.page_setup.fitToWidth = 1
    plan_sheet.page_setup.fitToHeight = 0
    plan_sheet.print_title_rows = "1:1"

    for name, column in model.columns.items():
        letter = get_column_letter(columns.index(name) + 1)
        if name in named:
            check = DataValidation(
                type="list", formula1=f"=list_{name}", allow_blank=True, showDropDown=False
            )
            check.error = f"Choose a {name.replace('_', ' ')} from the list."
        elif name in date_columns:
            check = DataValidation(
                type="date", operator="greaterThan", formula1="DATE(2000,1,1)", allow_blank=True
            )
            check.error = "Type a date, for example 30/09/2019."
        else:
            check = DataValidation(
                type="textLength", operator="lessThanOrEqual", formula1="4000", allow_blank=True
            )
            check.error = "Keep this cell under 4,000 characters."
        check.errorTitle = "Not accepted"
        check.showErrorMessage = True
        check.promptTitle = name
        check.prompt = (column.description or "")[:255]
        check.showInputMessage = True
        check.add(f"{letter}2:{letter}{last}")
        plan_sheet.add_data_validation(check)

    book.active = book.index(plan_sheet)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out
