"""Accessible Altair charts of the grades, rendered to SVG and PNG with vl-convert."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import pandas as pd

from auditrap.disclosure import shown_sum
from auditrap.grades import GRADES

#: The UK Analysis Function categorical palette, in its recommended order: adjacent colours
#: keep at least 3:1 contrast with each other. Overridable in config.yaml (``palette``).
ANALYSIS_FUNCTION_PALETTE = ("#12436D", "#28A197", "#801650", "#F46A25")
FONT_FAMILY = "Atkinson Hyperlegible"
TEXT_COLOUR = "#0B0C0C"


@dataclass(frozen=True)
class Chart:
    """A chart and its words: the headline title and the alt text that states the numbers."""

    name: str
    title: str
    alt: str
    spec: dict


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _count_axis(largest: int) -> alt.X:
    """A whole-number count axis with room after the longest bar for its label."""
    return alt.X(
        "cases:Q",
        title="Number of cases",
        # Small counts: a tick on every whole number (never "0 1 1"); larger: whole steps.
        axis=alt.Axis(values=list(range(0, largest + 1)), format="d")
        if largest <= 12
        else alt.Axis(tickMinStep=1, format="d"),
        scale=alt.Scale(domain=[0, max(1, largest) * 1.12], nice=False),
    )


def _base_config(chart: alt.TopLevelMixin, font: str) -> alt.TopLevelMixin:
    return (
        chart.configure(font=font, background="white")
        .configure_axis(
            labelFont=font,
            titleFont=font,
            labelColor=TEXT_COLOUR,
            titleColor=TEXT_COLOUR,
            labelFontSize=13,
            titleFontSize=13,
            grid=False,
            domainColor="#505A5F",
            tickColor="#505A5F",
        )
        .configure_title(
            font=font,
            fontSize=16,
            anchor="start",
            color=TEXT_COLOUR,
            subtitleColor=TEXT_COLOUR,
            subtitleFont=font,
            subtitleFontSize=13,
        )
        .configure_header(
            labelFont=font, titleFont=font, labelFontSize=14, labelColor=TEXT_COLOUR, title=None
        )
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
    palette: Sequence[str] = ANALYSIS_FUNCTION_PALETTE,
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
        title = f"{good_or_better} of {total} cases were graded good or better"
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
    scale = alt.Scale(domain=list(GRADES), range=list(palette))
    y = alt.Y("grade:N", sort=list(GRADES), title=None, axis=alt.Axis(labelLimit=220))
    x = _count_axis(int(data["cases"].max()) if len(data) else 0)
    bars = (
        alt.Chart(data)
        .mark_bar(height=28)
        .encode(
            y=y,
            x=x,
            color=alt.Color("grade:N", scale=scale, legend=None),
        )
    )
    labels = (
        alt.Chart(data)
        .mark_text(align="left", dx=6, fontSize=14, color=TEXT_COLOUR)
        .encode(
            y=y,
            x=x,
            text="label:N",
        )
    )
    chart = (bars + labels).properties(
        width=440,
        height=4 * 44,
        title=alt.Title(title, subtitle="Ratified grade of each case"),
    )
    return Chart("grade-distribution", title, alt_text, _base_config(chart, font).to_dict())


def grades_by_area_chart(
    by_area: pd.DataFrame,
    *,
    palette: Sequence[str] = ANALYSIS_FUNCTION_PALETTE,
    font: str = FONT_FAMILY,
    columns: int = 3,
    totals: Mapping[str, int | None] | None = None,
    symbol: str = "[c]",
) -> Chart:
    """Small multiples: one panel per area with a labelled bar per grade. A count hidden by
    disclosure control (``<NA>``) has no bar and the symbol for its label."""
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
    scale = alt.Scale(domain=list(GRADES), range=list(palette))
    y = alt.Y("grade:N", sort=list(GRADES), title=None, axis=alt.Axis(labelLimit=200))
    x = _count_axis(int(data["cases"].max()) if len(data) else 0)
    bars = (
        alt.Chart()
        .mark_bar(height=20)
        .encode(
            y=y,
            x=x,
            color=alt.Color("grade:N", scale=scale, legend=None),
        )
    )
    labels = (
        alt.Chart()
        .mark_text(align="left", dx=5, fontSize=13, color=TEXT_COLOUR)
        .encode(
            y=y,
            x=x,
            text="label:N",
        )
    )
    chart = (
        alt.layer(bars, labels, data=data)
        .properties(width=170, height=4 * 30)
        .facet(
            facet=alt.Facet(
                "area:N",
                sort=areas,
                title=None,
                header=alt.Header(labelFontWeight="bold", labelAnchor="start"),
            ),
            columns=min(columns, max(1, len(areas))),
        )
        .properties(title=alt.Title(title, subtitle="Ratified grade of each case, by audit area"))
    )
    return Chart("grades-by-area", title, alt_text, _base_config(chart, font).to_dict())


def render(
    chart: Chart,
    out_dir: Path,
    *,
    fonts_dir: Path | None = None,
    formats: Sequence[str] = ("svg",),
) -> dict[str, Path]:
    """Write the chart as SVG (and PNG) with vl-convert; returns the paths written."""
    import vl_convert as vlc

    if fonts_dir is not None:
        vlc.register_font_directory(str(fonts_dir))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    if "svg" in formats:
        svg = vlc.vegalite_to_svg(chart.spec)
        path = out_dir / f"{chart.name}.svg"
        path.write_text(_accessible_svg(svg, chart), encoding="utf-8")
        written["svg"] = path
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
