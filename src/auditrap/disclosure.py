"""Disclosure control: small counts in the published tables are suppressed, and enough other
cells with them that no hidden count can be worked back from the totals.

A handful of children are audited, so a count of one or two in a table of grades by area can
point at a child. The policy (``config.yaml`` ``disclosure``, overridable per audit) says the
largest count that is hidden (``threshold``: 1 to 4, say, or 1 to 7 as the NHS does), the
symbol shown in its place, whether published counts are rounded, and which tables it applies
to. Zeros are shown: a zero names no one.

*Primary suppression* hides every count from 1 to the threshold. *Secondary suppression*
then hides more cells, so that every line of the table (each row and column, with its total)
hides either nothing or at least two cells: one hidden count can then never be worked out
as the total minus the others. The extra cells are chosen among the line's cells by least
harm: cells before totals, non-zero before zero, smallest first (a common heuristic, as in
sdcTable's ``SIMPLEHEURISTIC``). Totals shared with another table (grades by area add up to
the grade distribution; agency grades to the returns by agency) are hidden in both or in
neither. Percentages are computed from what is published and hidden with their count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from auditrap.tables import disclosure_settings

#: What a reader sees for the policy's symbol in the method appendix, by default.
DEFAULT_SYMBOL = "[c]"


class DisclosurePolicy(BaseModel):
    """The disclosure policy applied to one audit's published tables."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: int = Field(4, ge=0, description="Counts from 1 to this are hidden; 0: none.")
    symbol: str = Field(DEFAULT_SYMBOL, min_length=1, max_length=8)
    rounding: int = Field(1, ge=1, description="Publish counts rounded to a multiple of this.")
    tables: tuple[str, ...] = ("grades_by_area",)

    @field_validator("symbol")
    @classmethod
    def _not_a_number(cls, symbol: str) -> str:
        try:
            float(symbol)
        except ValueError:
            return symbol
        raise ValueError(
            f"the symbol {symbol!r} reads as a number, so a hidden count could not be told "
            "from a real one: use a mark such as [c]"
        )

    def applies_to(self, table: str) -> bool:
        return table in self.tables

    @property
    def hides(self) -> bool:
        return self.threshold > 0 and bool(self.tables)

    def describe(self) -> str:
        """The policy in plain English, for the method appendix."""
        if not self.hides and self.rounding == 1:
            return (
                "No count in this report is suppressed or rounded: the board chose to publish "
                "every count in full."
            )
        parts = []
        if self.hides:
            names = ", ".join(TABLE_TITLES.get(t, t) for t in self.tables)
            shown = "1" if self.threshold == 1 else f"1 to {self.threshold}"
            parts.append(
                f"In these tables ({names}), counts from {shown} are not shown: the symbol "
                f"{self.symbol} stands in their place, because so small a number could help "
                "someone identify a child. Where the totals would let a hidden count be "
                "worked back, other counts in the same rows and columns are also shown as "
                f"{self.symbol}, in this table or in one that shares its totals. Zeros are "
                "always shown. Totals (of cases audited, of actions raised) are not hidden for "
                "being small, only where they would give a hidden count away. "
                "Percentages are worked out from the published counts and are hidden with "
                "their count."
            )
        if self.rounding > 1:
            parts.append(
                f"Every published count is rounded to the nearest multiple of "
                f"{self.rounding}, each on its own, so totals may not add up."
            )
        return " ".join(parts)


#: The title of each table as the method appendix names it.
TABLE_TITLES = {
    "grade_distribution": "ratified grades",
    "grades_by_area": "ratified grades by audit area",
    "agency_grades": "agencies' own grades",
    "grade_agreement": "ratified grades beside the grades the returns suggest",
    "immediate_actions": "immediate actions by agency",
    "returns_by_agency": "returns by agency",
    "theme_counts": "themes found in the audit returns",
    "action_plan_progress": "actions of the action plan by status",
    "recommendation_progress": "actions of the action plan by recommendation",
}


def resolve_policy(config: Mapping, audit_id: str) -> DisclosurePolicy:
    """The policy for one audit: the configured one, with the audit's own overrides."""
    return policy_from_settings(disclosure_settings(dict(config), audit_id))


