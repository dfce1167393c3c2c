"""The glossary: the words and abbreviations of a report that a reader may not know.

The board's glossary is ``data/glossary.yaml`` (``glossary`` in config.yaml), shared by its
audits and written by analysts: one entry per term, each with its definition in plain
English, and optionally its abbreviation and the other forms it is written in. An audit may
add its own ``data/raw/<audit_id>/glossary.yaml``, in the same layout: its entries join the
board's, and an entry for a term the board's glossary also has replaces that one (a local
service described locally, say).

A report lists only the terms its own text uses (:func:`terms_used`): each form of a term
is looked for as a whole word (a plural or possessive ending allowed), an abbreviation
(``CQC``) and any form written in capitals with its case, everything else in any case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from auditrap.limits import DEFAULT_LIMITS, InputLimits
from auditrap.problems import Problem, did_you_mean

__all__ = ["GlossaryEntry", "load_glossary", "terms_used"]

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
#: The longest definition: a glossary explains a word in a sentence or two.
MAX_DEFINITION_CHARACTERS = 600


class GlossaryEntry(BaseModel):
    """One term of the glossary. Unknown keys are an error, so that a typo cannot pass."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    term: Text = Field(description='The term in full, e.g. "Care Quality Commission".')
    abbreviation: Text | None = Field(
        default=None, description='Its abbreviation, when it has one, e.g. "CQC".'
    )
    also: list[Text] = Field(
        default_factory=list,
        description='Other ways the report may write it, e.g. ["CP medical"].',
    )
    definition: Text = Field(
        max_length=MAX_DEFINITION_CHARACTERS,
        description="What it means, in plain English: a sentence or two.",
    )

    @property
    def forms(self) -> tuple[str, ...]:
        """Every way of writing the term: the term, its abbreviation, its other forms."""
        return tuple(f for f in (self.term, self.abbreviation, *self.also) if f is not None)

    @property
    def shown(self) -> str:
        """The entry's name as the glossary shows it: ``CQC (Care Quality Commission)``."""
        return f"{self.abbreviation} ({self.term})" if self.abbreviation else self.term

    @property
    def sort_key(self) -> str:
        return (self.abbreviation or self.term).casefold()


KEYS = list(GlossaryEntry.model_fields)
LAYOUT = (
    "It holds one key, `terms:`, and under it one entry per term, each starting with "
    "`- term:` and with a `definition:`; `abbreviation:` and `also:` (a list of other forms) "
    "are optional."
)


@dataclass(frozen=True)
class Glossary:
    """The glossary's entries, in file order (the board's, then the audit's own)."""

    entries: tuple[GlossaryEntry, ...]


def load_glossary(
    paths: Sequence[tuple[Path, str]], *, limits: InputLimits = DEFAULT_LIMITS
) -> tuple[Glossary, list[Problem]]:
    """Read and check each glossary file (``(path, name shown in messages)``, the board's
    first, then the audit's own), every problem at once: each names the file, the entry
    (by its line and term) and the key, and says what to do. A file that does not exist is
    skipped. An entry of a later file replaces an earlier entry for the same term."""
    by_term: dict[str, tuple[GlossaryEntry, str, int | None]] = {}
    problems: list[Problem] = []
    for path, display in paths:
        entries, found = _read_file(Path(path), display, limits)
        problems += found
        for entry, line in entries:
            by_term.pop(entry.term.casefold(), None)
            by_term[entry.term.casefold()] = (entry, display, line)
    problems += _clashing_forms(list(by_term.values()))
    return Glossary(tuple(entry for entry, _, _ in by_term.values())), problems


