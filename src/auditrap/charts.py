"""Accessible Altair charts of the grades, rendered to SVG (and PNG) with vl-convert.

Each chart is drawn twice: wide, for the PDF and for screens 40em (640 CSS px) and wider,
and narrow, for phones, with the panels of a small-multiple chart stacked in one column.
The web page shows one or the other (html-figures.lua, styles.css). Each is drawn no
wider than its layout's width, so that the browser never has to shrink its text: at the
narrowest screen each layout serves (320 CSS px for the narrow one, a 580 px column at
40em for the wide one) no chart text is under 12 CSS px.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from auditrap.disclosure import shown_sum
from auditrap.grades import GRADES
from auditrap.palette import SEQUENTIAL_PALETTE

FONT_FAMILY = "Atkinson Hyperlegible"
TEXT_COLOUR = "#0B0C0C"
AXIS_COLOUR = "#505A5F"

#: The smallest text in a chart, in px of the drawing (axis labels, bar labels).
TEXT_SIZE = 13
TITLE_SIZE = 16
HEADER_SIZE = 14
#: Room for a bar's label after the longest bar, in px.
LABEL_ROOM = 34
#: Width of the grade labels beside the bars (two lines for "Requires improvement").
GRADE_AXIS_WIDTH = 96
#: A conservative width of one character, in em of its font, to wrap text before drawing.
CHAR_EM = 0.6
#: Vega-Lite's defaults: padding around a chart, and spacing between facet panels.
PADDING = 5
SPACING = 20


@dataclass(frozen=True)
class Layout:
    """How wide a chart may be drawn, and how many panels sit side by side at most."""

    name: str
    width: int
    columns: int


#: The PDF and wide screens: at 40em the column is 580 CSS px, 600 * 12/13 = 554 fits.
WIDE = Layout("wide", 600, 3)
#: Phones: at 320 CSS px the column is 290 px, so the chart shows at its own size.
NARROW = Layout("narrow", 288, 1)


@dataclass(frozen=True)
class Chart:
    """A chart and its words: the headline title and the alt text that states the numbers.
    ``spec`` is the wide drawing, ``narrow_spec`` the one for narrow screens."""

    name: str
    title: str
    alt: str
    spec: dict
    narrow_spec: dict | None = None


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _wrap(text: str, width_px: float, size: int) -> list[str]:
    """Lines of ``text`` that fit ``width_px`` at font ``size`` (a generous estimate)."""
    chars = max(8, int(width_px / (CHAR_EM * size)))
    if len(text) <= chars:
        return [text]
    lines: list[str] = []
    # A line ends after a colon; a semicolon is the next best place; then any space.
    for piece in re.split(r"(?<=[:;]) ", text):
        if lines and not lines[-1].endswith(":") and len(lines[-1]) + 1 + len(piece) <= chars:
            lines[-1] += " " + piece
        else:
            lines.extend(textwrap.wrap(piece, chars) or [piece])
    return lines


def _lines_expr(labels: Sequence[str], width_px: float, size: int):
    """A Vega expression that writes each label too long for ``width_px`` on several
    lines (Undefined when all fit). Labels are data (area names), so they are written as
    JSON strings, never as expression code."""
    cases = []
    for label in dict.fromkeys(str(x) for x in labels):
        lines = _wrap(label, width_px, size)
        if len(lines) > 1:
            cases.append(f"(datum.label) === {json.dumps(label)} ? {json.dumps(lines)} : ")
    # In brackets: Vega-Lite puts the label's own expression (a conditional) in its place.
    return "".join(cases) + "(datum.label)" if cases else alt.Undefined


def _title(text: str, layout: Layout) -> alt.Title:
    lines = _wrap(text, layout.width - 2 * PADDING, TITLE_SIZE)
    return alt.Title(lines if len(lines) > 1 else text)


def _grade_axis() -> alt.Y:
    return alt.Y(
        "grade:N",
        sort=list(GRADES),
        title=None,
        axis=alt.Axis(
            labelExpr=_lines_expr(GRADES, GRADE_AXIS_WIDTH - 10, TEXT_SIZE),
            labelLimit=GRADE_AXIS_WIDTH,
            minExtent=GRADE_AXIS_WIDTH,
            maxExtent=GRADE_AXIS_WIDTH,
            labelLineHeight=TEXT_SIZE + 2,
        ),
    )


def _count_axis(largest: int, plot_width: float) -> alt.X:
    """A whole-number count axis with room after the longest bar for its label."""
    largest = max(1, largest)
    # A tick on every whole number while they have room (never "0 1 1"); else whole steps.
    every = largest + 1 <= plot_width // 28
    return alt.X(
        "cases:Q",
        title="Number of cases",
        axis=alt.Axis(values=list(range(0, largest + 1)), format="d")
        if every
        else alt.Axis(tickMinStep=1, format="d", tickCount=max(2, int(plot_width // 60))),
        scale=alt.Scale(
            domain=[0, largest * plot_width / max(1.0, plot_width - LABEL_ROOM)], nice=False
        ),
    )


def _grade_colours(palette: Sequence[str]) -> alt.Color:
    return alt.Color(
        "grade:N", scale=alt.Scale(domain=list(GRADES), range=list(palette)), legend=None
    )


def _base_config(chart: alt.TopLevelMixin, font: str) -> alt.TopLevelMixin:
    return (
        chart.configure(font=font, background="white", padding=PADDING)
        .configure_axis(
            labelFont=font,
            titleFont=font,
            labelColor=TEXT_COLOUR,
            titleColor=TEXT_COLOUR,
            labelFontSize=TEXT_SIZE,
            titleFontSize=TEXT_SIZE,
            grid=False,
            domainColor=AXIS_COLOUR,
            tickColor=AXIS_COLOUR,
        )
        .configure_title(
            font=font,
            fontSize=TITLE_SIZE,
            anchor="start",
            color=TEXT_COLOUR,
            lineHeight=TITLE_SIZE + 4,
        )
        .configure_header(
            labelFont=font,
            titleFont=font,
            labelFontSize=HEADER_SIZE,
            labelColor=TEXT_COLOUR,
            title=None,
        )
        .configure_facet(spacing=SPACING)
        .configure_view(stroke=None)
    )


def _count(value) -> int | None:
    return None if pd.isna(value) else int(value)


def _say(value: int | None, symbol: str) -> str:
    return symbol if value is None else str(value)


def _hidden_note(counts: Sequence[int | None], symbol: str) -> str:
    if all(c is not None for c in counts):
        return ""
    return f" {symbol} marks a count not shown, to protect the children's identities."


def grade_distribution_chart(
    distribution: pd.DataFrame,
    *,
    palette: Sequence[str] = SEQUENTIAL_PALETTE,
    font: str = FONT_FAMILY,
    total: int | None = None,
    symbol: str = "[c]",
) -> Chart:
    """Horizontal bars, one per grade (zeros kept), each labelled with its count. A count
    hidden by disclosure control (``<NA>``) has no bar and the symbol for its label."""
    counts = {
        g: _count(c) for g, c in zip(distribution["grade"], distribution["cases"], strict=True)
    }
    if total is None and all(c is not None for c in counts.values()):
        total = sum(counts.values())
    good_or_better = shown_sum(counts, ["Outstanding", "Good"], total)
    if total is None:
        title = "Ratified grades of the cases"
    elif good_or_better is None:
        title = f"Ratified grades of {_plural(total, 'case')}"
    else:
        # A headline that starts with a word: a number never starts a sentence.
        title = f"Cases graded good or better: {good_or_better} of {total}"
    alt_text = (
        "Bar chart of the ratified grades of "
        + (_plural(total, "case") if total is not None else "the cases")
        + ": "
        + ", ".join(f"{g} {_say(counts.get(g, 0), symbol)}" for g in GRADES)
        + "."
        + _hidden_note(list(counts.values()), symbol)
    )
    data = distribution.assign(
        cases=distribution["cases"].astype("Int64").fillna(0).astype(int),
        label=[_say(c, symbol) for c in counts.values()],
    )
    largest = int(data["cases"].max()) if len(data) else 0

    def draw(layout: Layout) -> dict:
        plot_width = layout.width - GRADE_AXIS_WIDTH - 2 * PADDING
        y, x = _grade_axis(), _count_axis(largest, plot_width)
        bars = alt.Chart(data).mark_bar(height=28).encode(y=y, x=x, color=_grade_colours(palette))
        labels = (
            alt.Chart(data)
            .mark_text(align="left", dx=6, fontSize=TEXT_SIZE + 1, color=TEXT_COLOUR)
            .encode(y=y, x=x, text="label:N")
        )
        chart = (bars + labels).properties(
            width=plot_width, height=len(GRADES) * 44, title=_title(title, layout)
        )
        return _base_config(chart, font).to_dict()

    return Chart("grade-distribution", title, alt_text, draw(WIDE), draw(NARROW))


def grades_by_area_chart(
    by_area: pd.DataFrame,
    *,
    palette: Sequence[str] = SEQUENTIAL_PALETTE,
    font: str = FONT_FAMILY,
    totals: Mapping[str, int | None] | None = None,
    symbol: str = "[c]",
) -> Chart:
    """Small multiples: one panel per area with a labelled bar per grade, up to three side
    by side (wide) or stacked (narrow). A count hidden by disclosure control (``<NA>``) has
    no bar and the symbol for its label."""
    areas = list(dict.fromkeys(by_area["area"]))
    per_area = []
    for area in areas:
        part = by_area[by_area["area"] == area]
        counts = {g: _count(c) for g, c in zip(part["grade"], part["cases"], strict=True)}
        total = (totals or {}).get(str(area))
        if totals is None or str(area) not in totals:
            total = sum(counts.values()) if all(c is not None for c in counts.values()) else None
        per_area.append((area, counts, total))
    best = [(a, shown_sum(c, ["Outstanding", "Good"], t), t) for a, c, t in per_area]
    title = "Cases graded good or better, by area: " + "; ".join(
        f"{a} {g} of {t}" for a, g, t in best
    )
    if len(title) > 90 or any(g is None or t is None for _, g, t in best):
        title = f"Ratified grades by audit area ({len(areas)} areas)"
    alt_text = (
        "Bar charts of ratified grades in each audit area. "
        + " ".join(
            f"{area}, "
            + (_plural(t, "case") if t is not None else f"{symbol} cases")
            + ": "
            + ", ".join(f"{g} {_say(c.get(g, 0), symbol)}" for g in GRADES)
            + "."
            for area, c, t in per_area
        )
        + _hidden_note([v for _, c, _ in per_area for v in c.values()], symbol)
    )
    data = by_area.assign(
        cases=by_area["cases"].astype("Int64").fillna(0).astype(int),
        label=[_say(_count(c), symbol) for c in by_area["cases"]],
    )
    largest = int(data["cases"].max()) if len(data) else 0

    def draw(layout: Layout) -> dict:
        columns = panel_columns(layout, len(areas))
        width = panel_width(layout, columns)
        y, x = _grade_axis(), _count_axis(largest, width)
        return faceted_bars(
            data,
            y=y,
            x=x,
            colour=_grade_colours(palette),
            rows=len(GRADES),
            facet="area:N",
            panels=areas,
            columns=columns,
            width=width,
            title=_title(title, layout),
            font=font,
        )

    return Chart("grades-by-area", title, alt_text, draw(WIDE), draw(NARROW))


def panel_columns(layout: Layout, panels: int) -> int:
    """How many panels of a faceted chart stand side by side in ``layout``."""
    return min(layout.columns, max(1, panels))


def panel_width(layout: Layout, columns: int) -> int:
    """The width of each of ``columns`` panels side by side; the bar labels (grades,
    statuses) sit beside the first panel of each row only."""
    return (layout.width - GRADE_AXIS_WIDTH - 2 * PADDING - (columns - 1) * SPACING) // columns


def faceted_bars(
    data: pd.DataFrame,
    *,
    y: Any,
    x: Any,
    colour: Any,
    rows: int,
    facet: str,
    panels: Sequence[str],
    columns: int,
    width: int,
    title: Any,
    font: str,
) -> dict:
    """Horizontal bars with their count at the end, one panel per value of ``facet`` (in
    the order of ``panels``, each headed in bold, wrapped to the panel's width), ``columns``
    panels a row: the Vega-Lite spec. ``rows`` is the number of bars in a panel."""
    bars = alt.Chart().mark_bar(height=20).encode(y=y, x=x, color=colour)
    labels = (
        alt.Chart()
        .mark_text(align="left", dx=5, fontSize=TEXT_SIZE, color=TEXT_COLOUR)
        .encode(y=y, x=x, text="label:N")
    )
    chart = (
        alt.layer(bars, labels, data=data)
        .properties(width=width, height=rows * 36)
        .facet(
            facet=alt.Facet(
                facet,
                sort=list(panels),
                title=None,
                header=alt.Header(
                    labelFontWeight="bold",
                    labelAnchor="start",
                    labelExpr=_lines_expr(list(panels), width, HEADER_SIZE),
                    labelLineHeight=HEADER_SIZE + 3,
                ),
            ),
            columns=columns,
        )
        .properties(title=title)
    )
    return _base_config(chart, font).to_dict()


def render(
    chart: Chart,
    out_dir: Path,
    *,
    fonts_dir: Path | None = None,
    formats: Sequence[str] = ("svg",),
) -> dict[str, Path]:
    """Write the chart as SVG (and PNG) with vl-convert, and its narrow drawing as
    ``<name>-narrow.svg``; returns the paths written, by format (``narrow_svg``)."""
    import vl_convert as vlc

    if fonts_dir is not None:
        vlc.register_font_directory(str(fonts_dir))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    if "svg" in formats:
        drawings = {"svg": (chart.spec, chart.name)}
        if chart.narrow_spec is not None:
            drawings["narrow_svg"] = (chart.narrow_spec, f"{chart.name}-narrow")
        for fmt, (spec, stem) in drawings.items():
            path = out_dir / f"{stem}.svg"
            path.write_text(_accessible_svg(vlc.vegalite_to_svg(spec), chart), encoding="utf-8")
            written[fmt] = path
    if "png" in formats:
        path = out_dir / f"{chart.name}.png"
        path.write_bytes(vlc.vegalite_to_png(chart.spec, scale=2))
        written["png"] = path
    return written


def _accessible_svg(svg: str, chart: Chart) -> str:
    """Give the SVG a role, a title and a description so it reads well on its own."""
    from html import escape

    head = re.match(r"<svg\b[^>]*>", svg)
    if not head:
        return svg
    tag = head.group(0)
    tag = re.sub(r'\s(role|aria-label|aria-roledescription)="[^"]*"', "", tag)
    tag = tag[:-1] + f' role="img" aria-label="{escape(chart.alt, quote=True)}">'
    inner = f"<title>{escape(chart.title)}</title><desc>{escape(chart.alt)}</desc>"
    return tag + inner + svg[head.end() :]


def build_charts(
    tables: Mapping[str, pd.DataFrame],
    palette: Sequence[str],
    disclosure: Mapping | None = None,
) -> list[Chart]:
    """The report's charts, from its published tables and the disclosure summary (the
    published totals and the symbol of a hidden count)."""
    totals = (disclosure or {}).get("totals", {})
    symbol = (disclosure or {}).get("policy", {}).get("symbol", "[c]")
    return [
        grade_distribution_chart(
            tables["grade_distribution"],
            palette=palette,
            total=totals.get("grade_distribution", {}).get(""),
            symbol=symbol,
        ),
        grades_by_area_chart(
            tables["grades_by_area"],
            palette=palette,
            totals=totals.get("grades_by_area"),
            symbol=symbol,
        ),
    ]
