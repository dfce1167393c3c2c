"""Charts: numbers in the alt text, direct labels, an ordered palette that every reader can
tell apart, the shipped font, and a narrow drawing for phones."""

from __future__ import annotations

import itertools
import re

import pandas as pd
import pytest
import yaml
from coloraide import Color

from auditrap import charts
from auditrap.aggregate import grade_distribution, grades_by_area
from auditrap.grades import GRADES, grade_dtype
from auditrap.palette import SEQUENTIAL_PALETTE, palette_problems

from conftest import ROOT, SAMPLE_AUDIT
from test_workflow import make_workspace, snakemake

#: The Analysis Function's categorical palette, the charts' colours before: unordered, so
#: "Requires improvement" (dark pink) looked heavier than "Inadequate" (orange).
CATEGORICAL = ("#12436D", "#28A197", "#801650", "#F46A25")


@pytest.fixture
def cases():
    return pd.DataFrame(
        {
            "case_id": ["A", "B", "C", "D"],
            "area": pd.Categorical(
                ["North", "North", "East", "East"], categories=["North", "East"]
            ),
            "ratified_grade": pd.Categorical(
                ["Good", "Inadequate", "Good", "Good"], dtype=grade_dtype()
            ),
        }
    )


# --------------------------------------------------------------------------------------
# The palette, measured with coloraide directly (not through palette.py)


def test_the_palette_in_config_and_its_schema_is_the_default():
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    schema = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())
    assert tuple(config["palette"]) == SEQUENTIAL_PALETTE
    assert tuple(schema["properties"]["palette"]["default"]) == SEQUENTIAL_PALETTE
    assert charts.grade_distribution_chart.__kwdefaults__["palette"] == SEQUENTIAL_PALETTE


def test_palette_gets_darker_from_outstanding_to_inadequate_with_3_to_1_on_white():
    lightness = [Color(c).convert("lab-d65")["lightness"] for c in SEQUENTIAL_PALETTE]
    steps = [a - b for a, b in itertools.pairwise(lightness)]
    assert all(step >= 12 for step in steps), f"L* steps {steps}: each grade darker"
    for colour in SEQUENTIAL_PALETTE:
        assert Color(colour).contrast("white", method="wcag21") >= 3, colour
    # The bars' labels and axes are text: 4.5:1.
    assert Color(charts.TEXT_COLOUR).contrast("white", method="wcag21") >= 4.5
    assert Color(charts.AXIS_COLOUR).contrast("white", method="wcag21") >= 4.5


def _seen(colour: str, vision: str) -> Color:
    kind, _, method = vision.partition("/")
    if kind == "normal":
        return Color(colour)
    if kind == "grey":
        return Color(colour).convert("lch-d65").set("chroma", 0)
    return Color(colour).filter(kind, method=method)


VISIONS = ["normal", "grey"] + [
    f"{kind}/{method}"
    for kind in ("protan", "deutan", "tritan")
    for method in ("brettel", "vienot", "machado")
]


@pytest.mark.parametrize("vision", VISIONS)
def test_every_two_grades_differ_however_they_are_seen(vision):
    """Printed in grey, and for readers with protanopia, deuteranopia or tritanopia
    (simulated three ways each), every two grades still differ by a CIEDE2000 of 11 or
    more (10 tells bars apart at a glance); the old categorical palette did not."""
    seen = {g: _seen(c, vision) for g, c in zip(GRADES, SEQUENTIAL_PALETTE, strict=True)}
    for (a, ca), (b, cb) in itertools.combinations(seen.items(), 2):
        assert ca.delta_e(cb, method="2000") >= 11, f"{a} and {b} look alike ({vision})"


def test_the_old_categorical_palette_fails_in_greyscale():
    grey = [_seen(c, "grey") for c in CATEGORICAL]
    # Outstanding (dark blue) and Requires improvement (dark pink) print as the same grey.
    assert grey[0].delta_e(grey[2], method="2000") < 2


