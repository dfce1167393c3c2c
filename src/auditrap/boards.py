"""The boards' programmes as the workflow sees them when it is read.

Every folder of ``raw_dir`` with an ``audit.yaml``, and every entry of data/programme.yaml,
belongs to the programme of the board it names (:mod:`auditrap.cycle`). The workflow reads
them once, when it is read (a few milliseconds: audit.yaml and programme.yaml only, never a
table), and from them decides:

- which boards get an assurance report: every board with at least one audit in ``audits:``;
- which audits are analysed: those in ``audits:`` and every other audit with a data folder of
  those boards (its findings, grades and action plan are part of its board's report, and the
  later audits' "What earlier audits found"), though only those in ``audits:`` are published;
- what each audit takes from the rest of its board, its *context*: the earlier audits (their
  number, title, period, topic and findings), the one it re-audits, and the as-of date of the
  board's action plans. The context is a parameter of the audit's analysis job, so Snakemake
  records it with the job and re-runs the job exactly when it changes: an edit to another
  board's entry of programme.yaml, to a later audit, or to another audit's action plan that
  does not move the as-of date re-runs nothing here.

An earlier audit with a data folder whose audit.yaml lists no ``findings`` has, as findings,
the themes its returns spoke of: those, and the grades of an audit that is re-audited, come
from its *board entry* (rule ``board_entry``: its returns validated and tagged, its grade
distribution published under its own disclosure policy), which reads neither its
recommendations nor its action plan nor its narrative.

Problems that make the programme impossible to read (programme.yaml broken; two audits of a
board being built with the same ``audit_number``, each earlier than the other; two boards
sharing a folder) stop the workflow when it is read, each located by file, line and key.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditrap.cycle import Board, ProgrammeAudit, build_boards, load_programme, reaudit_of
from auditrap.problems import ERROR, Problem

AUDIT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
#: Where an audit's action plan may be (the same as the workflow's).
ACTION_PLAN_FILES = ("action_plan.csv", "action_plan.xlsx")


@dataclass(frozen=True)
class Programmes:
    """Every board's programme, as read when the workflow is read."""

    boards: dict[str, Board]
    #: Audit ids whose audit.yaml lists no findings: their findings are their tagged themes.
    tagged: frozenset[str]
    #: Audit ids whose audit.yaml cannot be read (their board is unknown), with why.
    unreadable: dict[str, str] = field(default_factory=dict)
    #: programme.yaml's problems (errors and warnings).
    programme_problems: list[Problem] = field(default_factory=list)
    #: Per board: two audits with one audit_number; two boards sharing a folder.
    board_problems: dict[str, list[Problem]] = field(default_factory=dict)

    def board_of(self, audit_id: str) -> Board | None:
        for board in self.boards.values():
            if any(a.audit_id == audit_id for a in board.audits):
                return board
        return None

    def built_boards(self, audits: Iterable[str]) -> list[Board]:
        """The boards with at least one audit in ``audits``, by name."""
        wanted = set(audits)
        return [
            board
            for _, board in sorted(self.boards.items())
            if any(a.audit_id in wanted for a in board.audits)
        ]

    def analysed(self, audits: Sequence[str]) -> list[str]:
        """The audits to analyse: ``audits`` (in order), then every other audit with a data
        folder of their boards (in board and audit_number order)."""
        out = list(dict.fromkeys(audits))
        for board in self.built_boards(audits):
            out += [a.audit_id for a in board.with_data if a.audit_id not in out]
        return out

    def fatal(self, audits: Sequence[str]) -> list[Problem]:
        """The problems that stop the workflow: every error of programme.yaml, and each
        board problem of a board being built."""
        found = [p for p in self.programme_problems if p.severity == ERROR]
        for board in self.built_boards(audits):
            found += self.board_problems.get(board.name, [])
        return found


