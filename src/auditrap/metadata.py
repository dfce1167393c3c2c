"""audit.yaml: the metadata of one audit."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from auditrap.limits import DEFAULT_LIMITS, InputLimits
from auditrap.problems import WARNING, Problem, did_you_mean
from auditrap.yaml_input import load_yaml

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
#: A theme id of the taxonomy (lower-case letters, digits and hyphens, as data/themes.yaml).
THEME_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
ThemeId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=THEME_ID_PATTERN)]


def _whole_number_as_text(value: Any) -> Any:
    """A version written unquoted as a whole number (``version: 2``) is the text "2"; a
    decimal (``version: 1.10``) is refused, since YAML has already read it as 1.1."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


Version = Annotated[Text, BeforeValidator(_whole_number_as_text)]


class RespondsTo(BaseModel):
    """One case review or earlier recommendation that the audit answers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    review: Text = Field(description='The case review, e.g. "Child LE Serious Case Review (2017)".')
    recommendation: Text = Field(description="The recommendation of that review the audit answers.")


class AuditMeta(BaseModel):
    """The keys of audit.yaml. Unknown keys are an error, so that a typo cannot pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Text = Field(
        description='The report title, e.g. "Multi-agency audit: Non-Accidental Injuries".'
    )
    board: Text = Field(
        description='The board or partnership, e.g. "Lancashire Safeguarding Children Board".'
    )
    audit_number: int = Field(ge=1, description="The board's audit series number.")
    period: Text = Field(description='The period audited, e.g. "2018".')
    selection_criteria: Text = Field(description="How the cases were chosen.")
    areas: list[Text] = Field(min_length=1, description="The audit areas (localities).")
    agencies: list[Text] = Field(
        min_length=1, description="The agencies that may return an audit tool."
    )
    published: dt.date | None = Field(
        default=None,
        description="Publication date shown on the report; when absent, the latest date "
        "found in the inputs.",
    )
    findings: list[ThemeId] | None = Field(
        default=None,
        min_length=1,
        description="The theme ids of the taxonomy that the audit reports as findings, in "
        "order; when absent, every theme that at least one return spoke of.",
    )
    topic: Text | None = Field(
        default=None,
        description="A short key shared by audits of one subject (e.g. neglect; case and extra "
        "spaces are ignored): an audit with the same topic as an earlier audit of its board is "
        "a re-audit, compared with the latest such audit.",
    )
    responds_to: list[RespondsTo] | None = Field(
        default=None,
        min_length=1,
        description="The case reviews or earlier recommendations this audit answers, each "
        "with the keys review and recommendation.",
    )
    # Document control: the report is a draft until it is approved.
    version: Version | None = Field(
        default=None,
        description='The report\'s version, shown in its document control, e.g. "1.0" (in quotes).',
    )
    approved_by: Text | None = Field(
        default=None,
        description="Who approved the report for publication: a role or a body (e.g. the "
        "board, or its quality assurance sub-group), never a person's name. With "
        "approved_on; until both are given the report is a draft.",
    )
    approved_on: dt.date | None = Field(
        default=None,
        description="The date the report was approved, YYYY-MM-DD; with approved_by.",
    )
    next_review: dt.date | None = Field(
        default=None,
        description="When the report, and the progress of its action plan, will next be "
        "reviewed, YYYY-MM-DD.",
    )


KEYS = list(AuditMeta.model_fields)