def test_palette_checks_accept_the_default():
    assert palette_problems(SEQUENTIAL_PALETTE) == []
    assert palette_problems([c.lower() for c in SEQUENTIAL_PALETTE]) == []


@pytest.mark.parametrize(
    ("palette", "expected"),
    [
        (CATEGORICAL, r"#28A197 \(Good\) is not darker than #12436D \(Outstanding\)"),
        (
            CATEGORICAL,
            r"#12436D \(Outstanding\) and #801650 \(Requires improvement\) look too alike in greyscale",
        ),
        (tuple(reversed(SEQUENTIAL_PALETTE)), r"is not darker than"),
        # The Analysis Function's own light blue: 2.4:1 on white.
        (
            ("#6BACE6", "#2073BC", "#12436D", "#081B36"),
            r"#6BACE6 \(Outstanding\) is too light: 2\.4:1",
        ),
        # Ordered and distinct in grey, but red and green alike for a protanope.
        (
            ("#D26300", "#B40025", "#00411E", "#00120F"),
            r"#B40025 \(Good\) and #00411E \(Requires improvement\) look too alike with protanopia",
        ),
        (
            ("#4C99D5", "#2073BC", "#12436D", "#0F3A60"),
            r"#12436D \(Requires improvement\) and #0F3A60 \(Inadequate\) look too alike \(",
        ),
        (("#4C99D5", "#2073BC", "#12436D"), r"must be 4 colours written as #RRGGBB"),
        (("#4C99D5", "#2073BC", "#12436D", "navy"), r"must be 4 colours"),
    ],
)
def test_palette_checks_refuse_what_readers_cannot_tell_apart(palette, expected):
    problems = palette_problems(palette)
    assert any(re.search(expected, p) for p in problems), problems


def test_the_workflow_refuses_a_palette_that_breaks_the_rules(tmp_path):
    workspace = make_workspace(tmp_path, {"nai-2018": SAMPLE_AUDIT})
    config = yaml.safe_load((workspace / "config.yaml").read_text())
    config["palette"] = list(CATEGORICAL)
    (workspace / "config.yaml").write_text(yaml.safe_dump(config))
    result = snakemake(workspace, "--dry-run")
    said = result.stdout + result.stderr
    assert result.returncode != 0
    assert "The chart colours in config.yaml (palette) cannot be used" in said
    assert "#28A197 (Good) is not darker than #12436D (Outstanding)" in said
    assert "Traceback" not in said
    assert not (workspace / "data" / "processed").exists()


# --------------------------------------------------------------------------------------
# The charts


def test_distribution_alt_text_states_every_number(cases):
    chart = charts.grade_distribution_chart(grade_distribution(cases))
    assert chart.alt == (
        "Bar chart of the ratified grades of 4 cases: Outstanding 0, Good 3, "
        "Requires improvement 0, Inadequate 1."
    )
    assert chart.title == "Cases graded good or better: 3 of 4"


def test_area_alt_text_states_every_area(cases):
    chart = charts.grades_by_area_chart(grades_by_area(cases))
    assert (
        "North, 2 cases: Outstanding 0, Good 1, Requires improvement 0, Inadequate 1." in chart.alt
    )
    assert "East, 2 cases: Outstanding 0, Good 2" in chart.alt


def test_svg_has_direct_labels_the_font_and_an_accessible_name(cases, tmp_path):
    chart = charts.grade_distribution_chart(grade_distribution(cases))
    written = charts.render(
        chart, tmp_path, fonts_dir=ROOT / "report" / "fonts", formats=("svg", "png")
    )
    assert set(written) == {"svg", "narrow_svg", "png"}
    assert written["narrow_svg"].name == "grade-distribution-narrow.svg"
    for drawing in ("svg", "narrow_svg"):
        svg = written[drawing].read_text()
        assert f'aria-label="{chart.alt}"' in svg
        assert 'font-family="Atkinson Hyperlegible"' in svg
        assert "sans-serif" not in svg
        for count in ("0", "3", "1"):
            assert f">{count}</text>" in svg  # each bar carries its number
    assert written["png"].read_bytes().startswith(b"\x89PNG")


