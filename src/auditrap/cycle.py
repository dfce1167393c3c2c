"""The board's learning cycle as data: its programme of audits, what each found, what recurs.

Audits with the same ``board`` text form that board's programme, ordered by
``audit_number``: the audits with a data folder (their audit.yaml) and the earlier audits of
``data/programme.yaml``, which were published before this pipeline and have only their
findings. A theme **recurs** in an audit when it is one of that audit's findings and a
finding of at least one earlier audit (lower ``audit_number``) of the same board. An audit
whose ``topic`` is that of an earlier audit of its board is a **re-audit**, compared with
the latest such audit. Two audits of one board with the same ``audit_number`` would each be
earlier than the other: that is an input error, never a guess.

Everything here is a pure function of its arguments; the workflow reads the files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from auditrap.metadata import AuditMeta, Text, ThemeId, unknown_themes
from auditrap.problems import Problem, did_you_mean

if TYPE_CHECKING:
    import pandas as pd

# -- The board's slug -----------------------------------------------------------------------

_APOSTROPHES = re.compile(r"['\u2019\u2018\u02bc`]")
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def board_slug(name: str) -> str:
    """The board's name as a folder name: lower case, words joined by hyphens.

    Exactly: letters lose their accents (``é`` -> ``e``; compatibility forms are decomposed,
    so ``ﬁ`` -> ``fi``) and are lower-cased (``ß`` -> ``ss``); ``&`` is the word ``and``;
    apostrophes join, so ``Children's`` -> ``childrens``; every other run of characters that
    are not ``a``-``z`` or ``0``-``9`` is one hyphen, and there is none at either end. A name
    with no such letter or digit at all (written in another script, say) gets ``board-`` and
    the first 8 hexadecimal digits of its SHA-256, so that it still has a stable folder.

    >>> board_slug("Lancashire Safeguarding Children Board")
    'lancashire-safeguarding-children-board'
    >>> board_slug("  Bath & North East Somerset's  Partnership ")
    'bath-and-north-east-somersets-partnership'
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _APOSTROPHES.sub("", text.replace("&", " and "))
    slug = _SEPARATORS.sub("-", text).strip("-")
    if slug:
        return slug
    return "board-" + hashlib.sha256(name.strip().encode("utf-8")).hexdigest()[:8]


# -- The audits of a programme --------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeAudit:
    """One audit of a board's programme: with a data folder (``audit_id``), or an earlier
    audit recorded in data/programme.yaml (``audit_id`` None)."""

    board: str
    audit_number: int
    title: str
    period: str
    findings: tuple[str, ...]
    topic: str | None = None
    audit_id: str | None = None
    #: Where the audit is defined, for messages: the file, and the line of a programme entry.
    source_file: str = ""
    source_row: int | None = None

    @property
    def has_data(self) -> bool:
        return self.audit_id is not None

    def describe(self) -> str:
        """How a message names the audit, e.g. ``audit 4, "Multi-agency audit: NAI" (nai-2018)``."""
        where = (
            f"data folder {self.audit_id}"
            if self.audit_id
            else f"{self.source_file}" + (f", line {self.source_row}" if self.source_row else "")
        )
        return f'audit {self.audit_number}, "{self.title}" ({where})'


def topic_key(topic: str | None) -> str | None:
    """Topics match ignoring case and extra spaces: ``Neglect`` and ``neglect `` are one."""
    if topic is None:
        return None
    key = " ".join(topic.split()).casefold()
    return key or None


def findings_of(
    meta: AuditMeta, tagged_theme_ids: Iterable[str], theme_ids: Sequence[str]
) -> tuple[str, ...]:
    """An audit's findings: audit.yaml's ``findings`` in their order; when absent, every
    theme that at least one return spoke of (``tagged_theme_ids``, the ``theme_id`` column of
    the theme tags), in the taxonomy's order."""
    if meta.findings is not None:
        return tuple(meta.findings)
    spoken = set(tagged_theme_ids)
    return tuple(t for t in theme_ids if t in spoken)


