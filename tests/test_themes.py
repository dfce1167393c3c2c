"""Theme tagging: the taxonomy file, its terms, the sentence tags, the counts."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from auditrap.themes import (
    TaxonomyError,
    TermError,
    load_taxonomy,
    matching_text,
    split_sentences,
    suggest_tags,
    tag_returns,
    tag_sentences,
    term_pattern,
    theme_counts,
    theme_tags,
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


def write(tmp_path, text, name="themes.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_default_taxonomy_holds_the_six_contract_themes(taxonomy):
    assert taxonomy.ids[:6] == CONTRACT_THEMES
    assert all(t.title and t.description for t in taxonomy.themes)


def test_the_taxonomy_file_holds_words_not_regular_expressions(taxonomy):
    """What the analyst edits is plain words and phrases: no pattern syntax in any term."""
    terms = [term for theme in taxonomy.themes for lst in theme.terms.values() for term in lst]
    assert len(terms) > 300
    assert [t for t in terms if re.search(r"[|\\()?{}^$\[\]+]", t)] == []
    assert max(len(t) for t in terms) < 60


def test_sentences_are_split_on_full_stops_and_lines():
    text = pd.Series(["First point. Second point!\nThird point", None])
    assert list(split_sentences(text)) == ["First point.", "Second point!", "Third point"]


@pytest.mark.parametrize(
    "term, finds, misses",
    [
        ("GP", ["The GP was told.", "the gp's view", "GP-led"], ["The GPS failed.", "legal"]),
        ("inform*", ["was informed", "information", "INFORM"], ["uninformed"]),
        ("step down", ["step down", "step-down", "Step  Down", "step\ndown"], ["stepdown"]),
        ("step-down", ["step-down", "step down", "stepdown"], ["steps down"]),
        ("# days", ["3 days", "three days", "several days"], ["days", "the days"]),
        ("not ... told", ["not told", "not been formally told", "not, after all, told"], []),
        ("not ... told", [], ["not a, b, c, d, e, told"]),
        ("child's", ["the child's record", "the child’s record"], ["the childs record"]),
        ("A&E", ["seen in A&E today", "a&e"], ["AE"]),
        ("0-19", ["the 0-19 team", "the 0 19 team"], ["10-19"]),
    ],
)
def test_a_term_finds_what_it_says(term, finds, misses):
    pattern = re.compile(term_pattern(term), re.IGNORECASE)
    for text in finds:
        assert pattern.search(matching_text(text)), (term, text)
    for text in misses:
        assert not pattern.search(matching_text(text)), (term, text)


@pytest.mark.parametrize(
    "term, phrase",
    [
        ("", "empty"),
        ("... told", "between two words"),
        ("not ...", "between two words"),
        ("in*form", "can only end a word"),
        ("(gp|practice)", "plain words"),
        ("gp|practice", "plain words"),
        ("\\bgp", "plain words"),
        ("not ... ... told", "two `...`"),
        ("???", "plain words"),
    ],
)
def test_a_bad_term_is_explained(term, phrase):
    with pytest.raises(TermError, match=re.escape(phrase)):
        term_pattern(term)


TINY = """
themes:
  - id: gp-sharing
    title: GP sharing
    terms:
      gp: [GP, the surgery]
      sharing: [told, inform*]
      learning: [shared learning]
      good practice: [good practice]
    match:
      - [gp, sharing]
      - [good practice, not gp]
    exclude:
      - [learning]