def test_each_grade_has_its_colour_and_the_headline_is_the_only_title(cases, tmp_path):
    chart = charts.grade_distribution_chart(grade_distribution(cases))
    svg = charts.render(chart, tmp_path, fonts_dir=ROOT / "report" / "fonts")["svg"].read_text()
    bars = dict(
        re.findall(r'aria-label="Number of cases: \d+; grade: ([^";]+)"[^>]*fill="([^"]+)"', svg)
    )
    assert bars == dict(zip(GRADES, SEQUENTIAL_PALETTE, strict=True))
    # One title in the image, the headline; what the chart shows is the figure's caption.
    assert "subtitle" not in str(chart.spec) and "subtitle" not in str(chart.narrow_spec)
    assert chart.spec["title"]["text"] == chart.title


def area_table(areas: list[str], counts: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": [a for a in areas for _ in GRADES],
            "grade": list(GRADES) * len(areas),
            "cases": (counts * len(areas))[: len(GRADES) * len(areas)],
        }
    )


SVG_SIZE = re.compile(r'<svg[^>]*\swidth="(\d+(?:\.\d+)?)"')


@pytest.mark.parametrize(
    ("areas", "counts"),
    [
        (["North", "Central", "East"], [0, 2, 2, 1]),
        # Long area names, many areas, a large count: nothing may push the chart wider.
        (
            [
                "North and West Lancashire",
                "East Lancashire and Blackburn with Darwen",
                "Central",
                "South Ribble",
                "Fylde and Wyre",
                "Lancaster",
            ],
            [120, 75, 3, 0],
        ),
    ],
)
def test_each_drawing_fits_its_layout_so_the_browser_never_shrinks_its_text(
    tmp_path, areas, counts
):
    """The wide drawing is at most 600 px (at the 40em breakpoint its column is 580 CSS px:
    13 px text stays above 12); the narrow one at most 288 px (a 320 px screen's column is
    290), with the area panels stacked in one column."""
    table = area_table(areas, counts)
    for chart in (
        charts.grades_by_area_chart(table),
        charts.grade_distribution_chart(
            table.groupby("grade", sort=False, as_index=False)["cases"].sum()
        ),
    ):
        written = charts.render(chart, tmp_path, fonts_dir=ROOT / "report" / "fonts")
        wide = float(SVG_SIZE.search(written["svg"].read_text()).group(1))
        narrow = float(SVG_SIZE.search(written["narrow_svg"].read_text()).group(1))
        assert wide <= charts.WIDE.width, (chart.name, wide)
        assert narrow <= charts.NARROW.width, (chart.name, narrow)
        if chart.name == "grades-by-area":
            assert chart.narrow_spec["columns"] == 1
            assert chart.spec["columns"] == min(3, len(areas))
    sizes = [
        float(s)
        for spec in (chart.spec, chart.narrow_spec)
        for s in re.findall(r"'(?:label)?[fF]ontSize': (\d+)", str(spec))
    ]
    assert sizes and min(sizes) >= charts.TEXT_SIZE >= 13


def test_long_labels_are_written_as_data_never_as_expression_code():
    name = 'Area "A" \\ 1 ? x : y) || alert(1)//with a long name'
    chart = charts.grades_by_area_chart(area_table([name, "B", "C"], [1, 1, 1, 1]))
    expr = chart.spec["facet"]["header"]["labelExpr"]
    literal = re.match(r'\(datum\.label\) === ("(?:[^"\\]|\\.)*") \? ', expr)
    assert literal and yaml.safe_load(literal.group(1)) == name
