"""audit.yaml: the metadata of one audit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from auditrap.normalise import strip_bidi_in
from auditrap.problems import WARNING, Problem, did_you_mean

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


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


KEYS = list(AuditMeta.model_fields)


def load_meta(path: Path, display: str = "audit.yaml") -> tuple[AuditMeta | None, list[Problem]]:
    """Read and check audit.yaml, reporting every problem at once."""
    if not path.is_file():
        return None, [
            Problem(
                display,
                message="audit.yaml is missing. Every audit folder needs "
                "one: copy it from another audit and edit it.",
            )
        ]
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        return None, [
            Problem(
                display,
                message=f"audit.yaml is not UTF-8 text (byte offset "
                f"{exc.start}). Save it as UTF-8.",
            )
        ]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark else None
        return None, [
            Problem(
                display,
                row=row,
                message=f"audit.yaml is not valid YAML "
                f"({getattr(exc, 'problem', exc)}). Check indentation and "
                "quote any text that contains a colon.",
            )
        ]
    if not isinstance(data, dict):
        return None, [
            Problem(
                display,
                message="audit.yaml must be a list of `key: value` lines (title, board, areas...).",
            )
        ]
    problems = []
    # Direction controls would make a title or a name show backwards on the published page.
    data, with_controls = strip_bidi_in(data)
    problems += [
        Problem(
            display,
            column=key,
            message="Invisible direction controls (which make a browser show text backwards) "
            "were taken out of this value. Check that it reads as you meant it.",
            severity=WARNING,
        )
        for key in with_controls
    ]
    for key in data:
        if str(key) not in KEYS:
            problems.append(
                Problem(
                    display,
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
            problems.append(
                Problem(
                    display,
                    column=key,
                    value=None if error["type"] == "missing" else str(error.get("input")),
                    message=_explain(error),
                )
            )
        return None, problems
    for key in ("areas", "agencies"):
        values = getattr(meta, key)
        if len(set(values)) != len(values):
            problems.append(
                Problem(display, column=key, message=f"{key} lists a name twice; list each once.")
            )
    return (None if any(p.severity != WARNING for p in problems) else meta), problems


def _explain(error: dict) -> str:
    kind = error["type"]
    key = error["loc"][0] if error["loc"] else "?"
    if kind == "missing":
        return f"The key {key} is missing: add it ({AuditMeta.model_fields[key].description})"
    if kind.startswith("date"):
        return f"{key} must be a date written YYYY-MM-DD, e.g. 2019-03-01."
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"{key} must be a whole number."
    if kind == "greater_than_equal":
        return f"{key} must be 1 or more."
    if kind in {"too_short", "string_too_short"}:
        return f"{key} must not be empty."
    if kind in {"list_type"}:
        return f"{key} must be a list, one `- name` line per item."
    return f"{key}: {error['msg']}."