def programme_audit(
    audit_id: str, meta: AuditMeta, findings: Sequence[str], *, source_file: str = ""
) -> ProgrammeAudit:
    """An audit with a data folder, as a member of its board's programme."""
    return ProgrammeAudit(
        board=meta.board,
        audit_number=meta.audit_number,
        title=meta.title,
        period=meta.period,
        findings=tuple(findings),
        topic=meta.topic,
        audit_id=audit_id,
        source_file=source_file or f"{audit_id}/audit.yaml",
    )


# -- data/programme.yaml --------------------------------------------------------------------


def _as_text(value: Any) -> Any:
    """A period or title written as a bare number in YAML (``period: 2016``) is text."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


class EarlierAudit(BaseModel):
    """An entry of ``earlier_audits:`` in data/programme.yaml: an audit of the board
    published before this pipeline, which has no data folder."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    board: Text = Field(description="The board's name, written exactly as in its audit.yaml.")
    audit_number: int = Field(ge=1, description="The board's audit series number.")
    title: Annotated[Text, BeforeValidator(_as_text)] = Field(description="The audit's title.")
    period: Annotated[Text, BeforeValidator(_as_text)] = Field(
        description='The period audited, e.g. "2016".'
    )
    findings: list[ThemeId] = Field(
        description="The theme ids of the taxonomy that the audit reported as findings."
    )
    topic: Annotated[Text, BeforeValidator(_as_text)] | None = Field(
        default=None,
        description="Optional: the audit's topic, as audit.yaml's topic, so that a later audit "
        "of the board with the same topic is a re-audit of it.",
    )


EARLIER_AUDIT_KEYS = list(EarlierAudit.model_fields)
PROGRAMME_KEYS = ["earlier_audits"]


def _line_numbers(text: str) -> tuple[dict[int, int], dict[tuple[int, str], int]]:
    """The line (from 1) of each entry of ``earlier_audits``, and of each key of an entry."""
    import yaml

    entries: dict[int, int] = {}
    keys: dict[tuple[int, str], int] = {}
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return entries, keys
    if not isinstance(root, yaml.MappingNode):
        return entries, keys
    for key, value in root.value:
        if key.value != "earlier_audits" or not isinstance(value, yaml.SequenceNode):
            continue
        for n, item in enumerate(value.value, start=1):
            entries[n] = item.start_mark.line + 1
            if isinstance(item, yaml.MappingNode):
                for item_key, _ in item.value:
                    keys[(n, str(item_key.value))] = item_key.start_mark.line + 1
    return entries, keys


def load_programme(
    path: Path, theme_ids: Sequence[str] | None = None, *, display: str | None = None
) -> tuple[list[ProgrammeAudit], list[Problem]]:
    """Read and check data/programme.yaml (absent: no earlier audits), every problem at once:
    each names the entry (and its line) and the key. ``theme_ids`` (the taxonomy's) check
    the findings; None skips that check."""

    display = display or str(path)
    if not Path(path).is_file():
        return [], []
    from auditrap.yaml_input import load_yaml

    # The loader every hand-written YAML file is read with: its limits (size, nesting,
    # aliases), no guessed booleans or dates, a key given twice an error, lines named.
    read = load_yaml(Path(path), display=display)
    if read.problems:
        return [], read.problems
    data = read.data
    text = Path(path).read_text(encoding="utf-8-sig")
    if data is None:
        return [], []
    # Direction controls would make a title show backwards where it is published.
    data, warnings = read.without_direction_controls()
    audits, problems = _programme_entries(data, text, display, theme_ids)
    return audits, warnings + problems