def policy_from_settings(settings: Mapping) -> DisclosurePolicy:
    """A policy from its settings (missing keys take the defaults)."""
    settings = dict(settings)
    if "tables" in settings:
        settings["tables"] = tuple(settings["tables"])
    return DisclosurePolicy(**settings)


# -- The suppression pattern --------------------------------------------------------------


@dataclass
class Grid:
    """A table of counts with its totals, as cells and the lines they add up along.

    ``values[k]`` is cell k's count; ``lines`` lists, for each row and column, the cells that
    sum up (the last one of each line is its total, which the others add up to).
    """

    values: list[int]
    lines: list[list[int]]
    margin: list[bool]  # whether each cell is a total
    cells: dict[int, tuple[int, int]] = field(default_factory=dict)  # 2-way: k -> (i, j)
    shape: tuple[int, int] | None = None  # 2-way: rows and columns, totals excluded


def grid_2d(interior: Sequence[Sequence[int]]) -> tuple[Grid, dict[tuple[int, int], int]]:
    """The grid of an R x C table with row totals, column totals and the grand total.

    Returns the grid and the index of each cell (i, j); i == R is the row of column totals,
    j == C the column of row totals.
    """
    rows, cols = len(interior), len(interior[0]) if interior else 0
    index: dict[tuple[int, int], int] = {}
    values: list[int] = []
    margin: list[bool] = []
    for i in range(rows + 1):
        for j in range(cols + 1):
            if i < rows and j < cols:
                value = int(interior[i][j])
            elif i < rows:
                value = sum(int(v) for v in interior[i])
            elif j < cols:
                value = sum(int(interior[r][j]) for r in range(rows))
            else:
                value = sum(int(v) for row in interior for v in row)
            index[(i, j)] = len(values)
            values.append(value)
            margin.append(i == rows or j == cols)
    lines = [[index[(i, j)] for j in range(cols + 1)] for i in range(rows + 1)]
    lines += [[index[(i, j)] for i in range(rows + 1)] for j in range(cols + 1)]
    cells = {k: ij for ij, k in index.items()}
    return Grid(values, lines, margin, cells, (rows, cols)), index


def grid_1d(counts: Sequence[int]) -> Grid:
    """One line of counts and its total (the last cell)."""
    values = [int(v) for v in counts] + [sum(int(v) for v in counts)]
    return Grid(values, [list(range(len(values)))], [False] * len(counts) + [True])


def can_be_worked_out(grid: Grid, hidden: set[int], cell: int) -> bool:
    """Whether someone who sees every shown cell could work out the hidden ``cell`` exactly.

    They know that counts are whole numbers and, since zeros are always shown, that every
    hidden count is at least one. For a two-way table with totals, another table fitting
    what is shown differs from the true one by a sum of cycles through the hidden cells,
    each adding and taking one in turn along a row then a column (a conformal
    decomposition). So the cell can be changed if, and only if, some such cycle runs through
    it and takes one only from cells holding at least two. The cycles are found as paths in
    a graph whose nodes are the rows and columns. In one line with its total, the cell can
    change if another hidden cell can move the other way (or with it, for the total).
    """
    if cell not in hidden:
        return True
    if grid.shape is None:
        *parts, total = grid.lines[0]
        others = [k for k in parts if k in hidden and k != cell]
        if cell == total:
            return not others  # the total moves with any hidden count
        # Up one with the total; up one as another goes down (it holds two or more); down
        # one (from two or more) as another goes up.
        movable = (
            total in hidden
            or any(grid.values[k] >= 2 for k in others)
            or (grid.values[cell] >= 2 and bool(others))
        )
        return not movable
    rows, cols = grid.shape

    def arcs(k: int) -> list[tuple[str, str]]:
        """The ways a cell can take part in a cycle: (from node, to node)."""
        i, j = grid.cells[k]
        total = (i == rows) != (j == cols)  # a row or column total counts the other way
        up_ok = not total or grid.values[k] >= 2  # row -> column adds one (a total: takes one)
        down_ok = total or grid.values[k] >= 2
        row, col = f"r{i}", f"c{j}"
        return ([(row, col)] if up_ok else []) + ([(col, row)] if down_ok else [])

    graph: dict[str, list[str]] = {}
    for k in hidden:
        if k != cell:
            for a, b in arcs(k):
                graph.setdefault(a, []).append(b)
    for start, end in arcs(cell):
        # A cycle through the cell: from its end back to its start without it.
        seen, todo = {end}, [end]
        while todo:
            node = todo.pop()
            if node == start:
                return False
            for nxt in graph.get(node, []):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
    return True


