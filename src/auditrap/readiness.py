"""Publisher warnings: what the person publishing an audit should put right first.

Each is something that does not stop an ordinary build (the report is still made, so that it
can be read and checked) but must not reach a final one. :func:`publisher_warnings` is the one
place they are gathered: every build ends by printing them (``auditrap build``, and the
workflow's ``onsuccess``/``onerror``), and a final build (``final: true`` in config.yaml, or
``auditrap build --final``) stops at the publication gate, before anything is published, when
an audit has any (``pipeline.record_stage``). Add a new check here, as one more function in
``CHECKS``, and both follow.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

NAME_LIST = "names.txt"


def name_list_warnings(audit_id: str, config: Mapping[str, Any], root: Path) -> list[str]:
    """A name list that is not used: in the wrong case (``Names.txt``), or a private folder
    with no ``names.txt`` at all. Either way no listed name was redacted from the free text
    or refused in a public file."""
    folder = root / config.get("private_dir", "data/private") / audit_id
    try:
        entries = os.listdir(folder)
    except OSError:
        return []  # no private folder: the audit has no name list, which is allowed
    shown = Path(config.get("private_dir", "data/private")) / audit_id
    misnamed = sorted(e for e in entries if e.lower() == NAME_LIST and e != NAME_LIST)
    found = []
    for name in misnamed:
        found.append(
            f"The name list {shown / name} is not used: it must be called {NAME_LIST}, in "
            "lower case, so no name on it was redacted or refused. Rename it and build again."
        )
    if NAME_LIST not in entries and not misnamed:
        found.append(
            f"{shown}/ has no {NAME_LIST}, so no listed name was redacted or refused. Add "
            f"the list of names (one a line) as {shown / NAME_LIST}, or remove the folder if "
            "the audit has none."
        )
    return found


def briefing_warnings(audit_id: str, config: Mapping[str, Any], root: Path) -> list[str]:
    """A section of the learning brief the analyst has not written: the brief is built with
    the data's text (or none) and a visible "to be written" note in its place. An audit with
    no folder has nothing to warn of here: the build refuses it (validation) anyway."""
    from auditrap.briefing import NARRATIVE_SECTIONS

    folder = Path(config.get("raw_dir", "data/raw")) / audit_id / "narrative"
    if not (root / folder.parent).is_dir():
        return []
    return [
        f'The learning brief\'s section "{heading}" is to be written: add '
        f"{folder / stem}.md and build again."
        for stem, heading in NARRATIVE_SECTIONS.items()
        if not (root / folder / f"{stem}.md").is_file()
    ]


#: Every check, in the order the warnings are listed. Each takes the audit id, the
#: workflow's configuration and the project folder, and returns plain sentences.
CHECKS: Sequence[Callable[[str, Mapping[str, Any], Path], list[str]]] = (
    name_list_warnings,
    briefing_warnings,
)


def publisher_warnings(
    audit_id: str, config: Mapping[str, Any], root: Path | str = "."
) -> list[str]:
    """Every publisher warning of one audit, as plain sentences (none: ready to publish)."""
    return [warning for check in CHECKS for warning in check(audit_id, config, Path(root))]


def format_warnings(found: Mapping[str, Sequence[str]], *, final: bool) -> str:
    """The warnings of several audits, as the end of a build prints them."""
    lines = []
    for audit_id, warnings in found.items():
        for warning in warnings:
            lines.append(f"  - {audit_id}: {warning}")
    if not lines:
        return ""
    head = (
        "Publisher warnings (a final build refuses to publish until they are put right):"
        if not final
        else "Publisher warnings: this is a final build, so these audits were not published:"
    )
    return "\n".join([head, *lines])
