"""The publication gate's patterns: what it must catch, and ordinary report text it must not."""

from __future__ import annotations

import pytest

from auditrap.gate import nhs_number_is_valid, scan_text


@pytest.mark.parametrize(
    "text, kind",
    [
        ("NHS number 943 476 5919.", "an NHS number"),
        ("ref 9434765919", "an NHS number"),
        ("DOB: 12/03/2015", "a date of birth"),
        ("born 3 March 2015", "a date of birth"),
        ("living at LA1 4XY with mother", "a UK postcode"),
        ("ring 07700 900123", "a phone number"),
        ("ring +44 1632 960123", "a phone number"),
        ("write to someone@example.org", "an e-mail address"),
    ],
)
def test_identifiers_are_found(text, kind):
    assert kind in {f.kind for f in scan_text(text, "x.html")}


@pytest.mark.parametrize(
    "text",
    [
        "0 of the 15 cases were graded as outstanding.",
        "Published 1 March 2019 by the board for the period 2018.",
        "NHS-ish 943 476 5918 fails its check digit",
        "grades.requires-improvement.count 6",
        "00c8ce5c1d6912d42fa6f909ab03df5a89675bb1bb26915b6148d4b127c53b14",
        "data/grade_distribution.csv returns.csv,2;3;4",
    ],
)
def test_ordinary_report_text_passes(text):
    assert scan_text(text, "x.html") == []


def test_nhs_check_digit():
    assert nhs_number_is_valid("9434765919")
    assert not nhs_number_is_valid("9434765918")
    assert not nhs_number_is_valid("123")
