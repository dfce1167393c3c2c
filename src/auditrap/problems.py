"""Problems found in the input, and the plain-English reports made of them."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import TYPE_CHECKING

from auditrap.pages import SKIP_LINK, STYLE, table_region

if TYPE_CHECKING:  # imported where used: the publish step needs neither
    import pandas as pd

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth knowing) about the input, located as a person would find it."""

    file: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    message: str = ""
    severity: str = ERROR
    agency: str | None = None

    def location(self) -> str:
        # A YAML file has lines and keys; a table has rows and columns.
        lines = self.file.endswith((".yaml", ".yml"))
        where = self.file
        if self.row is not None:
            where += f", {'line' if lines else 'row'} {self.row}"
        if self.column:
            where += f", {'key' if lines else 'column'} {self.column}"
        return where

    def line(self) -> str:
        shown = "" if self.value is None else f" [{self.value}]"
        return f"{self.location()}{shown}: {self.message}"


class InputError(Exception):
    """The input breaks the contract; carries every problem found in one pass."""

    def __init__(self, problems: Sequence[Problem], *, audit_id: str = "") -> None:
        self.problems = sorted_problems(p for p in problems if p.severity == ERROR)
        self.audit_id = audit_id
        super().__init__(summary(self.problems, audit_id=audit_id))


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Stable order: by file, then row, then column; file-level problems first."""
    return sorted(
        set(problems),
        key=lambda p: (p.file, p.row if p.row is not None else -1, p.column or "", p.message),
    )


#: Characters of a value that a problem quotes; the rest are counted.
VALUE_CHARS = 200
_VARYING = re.compile(r"`[^`]*`|\([^)]*\)|\d[\d,.]*")


def cap_problems(problems: Iterable[Problem], limit: int, how_to_raise: str = "") -> list[Problem]:
    """At most ``limit`` problems of one kind in one file, then one that counts the rest; no
    quoted value longer than :data:`VALUE_CHARS`.

    Problems are of one kind when they are about the same column and their messages differ
    only in what they quote (`...`), say in brackets, or count.
    """
    kept: list[Problem] = []
    counts: dict[tuple, int] = {}
    over: dict[tuple, Problem] = {}
    for problem in problems:
        if problem.value is not None and len(problem.value) > VALUE_CHARS:
            problem = replace(
                problem,
                value=problem.value[:VALUE_CHARS] + f"... ({len(problem.value):,} characters)",
            )
        kind = (problem.file, problem.column, problem.severity, _VARYING.sub("", problem.message))
        counts[kind] = counts.get(kind, 0) + 1
        if counts[kind] <= limit:
            kept.append(problem)
        else:
            over.setdefault(kind, problem)
    for kind, first in over.items():
        more = counts[kind] - limit
        column = f" in column {first.column}" if first.column else ""
        kept.append(
            Problem(
                first.file,
                column=first.column,
                message=f"... and {more:,} more problems{column} like this one: "
                f"{first.message} Only {limit:,} of one kind are listed{' ' + how_to_raise if how_to_raise else ''}.",
                severity=first.severity,
            )
        )
    return kept


def nearest(
    value: str, choices: Sequence[str] | Mapping[str, str], *, cutoff: float = 75.0
) -> str | None:
    """The valid choice closest to a mistyped value, or None when nothing is close.

    Plain edit similarity (a typo, not a partial match: "Not good" does not suggest "Good").
    ``choices`` may map each accepted spelling (an alias, say) to what to suggest.
    """
    if not value or not choices:
        return None
    from rapidfuzz import fuzz, process, utils

    spellings = dict(choices) if isinstance(choices, Mapping) else {c: c for c in choices}
    match = process.extractOne(
        value,
        list(spellings),
        scorer=fuzz.ratio,
        processor=utils.default_process,
        score_cutoff=cutoff,
    )
    return spellings[match[0]] if match else None


def did_you_mean(value: str, choices: Sequence[str] | Mapping[str, str]) -> str:
    """Ends a sentence: "; did you mean `X`?" when a choice is close, else a full stop."""
    suggestion = nearest(value, choices)
    return f"; did you mean `{suggestion}`?" if suggestion else "."


def summary(problems: Sequence[Problem], *, audit_id: str = "", limit: int = 50) -> str:
    """The short list shown in the terminal."""
    errors = sorted_problems(p for p in problems if p.severity == ERROR)
    files = sorted({p.file for p in errors})
    head = (
        f"The audit '{audit_id}' has {len(errors)} problem{'s' if len(errors) != 1 else ''} "
        f"in {len(files)} file{'s' if len(files) != 1 else ''}. Nothing was published."
    )
    lines = [head, ""]
    for problem in errors[:limit]:
        lines.append(f"  - {problem.line()}")
    if len(errors) > limit:
        lines.append(f"  ... and {len(errors) - limit} more: see the validation report.")
    lines += [
        "",
        "Correct the files named above (the row numbers are as a spreadsheet shows them, with",
        "the header as row 1) and run the report again.",
    ]
    return "\n".join(lines)


def problems_frame(problems: Sequence[Problem]) -> pd.DataFrame:
    import pandas as pd

    columns = [f.name for f in fields(Problem)]
    frame = pd.DataFrame([asdict(p) for p in problems], columns=columns)
    return frame.astype({"row": "Int64"})


def problems_html(problems: Sequence[Problem], *, audit_id: str) -> str:
    """An accessible HTML page listing the problems, grouped by file and by agency."""
    errors = sorted_problems(p for p in problems if p.severity == ERROR)
    warnings = sorted_problems(p for p in problems if p.severity == WARNING)
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Validation report: {esc(audit_id)}</title>",
        STYLE,
        "</head><body>",
        SKIP_LINK,
        '<main id="main" tabindex="-1">',
        f"<h1>Validation report: {esc(audit_id)}</h1>",
    ]
    if errors:
        parts.append(
            f"<p>{len(errors)} problem{'s' if len(errors) != 1 else ''} stopped the run. "
            "Nothing was published. Row numbers are as a spreadsheet shows them "
            "(the header is row 1).</p>"
        )
    else:
        parts.append("<p>No problems: the audit passed validation.</p>")

    def table(items: Sequence[Problem], caption: str) -> None:
        parts.append(table_region(caption) + "<table>")
        parts.append(f"<caption>{esc(caption)}</caption>")
        parts.append(
            "<thead><tr><th scope='col'>File</th><th scope='col'>Row</th>"
            "<th scope='col'>Column</th><th scope='col'>Value</th>"
            "<th scope='col'>Problem</th></tr></thead><tbody>"
        )
        for p in items:
            cells = [
                p.file,
                "" if p.row is None else str(p.row),
                p.column or "",
                p.value or "",
                p.message,
            ]
            parts.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
        parts.append("</tbody></table></div>")

    if errors:
        parts.append("<h2>Problems by file</h2>")
        for file in sorted({p.file for p in errors}):
            parts.append(f"<h3>{esc(file)}</h3>")
            table([p for p in errors if p.file == file], f"Problems in {file}")
        by_agency = sorted({p.agency for p in errors if p.agency})
        if by_agency:
            parts.append("<h2>Problems by agency</h2>")
            parts.append("<p>Send each agency its own list.</p>")
            for agency in by_agency:
                parts.append(f"<h3>{esc(agency)}</h3>")
                table([p for p in errors if p.agency == agency], f"Problems for {agency}")
    parts.append("<h2>Warnings</h2>")
    if warnings:
        parts.append("<p>These did not stop the run.</p>")
        table(warnings, "Warnings")
    else:
        parts.append("<p>None.</p>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"