def _harm(grid: Grid, k: int) -> tuple[bool, int, int]:
    """The order in which extra cells are hidden: counts before totals, smallest first."""
    return (grid.margin[k], grid.values[k], k)


def small_cells(grid: Grid, threshold: int, *, totals: bool = False) -> set[int]:
    """The counts from 1 to ``threshold``: of the body of the table, and of its totals too
    when ``totals``."""
    return {
        k
        for k, v in enumerate(grid.values)
        if 0 < v <= threshold and (totals or not grid.margin[k])
    }


def suppression_pattern(grid: Grid, primary: set[int], seeded: Sequence[int] = ()) -> set[int]:
    """The cells to hide: the ``primary`` ones (small counts), the ``seeded`` ones (hidden
    already elsewhere), and enough others that no line hides exactly one cell and no hidden
    cell can be worked out. Zeros are never hidden (so every hidden count is at least one,
    as the report says), and a total only when no count of its line will do."""
    hidden = set(primary) | set(seeded)
    protect_cells = set(hidden)

    def hide_beside(cells: Iterable[int]) -> bool:
        shown = [k for k in cells if k not in hidden and grid.values[k] > 0]
        if not shown:
            return False
        hidden.add(min(shown, key=lambda k: _harm(grid, k)))
        return True

    while True:
        changed = True
        while changed:
            changed = False
            for line in grid.lines:
                if sum(k in hidden for k in line) == 1 and hide_beside(line):
                    changed = True
        exposed = sorted(k for k in protect_cells if can_be_worked_out(grid, hidden, k))
        if not exposed:
            return hidden
        # Hide one more count beside the first exposed one, in its row or column; failing
        # that, anywhere in the table.
        near = [k for line in grid.lines if exposed[0] in line for k in line]
        if not hide_beside(near) and not hide_beside(range(len(grid.values))):
            return hidden  # every non-zero cell is hidden: nothing more can be done


# -- Tables -------------------------------------------------------------------------------


@dataclass
class Protected:
    """The published form of every aggregate table, and what was hidden.

    Counts are nullable integers, ``<NA>`` where hidden. ``totals`` gives each table's
    published line totals (``""`` for a one-line table; an area or agency otherwise), None
    where a total is hidden.
    """

    policy: DisclosurePolicy
    tables: dict[str, pd.DataFrame]
    hidden_cells: dict[str, int] = field(default_factory=dict)
    totals: dict[str, dict[str, int | None]] = field(default_factory=dict)

    @property
    def any_hidden(self) -> bool:
        return any(self.hidden_cells.values())

    def summary(self) -> dict:
        """What ``disclosure.json`` records: the policy, its statement, what was hidden (never
        a hidden value) and the published totals."""
        return {
            "policy": self.policy.model_dump(mode="json"),
            "statement": self.policy.describe(),
            "hidden_cells": self.hidden_cells,
            "totals": self.totals,
        }