def _programme_entries(
    data: Any, text: str, display: str, theme_ids: Sequence[str] | None
) -> tuple[list[ProgrammeAudit], list[Problem]]:
    """The entries of programme.yaml, checked: see :func:`load_programme`."""
    layout = (
        "It holds one key, `earlier_audits:`, and under it one entry per earlier audit, each "
        "with the keys " + ", ".join(EARLIER_AUDIT_KEYS) + "."
    )
    if not isinstance(data, dict):
        return [], [Problem(display, message=f"This file is not laid out as expected. {layout}")]
    problems = [
        Problem(
            display,
            column=str(key),
            value=str(key),
            message=f"`{key}` is not a key of programme.yaml{did_you_mean(str(key), PROGRAMME_KEYS)} "
            + layout,
        )
        for key in data
        if str(key) not in PROGRAMME_KEYS
    ]
    entries = data.get("earlier_audits")
    if entries is None:
        return [], problems
    if not isinstance(entries, list):
        return [], [
            *problems,
            Problem(
                display,
                column="earlier_audits",
                message="earlier_audits must be a list: one entry per earlier audit, each "
                "starting with `- board:`.",
            ),
        ]
    entry_lines, key_lines = _line_numbers(text)
    audits = []
    for n, entry in enumerate(entries, start=1):
        line = entry_lines.get(n)
        if not isinstance(entry, dict):
            problems.append(
                Problem(
                    display,
                    row=line,
                    value=str(entry),
                    message=f"Entry {n} of earlier_audits is not a set of `key: value` lines. "
                    + layout,
                )
            )
            continue
        label = _entry_label(n, entry)
        entry_problems = [
            Problem(
                display,
                row=key_lines.get((n, str(key)), line),
                column=str(key),
                value=str(key),
                message=f"{label}: `{key}` is not a key of an earlier audit"
                f"{did_you_mean(str(key), EARLIER_AUDIT_KEYS)} The keys are "
                + ", ".join(EARLIER_AUDIT_KEYS)
                + ".",
            )
            for key in entry
            if str(key) not in EARLIER_AUDIT_KEYS
        ]
        try:
            earlier = EarlierAudit.model_validate(
                {k: v for k, v in entry.items() if str(k) in EARLIER_AUDIT_KEYS}
            )
        except ValidationError as exc:
            for error in exc.errors():
                key = str(error["loc"][0]) if error["loc"] else ""
                entry_problems.append(
                    Problem(
                        display,
                        row=key_lines.get((n, key), line),
                        column=key or None,
                        value=None if error["type"] == "missing" else str(error.get("input")),
                        message=f"{label}: {_explain_entry(error)}",
                    )
                )
            problems += entry_problems
            continue
        if theme_ids is not None:
            for problem in unknown_themes(
                list(earlier.findings),
                list(theme_ids),
                file=display,
                column="findings",
                where=f"{label}: ",
            ):
                entry_problems.append(
                    Problem(
                        problem.file,
                        key_lines.get((n, "findings"), line),
                        problem.column,
                        problem.value,
                        problem.message,
                    )
                )
        if len(set(earlier.findings)) != len(earlier.findings):
            entry_problems.append(
                Problem(
                    display,
                    row=key_lines.get((n, "findings"), line),
                    column="findings",
                    message=f"{label}: findings lists a theme twice; list each once.",
                )
            )
        problems += entry_problems
        if not entry_problems:
            audits.append(
                ProgrammeAudit(
                    board=earlier.board,
                    audit_number=earlier.audit_number,
                    title=earlier.title,
                    period=earlier.period,
                    findings=tuple(earlier.findings),
                    topic=earlier.topic,
                    source_file=display,
                    source_row=line,
                )
            )
    return audits, problems


def _entry_label(n: int, entry: Mapping) -> str:
    number = entry.get("audit_number")
    board = entry.get("board")
    about = ", ".join(
        part
        for part in (
            str(board).strip() if isinstance(board, str) else "",
            f"audit {number}" if number is not None else "",
        )
        if part
    )
    return f"Entry {n} of earlier_audits" + (f" ({about})" if about else "")


