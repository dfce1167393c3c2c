"""Charts of the learning cycle: the grades of several audits side by side (a re-audit and
the audit it re-audits; every audit of a board), and which themes were findings of which
audit (the board's themes by audits grid).

They follow the report's other charts (:mod:`auditrap.charts`): the grades in the ordinal
palette, every bar labelled with its count, each chart drawn wide (the PDF, screens from
640 CSS px) and narrow (phones: the panels stacked, the grid's labels wrapped), text no
smaller than the others', and alternative text that states every number. The themes grid
draws a finding as a filled square and an audit without that finding as an empty outline, so
that it reads in greyscale and without colour at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from auditrap.charts import (
    FONT_FAMILY,
    GRADE_AXIS_WIDTH,
    NARROW,
    PADDING,
    TEXT_SIZE,
    WIDE,
    Chart,
    Layout,
    _base_config,
    _count_axis,
    _grade_axis,
    _grade_colours,
    _lines_expr,
    _plural,
    _title,
    _wrap,
    faceted_bars,
    panel_columns,
    panel_width,
)
from auditrap.disclosure import shown_sum
from auditrap.grades import GRADES
from auditrap.palette import SEQUENTIAL_PALETTE


def _count(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _say(value: int | None, symbol: str) -> str:
    return symbol if value is None else str(value)


def grade_panels_chart(
    grades: pd.DataFrame,
    panels: Sequence[str],
    *,
    name: str,
    what: str,
    palette: Sequence[str] = SEQUENTIAL_PALETTE,
    font: str = FONT_FAMILY,
    totals: Mapping[str, int | None] | None = None,
    symbol: str = "[c]",
) -> Chart:
    """Small multiples of the ratified grades: one panel per ``panel`` (an audit), a
    labelled bar per grade, up to three panels side by side (wide) or stacked (narrow).

    ``grades`` has the columns ``panel``, ``grade`` and ``cases`` (a count hidden by
    disclosure control is ``<NA>``: no bar, and the symbol for its label); ``totals`` the
    published total of each panel (else the sum, when nothing is hidden). ``what`` says
    what the panels are, for the alternative text (e.g. "two audits of the board on the same
    topic")."""
    per_panel = []
    for panel in panels:
        part = grades[grades["panel"] == panel]
        counts = {g: _count(c) for g, c in zip(part["grade"], part["cases"], strict=True)}
        total = (totals or {}).get(panel)
        if total is None and counts and all(c is not None for c in counts.values()):
            total = sum(counts.values())
        per_panel.append((panel, counts, total))
    best = [(p, shown_sum(c, ["Outstanding", "Good"], t), t) for p, c, t in per_panel]
    title = "Cases graded good or better: " + "; ".join(f"{p} {g} of {t}" for p, g, t in best)
    if len(title) > 110 or any(g is None or t is None for _, g, t in best):
        title = f"Ratified grades of {_plural(len(panels), 'audit')}"
    alt_text = (
        f"Bar charts of the ratified grades of {what}. "
        + " ".join(
            f"{panel}, "
            + (_plural(t, "case") if t is not None else f"{symbol} cases")
            + ": "
            + ", ".join(f"{g} {_say(c.get(g, 0), symbol)}" for g in GRADES)
            + "."
            for panel, c, t in per_panel
        )
        + (
            f" {symbol} marks a count not shown, to protect the children's identities."
            if any(v is None for _, c, _ in per_panel for v in c.values())
            else ""
        )
    )
    data = grades.assign(
        cases=grades["cases"].astype("Int64").fillna(0).astype(int),
        label=[_say(_count(c), symbol) for c in grades["cases"]],
    )
    largest = int(data["cases"].max()) if len(data) else 0

    def draw(layout: Layout) -> dict:
        columns = panel_columns(layout, len(panels))
        width = panel_width(layout, columns)
        y, x = _grade_axis(), _count_axis(largest, width)
        return faceted_bars(
            data,
            y=y,
            x=x,
            colour=_grade_colours(palette),
            rows=len(GRADES),
            facet="panel:N",
            panels=list(panels),
            columns=columns,
            width=width,
            title=_title(title, layout),
            font=font,
        )

    return Chart(name, title, alt_text, draw(WIDE), draw(NARROW))


#: The grid's columns: one per audit, this wide (the audit's number is the label).
GRID_COLUMN = 30
#: How wide the themes' labels may be, wide and narrow.
GRID_LABELS = {"wide": 330, "narrow": 150}
GRID_ROW = 30


def themes_grid_chart(
    grid: pd.DataFrame,
    audits: Sequence[int],
    themes: Sequence[str],
    *,
    palette: Sequence[str] = SEQUENTIAL_PALETTE,
    font: str = FONT_FAMILY,
) -> Chart:
    """Which themes were findings of which audit: a row per theme (its title), a column per
    audit (its number), a filled square where the theme was a finding of the audit and an
    empty outline where it was not. ``grid`` has the columns ``audit_number``
    and ``theme`` (one row per finding)."""
    found = {(int(n), str(t)) for n, t in zip(grid["audit_number"], grid["theme"], strict=True)}
    cells = pd.DataFrame(
        [
            {
                "audit": str(n),
                "theme": t,
                "finding": (n, t) in found,
            }
            for t in themes
            for n in audits
        ],
        columns=["audit", "theme", "finding"],
    )
    recurring = [t for t in themes if sum((n, t) in found for n in audits) > 1]
    title = (
        f"{_plural(len(recurring), 'theme')} "
        f"{'was a finding' if len(recurring) == 1 else 'were findings'} of more than one audit"
    )
    alt_text = (
        f"Grid of {_plural(len(themes), 'theme')} by {_plural(len(audits), 'audit')} "
        "of the board, a filled square where the theme was a finding of the audit. "
        + " ".join(
            f"{t}: "
            + (
                "a finding of audit" + ("s " if len(ns) > 1 else " ") + _numbers(ns)
                if (ns := [n for n in audits if (n, t) in found])
                else "a finding of none of the audits"
            )
            + "."
            for t in themes
        )
    )
    dark = palette[-2] if len(palette) > 1 else "#12436D"

    def draw(layout: Layout) -> dict:
        label_width = GRID_LABELS[layout.name]
        size = min(
            GRID_COLUMN, max(18, (layout.width - label_width - 2 * PADDING) // max(1, len(audits)))
        )
        lines = _lines_expr(list(themes), label_width - 8, TEXT_SIZE)
        longest = max((len(_wrap(t, label_width - 8, TEXT_SIZE)) for t in themes), default=1)
        row = max(GRID_ROW, longest * (TEXT_SIZE + 2) + 6)
        x = alt.X(
            "audit:O",
            sort=[str(n) for n in audits],
            title="Audit",
            axis=alt.Axis(orient="top", labelAngle=0, labelFontSize=TEXT_SIZE),
        )
        y = alt.Y(
            "theme:N",
            sort=list(themes),
            title=None,
            axis=alt.Axis(
                labelExpr=lines,
                labelLimit=label_width,
                minExtent=label_width,
                maxExtent=label_width,
                labelLineHeight=TEXT_SIZE + 2,
            ),
        )
        squares = (
            alt.Chart(cells)
            .mark_square(size=(size - 8) ** 2, strokeWidth=2, stroke=dark, opacity=1)
            .encode(
                x=x,
                y=y,
                fill=alt.condition("datum.finding", alt.value(dark), alt.value("white")),
            )
        )
        chart = squares.properties(
            width=size * len(audits),
            height=row * len(themes),
            title=_title(title, layout),
        )
        return _base_config(chart, font).to_dict()

    return Chart("themes-by-audit", title, alt_text, draw(WIDE), draw(NARROW))


def _numbers(numbers: Sequence[int]) -> str:
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def progress_chart(
    progress: pd.DataFrame,
    panels: Sequence[str],
    *,
    palette: Sequence[str] = SEQUENTIAL_PALETTE,
    font: str = FONT_FAMILY,
    symbol: str = "[c]",
) -> Chart:
    """The actions of each audit's action plan by status (a labelled bar per status in a
    panel per audit), with the overdue count in the panel's alternative text and title.
    ``progress`` has the columns ``panel``, ``status``, ``actions`` and ``overdue``."""
    statuses = ["Completed", "In progress", "Not started"]
    per_panel = []
    for panel in panels:
        part = progress[progress["panel"] == panel]
        counts = {s: _count(a) for s, a in zip(part["status"], part["actions"], strict=True)}
        late = [_count(o) for o in part["overdue"]]
        overdue = None if any(o is None for o in late) else sum(late)
        per_panel.append((panel, counts, overdue))
    title = "Actions by status, for each audit's action plan"
    alt_text = "Bar charts of the actions of each audit's action plan by status. " + " ".join(
        f"{panel}: "
        + ", ".join(f"{s} {_say(c.get(s, 0), symbol)}" for s in statuses)
        + f"; overdue {_say(o, symbol)}."
        for panel, c, o in per_panel
    )
    data = progress.assign(
        actions=progress["actions"].astype("Int64").fillna(0).astype(int),
        label=[_say(_count(a), symbol) for a in progress["actions"]],
    )
    largest = int(data["actions"].max()) if len(data) else 0
    # Completed lightest, not started darkest: further from done, darker.
    colours = alt.Color(
        "status:N", scale=alt.Scale(domain=statuses, range=list(palette[:3])), legend=None
    )

    def draw(layout: Layout) -> dict:
        columns = panel_columns(layout, len(panels))
        width = panel_width(layout, columns)
        y = alt.Y(
            "status:N",
            sort=statuses,
            title=None,
            axis=alt.Axis(minExtent=GRADE_AXIS_WIDTH, maxExtent=GRADE_AXIS_WIDTH),
        )
        x = _count_axis(largest, width).to_dict()
        x = alt.X(
            "actions:Q",
            title="Number of actions",
            axis=alt.Axis(**x["axis"]),
            scale=alt.Scale(**x["scale"]),
        )
        return faceted_bars(
            data,
            y=y,
            x=x,
            colour=colours,
            rows=len(statuses),
            facet="panel:N",
            panels=list(panels),
            columns=columns,
            width=width,
            title=_title(title, layout),
            font=font,
        )

    return Chart("action-plan-progress", title, alt_text, draw(WIDE), draw(NARROW))