def load_meta(
    path: Path, display: str = "audit.yaml", *, limits: InputLimits = DEFAULT_LIMITS
) -> tuple[AuditMeta | None, list[Problem]]:
    """Read and check audit.yaml, reporting every problem at once (with its line)."""
    if not path.is_file():
        return None, [
            Problem(
                display,
                message="audit.yaml is missing. Every audit folder needs "
                "one: copy it from another audit and edit it.",
            )
        ]
    read = load_yaml(path, display=display, limits=limits)
    data = read.data
    if read.problems and data is None:
        return None, read.problems
    if not isinstance(data, dict):
        return None, [
            Problem(
                display,
                message="audit.yaml must be a list of `key: value` lines (title, board, areas...).",
            )
        ]
    problems = list(read.problems)
    # Direction controls would make a title or a name show backwards on the published page.
    data, warnings = read.without_direction_controls()
    problems += warnings
    for key in data:
        if str(key) not in KEYS:
            problems.append(
                Problem(
                    display,
                    row=read.line_of((key,)),
                    column=str(key),
                    value=str(key),
                    message=f"`{key}` is not a key of audit.yaml"
                    f"{did_you_mean(str(key), KEYS)} The keys are: " + ", ".join(KEYS) + ".",
                )
            )
    try:
        meta = AuditMeta.model_validate({k: v for k, v in data.items() if str(k) in KEYS})
    except ValidationError as exc:
        for error in exc.errors():
            key = ".".join(str(p) for p in error["loc"])
            if error["loc"][:1] in (("findings",), ("responds_to",)):
                key = str(error["loc"][0])  # the message names the entry
            problems.append(
                Problem(
                    display,
                    row=read.line_of(error["loc"]),
                    column=key,
                    value=None if error["type"] == "missing" else _shown(error.get("input")),
                    message=_explain(error),
                )
            )
        return None, problems
    for key in ("areas", "agencies"):
        values = getattr(meta, key)
        if len(set(values)) != len(values):
            problems.append(
                Problem(
                    display,
                    row=read.line_of((key,)),
                    column=key,
                    message=f"{key} lists a name twice; list each once.",
                )
            )
    if meta.findings and len(set(meta.findings)) != len(meta.findings):
        problems.append(
            Problem(
                display,
                row=read.line_of(("findings",)),
                column="findings",
                message="findings lists a theme twice; list each once.",
            )
        )
    problems += document_control_problems(meta, display, line_of=read.line_of)
    return (None if any(p.severity != WARNING for p in problems) else meta), problems


#: A title before a name ("Dr", "Mrs"): approved_by names a role or a body, never a person.
_PERSONAL_TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Cllr|Councillor|Sir|Dame|Lord|Lady)\b\.?\s+[A-Z]"
)


def document_control_problems(
    meta: AuditMeta,
    display: str = "audit.yaml",
    *,
    line_of: Callable[[tuple], int | None] = lambda path: None,
) -> list[Problem]:
    """The document control keys must agree: an approval is who and when (both, or
    neither), by a role or a body; the next review comes after the approval; a report is
    not approved after the date it is published. ``line_of`` gives a key's line."""
    problems = []
    if (meta.approved_by is None) != (meta.approved_on is None):
        given, missing = (
            ("approved_by", "approved_on")
            if meta.approved_on is None
            else ("approved_on", "approved_by")
        )
        problems.append(
            Problem(
                display,
                row=line_of((given,)),
                column=missing,
                message=f"{given} is given without {missing}: an approval says who approved "
                "the report (a role or a body) and when (YYYY-MM-DD). Add "
                f"{missing}, or remove {given} while the report is a draft.",
            )
        )
    if meta.approved_by is not None and _PERSONAL_TITLE.search(meta.approved_by):
        problems.append(
            Problem(
                display,
                row=line_of(("approved_by",)),
                column="approved_by",
                value=meta.approved_by,
                message="approved_by looks like a person's name. Name the role or the body "
                "that approved the report (e.g. the Board, or its quality assurance "
                "sub-group), never a person: the report is published.",
            )
        )
    if meta.approved_on and meta.published and meta.approved_on > meta.published:
        problems.append(
            Problem(
                display,
                row=line_of(("approved_on",)),
                column="approved_on",
                value=meta.approved_on.isoformat(),
                message=f"approved_on ({meta.approved_on.isoformat()}) is after published "
                f"({meta.published.isoformat()}): a report is approved before it is "
                "published. Check both dates.",
            )
        )
    if meta.next_review and meta.approved_on and meta.next_review <= meta.approved_on:
        problems.append(
            Problem(
                display,
                row=line_of(("next_review",)),
                column="next_review",
                value=meta.next_review.isoformat(),
                message=f"next_review ({meta.next_review.isoformat()}) is not after "
                f"approved_on ({meta.approved_on.isoformat()}). Check both dates.",
            )
        )
    return problems


