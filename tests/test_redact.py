"""Redaction of the returns' free text: the identifier test set, properties, and the gate.

The test set (`tests/data/identifiers/`) is synthetic: NHS numbers from the 999 range kept
for testing, Ofcom's drama phone numbers, example.org addresses, fictional names. Its
development split was used to write the patterns; the holdout split was scored once, at the
end (`docs/redaction.md`).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from auditrap.gate import Finding, mask, scan, scan_text
from auditrap.redact import (
    GATE_KINDS,
    KINDS,
    name_parts,
    nhs_number_is_valid,
    read_name_list,
    redact_series,
    redact_text,
)

DATA = Path(__file__).resolve().parent / "data" / "identifiers"
NAMES = read_name_list(DATA / "names.txt")


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


IDENTIFIERS = _rows("identifiers.csv")
ORDINARY = _rows("ordinary.csv")
FOUND_BY_PATTERN = [r for r in IDENTIFIERS if r["kind"] != "unlisted_name"]
UNLISTED = [r for r in IDENTIFIERS if r["kind"] == "unlisted_name"]

#: The share of unlisted names found, as measured and stated in docs/redaction.md: the
#: floor below which a change to the patterns must not go.
UNLISTED_RECALL_FLOOR = {"dev": 28 / 30, "holdout": 21 / 24}


def _remains(identifier: str, text: str, kind: str) -> bool:
    """Whether any part of `identifier` is still in `text` (names: as a whole word)."""
    if kind not in ("listed_name", "unlisted_name"):
        return identifier in text
    flags = re.IGNORECASE if kind == "listed_name" else 0
    words = [w for w in re.split(r"[\s'’]+", identifier) if len(w) > 1]
    return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, flags) for w in words)


def _row_id(row: dict[str, str]) -> str:
    return f"{row['split']}-{row['kind']}-{row['identifier']}"


# --- the test set -----------------------------------------------------------------------


def test_the_test_set_is_what_the_docs_describe():
    kinds = {r["kind"] for r in IDENTIFIERS}
    assert kinds == set(KINDS)
    assert (
        {r["split"] for r in IDENTIFIERS}
        == {r["split"] for r in ORDINARY}
        == {
            "dev",
            "holdout",
        }
    )
    for row in IDENTIFIERS:
        assert row["identifier"] in row["text"], row
        if row["kind"] == "nhs":
            assert nhs_number_is_valid(re.sub(r"\D", "", row["identifier"])), row


@pytest.mark.parametrize("row", FOUND_BY_PATTERN, ids=_row_id)
def test_every_identifier_is_redacted(row):
    redacted = redact_text(row["text"], NAMES)
    assert not _remains(row["identifier"], redacted, row["kind"]), redacted
    assert KINDS[row["kind"]].token in redacted


@pytest.mark.parametrize("split", ["dev", "holdout"])
def test_unlisted_names_are_found_at_the_measured_recall(split):
    rows = [r for r in UNLISTED if r["split"] == split]
    found = [not _remains(r["identifier"], redact_text(r["text"], NAMES), r["kind"]) for r in rows]
    assert sum(found) / len(rows) >= UNLISTED_RECALL_FLOOR[split]


@pytest.mark.parametrize("row", ORDINARY, ids=lambda r: r["text"][:40])
def test_ordinary_audit_text_is_left_alone(row):
    assert redact_text(row["text"], NAMES) == row["text"]
    assert scan_text(row["text"], "x.html", NAMES) == []


# --- each kind, case by case --------------------------------------------------------------


@pytest.mark.parametrize(
    "text, redacted",
    [
        ("NHS 999 526 0182.", "NHS [NHS number]."),
        ("NHS 9 9 9 5 2 6 0 1 8 2", "NHS [NHS number]"),
        ("NHS 999 526 0183 fails its check digit", "NHS 999 526 0183 fails its check digit"),
        ("ref 19995260182 is longer", "ref 19995260182 is longer"),
        ("DOB 1/2/13 and born on 2 Feb 2013", "DOB [date of birth] and born on [date of birth]"),
        ("12/03/2015 (DOB)", "[date of birth] (DOB)"),
        ("the ICPC on 12/03/2015", "the ICPC on 12/03/2015"),
        ("newborn seen on 12/03/2015", "newborn seen on 12/03/2015"),
        ("the b1 2nd floor; PR1 2ND", "the b1 2nd floor; [postcode]"),
        ("ring 0161 496 0123 or (0161) 496-0123", "ring [phone number] or [phone number]"),
        ("ring +44 0161 496 0123.", "ring [phone number]."),
        ("scores 0 1 2 3 4 5 6 7 8 9 10", "scores 0 1 2 3 4 5 6 7 8 9 10"),
        ("mailto:a.b+c@x.example.org.", "mailto:[e-mail address]."),
        ("Mum (Tracey) and her partner, Lee Jones, and Baby Was Not Brought", None),
    ],
)
def test_patterns(text, redacted):
    expected = redacted or "Mum ([name]) and her partner, [name], and Baby Was Not Brought"
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Sarah Whitfield",
        "SARAH WHITFIELD",
        "sarah  jane\nwhitfield",
        "Whitfield's",
        "Whitfields'",
        "Kayleigh Ann",
        "O’Brien",
        "Brien",
        "Lily-Mae",
        "Mae",
    ],
)
def test_listed_names_in_any_form(text):
    redacted = redact_text(f"Seen with {text} today.", NAMES)
    assert redacted.startswith("Seen with [name]")
    assert redacted.endswith(" today.")


def test_listed_names_are_whole_words():
    text = "The annual plan: lilys, shannonside, dixons and Priyanka"
    assert redact_text(text, NAMES) == text


def test_a_family_by_its_listed_surname():
    assert redact_text("The Dixons' home; the WHITFIELDS", NAMES) == "The [name]' home; the [name]"


def test_name_parts():
    assert name_parts(["Kayleigh-Ann O'Brien", "Dr J Smith"]) == [
        "Kayleigh-Ann",
        "Kayleigh",
        "O'Brien",
        "Brien",
        "Smith",
        "Ann",
    ]


def test_read_name_list(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("\ufeff# the family\nSarah Whitfield\n\n  Darren Whitfield  # father\n")
    assert read_name_list(path) == ["Sarah Whitfield", "Darren Whitfield"]
    assert read_name_list(tmp_path / "missing.txt") == []
    assert read_name_list(None) == []


def test_an_empty_name_list_redacts_the_patterns_only():
    assert redact_text("Sarah, DOB 12/03/2015", []) == "Sarah, DOB [date of birth]"


# --- properties ---------------------------------------------------------------------------

_digits9 = st.lists(st.integers(0, 9), min_size=9, max_size=9)


def _with_check_digit(digits: list[int]) -> str | None:
    check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
    check = 0 if check == 11 else check
    return None if check == 10 else "".join(map(str, digits)) + str(check)


@st.composite
def nhs_numbers(draw) -> str:
    number = _with_check_digit(draw(_digits9))
    while number is None:
        number = _with_check_digit(draw(_digits9))
    separators = draw(st.lists(st.sampled_from(["", " ", "-", "  ", "\u00a0"]), min_size=9))
    return number[0] + "".join(s + d for s, d in zip(separators, number[1:], strict=False))


@given(
    nhs_numbers(),
    st.sampled_from(["NHS {}.", "{} was quoted", "(NHS no. {})", "nhs: {}, seen", "{}"]),
)
def test_a_valid_nhs_number_in_any_spacing_is_redacted(number, template):
    assert nhs_number_is_valid(re.sub(r"\D", "", number))
    # Written a digit at a time, it is an NHS number only after "NHS" (else a list of numbers).
    assume(min(len(g) for g in re.findall(r"\d+", number)) >= 2 or "nhs" in template.lower())
    redacted = redact_text(template.format(number))
    assert "[NHS number]" in redacted
    assert not re.search(r"\d", redacted)


_fragments = st.sampled_from(
    [r["text"] for r in IDENTIFIERS + ORDINARY]
    + ["[name]", "[date of birth]", "DOB", "born on", "Mum (", ")", "'s", "-", "0", "+44"]
)
_texts = st.one_of(
    st.lists(_fragments, max_size=6).map(" ".join),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80),
    st.text(alphabet="0123456789 -+()/.:DOBborn@aAsS", max_size=60),
)


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_redaction_is_idempotent(text):
    once = redact_text(text, NAMES)
    assert redact_text(once, NAMES) == once


# The words of the tokens: a person listed as "Name" would still be in "[name]".
_TOKEN_WORDS = {w.lower() for k in KINDS.values() for w in re.findall(r"[A-Za-z]+", k.token)}
_names = st.lists(
    st.from_regex(r"[A-Z][a-z]{1,8}(?:-[A-Z][a-z]{1,6})?", fullmatch=True).filter(
        lambda n: not {p.lower() for p in n.split("-")} & _TOKEN_WORDS
    ),
    min_size=1,
    max_size=3,
).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_names, min_size=1, max_size=3),
    st.lists(_fragments, max_size=4),
    st.data(),
)
def test_the_output_never_holds_a_listed_name(names, fragments, data):
    def form(name: str) -> str:
        style = data.draw(st.sampled_from([str, str.upper, str.lower, str.title]))
        ending = data.draw(st.sampled_from(["", "'s", "’s", ".", ","]))
        return style(name) + ending

    parts = [form(data.draw(st.sampled_from(names))) for _ in range(3)]
    text = " ".join(fragments[:2] + parts[:2] + fragments[2:] + parts[2:])
    redacted = redact_text(text, names)
    for part in name_parts(names):
        assert not re.search(rf"(?<!\w){re.escape(part)}(?!\w)", redacted, re.IGNORECASE), (
            part,
            redacted,
        )
    assert scan_text(redacted, "x.html", names) == []


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), _texts), max_size=12))
def test_redact_series_agrees_with_redact_text(values):
    series = pd.Series(values, index=[f"r{i}" for i in range(len(values))], dtype=object)
    redacted, counts = redact_series(series, NAMES)
    assert redacted.index.equals(series.index)
    assert [redact_text(v, NAMES) if v is not None else None for v in values] == [
        None if pd.isna(v) else v for v in redacted
    ]
    one_by_one = sum(
        (redact_series(pd.Series([v]), NAMES)[1]["redactions"] for v in values if v is not None),
        start=pd.Series(0, index=counts.index),
    )
    assert counts["redactions"].tolist() == one_by_one.tolist()


def test_redact_series_keeps_missing_values_and_counts_only_kinds():
    series = pd.Series(
        ["Mum (Sarah), DOB 12/03/2015", pd.NA, "No concerns.", "ring 07700 900123"],
        dtype="string",
    )
    redacted, counts = redact_series(series, NAMES)
    assert redacted.dtype == "string"
    assert redacted.isna().tolist() == [False, True, False, False]
    assert redacted[0] == "Mum ([name]), DOB [date of birth]"
    assert redacted[3] == "ring [phone number]"
    assert list(counts.columns) == ["kind", "redactions"]
    assert dict(zip(counts["kind"], counts["redactions"], strict=True)) == {
        "email": 0,
        "nhs": 0,
        "phone": 1,
        "dob": 1,
        "postcode": 0,
        "listed_name": 1,
        "unlisted_name": 0,
    }


def test_redact_series_of_nothing():
    redacted, counts = redact_series(pd.Series([], dtype=object), NAMES)
    assert redacted.empty
    assert counts["redactions"].sum() == 0


# --- the gate ------------------------------------------------------------------------------


@pytest.mark.parametrize("row", [r for r in IDENTIFIERS if r["kind"] in GATE_KINDS], ids=_row_id)
def test_the_gate_finds_every_identifier_of_the_test_set(row):
    findings = scan_text(row["text"], "report.html", NAMES)
    assert KINDS[row["kind"]].description in {f.kind for f in findings}


def test_the_gate_names_a_listed_name_by_its_initials_only():
    findings = scan_text("Line one.\nThe report thanks Sarah Whitfield.", "report.html", NAMES)
    assert findings == [Finding("report.html", "a listed name", "S… W…", 2)]
    assert "Whitfield" not in str(findings[0])


def test_the_gate_passes_redacted_text_and_its_tokens():
    tokens = " ".join(kind.token for kind in KINDS.values())
    assert scan_text(tokens, "x.html", [*NAMES, "Name Number", "Birth Date"]) == []
    for row in IDENTIFIERS:
        assert scan_text(redact_text(row["text"], NAMES), "x.html", NAMES) == [], row


def test_masks():
    assert mask("943 476 5919", "an NHS number") == "…919"
    assert mask("07700 900123", "a phone number") == "…123"
    assert mask("someone@example.org", "an e-mail address") == "…@example.org"
    assert mask("PR7 9QZ", "a UK postcode") == "PR7 …"
    assert mask("12/03/2015", "a date of birth") == "…2015"
    assert mask("Sarah Jane Whitfield", "a listed name") == "S… J… W…"


def _typst_text(text: str) -> str:
    """`text` as typst markup that shows it as it is."""
    return re.sub(r"([\\\[\]@#$*_<>`=~/-])", r"\\\1", text)


def test_the_gate_fails_a_build_into_which_an_identifier_was_slipped_after_redaction(tmp_path):
    import typst

    returns = pd.Series([r["text"] for r in IDENTIFIERS])
    redacted, _ = redact_series(returns, NAMES)
    public = tmp_path / "public"
    public.mkdir()
    html, data, pdf = public / "report.html", public / "themes.csv", public / "report.pdf"
    html.write_text(
        "<html><body>" + "".join(f"<p>{t}</p>" for t in redacted) + "</body></html>",
        encoding="utf-8",
    )
    data.write_text("theme,sentence\n" + "".join(f'x,"{t}"\n' for t in redacted))
    (tmp_path / "report.typ").write_text("\n\n".join(_typst_text(t) for t in redacted[:20]))
    pdf.write_bytes(typst.compile(str(tmp_path / "report.typ")))
    files = [(html, "report.html"), (data, "data/themes.csv"), (pdf, "report.pdf")]
    assert scan(files, NAMES) == []

    # Now slip identifiers in after redaction: one in each kind of file.
    html.write_text(html.read_text().replace("</body>", "<p>NHS 999 526 0182</p></body>"))
    data.write_text(data.read_text() + 'x,"Mum (Zofia) was seen"\n')
    (tmp_path / "report.typ").write_text("Ring 07700 900123 today.")
    pdf.write_bytes(typst.compile(str(tmp_path / "report.typ")))
    findings = scan(files, NAMES)
    assert {(f.file, f.kind) for f in findings} == {
        ("report.html", "an NHS number"),
        ("data/themes.csv", "a listed name"),
        ("report.pdf", "a phone number"),
    }
    assert "Zofia" not in " ".join(map(str, findings))


def test_digits_written_one_by_one_are_not_an_nhs_number():
    """A chart's axis ("0 1 2 ... 9") has a valid check digit, but no one writes an NHS
    number a digit at a time: it once stopped a build at the gate."""
    assert nhs_number_is_valid("0123456789")
    axis = "Number of cases 0 1 2 3 4 5 6 7 8 9 10"
    assert redact_text(axis) == axis
    assert scan_text(axis, "chart.svg") == []
    assert redact_text("NHS 999 01 09 281") == "NHS [NHS number]"
    assert redact_text("NHS 9 9 9 5 2 6 0 1 8 2") == "NHS [NHS number]"


# --- identifiers as copying from Word, a Mac or a PDF leaves them --------------------------
# Each form looks the same to a reader as the plain one; the one normalisation
# (auditrap.normalise) runs before every pattern, and the token replaces the whole stretch of
# the original, invisible characters and all.

ZWSP, SOFT_HYPHEN, NBSP, THIN, NARROW, FIGURE = (
    "\u200b",
    "\u00ad",
    "\u00a0",
    "\u2009",
    "\u202f",
    "\u2007",
)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    "identifier, kind",
    [
        # NHS numbers: dots, slashes, spaced hyphens, odd spaces, invisible characters,
        # full-width and other scripts' digits.
        ("999.526.0182", "nhs"),
        ("999/526/0182", "nhs"),
        ("999 - 526 - 0182", "nhs"),
        (f"999{THIN}526{THIN}0182", "nhs"),
        (f"999{NARROW}526{NARROW}0182", "nhs"),
        (f"999{FIGURE}526{FIGURE}0182", "nhs"),
        (f"999{NBSP}526{NBSP}0182", "nhs"),
        (f"999{ZWSP}526{ZWSP}0182", "nhs"),
        (f"99{SOFT_HYPHEN}9526{SOFT_HYPHEN}0182", "nhs"),
        ("999\u2011526\u20110182", "nhs"),  # non-breaking hyphens
        ("999\u2013526\u20130182", "nhs"),  # en dashes
        ("999·526·0182", "nhs"),  # middle dots
        ("999 526 0182".translate(FULL_WIDTH), "nhs"),
        ("٩٩٩ ٥٢٦ ٠١٨٢", "nhs"),  # Arabic-Indic digits
        ("\u202d999 526 0182\u202c", "nhs"),  # inside a left-to-right override
        # Phone numbers.
        ("07700.900.123", "phone"),
        ("07700/900/123", "phone"),
        ("0161 - 496 - 0123", "phone"),
        (f"07700{NBSP}900{THIN}123", "phone"),
        (f"077{ZWSP}00 900123", "phone"),
        ("07700 900123".translate(FULL_WIDTH), "phone"),
        ("+44\u20097700\u2009900123", "phone"),
        ("＋44 7700 900123", "phone"),
        # Postcodes.
        (f"PR7{NBSP}9QZ", "postcode"),
        (f"PR7{THIN}9QZ", "postcode"),
        (f"PR7{ZWSP}9QZ", "postcode"),
        ("ＰＲ７ ９ＱＺ", "postcode"),
        (f"LA1{SOFT_HYPHEN}4XY", "postcode"),
        # E-mail addresses.
        (f"jo{ZWSP}.bloggs@example.org", "email"),
        ("jo.bloggs＠example.org", "email"),
        # Dates of birth.
        ("DOB 12 / 03 / 2015", "dob"),
        (f"DOB{NBSP}12{THIN}/{THIN}03{THIN}/{THIN}2015", "dob"),
        ("D\u200bO\u200bB 12/03/2015", "dob"),
    ],
)
def test_copied_forms_of_pattern_identifiers_are_redacted(identifier, kind):
    text = f"The record shows {identifier} and nothing else."
    redacted = redact_text(text, NAMES)
    assert KINDS[kind].token in redacted, redacted
    assert redacted.startswith("The record shows ") and redacted.endswith(" and nothing else.")
    assert not re.search(r"\d", redacted), redacted
    if kind == "email":
        assert "example" not in redacted and "bloggs" not in redacted
    findings = scan_text(text, "report.html", NAMES)
    assert KINDS[kind].description in {f.kind for f in findings}


@pytest.mark.parametrize(
    "written",
    [
        "Zoe\u0308 Whitfield",  # decomposed: Zoe and a combining diaeresis
        "Zoë Whitfield",
        "ZOE WHITFIELD",  # listed as "Zoë": the accent is folded
        f"Zoë Whit{SOFT_HYPHEN}field",
        f"Zo{ZWSP}ë Whitfield",
        f"Zoë{NBSP}Whitfield",
        "Ｚｏë Ｗｈｉｔｆｉｅｌｄ",  # full-width letters
        "\u202eZoë Whitfield\u202c",  # inside a right-to-left override
        "Zoë W\u200dhitfield",  # a zero-width joiner
        "Zoë Whitf\u2060ield",  # a word joiner
        "Zoë Whitfield\ufe0f",  # a variation selector
    ],
)
def test_copied_forms_of_listed_names_are_redacted(written):
    names = ["Zoë Whitfield", "Lukasz Nowak"]
    text = f"Seen with {written} at home."
    assert redact_text(text, names) == "Seen with [name] at home."
    assert [f.kind for f in scan_text(text, "report.html", names)] == ["a listed name"]


@pytest.mark.parametrize(
    "file_name, kind",
    [
        ("returns/Zoe_Whitfield_school.xlsx", "listed_name"),
        ("returns/school_WHITFIELD.xlsx", "listed_name"),
        ("returns/ZoeWhitfield.xlsx", "listed_name"),
        ("returns/schoolWhitfield-v2.xlsx", "listed_name"),
        ("returns/NAI_9995260182.xlsx", "nhs"),
        ("returns/9995260182_school.xlsx", "nhs"),
        ("returns/mum_07700900123.xlsx", "phone"),
        ("returns/home_PR79QZ.xlsx", "postcode"),
    ],
)
def test_identifiers_in_file_names_are_found(file_name, kind):
    """A workbook's file name is published (the report's sources, the manifest): words run
    together with underscores or capitals, as file names run them, are still words."""
    names = ["Zoë Whitfield"]
    text = f"data/raw/nai-2018/{file_name}  3f5e0c"
    assert KINDS[kind].description in {f.kind for f in scan_text(text, "manifest.json", names)}
    assert KINDS[kind].token in redact_text(text, names)


def test_words_run_together_are_not_taken_apart_inside_a_word():
    names = ["Zoë Whitfield", "Mae Dixon"]
    text = "grades_by_area.csv, Maelstrom, dixonian, whitfieldsque, MAEDIXON, McDixonry"
    assert scan_text(text, "x.csv", names) == []


def test_a_listed_name_is_found_with_or_without_its_accents():
    assert redact_text("Łukasz and ZOË came", ["Lukasz Nowak", "Zoe Smith"]) == (
        "[name] and [name] came"
    )
    assert redact_text("Lukasz came", ["Łukasz Nowak"]) == "[name] came"


def test_redaction_replaces_only_the_identifier_and_keeps_the_rest_as_written():
    text = f"Mum’s\u00a0note: ring 07700{THIN}900123 – ok ½ done."
    assert redact_text(text) == "Mum’s\u00a0note: ring [phone number] – ok ½ done."


@pytest.mark.parametrize(
    "text",
    [
        "Published 1\u00a0March 2019; the period 2018–2019; 10 – 12 cases.",
        "Of the 15 cases, 5·0 were good; ½ of returns; 33.33 40.00 26.67 per cent.",
        "Version 3.11.7, section 1.2.3; pages 12/13; 2018/19 and 2019/20.",
        "Meeting 14.05.2018 at 10.30; referral 2018-05-14; ICPC 14/05/2018.",
        "Counts 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 on the axis.",
        "sha256 00c8ce5c1d6912d42fa6f909ab03df5a89675bb1bb26915b6148d4b127c53b14",
        "colours #e5e7eb, #d1d5db, #0b0c0c and #1d70b8",
        "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo5NDM0NzY1OTE5MDc3MDA5MDAxMjM=",
        "ＣＰＯＭＳ and ＭＡＳＨ were used; ﬁle notes were kept.",
    ],
)
def test_ordinary_text_with_odd_characters_is_left_alone(text):
    assert redact_text(text, NAMES) == text
    assert scan_text(text, "report.html", NAMES) == []


_INVISIBLE = st.sampled_from([ZWSP, SOFT_HYPHEN, "\u200c", "\u200d", "\u2060", "\ufeff", "\u202c"])
_SPACE = st.sampled_from([" ", NBSP, THIN, NARROW, FIGURE, ".", "/", " - ", "-", "\u2013", ""])


@settings(max_examples=200, deadline=None)
@given(nhs_numbers(), st.data())
def test_an_nhs_number_however_copied_is_redacted(number, data):
    digits = re.sub(r"\D", "", number)
    separators = data.draw(st.lists(_SPACE, min_size=9, max_size=9))
    written = digits[0] + "".join(
        s + (data.draw(_INVISIBLE) if data.draw(st.booleans()) else "") + d
        for s, d in zip(separators, digits[1:], strict=True)
    )
    if data.draw(st.booleans()):
        written = written.translate(FULL_WIDTH)
    redacted = redact_text(f"NHS no. {written} was given", NAMES)
    assert redacted == "NHS no. [NHS number] was given", repr(written)
