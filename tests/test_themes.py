"""Theme tagging: the taxonomy file, the evidence, the counts."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from auditrap.themes import (
    TaxonomyError,
    Theme,
    load_taxonomy,
    match_sentences,
    split_sentences,
    tag_returns,
    tag_sentences,
    theme_counts,
)

from conftest import ROOT

CONTRACT_THEMES = [
    "swift-response",
    "cp-medical-recording",
    "health-economy",
    "gp-information-sharing",
    "record-keeping",
    "step-down",
]


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy(ROOT / "data" / "themes.yaml")


def test_default_taxonomy_holds_the_six_contract_themes(taxonomy):
    assert taxonomy.ids[:6] == CONTRACT_THEMES


def test_sentences_are_split_on_full_stops_and_lines():
    text = pd.Series(["First point. Second point!\nThird point", None])
    assert list(split_sentences(text)) == ["First point.", "Second point!", "Third point"]


def returns(*rows):
    return pd.DataFrame(
        [
            dict(zip(["case_id", "agency", "strengths", "improvements"], r, strict=True))
            for r in rows
        ]
    ).assign(source_file="returns.csv", source_row=lambda f: f.index + 2)


def test_one_row_per_return_and_theme_with_the_first_evidence(taxonomy):
    tags = tag_returns(
        returns(
            (
                "C1",
                "GP",
                "Nothing to note.",
                "The GP was not told about the strategy discussion. The surgery was not invited.",
            ),
            ("C2", "School", "Concerns were logged on CPOMS promptly.", None),
        ),
        taxonomy,
    )
    gp = tags[(tags["case_id"] == "C1") & (tags["theme_id"] == "gp-information-sharing")]
    assert len(gp) == 1
    assert gp.iloc[0]["field"] == "improvements"
    assert gp.iloc[0]["sentence"] == "The GP was not told about the strategy discussion."
    assert gp.iloc[0]["source_row"] == 2
    school = tags[tags["case_id"] == "C2"]
    assert "record-keeping" in set(school["theme_id"])


def test_counts_keep_every_theme(taxonomy):
    tags = tag_returns(
        returns(
            ("C1", "GP", "The practice was not informed of the S47 enquiry.", None),
            ("C2", "Police", "The practice was never told of the investigation.", None),
            ("C2", "GP", "The surgery received the medical report weeks late.", None),
        ),
        taxonomy,
    )
    counts = theme_counts(tags, taxonomy).set_index("theme_id")
    assert list(counts.index) == taxonomy.ids
    assert counts.loc["gp-information-sharing", ["returns", "cases", "agencies"]].tolist() == [
        3,
        2,
        2,
    ]
    assert counts.loc["step-down", "returns"] == 0


def test_no_free_text_gives_no_tags(taxonomy):
    tags = tag_returns(returns(("C1", "GP", None, None)), taxonomy)
    assert tags.empty
    assert {"case_id", "agency", "theme_id", "field", "sentence"} <= set(tags.columns)


def test_an_audit_can_extend_the_shared_taxonomy(tmp_path):
    extension = tmp_path / "themes.yaml"
    extension.write_text(
        "themes:\n"
        "  - id: interpreters\n    title: Use of interpreters\n    match: ['interpreter']\n"
        "  - id: step-down\n    match: ['moved to universal services']\n",
        encoding="utf-8",
    )
    taxonomy = load_taxonomy(ROOT / "data" / "themes.yaml", extension)
    assert taxonomy.ids[-1] == "interpreters"
    tags = tag_returns(returns(("C1", "CSC", "Case moved to universal services.", None)), taxonomy)
    assert list(tags["theme_id"]) == ["step-down"]
    assert taxonomy.by_id("step-down").title  # the shared title is kept


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("themes: nope", "list under the key"),
        ("themes:\n  - title: no id\n", "needs an `id:`"),
        ("themes:\n  - id: x\n    match: ['(unclosed']\n", "not a valid regular expression"),
        ("themes:\n  - id: x\n    colour: red\n", "unknown key"),
    ],
)
def test_bad_taxonomy_is_explained(tmp_path, text, phrase):
    path = tmp_path / "themes.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=phrase):
        load_taxonomy(path)


def reference_match(sentence: str, theme) -> bool:
    """The taxonomy's meaning, spelled out with Python's re: what the fast matcher must equal."""

    def found(pattern: str) -> bool:
        return re.search(pattern, sentence, re.IGNORECASE) is not None

    hit = any(all(found(p) for p in rule) for rule in theme.rules)
    return hit and not any(found(p) for p in theme.exclude)


TRICKY_SENTENCES = [
    "The GP wasn’t told until the following Monday.",  # a curly apostrophe
    "Café staff told the practice the same day.",  # a letter outside ASCII
    "The\u00a0GP was informed the same day.",  # a no-break space: Python's \s, not RE2's
    "The ſtrategy discussion was held the same day.",  # long s folds to s in Python's re
    "The GP\vwas told.",
    "Records: [:alpha:] and {,3} and ] and |.",
    "",
]


@pytest.mark.parametrize(
    "patterns",
    [
        ["(?<!good )practice (was|were) told|gp"],
        [r"\bthe\s+gp\b", r"^(?!.*monday).*told"],
        [r"caf\w", r"st{,3}aff"],
        ["[:alpha:]", r"[]x]|\{,3\}"],
        ["(?i)strategy|GP", "(?:a|b)|(c)"],
        [r"\w+ was informed", r"ſtrategy|K"],
        [r"[(?<= ]told(?<!x)|the gp(?! was)", r"(?<=the )gp|[]t]he\b"],
    ],
)
def test_fast_matching_means_what_pythons_re_means(patterns):
    theme = Theme("t", "T", "", tuple((p,) for p in patterns), ())
    sentences = TRICKY_SENTENCES + [s for s in TRICKY_SENTENCES if s]
    found = match_sentences(pd.Series(sentences), theme)
    assert list(found) == [reference_match(s, theme) for s in sentences]


def test_fast_matching_equals_pythons_re_on_every_labelled_sentence(taxonomy):
    sentences = []
    for path in sorted((ROOT / "tests" / "data").glob("theme_sentences_*.csv")):
        sentences += pd.read_csv(path)["sentence"].astype(str).tolist()
    sentences += TRICKY_SENTENCES
    found = tag_sentences(sentences, taxonomy)
    expected = [{t.id for t in taxonomy.themes if reference_match(s, t)} for s in sentences]
    assert found == expected