def audit_folders(raw_dir: Path) -> list[Path]:
    """The audit folders under ``raw_dir``: a name that is an audit id, and an audit.yaml."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        return []
    return [
        folder
        for folder in sorted(raw_dir.iterdir())
        if AUDIT_ID.match(folder.name)
        and folder.is_dir()
        and not folder.is_symlink()
        and (folder / "audit.yaml").is_file()
    ]


def read_programmes(
    raw_dir: Path,
    programme_path: Path | None,
    *,
    programme_display: str = "data/programme.yaml",
    theme_ids: Sequence[str] | None = None,
) -> Programmes:
    """Every board's programme, from the audit folders under ``raw_dir`` (their audit.yaml)
    and data/programme.yaml. ``theme_ids`` (the shared taxonomy's) check programme.yaml's
    findings; an audit's own findings are checked when it is validated."""
    from auditrap.metadata import load_meta

    audits: list[ProgrammeAudit] = []
    tagged: set[str] = set()
    unreadable: dict[str, str] = {}
    for folder in audit_folders(raw_dir):
        display = f"{folder.name}/audit.yaml"
        meta, problems = load_meta(folder / "audit.yaml", display)
        if meta is None:
            errors = [p for p in problems if p.severity == ERROR] or problems
            unreadable[folder.name] = errors[0].line() if errors else "it cannot be read"
            continue
        if meta.findings is None:
            tagged.add(folder.name)
        audits.append(
            ProgrammeAudit(
                board=meta.board,
                audit_number=meta.audit_number,
                title=meta.title,
                period=meta.period,
                findings=tuple(meta.findings or ()),
                topic=meta.topic,
                audit_id=folder.name,
                source_file=display,
            )
        )
    programme_problems: list[Problem] = []
    if programme_path is not None:
        earlier, programme_problems = load_programme(
            Path(programme_path), theme_ids, display=programme_display
        )
        audits += earlier
    boards: dict[str, Board] = {}
    board_problems: dict[str, list[Problem]] = {}
    by_board: dict[str, list[ProgrammeAudit]] = {}
    for audit in audits:
        by_board.setdefault(audit.board, []).append(audit)
    for name, members in by_board.items():
        found, problems = build_boards(members)
        boards[name] = found[name]
        if problems:
            board_problems[name] = problems
    # Two boards whose names make one folder name: a problem of both.
    _, slug_problems = build_boards(a for board in boards.values() for a in board.audits[:1])
    for problem in slug_problems:
        for name in boards:
            if f"`{name}`" in problem.message:
                board_problems.setdefault(name, []).append(problem)
    return Programmes(
        boards=boards,
        tagged=frozenset(tagged),
        unreadable=unreadable,
        programme_problems=programme_problems,
        board_problems=board_problems,
    )


def taxonomy_ids(path: Path) -> list[str] | None:
    """The theme ids of a taxonomy file, read lightly (None when it cannot be read: the
    analysis reports why)."""
    from auditrap.yaml_input import load_yaml

    try:
        read = load_yaml(Path(path), display=str(path))
    except OSError:
        return None
    themes = read.data.get("themes") if isinstance(read.data, dict) else None
    if read.problems or not isinstance(themes, list):
        return None
    ids = [t.get("id") for t in themes if isinstance(t, dict)]
    return [str(i) for i in ids if isinstance(i, str)] or None


def problems_message(problems: Sequence[Problem]) -> str:
    """The message that stops the workflow when the programme cannot be read."""
    lines = [f"  - {p.line()}" for p in problems]
    many = len(problems) != 1
    return (
        f"The board's programme has {len(problems)} problem{'s' if many else ''}, so nothing "
        "was built or published:\n"
        + "\n".join(lines)
        + "\nCorrect the files named above (see docs/learning-cycle.md) and run the report again."
    )


# -- What an audit takes from the rest of its board ---------------------------------------------


def _earlier_entry(audit: ProgrammeAudit, tagged: frozenset[str]) -> dict[str, Any]:
    return {
        "audit_number": audit.audit_number,
        "title": audit.title,
        "period": audit.period,
        "topic": audit.topic,
        "audit_id": audit.audit_id,
        # None: the audit's findings are the themes its returns spoke of (its board entry).
        "findings": None if audit.audit_id in tagged else list(audit.findings),
        "source_file": audit.source_file,
        "source_row": audit.source_row,
    }


def entries_needed(programmes: Programmes, audit_id: str) -> list[str]:
    """The earlier audits whose board entry this audit's analysis reads: those with a data
    folder whose findings are their tagged themes, and the one it re-audits (its grades)."""
    board = programmes.board_of(audit_id)
    if board is None:
        return []
    me = board.audit(audit_id)
    again = reaudit_of(board, me)
    return [
        a.audit_id
        for a in board.earlier(me)
        if a.audit_id is not None and (a.audit_id in programmes.tagged or a is again)
    ]


def audit_context(
    programmes: Programmes, audit_id: str, *, as_of: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """What the audit takes from the rest of its board (a parameter of its analysis job):
    the board, its earlier audits, the one it re-audits, and (``as_of``, for an audit with
    recommendations) the as-of date of the board's action plans. Empty when the audit's
    audit.yaml cannot be read (its validation says why)."""
    board = programmes.board_of(audit_id)
    if board is None:
        return {}
    me = board.audit(audit_id)
    again = reaudit_of(board, me)
    return {
        "board": board.name,
        "slug": board.slug,
        "earlier": [_earlier_entry(a, programmes.tagged) for a in board.earlier(me)],
        "reaudit": None if again is None else again.audit_number,
        "as_of": dict(as_of) if as_of is not None else None,
    }


def board_programme(programmes: Programmes, board: Board, audits: Sequence[str]) -> dict:
    """What the board's report takes from the programme (a parameter of its jobs): every
    audit, in order, and whether its own report is published by this build."""
    listed = set(audits)
    return {
        "board": board.name,
        "slug": board.slug,
        "audits": [
            {
                **_earlier_entry(a, programmes.tagged),
                "published": a.audit_id in listed,
            }
            for a in board.audits
        ],
    }


# -- The as-of date of a board's action plans ------------------------------------------------


def plan_files(folder: Path) -> list[Path]:
    return [Path(folder) / n for n in ACTION_PLAN_FILES if (Path(folder) / n).is_file()]


def latest_update(path: Path) -> dict[str, Any]:
    """The latest ``updated`` date of one action plan (csv or workbook), read as validation
    reads it, and the rows whose ``updated`` is not a real date."""
    import pandas as pd

    from auditrap.schemas import is_real_iso_date
    from auditrap.validate import read_action_plan

    table = read_action_plan(Path(path))
    frame = table.frame
    if "updated" not in table.columns_present:
        errors = [p for p in table.problems if p.severity == ERROR]
        why = errors[0].line() if errors else f"{Path(path).name} has no column updated"
        return {"latest": None, "problems": [why]}
    values = frame["updated"].astype("string").str.strip()
    real = is_real_iso_date(values.fillna("")).fillna(False).astype(bool)
    rows = (
        table.origin["source_row"]
        if "source_row" in table.origin
        else pd.Series(range(2, len(frame) + 2))
    )
    problems = [
        f"{Path(path).name}, row {int(r)}, column updated [{v}]: not a real date, written "
        "YYYY-MM-DD"
        for r, v, ok in zip(rows, values.fillna(""), real, strict=True)
        if not ok
    ]
    latest = max((v for v, ok in zip(values, real, strict=True) if ok), default=None)
    return {"latest": None if latest is None else str(latest), "problems": problems}


class PlanDates:
    """The latest ``updated`` date of each action plan, cached by the file's SHA-256 in a
    small JSON file, so that reading the workflow reads a plan (with pandas) only when it
    has changed."""

    def __init__(self, cache: Path | None, hasher: Any = None) -> None:
        from auditrap.sources import Hasher

        self.cache = Path(cache) if cache else None
        self.hasher = hasher or Hasher()
        self.known: dict[str, Any] = {}
        if self.cache is not None:
            try:
                self.known = json.loads(self.cache.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.known = {}
        self.changed = False

    def __call__(self, path: Path) -> dict[str, Any]:
        digest = self.hasher(path)
        if digest not in self.known:
            self.known[digest] = latest_update(Path(path))
            self.changed = True
        return self.known[digest]

    def save(self) -> None:
        if self.cache is None or not self.changed:
            return
        from auditrap.sources import write_stamp

        used = dict(sorted(self.known.items()))
        write_stamp(self.cache, json.dumps(used, indent=1, sort_keys=True) + "\n")


def board_as_of(
    board: Board, raw_dir: Path, configured: str | None, dates: PlanDates
) -> dict[str, Any]:
    """The as-of date of the board's action plans: ``as_of`` of config.yaml when set, else
    the latest ``updated`` date in the action plans of the board's audits with a data
    folder. Only the date (and any plan whose dates cannot be read) is recorded, so that an
    update that does not move it changes nothing."""
    plans = [
        (audit, path)
        for audit in board.with_data
        for path in plan_files(Path(raw_dir) / str(audit.audit_id))
    ]
    if not plans:
        # No action plan in the board: no date to report them as of (config.yaml's as_of
        # changes nothing of the board's reports).
        return {"as_of": None, "configured": False, "problems": []}
    if configured:
        return {"as_of": str(configured), "configured": True, "problems": []}
    latest: list[str] = []
    problems: list[str] = []
    for audit, path in plans:
        found = dates(path)
        if found["latest"]:
            latest.append(found["latest"])
        problems += [f"{audit.audit_id}/{p}" for p in found["problems"]]
    return {"as_of": max(latest) if latest else None, "configured": False, "problems": problems}


def as_of_date(record: Mapping[str, Any] | None) -> dt.date | None:
    """The date of an as-of record (see :func:`board_as_of`)."""
    if not record or not record.get("as_of"):
        return None
    return dt.date.fromisoformat(str(record["as_of"]))


def relative(path: Path | str) -> str:
    """A path as the workflow writes it: relative to the working directory when inside it."""
    path = Path(path)
    try:
        return (
            os.path.relpath(path)
            if path.resolve().is_relative_to(Path.cwd().resolve())
            else str(path)
        )
    except ValueError:
        return str(path)
