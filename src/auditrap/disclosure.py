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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

#: What a reader sees for the policy's symbol in the method appendix, by default.
DEFAULT_SYMBOL = "[c]"


class DisclosurePolicy(BaseModel):
    """The disclosure policy applied to one audit's published tables."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: int = Field(4, ge=0, description="Counts from 1 to this are hidden; 0: none.")
    symbol: str = Field(DEFAULT_SYMBOL, min_length=1, max_length=8)
    rounding: int = Field(1, ge=1, description="Publish counts rounded to a multiple of this.")
    tables: tuple[str, ...] = ("grades_by_area",)

    def applies_to(self, table: str) -> bool:
        return table in self.tables

    def describe(self) -> str:
        """The policy in plain English, for the method appendix."""
        if not self.tables or (self.threshold == 0 and self.rounding == 1):
            return (
                "No count in this report is suppressed or rounded: the board chose to publish "
                "every count in full."
            )
        names = ", ".join(TABLE_TITLES.get(t, t) for t in self.tables)
        parts = []
        if self.threshold:
            shown = "1" if self.threshold == 1 else f"1 to {self.threshold}"
            parts.append(
                f"In these tables ({names}), counts from {shown} are not shown: the symbol "
                f"{self.symbol} stands in their place, because so small a number could help "
                "someone identify a child. Where a total would let a hidden count be worked "
                f"back, at least one more count in the same row or column is also shown as "
                f"{self.symbol}, choosing the smallest. Zeros are shown. Percentages are "
                "worked out from the published counts and are hidden with their count."
            )
        if self.rounding > 1:
            parts.append(
                f"Published counts in these tables ({names}) are rounded to the nearest "
                f"multiple of {self.rounding}, each on its own, so totals may not add up."
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
}


def resolve_policy(config: Mapping, audit_id: str) -> DisclosurePolicy:
    """The policy for one audit: the configured one, with the audit's own overrides."""
    settings = dict(config.get("disclosure") or {})
    override = ((config.get("audit_settings") or {}).get(audit_id) or {}).get("disclosure")
    settings.update(override or {})
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
    """Whether someone who sees every shown cell and knows that counts are whole numbers, never
    negative, could work out the hidden ``cell`` exactly.

    For a two-way table with totals, another table fitting what is shown differs from the
    true one by a sum of cycles through the hidden cells, each adding and taking one in turn
    along a row then a column (a conformal decomposition). So the cell can be changed if, and
    only if, some such cycle runs through it and takes one only from cells that hold at least
    one. The cycles are found as paths in a graph whose nodes are the rows and columns.
    In one line with its total, another hidden cell is enough.
    """
    if cell not in hidden:
        return True
    if grid.shape is None:
        return len(hidden & set(grid.lines[0])) < 2
    rows, cols = grid.shape

    def arcs(k: int) -> list[tuple[str, str]]:
        """The ways a cell can take part in a cycle: (from node, to node)."""
        i, j = grid.cells[k]
        total = (i == rows) != (j == cols)  # a row or column total counts the other way
        up_ok = not total or grid.values[k] >= 1  # going row -> column adds one (or takes one)
        down_ok = total or grid.values[k] >= 1
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


def _harm(grid: Grid, k: int) -> tuple[bool, bool, int, int]:
    """The order in which extra cells are hidden: cells before totals, non-zero before zero,
    smallest first."""
    return (grid.margin[k], grid.values[k] == 0, grid.values[k], k)


def suppression_pattern(
    grid: Grid, threshold: int, primary: bool = True, seeded: Sequence[int] = ()
) -> set[int]:
    """The cells to hide: counts from 1 to ``threshold`` that are not totals (when
    ``primary``), the ``seeded`` cells (hidden already in a table that shares them), and
    enough others that no line hides exactly one cell and no hidden cell can be worked out."""
    hidden = set(seeded)
    if primary and threshold > 0:
        hidden |= {
            k for k, v in enumerate(grid.values) if not grid.margin[k] and 0 < v <= threshold
        }
    protect_cells = set(hidden)
    while True:
        changed = True
        while changed:
            changed = False
            for line in grid.lines:
                if sum(k in hidden for k in line) != 1:
                    continue
                shown = [k for k in line if k not in hidden]
                if shown:
                    hidden.add(min(shown, key=lambda k: _harm(grid, k)))
                    changed = True
        exposed = sorted(k for k in protect_cells if can_be_worked_out(grid, hidden, k))
        if not exposed:
            return hidden
        # Hide one more cell beside the first exposed one, in its row or column.
        near = {k for line in grid.lines if exposed[0] in line for k in line} - hidden
        if not near:  # every cell beside it is hidden already: hide the rest of the table
            near = set(range(len(grid.values))) - hidden
            if not near:
                return hidden
        hidden.add(min(near, key=lambda k: _harm(grid, k)))


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


#: Tables of one line of counts and their total: (label column, count column). In the
#: agreement table the line is the ratified cases; "Not yet ratified" is the audit's size
#: less the ratified cases, both published, so it is never hidden.
ONE_LINE = {
    "grade_distribution": ("grade", "cases"),
    "grade_agreement": ("outcome", "cases"),
    "returns_by_agency": ("agency", "returns"),
}
NOT_RATIFIED = "Not yet ratified"
#: Two-way tables (long form) whose totals one way are a one-line table's counts:
#: (row label, column label, count, linked table, which totals it shares).
TWO_WAY = {
    "grades_by_area": ("area", "grade", "cases", "grade_distribution", "columns"),
    "agency_grades": ("agency", "grade", "returns", "returns_by_agency", "rows"),
}
#: Tables that share totals: rounding one rounds the other, or its cells would give the
#: exact totals back.
SHARED = {
    "grade_distribution": "grades_by_area",
    "grades_by_area": "grade_distribution",
    "returns_by_agency": "agency_grades",
    "agency_grades": "returns_by_agency",
}


