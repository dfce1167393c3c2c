"""Charts: numbers in the alt text, direct labels, the palette's contrast, the shipped font."""

from __future__ import annotations

import pandas as pd
import pytest

from auditrap import charts
from auditrap.aggregate import grade_distribution, grades_by_area
from auditrap.grades import grade_dtype

from conftest import ROOT


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted([relative_luminance(a), relative_luminance(b)], reverse=True)
    return (la + 0.05) / (lb + 0.05)


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


def test_palette_bars_stand_out_from_white_and_from_each_other():
    palette = charts.ANALYSIS_FUNCTION_PALETTE
    assert all(contrast(colour, "#FFFFFF") >= 3 for colour in palette)
    assert all(contrast(a, b) >= 3 for a, b in zip(palette, palette[1:], strict=False))
    assert contrast(charts.TEXT_COLOUR, "#FFFFFF") >= 4.5


def test_distribution_alt_text_states_every_number(cases):
    chart = charts.grade_distribution_chart(grade_distribution(cases))
    assert chart.alt == (
        "Bar chart of the ratified grades of 4 cases: Outstanding 0, Good 3, "
        "Requires improvement 0, Inadequate 1."
    )
    assert chart.title == "3 of 4 cases were graded good or better"


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
    svg = written["svg"].read_text()
    assert f'aria-label="{chart.alt}"' in svg
    assert 'font-family="Atkinson Hyperlegible"' in svg
    assert "sans-serif" not in svg
    for count in ("0", "3", "1"):
        assert f">{count}</text>" in svg  # each bar carries its number
    assert written["png"].read_bytes().startswith(b"\x89PNG")