def _explain_entry(error: Mapping) -> str:
    kind, loc = error["type"], error["loc"]
    key = str(loc[0]) if loc else "?"
    if kind == "missing":
        return f"the key {key} is missing: add it ({EarlierAudit.model_fields[key].description})"
    if key == "findings" and len(loc) > 1:
        return (
            f"finding {int(loc[1]) + 1} is not written as a theme id: lower-case letters, "
            "digits and hyphens, e.g. gp-information-sharing."
        )
    if key == "findings":
        return (
            "findings must be a list of theme ids, e.g. [gp-information-sharing, record-keeping]."
        )
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"{key} must be a whole number."
    if kind == "greater_than_equal":
        return f"{key} must be 1 or more."
    if kind in {"too_short", "string_too_short"}:
        return f"{key} must not be empty."
    if kind == "string_type":
        return f"{key} must be text."
    return f"{key}: {error['msg']}."


# -- Boards ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Board:
    """A board's programme: its audits in ``audit_number`` order."""

    name: str
    slug: str
    audits: tuple[ProgrammeAudit, ...]

    def audit(self, audit_id: str) -> ProgrammeAudit:
        return next(a for a in self.audits if a.audit_id == audit_id)

    def earlier(self, audit: ProgrammeAudit) -> tuple[ProgrammeAudit, ...]:
        """The board's audits before this one (lower audit_number), in order."""
        return tuple(a for a in self.audits if a.audit_number < audit.audit_number)

    @property
    def with_data(self) -> tuple[ProgrammeAudit, ...]:
        return tuple(a for a in self.audits if a.has_data)


def build_boards(audits: Iterable[ProgrammeAudit]) -> tuple[dict[str, Board], list[Problem]]:
    """Group audits by their exact ``board`` text, each board's in audit_number order.

    Problems: two audits of one board with the same audit_number (each would be earlier than
    the other), and two boards whose names give one slug (they would share a folder).
    """
    by_board: dict[str, list[ProgrammeAudit]] = {}
    for audit in audits:
        by_board.setdefault(audit.board, []).append(audit)
    problems: list[Problem] = []
    boards: dict[str, Board] = {}
    for name, members in by_board.items():
        members.sort(key=lambda a: (a.audit_number, a.audit_id or "", a.source_row or 0))
        for first, second in zip(members, members[1:], strict=False):
            if first.audit_number == second.audit_number:
                problems.append(
                    Problem(
                        second.source_file,
                        row=second.source_row,
                        column="audit_number",
                        value=str(second.audit_number),
                        message=f"Two audits of {name} have the audit_number "
                        f"{second.audit_number}: {first.describe()} and {second.describe()}. "
                        "Each would be earlier than the other. Give every audit of a board its "
                        "own number, in the order they were carried out.",
                    )
                )
        boards[name] = Board(name, board_slug(name), tuple(members))
    slugs: dict[str, str] = {}
    for name in sorted(boards):
        slug = boards[name].slug
        if slug in slugs:
            first = boards[slugs[slug]].audits[0]
            second = boards[name].audits[0]
            problems.append(
                Problem(
                    second.source_file,
                    row=second.source_row,
                    column="board",
                    value=name,
                    message=f"The boards `{slugs[slug]}` ({first.describe()}) and `{name}` "
                    f"({second.describe()}) would share the folder boards/{slug}/. If they are "
                    "one board, write its name the same way in both; if not, tell them apart.",
                )
            )
        else:
            slugs[slug] = name
    return boards, problems


# -- What recurs ----------------------------------------------------------------------------


def recurrence(board: Board, audit: ProgrammeAudit) -> dict[str, tuple[ProgrammeAudit, ...]]:
    """For each finding of the audit, in order: the earlier audits of its board where it was
    also a finding (none: it is new). A theme recurs when that is not empty."""
    earlier = board.earlier(audit)
    return {theme: tuple(a for a in earlier if theme in a.findings) for theme in audit.findings}


def recurring_themes(board: Board, audit: ProgrammeAudit) -> tuple[str, ...]:
    """The audit's findings that were also findings of an earlier audit of its board."""
    return tuple(theme for theme, found in recurrence(board, audit).items() if found)