def protect(tables: Mapping[str, pd.DataFrame], policy: DisclosurePolicy) -> Protected:
    """Apply the policy to every aggregate table (theme_counts included)."""
    out = {name: frame.copy() for name, frame in tables.items()}
    hidden_cells: dict[str, int] = {}
    totals: dict[str, dict[str, int | None]] = {}
    threshold = policy.threshold

    def on(name: str) -> bool:
        return policy.applies_to(name)

    def base(name: str) -> int:
        rounded = on(name) or on(SHARED.get(name, ""))
        return policy.rounding if rounded else 1

    hidden_labels: dict[str, set[str]] = {}
    for name, (label, value) in ONE_LINE.items():
        if name not in out:
            continue
        frame = out[name]
        in_line = frame[label].astype(str) != NOT_RATIFIED
        grid = grid_1d(frame.loc[in_line, value].tolist())
        hidden = suppression_pattern(grid, threshold, primary=on(name))
        positions = [k for k, keep in enumerate(in_line) if keep]
        mask = pd.Series(False, index=frame.index)
        for k, position in enumerate(positions):
            mask.iloc[position] = k in hidden
        hidden_labels[name] = set(frame.loc[mask, label].astype(str))
        total_hidden = len(positions) in hidden
        counts = _round(frame[value].astype("Int64").mask(mask), base(name))
        frame[value] = counts
        total = None if total_hidden else _round_one(grid.values[-1], base(name))
        totals[name] = {"": total}
        if "percent" in frame:
            frame["percent"] = _percent(counts, pd.Series(total, index=frame.index, dtype="Int64"))
        hidden_cells[name] = int(mask.sum()) + int(total_hidden)

    for name, (row, col, value, linked, side) in TWO_WAY.items():
        if name not in out:
            continue
        frame = out[name]
        rows, cols, interior = _long_to_grid(frame, row, col, value)
        if not rows or not cols:
            hidden_cells[name], totals[name] = 0, {}
            continue
        grid, index = grid_2d(interior)
        seeded = []
        for label in hidden_labels.get(linked, set()):
            if side == "columns" and label in cols:
                seeded.append(index[(len(rows), cols.index(label))])
            elif side == "rows" and label in rows:
                seeded.append(index[(rows.index(label), len(cols))])
        hidden = suppression_pattern(grid, threshold, primary=on(name), seeded=seeded)
        mask = pd.Series(
            [
                index[(rows.index(r), cols.index(c))] in hidden
                for r, c in zip(frame[row], frame[col], strict=True)
            ],
            index=frame.index,
        )
        counts = _round(frame[value].astype("Int64").mask(mask), base(name))
        frame[value] = counts
        totals[name] = {
            str(r): None
            if index[(i, len(cols))] in hidden
            else _round_one(sum(interior[i]), base(name))
            for i, r in enumerate(rows)
        }
        hidden_cells[name] = int(mask.sum()) + sum(v is None for v in totals[name].values())
        if "percent_of_area" in frame:
            whole = pd.Series([totals[name][str(r)] for r in frame[row]], index=frame.index)
            frame["percent_of_area"] = _percent(counts, whole.astype("Int64"))

    # Immediate actions: completed and open add up to raised; agencies add up to all agencies.
    if "immediate_actions" in out:
        frame = out["immediate_actions"]
        body = frame[frame["agency"] != "All agencies"]
        interior = body[["completed", "open"]].astype(int).to_numpy().tolist()
        hidden_count = 0
        if interior:
            grid, index = grid_2d(interior)
            hidden = suppression_pattern(grid, threshold, primary=on("immediate_actions"))
            for column, j in (("completed", 0), ("open", 1), ("raised", 2)):
                flags = [index[(i, j)] in hidden for i in range(len(body))]
                flags += [index[(len(body), j)] in hidden] * (len(frame) - len(body))
                values = frame[column].astype("Int64").mask(pd.Series(flags, index=frame.index))
                frame[column] = _round(values, base("immediate_actions"))
            hidden_count = len(hidden)
        hidden_cells["immediate_actions"] = hidden_count

    # Theme counts do not add up (a return may speak of several themes): primary only.
    if "theme_counts" in out:
        frame = out["theme_counts"]
        hidden_count = 0
        for column in ("returns", "cases", "agencies"):
            values = frame[column].astype("Int64")
            if on("theme_counts") and threshold:
                small = (values > 0) & (values <= threshold)
                hidden_count += int(small.sum())
                values = values.mask(small)
            frame[column] = _round(values, base("theme_counts"))
        hidden_cells["theme_counts"] = hidden_count

    return Protected(policy, out, hidden_cells, totals)


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
    "theme_counts": ("returns", "cases", "agencies"),
}


def small_counts_shown(frame: pd.DataFrame, name: str, policy: DisclosurePolicy) -> list[str]:
    """A last check of a finished table: any count from 1 to the threshold still shown in a
    table the policy covers, described by its row and column. Empty when all is well."""
    if not policy.applies_to(name) or policy.threshold == 0:
        return []
    found = []
    labels = [c for c in frame.columns if c not in COUNT_COLUMNS.get(name, ())]
    for column in COUNT_COLUMNS.get(name, ()):
        if column not in frame or column.startswith("percent"):
            continue
        values = pd.to_numeric(frame[column], errors="coerce")
        small = frame[(values >= 1) & (values <= policy.threshold)]
        for _, row in small.iterrows():
            where = ", ".join(f"{label}={row[label]}" for label in labels)
            found.append(f"{name}.csv, row {where}, column {column}")
    return found