def _read_file(
    path: Path, display: str, limits: InputLimits = DEFAULT_LIMITS
) -> tuple[list[tuple[GlossaryEntry, int | None]], list[Problem]]:
    from auditrap.yaml_input import load_yaml

    if not path.is_file():
        return [], []
    # The loader every hand-written YAML file is read with: its limits, no guessed booleans
    # or dates, a key given twice refused, each problem with its line.
    read = load_yaml(path, display=display, limits=limits)
    data = read.data
    if read.problems and data is None:
        return [], read.problems
    if data is None:
        return [], []
    data, warnings = read.without_direction_controls()
    problems = list(read.problems) + warnings
    if not isinstance(data, dict):
        return [], [
            *problems,
            Problem(display, message=f"This file is not laid out as expected. {LAYOUT}"),
        ]
    problems += [
        Problem(
            display,
            column=str(key),
            value=str(key),
            message=f"`{key}` is not a key of a glossary{did_you_mean(str(key), ['terms'])} "
            + LAYOUT,
        )
        for key in data
        if str(key) != "terms"
    ]
    items = data.get("terms")
    if items is None:
        return [], problems
    if not isinstance(items, list):
        return [], [
            *problems,
            Problem(
                display,
                column="terms",
                message="terms must be a list: one entry per term, each starting with `- term:`.",
            ),
        ]
    entry_lines = {n: read.line_of(("terms", n - 1)) for n in range(1, len(items) + 1)}
    key_lines = {
        (n, str(key)): read.line_of(("terms", n - 1, key))
        for n, item in enumerate(items, start=1)
        if isinstance(item, dict)
        for key in item
    }
    entries = []
    for n, item in enumerate(items, start=1):
        line = entry_lines.get(n)
        if not isinstance(item, dict):
            problems.append(
                Problem(
                    display,
                    row=line,
                    value=str(item),
                    message=f"Entry {n} of terms is not a set of `key: value` lines. {LAYOUT}",
                )
            )
            continue
        label = f"Entry {n} of terms" + (
            f" ({item['term'].strip()})" if isinstance(item.get("term"), str) else ""
        )
        found = [
            Problem(
                display,
                row=key_lines.get((n, str(key)), line),
                column=str(key),
                value=str(key),
                message=f"{label}: `{key}` is not a key of a glossary entry"
                f"{did_you_mean(str(key), KEYS)} The keys are " + ", ".join(KEYS) + ".",
            )
            for key in item
            if str(key) not in KEYS
        ]
        try:
            entry = GlossaryEntry.model_validate({k: v for k, v in item.items() if str(k) in KEYS})
        except ValidationError as exc:
            for error in exc.errors():
                key = str(error["loc"][0]) if error["loc"] else ""
                found.append(
                    Problem(
                        display,
                        row=key_lines.get((n, key), line),
                        column=key or None,
                        value=None if error["type"] == "missing" else str(error.get("input"))[:80],
                        message=f"{label}: {_explain(error)}",
                    )
                )
            problems += found
            continue
        problems += found
        if not found:
            entries.append((entry, line))
    seen: set[str] = set()
    for entry, line in entries:
        if entry.term.casefold() in seen:
            problems.append(
                Problem(
                    display,
                    row=line,
                    column="term",
                    value=entry.term,
                    message=f"The term {entry.term} has two entries in this file. Keep one, "
                    "and put everything it needs to say in its definition.",
                )
            )
        seen.add(entry.term.casefold())
    return entries, problems


def _clashing_forms(entries: Sequence[tuple[GlossaryEntry, str, int | None]]) -> list[Problem]:
    """One form (a word or an abbreviation) cannot stand for two terms."""
    owner: dict[str, tuple[GlossaryEntry, str]] = {}
    problems = []
    for entry, display, line in entries:
        for form in entry.forms:
            other, where = owner.get(form.casefold(), (entry, display))
            if other is not entry:
                problems.append(
                    Problem(
                        display,
                        row=line,
                        column="term"
                        if form == entry.term
                        else "also"
                        if form in entry.also
                        else "abbreviation",
                        value=form,
                        message=f"`{form}` stands for two terms, {other.term} ({where}) and "
                        f"{entry.term}: a reader could not tell which is meant. Keep it in "
                        "one entry only.",
                    )
                )
            owner.setdefault(form.casefold(), (entry, display))
    return problems


def _explain(error: Mapping[str, Any]) -> str:
    kind, loc = error["type"], error["loc"]
    key = str(loc[0]) if loc else "?"
    if kind == "missing":
        return f"the key {key} is missing: add it ({GlossaryEntry.model_fields[key].description})"
    if key == "definition" and kind == "string_too_long":
        return (
            f"the definition is longer than {MAX_DEFINITION_CHARACTERS} characters: a glossary "
            "explains a word in a sentence or two. Shorten it."
        )
    if key == "also" and len(loc) == 1:
        return 'also must be a list of other forms, e.g. also: ["CP medical"].'
    if kind in {"too_short", "string_too_short"}:
        return f"{key} must not be empty."
    if kind == "string_type":
        return f"{key} must be text (in quotes if it is a number or holds a colon)."
    return f"{key}: {error['msg']}."


# -- The terms a report uses ---------------------------------------------------------------


def _is_capitals(form: str) -> bool:
    """A form written in capitals (``GP``, ``CPOMS``, ``NHS trust``' first word is not)."""
    letters = [c for c in form if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def form_pattern(form: str, *, exact_case: bool) -> re.Pattern[str]:
    """The pattern of one form as a whole word: spaces and hyphens between its words match
    either, and a plural or possessive ending is allowed (``GPs``, ``GP's``, ``health
    visitors``)."""
    words = [re.escape(w) for w in re.split(r"[\s\-]+", form.strip()) if w]
    body = r"[\s\-]+".join(words)
    flags = 0 if exact_case else re.IGNORECASE
    return re.compile(rf"(?<!\w){body}(?:s|es|'s|\u2019s|s'|s\u2019)?(?!\w)", flags)


def uses(entry: GlossaryEntry, text: str) -> bool:
    """Whether ``text`` uses any form of the entry's term."""
    for form in entry.forms:
        exact = form == entry.abbreviation or _is_capitals(form)
        if form_pattern(form, exact_case=exact).search(text):
            return True
    return False


def terms_used(glossary: Glossary, texts: Iterable[str]) -> list[GlossaryEntry]:
    """The glossary's entries whose term the texts use, in alphabetical order of the name
    shown (its abbreviation when it has one)."""
    text = " ".join(texts)
    return sorted(
        (entry for entry in glossary.entries if uses(entry, text)), key=lambda e: e.sort_key
    )