"""


def test_a_sentence_needs_a_term_of_every_list_of_one_rule(tmp_path):
    taxonomy = load_taxonomy(write(tmp_path, TINY))
    found = tag_sentences(
        [
            "The GP was not told.",  # gp and sharing
            "The surgery was informed promptly.",
            "The GP attended.",  # gp only
            "Mother was told.",  # sharing only
            "Good practice was seen.",  # second rule: good practice, and no gp
            "Good practice: the GP was seen.",  # second rule fails (a gp term), first too
            "The GP was told of the shared learning.",  # excluded
        ],
        taxonomy,
    )
    assert found == [{"gp-sharing"}, {"gp-sharing"}, set(), set(), {"gp-sharing"}, set(), set()]


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("themes: nope", "list under the key"),
        ("themes:\n  - title: no id\n", "needs an `id:`"),
        ("themes:\n  - id: x\n    colour: red\n", "unknown key"),
        ("themes:\n  - id: Bad_Id\n", "lower-case letters"),
        ("themes:\n  - id: x\n    terms: [a, b]\n", "must name each list"),
        ("themes:\n  - id: x\n    terms: {a: []}\n", "give a list of words"),
        ("themes:\n  - id: x\n    terms: {not a: [b]}\n", "cannot start with `not`"),
        ("themes:\n  - id: x\n    terms: {a: ['(b']}\n", "plain words"),
        (
            "themes:\n  - id: x\n    terms: {sharing: [told]}\n    match: [[sharng]]\n",
            "did you mean `sharing`",
        ),
        ("themes:\n  - id: x\n    terms: {a: [b]}\n    match: [[not a]]\n", "at least one list"),
        ("themes:\n  - id: x\n    terms: {a: [b]}\n    match: [[{a: b}]]\n", "list of the theme's"),
        ("themes:\n  - id: x\n    terms: {a: [b]}\n    match: a\n", "expected a list of rules"),
        ("themes: [\n", "not valid YAML"),
    ],
)
def test_bad_taxonomy_is_explained(tmp_path, text, phrase):
    with pytest.raises(TaxonomyError, match=re.escape(phrase)):
        load_taxonomy(write(tmp_path, text))


def test_the_error_names_the_file_and_the_theme(tmp_path):
    path = write(tmp_path, "themes:\n  - id: x\n    terms: {a: [b]}\n    match: [[c]]\n")
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(path)
    assert str(path) in str(caught.value) and "theme x, match, rule 1" in str(caught.value)


def test_an_audit_can_extend_the_shared_taxonomy(tmp_path):
    extension = write(
        tmp_path,
        "themes:\n"
        "  - id: interpreters\n    title: Use of interpreters\n"
        "    terms: {interpreter: [interpreter*]}\n    match: [[interpreter]]\n"
        "  - id: step-down\n"
        "    terms: {stepping down: [moved to universal services]}\n",
    )
    taxonomy = load_taxonomy(ROOT / "data" / "themes.yaml", extension)
    assert taxonomy.ids[-1] == "interpreters"
    assert taxonomy.ids[:6] == CONTRACT_THEMES
    found = tag_sentences(
        ["Case moved to universal services.", "An interpreter was booked."], taxonomy
    )
    assert found == [{"step-down"}, {"interpreters"}]
    assert taxonomy.by_id("step-down").title  # the shared title is kept
    # The shared list grew; it did not replace the shared terms.
    assert "step down" in taxonomy.by_id("step-down").terms["stepping down"]
    assert tag_sentences(["The case was stepped down."], taxonomy) == [{"step-down"}]


def test_an_extension_may_add_rules_on_the_shared_lists(tmp_path):
    extension = write(
        tmp_path,
        "themes:\n  - id: step-down\n    terms: {universal: [universal services]}\n"
        "    match: [[universal, ending]]\n",
    )
    taxonomy = load_taxonomy(ROOT / "data" / "themes.yaml", extension)
    found = tag_sentences(["Universal services took over after closure."], taxonomy)
    assert "step-down" in found[0]


def returns(*rows):
    return pd.DataFrame(
        [
            dict(zip(["case_id", "agency", "strengths", "improvements"], r, strict=True))
            for r in rows
        ]
    ).assign(source_file="returns.csv", source_row=lambda f: f.index + 2)


SAMPLE = returns(
    (
        "C1",
        "GP",
        "Nothing to note.",
        "The GP was not told about the strategy discussion. The surgery was not invited.",
    ),
    ("C2", "School", "Concerns were logged on CPOMS promptly.", None),
    (
        "C3",
        "GP",
        "The practice safeguarding lead meets the health visitors monthly and the GP was told.",
        "The practice was not informed of the S47 enquiry.",
    ),
)


def test_each_sentence_is_suggested_for_each_theme_it_speaks_of(taxonomy):
    suggestions = suggest_tags(SAMPLE, taxonomy)
    gp = suggestions[suggestions["theme_id"] == "gp-information-sharing"]
    assert list(zip(gp["case_id"], gp["field"], gp["position"], strict=True)) == [
        ("C1", "improvements", 1),
        ("C1", "improvements", 2),
        ("C3", "strengths", 1),
        ("C3", "improvements", 1),
    ]
    assert gp["sentence"].iloc[1] == "The surgery was not invited."
    assert set(gp["source_row"]) == {2, 4}


def test_one_row_per_return_and_theme_says_how_the_return_spoke_of_it(taxonomy):
    tags = tag_returns(SAMPLE, taxonomy)
    gp = tags[tags["theme_id"] == "gp-information-sharing"].set_index("case_id")
    assert list(gp.index) == ["C1", "C3"]
    assert gp.loc["C1", "field"] == "improvements"
    assert gp.loc["C1", "sentence"] == "The GP was not told about the strategy discussion."
    assert bool(gp.loc["C1", "concern"]) and not bool(gp.loc["C1", "good_practice"])
    # Strengths first: the evidence shown is the good practice; the concern is flagged too.
    assert gp.loc["C3", "field"] == "strengths"
    assert bool(gp.loc["C3", "concern"]) and bool(gp.loc["C3", "good_practice"])
    assert not gp["reviewed"].any()
    assert "record-keeping" in set(tags.loc[tags["case_id"] == "C2", "theme_id"])


def test_counts_keep_every_theme_and_say_what_they_are(taxonomy):
    counts = theme_counts(tag_returns(SAMPLE, taxonomy), taxonomy).set_index("theme_id")
    assert list(counts.index) == taxonomy.ids
    assert list(counts.columns) == [
        "theme",
        "returns",
        "cases",
        "agencies",
        "concern_returns",
        "concern_cases",
        "good_practice_returns",
        "good_practice_cases",
    ]
    assert counts.loc["gp-information-sharing"].tolist()[1:] == [2, 2, 1, 2, 2, 1, 1]
    assert counts.loc["step-down", "returns"] == 0


def test_a_rejected_tag_does_not_count(taxonomy):
    from auditrap.themes import suggest_tags as suggest

    sentence_tags = suggest(SAMPLE, taxonomy).assign(counted=True, decision="accepted")
    gp = sentence_tags["theme_id"] == "gp-information-sharing"
    strengths = sentence_tags["field"] == "strengths"
    sentence_tags.loc[gp & strengths, ["counted", "decision"]] = [False, "rejected"]
    tags = theme_tags(sentence_tags, taxonomy)
    row = tags[(tags["theme_id"] == "gp-information-sharing") & (tags["case_id"] == "C3")]
    assert row["field"].item() == "improvements"  # the rejected strength is not the evidence
    assert not row["good_practice"].item() and row["concern"].item() and row["reviewed"].item()


def test_no_free_text_gives_no_tags(taxonomy):
    tags = tag_returns(returns(("C1", "GP", None, None)), taxonomy)
    assert tags.empty
    assert {"case_id", "agency", "theme_id", "field", "sentence"} <= set(tags.columns)
    assert (theme_counts(tags, taxonomy).drop(columns=["theme_id", "theme"]) == 0).all().all()


def reference_match(sentence: str, theme) -> bool:
    """The taxonomy's meaning, spelled out with Python's re: what the fast matcher must equal."""
    text = matching_text(sentence)

    def holds(rule) -> bool:
        return all(
            (re.search(c.pattern, text, re.IGNORECASE) is not None) != c.negated for c in rule
        )

    return any(holds(r) for r in theme.rules) and not any(holds(r) for r in theme.exclude)


TRICKY_SENTENCES = [
    "The GP wasn’t told until the following Monday.",  # a curly apostrophe
    "Café staff told the practice the same day.",  # a letter outside ASCII
    "The\u00a0GP was informed the same day.",  # a no-break space: Python's \s, not RE2's
    "The ſtrategy discussion was held the same day.",  # long s folds to s in Python's re
    "The GP\vwas told.",
    "Records: [:alpha:] and {,3} and ] and |.",
    "Step‑down was delayed.",  # a non-breaking hyphen
    "",
]


def test_fast_matching_equals_pythons_re_on_every_labelled_sentence(taxonomy):
    sentences = []
    for path in sorted((ROOT / "tests" / "data").glob("theme_sentences_*.csv")):
        sentences += pd.read_csv(path)["sentence"].astype(str).tolist()
    sentences += TRICKY_SENTENCES
    found = tag_sentences(sentences, taxonomy)
    expected = [{t.id for t in taxonomy.themes if reference_match(s, t)} for s in sentences]
    assert found == expected


def test_tricky_sentences_take_the_careful_path(taxonomy, tmp_path):
    tiny = load_taxonomy(write(tmp_path, TINY))
    found = tag_sentences(TRICKY_SENTENCES, tiny)
    assert found[0] == {"gp-sharing"}  # wasn’t: the apostrophe does not hide the words
    assert found[2] == {"gp-sharing"}  # a no-break space between words still separates them
    assert found == [{t.id for t in tiny.themes if reference_match(s, t)} for s in TRICKY_SENTENCES]
