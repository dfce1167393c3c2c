"""The data dictionary, generated from the pandera models and the audit.yaml model."""

from __future__ import annotations

import inspect

from auditrap import schemas
from auditrap.cycle import EarlierAudit
from auditrap.grades import GRADE_DEFINITIONS, GRADES
from auditrap.limits import limits_table
from auditrap.metadata import AuditMeta, RespondsTo

HEADER = """# Data dictionary

Generated from the pandera models in `src/auditrap/schemas.py` and the `audit.yaml` model in
`src/auditrap/metadata.py` by `auditrap dictionary`: do not edit by hand. The data contract
these implement is `CONTRACT.md`.
"""


def _rules(column) -> str:
    parts = []
    for check in column.checks:
        stats = check.statistics or {}
        if "allowed_values" in stats:
            parts.append("one of: " + ", ".join(f"`{v}`" for v in stats["allowed_values"]))
        elif "pattern" in stats:
            parts.append(f"matches `{stats['pattern']}`")
        elif check.name == "iso_date":
            parts.append("a real date written `YYYY-MM-DD`")
    if column.unique:
        parts.append("unique")
    return "; ".join(parts)


def data_dictionary() -> str:
    lines = [HEADER, "## audit.yaml", "", "| key | required | meaning |", "|---|---|---|"]
    for name, field in AuditMeta.model_fields.items():
        required = "yes" if field.is_required() else "no"
        lines.append(f"| `{name}` | {required} | {field.description} |")
    lines += ["", "Each entry of `responds_to` has these keys, both required:", ""]
    lines += ["| key | meaning |", "|---|---|"]
    lines += [f"| `{k}` | {f.description} |" for k, f in RespondsTo.model_fields.items()]
    lines += ["", "Any other key is an error.", ""]
    for file_name, model in {**schemas.TABLES, **schemas.PLAN_TABLES}.items():
        schema = model.to_schema()
        lines += [
            f"## {file_name}",
            "",
            inspect.cleandoc(model.__doc__ or ""),
            "",
            "| column | required | meaning | rules |",
            "|---|---|---|---|",
        ]
        for name, column in schema.columns.items():
            required = "no (may be blank)" if column.nullable else "yes"
            lines.append(
                f"| `{name}` | {required} | {column.description or ''} | {_rules(column)} |"
            )
        frame_checks = [c.name for c in schema.checks]
        if frame_checks:
            lines += [
                "",
                "Rules across columns: " + ", ".join(f"`{c}`" for c in frame_checks) + ".",
            ]
        lines.append("")
    lines += [
        "An audit's action plan may instead be the workbook `action_plan.xlsx` (made by "
        "`auditrap template <audit_id> --action-plan`), read as the returns workbooks are: "
        "one or the other, never both.",
        "",
        "## data/programme.yaml",
        "",
        "Optional: the board's earlier audits that have no data folder, under the key "
        "`earlier_audits:`, one entry each.",
        "",
        "| key | required | meaning |",
        "|---|---|---|",
    ]
    for name, field in EarlierAudit.model_fields.items():
        lines.append(f"| `{name}` | yes | {field.description} |")
    lines += [
        "",
        "Any other key is an error. Two audits of one board (with a data folder or listed "
        "here) may not share an `audit_number`.",
        "",
    ]
    lines += ["## The grade scale", "", "| grade | meaning |", "|---|---|"]
    lines += [f"| {g} | {GRADE_DEFINITIONS[g]} |" for g in GRADES]
    lines += [
        "",
        "Grades are matched ignoring case and extra spaces; aliases are set in "
        "`config.yaml` (`grade_aliases`).",
        "",
        "## Limits",
        "",
        "Far above any board's audit, these stop a wrong or hostile file in seconds, with a "
        "message naming the limit, before it is read in full. Each is a key of "
        "`input_limits` in `config.yaml`; raise one only if a real audit reaches it.",
        "",
        limits_table(),
        "",
    ]
    return "\n".join(lines)