def earlier_findings(
    board: Board, audit: ProgrammeAudit, titles: Mapping[str, str]
) -> pd.DataFrame:
    """What earlier audits found: one row per (finding of the audit, earlier audit where it
    was also a finding), in the order of the findings and then of the audits. Columns
    ``theme_id``, ``theme``, ``audit_number``, ``title``, ``period``."""
    import pandas as pd

    rows = [
        {
            "theme_id": theme,
            "theme": titles.get(theme, theme),
            "audit_number": earlier.audit_number,
            "title": earlier.title,
            "period": earlier.period,
        }
        for theme, found in recurrence(board, audit).items()
        for earlier in found
    ]
    columns = ["theme_id", "theme", "audit_number", "title", "period"]
    return pd.DataFrame(rows, columns=columns).astype({"audit_number": "int64"})


def themes_by_audit(board: Board) -> pd.DataFrame:
    """The board's ``themes_by_audit.csv``: one row per (audit, finding), with the columns
    ``audit_number``, ``title`` and ``theme_id``, audits in order and each audit's findings
    in its order."""
    import pandas as pd

    rows = [
        {"audit_number": a.audit_number, "title": a.title, "theme_id": theme}
        for a in board.audits
        for theme in a.findings
    ]
    frame = pd.DataFrame(rows, columns=["audit_number", "title", "theme_id"])
    return frame.astype({"audit_number": "int64"})


def join_words(words: Sequence[str]) -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"`` (no serial comma, as GOV.UK writes)."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def also_found(title: str, earlier: Sequence[ProgrammeAudit]) -> str:
    """The sentence a recurring finding gets, built from the data, e.g. "Information sharing
    with GPs was also a finding of audits 2 and 3." (empty when it is new)."""
    numbers = [str(a.audit_number) for a in earlier]
    if not numbers:
        return ""
    which = f"audit {numbers[0]}" if len(numbers) == 1 else f"audits {join_words(numbers)}"
    return f"{title} was also a finding of {which}."


# -- Re-audits -------------------------------------------------------------------------------


def reaudit_of(board: Board, audit: ProgrammeAudit) -> ProgrammeAudit | None:
    """The audit this one re-audits: the latest earlier audit of the board with the same
    topic (matched ignoring case and extra spaces), or None."""
    key = topic_key(audit.topic)
    if key is None:
        return None
    same = [a for a in board.earlier(audit) if topic_key(a.topic) == key]
    return same[-1] if same else None