def approval_problem(meta: Mapping[str, Any]) -> str | None:
    """Why a report cannot be published as final (``meta`` is audit.yaml's keys, as the
    processed audit.json holds them): it has no approval. None when it has one."""
    if meta.get("approved_by") and meta.get("approved_on"):
        return None
    return (
        "The report is not approved: audit.yaml has no approved_by and approved_on, so it "
        "is a draft and cannot be published as final. Add who approved it (a role or a "
        "body) and when (YYYY-MM-DD), or build it as a draft."
    )


def unknown_themes(
    findings: list[str], theme_ids: list[str], *, file: str, column: str, where: str = ""
) -> list[Problem]:
    """A problem for each finding that is not a theme id of the taxonomy, with the nearest
    id. ``where`` starts the message (e.g. "Entry 2: ") when the key alone does not say."""
    return [
        Problem(
            file,
            column=column,
            value=theme,
            message=f"{where}`{theme}` is not a theme id of the taxonomy"
            f"{did_you_mean(theme, theme_ids)} The theme ids are: {', '.join(theme_ids)} "
            "(data/themes.yaml, and the audit's own themes.yaml if it has one).",
        )
        for theme in findings
        if theme not in set(theme_ids)
    ]


def check_findings(
    meta: AuditMeta, theme_ids: list[str], display: str = "audit.yaml"
) -> list[Problem]:
    """Every finding of audit.yaml must be a theme id of the taxonomy the audit is tagged with."""
    return unknown_themes(list(meta.findings or []), theme_ids, file=display, column="findings")


def _explain(error: dict) -> str:
    kind = error["type"]
    key = error["loc"][0] if error["loc"] else "?"
    if key in ("findings", "responds_to"):
        return _explain_list(error)
    if kind == "missing":
        return f"The key {key} is missing: add it ({AuditMeta.model_fields[key].description})"
    if kind.startswith("date"):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(error.get("input"))):
            return f"`{error['input']}` is not a real date. Check the day and month."
        return f"{key} must be a date written YYYY-MM-DD, e.g. 2019-03-01."
    if key == "version" and kind == "string_type":
        return (
            'version must be text: write it in quotes, e.g. version: "1.0" (unquoted, 1.10 '
            "would be read as the number 1.1)."
        )
    if kind == "string_type":
        if error.get("input") is None:
            return f"{key} is blank: give it a value."
        if isinstance(error.get("input"), int | float):
            return f'{key} must be text: put it in quotes, e.g. {key}: "{error["input"]}".'
        return f"{key} must be text, not a list or a mapping."
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"{key} must be a whole number."
    if kind == "greater_than_equal":
        return f"{key} must be 1 or more."
    if kind in {"too_short", "string_too_short"}:
        return f"{key} must not be empty."
    if kind in {"list_type"}:
        return f"{key} must be a list, one `- name` line per item."
    return f"{key}: {error['msg']}."


def _explain_list(error: dict) -> str:
    """The new list keys of audit.yaml: findings (theme ids), responds_to (review entries)."""
    kind, loc = error["type"], error["loc"]
    key = loc[0]
    if kind in ("list_type", "too_short") and len(loc) == 1:
        if key == "findings":
            return (
                "findings must be a list of theme ids, one `- theme-id` line each, e.g. "
                "`- gp-information-sharing`; remove the key to report every theme found."
            )
        return (
            "responds_to must be a list of entries, each with a `review:` and a "
            "`recommendation:` line, e.g. `- review: Child LE Serious Case Review`."
        )
    entry = f"entry {loc[1] + 1}" if len(loc) > 1 and isinstance(loc[1], int) else ""
    if key == "findings":
        return (
            f"findings, {entry}: a theme id is written in lower-case letters, digits and "
            "hyphens, e.g. gp-information-sharing."
        )
    field = loc[2] if len(loc) > 2 else ""
    if kind == "missing":
        return f"responds_to, {entry}: the key {field} is missing: add it."
    if kind == "extra_forbidden":
        return (
            f"responds_to, {entry}: `{field}` is not a key of an entry; the keys are review "
            "and recommendation."
        )
    if kind in ("model_type", "dict_type"):
        return f"responds_to, {entry}: each entry needs a `review:` and a `recommendation:` line."
    return f"responds_to, {entry}, {field}: {error['msg']}."


def _shown(value: object, limit: int = 200) -> str:
    """A value as a problem quotes it: never more than ``limit`` characters."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text):,} characters)"
