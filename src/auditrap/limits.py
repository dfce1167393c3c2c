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
from dataclasses import dataclass, fields
from typing import Any

#: The key of config.yaml that holds the limits.
CONFIG_KEY = "input_limits"


@dataclass(frozen=True)
class InputLimits:
    """The most that one audit's input may hold. The defaults are in config.yaml too."""

    #: Megabytes in one input file; for a workbook, also the unpacked size of its parts.
    file_mb: float = 100
    #: Kilobytes in one YAML file (audit.yaml, a theme taxonomy): they are hand-written.
    yaml_kb: int = 1024
    #: Rows of one table (a CSV file, or a workbook's sheet). Excel's own limit is 1,048,576.
    rows: int = 1_000_000
    #: Columns of one table.
    columns: int = 100
    #: Cells of one table (rows times columns, as the file declares or holds them).
    cells: int = 10_000_000
    #: Characters in one cell. Excel holds at most 32,767.
    cell_chars: int = 32_767
    #: Values in one YAML file, counting each use of an alias (``*name``) in full.
    yaml_values: int = 100_000
    #: How deeply lists and mappings may nest in a YAML file.
    yaml_depth: int = 20
    #: Problems listed for one rule in one file; the rest are counted ("and N more").
    messages_per_rule: int = 200

    @property
    def file_bytes(self) -> int:
        return int(self.file_mb * 1_000_000)

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