def grade_comparison(
    earlier: ProgrammeAudit,
    earlier_grades: pd.DataFrame,
    audit: ProgrammeAudit,
    grades: pd.DataFrame,
) -> pd.DataFrame:
    """The two audits' ratified grades side by side, in long form for a table and a chart:
    ``audit_number``, ``period``, ``grade``, ``cases``, ``percent``, the earlier audit first.

    The grade tables are the audits' *published* grade distributions (``grade``, ``cases``,
    ``percent``; a count hidden by disclosure control is ``<NA>``), so that the comparison
    never shows a count either audit's own report hides.
    """
    import pandas as pd

    parts = []
    for who, table in ((earlier, earlier_grades), (audit, grades)):
        part = table[["grade", "cases", "percent"]].copy()
        part.insert(0, "period", who.period)
        part.insert(0, "audit_number", who.audit_number)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["cases"] = out["cases"].astype("Int64")
    out["percent"] = out["percent"].astype("Int64")
    return out.astype({"audit_number": "int64", "period": "string", "grade": "string"})


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test for the 2 x 2 table ``[[a, b], [c, d]]``.

    The probability, with the row and column totals fixed, of a table at most as likely as
    the one observed (the usual definition, as R's ``fisher.test`` and SciPy's
    ``fisher_exact``; a relative tolerance of 1e-7 keeps equally likely tables together).
    """
    if min(a, b, c, d) < 0:
        raise ValueError("counts must not be negative")
    row1, row2, col1 = a + b, c + d, a + c
    total = row1 + row2
    if total == 0:
        return 1.0

    def probability(x: int) -> float:
        return math.comb(row1, x) * math.comb(row2, col1 - x) / math.comb(total, col1)

    observed = probability(a)
    low, high = max(0, col1 - row2), min(row1, col1)
    p = sum(pr for x in range(low, high + 1) if (pr := probability(x)) <= observed * (1 + 1e-7))
    return min(1.0, p)


@dataclass(frozen=True)
class ComparisonCaveat:
    """What a difference between two audits' grades amounts to, from the counts.

    Compares the share of cases graded good or better (Outstanding or Good) in each audit,
    with Fisher's exact test (two-sided), and says how many of this audit's cases the
    difference in shares comes to. ``p_value`` is None when a count it needs is hidden.
    """

    earlier_number: int
    earlier_good: int | None
    earlier_total: int | None
    good: int | None
    total: int | None
    p_value: float | None

    @property
    def cases_difference(self) -> int | None:
        """The difference in the share good or better, as a number of this audit's cases."""
        if self.p_value is None or not self.total or not self.earlier_total:
            return None
        share = self.good / self.total - self.earlier_good / self.earlier_total
        return round(abs(share) * self.total)

    @property
    def numbers(self) -> dict[str, int | str]:
        """Every number the caveat states, by name: the audit numbers, the counts and shares
        (percentages, rounded half up) good or better, the difference as cases, how many
        times in 10 chance alone would give it, and the p-value as written (text). Empty
        when no test was made."""
        if self.p_value is None:
            return {"earlier_number": self.earlier_number}
        return {
            "earlier_number": self.earlier_number,
            "good": int(self.good),
            "total": int(self.total),
            "share": int(self.good * 100 / self.total + 0.5),
            "earlier_good": int(self.earlier_good),
            "earlier_total": int(self.earlier_total),
            "earlier_share": int(self.earlier_good * 100 / self.earlier_total + 0.5),
            "cases": int(self.cases_difference or 0),
            "times": max(1, int(self.p_value * 10 + 0.5)),
            "p": _p(self.p_value),
        }

    @property
    def text(self) -> str:
        """The caveat in plain English, every number from the data."""
        values = self.numbers
        return self.words(lambda key: str(values[key]))

    def words(self, say: Callable[[str], str]) -> str:
        """The caveat, each number written by ``say(name)`` (a name of :attr:`numbers`): the
        report gives it as a variable, so that each number has its lineage."""
        chance = "With so few cases, a difference between two audits may be chance."
        if self.p_value is None and 0 in (self.total, self.earlier_total):
            return (
                f"One of the two audits has no ratified grades yet, so this audit cannot be "
                f"compared with audit {say('earlier_number')}."
            )
        if self.p_value is None:
            return (
                f"{chance} Some of the counts are hidden to protect children's privacy, so "
                "the difference cannot be tested here."
            )
        values = self.numbers
        compared = (
            f"In this audit {say('good')} of {say('total')} cases ({say('share')}%) were "
            f"graded good or better, against {say('earlier_good')} of {say('earlier_total')} "
            f"({say('earlier_share')}%) in audit {say('earlier_number')}."
        )
        cases = values["cases"]
        if cases == 0:
            size = "The shares are the same to the nearest case."
        else:
            size = (
                f"The difference amounts to about {say('cases')} "
                f"case{'s' if cases != 1 else ''} of this audit's {say('total')}."
            )
        p = self.p_value
        if p >= 0.05:
            tenths = values["times"]
            odds = (
                "almost every time"
                if tenths >= 10
                else f"about {say('times')} time{'s' if tenths != 1 else ''} in 10"
            )
            verdict = (
                f"{chance} If practice had not changed at all, a difference at least this "
                f"large would still be seen {odds} (Fisher's exact test, p = {say('p')}), so "
                "it is not evidence that practice changed."
            )
        else:
            verdict = (
                "A difference this large would be seen by chance less than 1 time in 20 if "
                f"practice had not changed (Fisher's exact test, p = {say('p')}). It is "
                "unlikely to be chance alone, but so few cases cannot show why it arose."
            )
        return " ".join([compared, size, verdict])


