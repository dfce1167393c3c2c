"""Limits on the size of the input, decided before anything large is read.

No board's audit comes near them (the largest measured audit, 100,000 returns, is 40 MB of
CSV), but a mistake (a column of formulas dragged to the bottom of the sheet, a file saved in
the wrong format) or a hostile file could otherwise take minutes or all the machine's memory
before anything is reported. Each limit is a key of ``input_limits`` in config.yaml (the
JSON Schema, ``workflow/schemas/config.schema.yaml``, describes each one); what is over a
limit is refused with a problem that says which limit and how to raise it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

#: The key of config.yaml that holds the limits.
CONFIG_KEY = "input_limits"


def _limit(default: float, meaning: str) -> Any:
    return field(default=default, metadata={"meaning": meaning})


@dataclass(frozen=True)
class InputLimits:
    """The most that one audit's input may hold. The defaults are in config.yaml too."""

    file_mb: float = _limit(100, "megabytes in one input file")
    unpacked_mb: float = _limit(
        1000,
        "megabytes a workbook unpacks to (its parts are compressed: 400,000 rows of returns "
        "are 12 MB on disk and 174 MB unpacked)",
    )
    yaml_kb: int = _limit(1024, "kilobytes in one YAML file (audit.yaml, a theme taxonomy)")
    rows: int = _limit(1_000_000, "rows of one table (a CSV file, or a workbook's sheet)")
    columns: int = _limit(100, "columns of one table")
    cells: int = _limit(
        10_000_000,
        "cells of one table: for a workbook, as its sheet declares or addresses them, checked "
        "before the sheet is loaded; for a CSV file, at most its commas and lines",
    )
    cell_chars: int = _limit(32_767, "characters in one cell (Excel's own limit)")
    yaml_values: int = _limit(
        100_000, "values in one YAML file, each use of an alias (`*name`) counted in full"
    )
    yaml_depth: int = _limit(20, "how deeply lists and mappings nest in a YAML file")
    messages_per_rule: int = _limit(
        200, "problems listed for one rule in one file; the rest are counted (and N more)"
    )

    @property
    def file_bytes(self) -> int:
        return int(self.file_mb * 1_000_000)

    @property
    def unpacked_bytes(self) -> int:
        return int(self.unpacked_mb * 1_000_000)

    @property
    def yaml_bytes(self) -> int:
        return int(self.yaml_kb * 1_000)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> InputLimits:
        """The limits from config.yaml's ``input_limits`` (missing keys keep their default).

        The whole config mapping may be given instead; unknown keys are left to the config
        schema, which refuses them.
        """
        settings = dict(settings or {})
        if CONFIG_KEY in settings:
            settings = dict(settings[CONFIG_KEY] or {})
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in settings.items() if k in known and v is not None})

    def how_to_raise(self, key: str) -> str:
        """The end of a message about a limit: which key of config.yaml sets it."""
        return f"(the limit is {getattr(self, key):,}: `{key}` under `{CONFIG_KEY}` in config.yaml)"


DEFAULT_LIMITS = InputLimits()


def limits_table() -> str:
    """The limits as a Markdown table, for the data dictionary."""
    lines = ["| key | default | the most of |", "|---|---:|---|"]
    for limit in fields(InputLimits):
        lines.append(f"| `{limit.name}` | {limit.default:,} | {limit.metadata['meaning']} |")
    return "\n".join(lines)
