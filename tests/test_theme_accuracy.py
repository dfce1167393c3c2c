"""Does the tagger put every candidate in front of the analyst?

The tagger only suggests: the analyst accepts or rejects each suggestion and adds what it
missed (tests/test_review.py). So what matters most is recall: a sentence that speaks of a
theme must be suggested, or the review never sees it. Precision matters less (a wrong
suggestion costs the analyst one "reject"), but a taxonomy that suggests everything would
make the review useless, so it has a floor.

Every labelled set (``theme_sentences_*.csv``, about 2,600 sentences written by separate
authors) must reach recall 0.90 and precision 0.75 for every theme. The term lists of
``data/themes.yaml`` were written from the ``dev`` sets. ``dev9`` was the hold-out
``holdout3``: the term lists were scored on it once, blind, before anyone read it (recall
0.90, 1.00, 0.88, 0.92, 0.90 and 0.98; precision 0.87 to 1.00: docs/themes.md); its misses
then guided changes, so it became a dev set, as the two hold-outs before it did. ``dev10``
was the hold-out ``holdout4``, written by an author who never saw the term lists and scored
once, blind, on 2026-12-07 (swift response, CP medical recording, health economy, GP
information sharing, record keeping and step down: recall 0.90, 0.96, 0.87, 0.87, 0.60 and
0.85; precision 0.81, 0.98, 0.93, 0.89, 0.78 and 0.95. The tagger missed about 4 in 10 of a
new writer's record-keeping sentences); its misses then guided changes, so it became a dev
set too. A new hold-out, written by someone who has not seen the term
lists, goes in as ``theme_sentences_holdout5.csv``: it is scored here like the others, and
must not be read while the lists are tuned.
"""

from __future__ import annotations

import pandas as pd
import pytest

from auditrap.themes import load_taxonomy, precision_recall, tag_sentences

from conftest import DATA, ROOT

MIN_PRECISION = 0.75
MIN_RECALL = 0.90
LABELLED = sorted(p.name for p in DATA.glob("theme_sentences_*.csv"))


def labelled(name: str):
    frame = pd.read_csv(DATA / name, keep_default_na=False)
    return frame["sentence"].tolist(), [set(filter(None, t.split(";"))) for t in frame["themes"]]


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy(ROOT / "data" / "themes.yaml")


@pytest.fixture(scope="module")
def scores(taxonomy):
    found = {}
    for name in LABELLED:
        sentences, expected = labelled(name)
        found[name] = precision_recall(
            expected, tag_sentences(sentences, taxonomy), taxonomy.ids[:6]
        )
    return found


def report(scores) -> str:
    return "\n".join(
        f"{name:32} {theme:24} precision {s['precision']:.2f}  recall {s['recall']:.2f}  "
        f"(n={s['support']})"
        for name, by_theme in scores.items()
        for theme, s in by_theme.items()
    )


def test_there_are_labelled_sets_to_score():
    assert len(LABELLED) >= 9


@pytest.mark.parametrize("name", LABELLED)
def test_every_theme_reaches_the_recall_and_precision_floors(scores, name):
    failing = {
        theme: s
        for theme, s in scores[name].items()
        if s["precision"] < MIN_PRECISION or s["recall"] < MIN_RECALL
    }
    assert not failing, (
        f"{name}: below {MIN_RECALL} recall / {MIN_PRECISION} precision:\n"
        + report({name: scores[name]})
    )


def test_every_theme_has_enough_labelled_examples(scores):
    for name, by_theme in scores.items():
        assert all(s["support"] >= 15 for s in by_theme.values()), name