def _p(p: float) -> str:
    """A p-value as statisticians write it: 2 decimals, 3 below 0.1, never a false 0.05."""
    if p >= 0.995:
        return "1"
    if p >= 0.1:
        return f"{p:.2f}"
    return f"{p:.3f}" if p >= 0.001 else "< 0.001"


GOOD_OR_BETTER = ("Outstanding", "Good")


def comparison_caveat(
    earlier: ProgrammeAudit, earlier_grades: pd.DataFrame, grades: pd.DataFrame
) -> ComparisonCaveat:
    """The caveat of a re-audit comparison, from the two published grade distributions (a
    hidden count, ``<NA>``, leaves the test out rather than work with what is hidden)."""

    def counts(table: pd.DataFrame) -> tuple[int | None, int | None]:
        cases = table["cases"]
        if cases.isna().any():
            return None, None
        good = int(cases[table["grade"].astype(str).isin(GOOD_OR_BETTER)].sum())
        return good, int(cases.sum())

    earlier_good, earlier_total = counts(earlier_grades)
    good, total = counts(grades)
    p_value = None
    if None not in (earlier_good, earlier_total, good, total) and 0 not in (total, earlier_total):
        p_value = fisher_exact(good, total - good, earlier_good, earlier_total - earlier_good)
    return ComparisonCaveat(earlier.audit_number, earlier_good, earlier_total, good, total, p_value)


# -- The as-of date and overdue actions -----------------------------------------------------


def as_of_date(configured: dt.date | None, action_plans: Iterable[pd.DataFrame]) -> dt.date | None:
    """The date the action plans are reported as of: ``as_of`` of config.yaml when set,
    otherwise the latest ``updated`` date in the board's action plans (None when there is
    neither). Never the clock: the same inputs give the same report."""
    import pandas as pd

    if configured is not None:
        return configured
    latest = [plan["updated"].max() for plan in action_plans if len(plan)]
    latest = [d for d in latest if pd.notna(d)]
    return max(latest).date() if latest else None


def overdue(action_plan: pd.DataFrame, as_of: dt.date | None) -> pd.Series:
    """True for each action that is overdue: not Completed, and its target_date before the
    as-of date."""
    import pandas as pd

    if as_of is None:
        return pd.Series(False, index=action_plan.index, dtype=bool)
    open_ = action_plan["status"].astype(str) != "Completed"
    late = action_plan["target_date"] < pd.Timestamp(as_of)
    return (open_ & late).fillna(False).astype(bool)


# -- From the files ---------------------------------------------------------------------------


def read_boards(
    audit_dirs: Mapping[str, Path],
    programme_path: Path | None,
    theme_ids: Sequence[str],
    spoken: Callable[[str], Iterable[str]],
    *,
    programme_display: str = "data/programme.yaml",
) -> tuple[dict[str, Board], list[Problem]]:
    """Every board's programme, from the audits' folders (``audit_id`` -> folder) and
    data/programme.yaml, with every problem found (audit.yaml keys, programme entries, equal
    audit numbers, shared slugs). ``spoken(audit_id)`` gives the themes the returns of an
    audit spoke of (its theme tags' ``theme_id``): asked only of an audit whose audit.yaml
    lists no findings."""
    from auditrap.metadata import check_findings, load_meta

    problems: list[Problem] = []
    audits: list[ProgrammeAudit] = []
    for audit_id, folder in audit_dirs.items():
        display = f"{audit_id}/audit.yaml"
        meta, meta_problems = load_meta(Path(folder) / "audit.yaml", display)
        problems += meta_problems
        if meta is None:
            continue
        unknown = check_findings(meta, list(theme_ids), display)
        problems += unknown
        if unknown:
            continue
        found = findings_of(meta, spoken(audit_id) if meta.findings is None else (), theme_ids)
        audits.append(programme_audit(audit_id, meta, found, source_file=display))
    if programme_path is not None:
        earlier, earlier_problems = load_programme(
            Path(programme_path), theme_ids, display=programme_display
        )
        audits += earlier
        problems += earlier_problems
    boards, board_problems = build_boards(audits)
    return boards, problems + board_problems