def _round(series: pd.Series, base: int) -> pd.Series:
    """Counts rounded to the nearest multiple of ``base`` (halves up); hidden stays hidden."""
    if base == 1:
        return series
    return ((series.astype("Int64") + base // 2) // base * base).astype("Int64")


def _round_one(value: int, base: int) -> int:
    return (value + base // 2) // base * base


def _percent(part: pd.Series, whole: pd.Series) -> pd.Series:
    """Whole-number percentages of what is published, rounded half up; hidden with either."""
    whole = whole.astype("Float64")
    share = (part.astype("Float64") * 100 / whole.where(whole > 0) + 0.5) // 1
    share = share.mask(whole.eq(0).fillna(False), 0)
    return share.astype("Int64")


def _long_to_grid(frame: pd.DataFrame, row: str, col: str, value: str) -> tuple[list, list, list]:
    rows = list(dict.fromkeys(frame[row]))
    cols = list(dict.fromkeys(frame[col]))
    lookup = {(r, c): int(v) for r, c, v in zip(frame[row], frame[col], frame[value], strict=True)}
    return rows, cols, [[lookup.get((r, c), 0) for c in cols] for r in rows]


NOT_RATIFIED = "Not yet ratified"
#: Two-way tables (long form) and the one-line table that holds their totals one way:
#: (row label, column label, count; the one-line table, its label and count columns, and
#: which totals of the two-way table it holds). The grades by area add up, grade by grade,
#: to the grade distribution; the agencies' own grades, agency by agency, to the returns by
#: agency. Each pair is protected as one table, so that what one hides the other cannot
#: give back.
PAIRS = {
    "grades_by_area": ("area", "grade", "cases", "grade_distribution", "grade", "cases", "columns"),
    "agency_grades": (
        "agency",
        "grade",
        "returns",
        "returns_by_agency",
        "agency",
        "returns",
        "rows",
    ),
}


def _mask(frame: pd.DataFrame, flags: Sequence[bool]) -> pd.Series:
    return pd.Series(list(flags), index=frame.index, dtype=bool)


def protect(tables: Mapping[str, pd.DataFrame], policy: DisclosurePolicy) -> Protected:
    """Apply the policy to every aggregate table (theme_counts included)."""
    out = {name: frame.copy() for name, frame in tables.items()}
    hidden_cells: dict[str, int] = {}
    totals: dict[str, dict[str, int | None]] = {}
    threshold = policy.threshold if policy.tables else 0
    base = policy.rounding

    def on(name: str) -> bool:
        return policy.applies_to(name) and threshold > 0

    def publish(name: str, column: str, hidden: pd.Series) -> pd.Series:
        counts = _round(out[name][column].astype("Int64").mask(hidden), base)
        out[name][column] = counts
        return counts

    grand_hidden: dict[str, bool] = {}
    for two_way, (row, col, value, one_line, label, line_value, side) in PAIRS.items():
        if one_line not in out and two_way not in out:
            continue
        line = out.get(one_line)
        if two_way in out and len(out[two_way]):
            rows, cols, interior = _long_to_grid(out[two_way], row, col, value)
        else:  # the one-line table alone: a table of one row (or column)
            labels = [str(v) for v in line[label]]
            counts = [int(v) for v in line[line_value]]
            rows, cols, interior = (
                (["all"], labels, [counts])
                if side == "columns"
                else (labels, ["all"], [[c] for c in counts])
            )
        grid, index = grid_2d(interior)
        size_r, size_c = len(rows), len(cols)
        margin_of = (
            {str(c): index[(size_r, j)] for j, c in enumerate(cols)}
            if side == "columns"
            else {str(r): index[(i, size_c)] for i, r in enumerate(rows)}
        )
        primary: set[int] = set()
        if two_way in out and on(two_way):
            primary |= small_cells(grid, threshold)
        if line is not None and on(one_line):
            primary |= {k for k in margin_of.values() if 0 < grid.values[k] <= threshold}
        hidden = suppression_pattern(grid, primary)
        grand_hidden[one_line] = index[(size_r, size_c)] in hidden
        if two_way in out and len(out[two_way]):
            frame = out[two_way]
            flags = [
                index[(rows.index(r), cols.index(c))] in hidden
                for r, c in zip(frame[row], frame[col], strict=True)
            ]
            counts = publish(two_way, value, _mask(frame, flags))
            other = (
                {str(r): index[(i, size_c)] for i, r in enumerate(rows)}
                if side == "columns"
                else {str(c): index[(size_r, j)] for j, c in enumerate(cols)}
            )
            totals[two_way] = {
                key: None if k in hidden else _round_one(grid.values[k], base)
                for key, k in other.items()
            }
            hidden_cells[two_way] = sum(flags) + sum(v is None for v in totals[two_way].values())
            if "percent_of_area" in frame:
                whole = pd.Series([totals[two_way][str(r)] for r in frame[row]], index=frame.index)
                frame["percent_of_area"] = _percent(counts, whole.astype("Int64"))
        if line is not None:
            flags = [margin_of.get(str(v), -1) in hidden for v in line[label]]
            counts = publish(one_line, line_value, _mask(line, flags))
            grand = index[(size_r, size_c)]
            total = None if grand in hidden else _round_one(grid.values[grand], base)
            totals[one_line] = {"": total}
            hidden_cells[one_line] = sum(flags) + int(total is None)
            if "percent" in line:
                whole = pd.Series(total, index=line.index, dtype="Int64")
                line["percent"] = _percent(counts, whole)

    # The agreement table: its ratified outcomes add up to the ratified cases (the grade
    # distribution's total); "Not yet ratified" is the audit's size less those, both shown.
    if "grade_agreement" in out:
        frame = out["grade_agreement"]
        in_line = (frame["outcome"].astype(str) != NOT_RATIFIED).tolist()
        grid = grid_1d([int(v) for v, keep in zip(frame["cases"], in_line, strict=True) if keep])
        primary = small_cells(grid, threshold) if on("grade_agreement") else set()
        seeded = [len(grid.values) - 1] if grand_hidden.get("grade_distribution") else []
        hidden = suppression_pattern(grid, primary, seeded)
        positions = iter(range(len(grid.values) - 1))
        flags = [keep and next(positions) in hidden for keep in in_line]
        publish("grade_agreement", "cases", _mask(frame, flags))
        hidden_cells["grade_agreement"] = sum(flags)

    # Immediate actions: completed and open add up to raised; agencies add up to all agencies.
    # The totals (actions raised) are shown: they count actions, not outcomes for children.
    if "immediate_actions" in out:
        frame = out["immediate_actions"]
        body = frame[frame["agency"] != "All agencies"]
        interior = body[["completed", "open"]].astype(int).to_numpy().tolist()
        hidden_count = 0
        if interior:
            grid, index = grid_2d(interior)
            primary = small_cells(grid, threshold) if on("immediate_actions") else set()
            hidden = suppression_pattern(grid, primary)
            for column, j in (("completed", 0), ("open", 1), ("raised", 2)):
                flags = [index[(i, j)] in hidden for i in range(len(body))]
                flags += [index[(len(body), j)] in hidden] * (len(frame) - len(body))
                publish("immediate_actions", column, _mask(frame, flags))
            hidden_count = len(hidden)
        hidden_cells["immediate_actions"] = hidden_count

    # Theme counts do not add up across themes (a return may speak of several): small counts
    # are hidden. Within a theme, the returns (or cases) that spoke of it are those that raised
    # it as a concern or noted it as good practice, less those that did both: when one of
    # these two is hidden, the count of all is hidden too, or the gap between the shown
    # counts could give the hidden one away.
    if "theme_counts" in out:
        frame = out["theme_counts"]
        columns = [c for c in COUNT_COLUMNS["theme_counts"] if c in frame]
        small = {}
        for column in columns:
            values = frame[column].astype("Int64")
            hide = (values > 0) & (values <= threshold) if on("theme_counts") else values < 0
            small[column] = hide.fillna(False).astype(bool)
        for total in ("returns", "cases"):
            parts = [f"concern_{total}", f"good_practice_{total}"]
            if total in small and all(p in small for p in parts):
                small[total] = small[total] | small[parts[0]] | small[parts[1]]
        for column in columns:
            publish("theme_counts", column, small[column])
        hidden_cells["theme_counts"] = int(sum(int(v.sum()) for v in small.values()))

    _protect_action_plan(out, policy, threshold, hidden_cells, totals)
    return Protected(policy, out, hidden_cells, totals)


#: The status columns of the action plan's progress by recommendation, and the status each
#: counts (the rows of the progress by status, which hold their totals).
PLAN_STATUS_COLUMNS = {
    "completed": "Completed",
    "in_progress": "In progress",
    "not_started": "Not started",
}


def _protect_action_plan(
    out: dict[str, pd.DataFrame],
    policy: DisclosurePolicy,
    threshold: int,
    hidden_cells: dict[str, int],
    totals: dict[str, dict[str, int | None]],
) -> None:
    """The action plan's progress: by recommendation (rows) and status (columns), whose
    totals are the actions of each recommendation and the progress by status; and the
    overdue actions, by recommendation and by status, two lines sharing their total. Like the
    immediate actions, these count actions, not children: they are hidden only when the
    policy lists them."""
    by_status = out.get("action_plan_progress")
    by_recommendation = out.get("recommendation_progress")
    if by_status is None and by_recommendation is None:
        return
    base = policy.rounding

    def on(name: str) -> bool:
        return policy.applies_to(name) and threshold > 0

    statuses = list(PLAN_STATUS_COLUMNS.values())
    if by_status is not None:
        status_counts = dict(
            zip(by_status["status"].astype(str), by_status["actions"], strict=True)
        )
    else:
        status_counts = {s: int(by_recommendation[c].sum()) for c, s in PLAN_STATUS_COLUMNS.items()}
    if by_recommendation is not None and len(by_recommendation):
        interior = by_recommendation[list(PLAN_STATUS_COLUMNS)].astype(int).to_numpy().tolist()
    else:  # the progress by status alone: a table of one row
        interior = [[int(status_counts.get(s, 0)) for s in statuses]]
    grid, index = grid_2d(interior)
    rows = len(interior)
    primary: set[int] = set()
    if by_recommendation is not None and on("recommendation_progress"):
        primary |= small_cells(grid, threshold)
    if by_status is not None and on("action_plan_progress"):
        primary |= {
            index[(rows, j)]
            for j in range(len(statuses))
            if 0 < grid.values[index[(rows, j)]] <= threshold
        }
    hidden = suppression_pattern(grid, primary)

    # Overdue: by recommendation and by status, each a line adding up to the same total.
    late_by_rec = (
        [int(v) for v in by_recommendation["overdue"]] if by_recommendation is not None else []
    )
    late_by_status = [int(v) for v in by_status["overdue"]] if by_status is not None else []
    late_hidden: dict[str, set[int]] = {}
    lines = {"recommendation_progress": late_by_rec, "action_plan_progress": late_by_status}
    seeded_total = False
    for _ in range(2):  # a total hidden in one line is hidden in the other
        for name, counts in lines.items():
            if not counts:
                continue
            line = grid_1d(counts)
            primary_late = small_cells(line, threshold) if on(name) else set()
            seeded = [len(counts)] if seeded_total else []
            late_hidden[name] = suppression_pattern(line, primary_late, seeded)
            seeded_total = seeded_total or len(counts) in late_hidden[name]

    if by_recommendation is not None:
        frame = by_recommendation
        flags = {
            c: [index[(i, j)] in hidden for i in range(len(frame))]
            for j, c in enumerate(PLAN_STATUS_COLUMNS)
        }
        for column, column_flags in flags.items():
            out["recommendation_progress"][column] = _round(
                frame[column].astype("Int64").mask(_mask(frame, column_flags)), base
            )
        action_flags = [index[(i, len(statuses))] in hidden for i in range(len(frame))]
        out["recommendation_progress"]["actions"] = _round(
            frame["actions"].astype("Int64").mask(_mask(frame, action_flags)), base
        )
        late_flags = [
            k in late_hidden.get("recommendation_progress", set()) for k in range(len(frame))
        ]
        out["recommendation_progress"]["overdue"] = _round(
            frame["overdue"].astype("Int64").mask(_mask(frame, late_flags)), base
        )
        hidden_cells["recommendation_progress"] = (
            sum(sum(f) for f in flags.values()) + sum(action_flags) + sum(late_flags)
        )
    if by_status is not None:
        frame = by_status
        position = {s: j for j, s in enumerate(statuses)}
        flags = [index[(rows, position[str(s)])] in hidden for s in frame["status"]]
        out["action_plan_progress"]["actions"] = _round(
            frame["actions"].astype("Int64").mask(_mask(frame, flags)), base
        )
        late_flags = [
            k in late_hidden.get("action_plan_progress", set()) for k in range(len(frame))
        ]
        out["action_plan_progress"]["overdue"] = _round(
            frame["overdue"].astype("Int64").mask(_mask(frame, late_flags)), base
        )
        grand = index[(rows, len(statuses))]
        late_total = len(late_by_status)
        totals["action_plan_progress"] = {
            "actions": None if grand in hidden else _round_one(grid.values[grand], base),
            "overdue": None
            if late_total in late_hidden.get("action_plan_progress", set())
            else _round_one(sum(late_by_status), base),
        }
        hidden_cells["action_plan_progress"] = (
            sum(flags)
            + sum(late_flags)
            + sum(v is None for v in totals["action_plan_progress"].values())
        )


def shown_sum(
    counts: Mapping[str, int | None], labels: Sequence[str], total: int | None
) -> int | None:
    """The sum of some published counts, or None when it would let a hidden count be worked
    back: it is shown when none of its counts is hidden, or when every hidden count of the
    line is among them and the line's total is shown (it is then the total less the others,
    which anyone can work out already)."""
    hidden = {k for k, v in counts.items() if v is None}
    if not hidden & set(labels):
        return sum(int(counts[k] or 0) for k in labels if k in counts)
    if hidden <= set(labels) and total is not None:
        return total - sum(int(v) for k, v in counts.items() if k not in labels and v is not None)
    return None


def published_csv_frame(frame: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """A protected table as it is written out: hidden counts as the policy's symbol."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.Int64Dtype) and out[column].isna().any():
            out[column] = out[column].astype("string").fillna(symbol)
    return out


def read_published(frame: pd.DataFrame, symbol: str, counts: Sequence[str]) -> pd.DataFrame:
    """Read back a table written by :func:`published_csv_frame`."""
    out = frame.copy()
    for column in counts:
        if column in out:
            out[column] = pd.to_numeric(
                out[column].astype("string").replace(symbol, pd.NA), errors="raise"
            ).astype("Int64")
    return out


#: The count columns of each published table (the rest are labels).
COUNT_COLUMNS = {
    "grade_distribution": ("cases", "percent"),
    "grades_by_area": ("cases", "percent_of_area"),
    "agency_grades": ("returns",),
    "grade_agreement": ("cases",),
    "immediate_actions": ("raised", "completed", "open"),
    "returns_by_agency": ("returns",),
    "theme_counts": (
        "returns",
        "cases",
        "agencies",
        "concern_returns",
        "concern_cases",
        "good_practice_returns",
        "good_practice_cases",
    ),
    "action_plan_progress": ("actions", "overdue"),
    "recommendation_progress": ("actions", "completed", "in_progress", "not_started", "overdue"),
}


def small_counts_shown(frame: pd.DataFrame, name: str, policy: DisclosurePolicy) -> list[str]:
    """A last check of a finished table: any count the policy hides (from 1 to the
    threshold, in the body of a covered table) still shown, or, when counts are rounded, a
    count that is not a multiple of the rounding; each described by its row and column.
    Empty when all is well."""
    columns = [c for c in COUNT_COLUMNS.get(name, ()) if c in frame and not c.startswith("percent")]
    labels = [c for c in frame.columns if c not in COUNT_COLUMNS.get(name, ())]
    body = pd.Series(True, index=frame.index)
    if name == "immediate_actions":  # actions raised, and all agencies, are totals
        columns = [c for c in columns if c != "raised"]
        body = frame["agency"].astype(str) != "All agencies"
    if name == "grade_agreement":
        body = frame["outcome"].astype(str) != NOT_RATIFIED
    if name == "recommendation_progress":  # each recommendation's actions are a total
        columns = [c for c in columns if c != "actions"]
    found = []
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        wrong = values % policy.rounding != 0 if policy.rounding > 1 else values < 0
        if policy.hides and policy.applies_to(name) and policy.rounding == 1:
            wrong = wrong | (body & (values >= 1) & (values <= policy.threshold))
        for _, row in frame[wrong.fillna(False).astype(bool)].iterrows():
            where = ", ".join(f"{label}={row[label]}" for label in labels)
            found.append(f"{name}.csv, row {where}, column {column}")
    return found
