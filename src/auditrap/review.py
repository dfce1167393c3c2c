"""The analyst's review of the theme tags: the tagger suggests, the analyst confirms.

The review lives in the audit's folder as ``theme_review.csv`` (or ``theme_review.xlsx``,
the workbook ``auditrap review`` writes), one row per suggestion:

- ``case_id``, ``agency``, ``field``: the return and the field the sentence is in;
- ``sentence_hash``: which sentence (:func:`sentence_hash`), so that a review survives edits
  elsewhere in the returns and lapses when the sentence's words change;
- ``theme_id`` and ``decision``: ``accept`` or ``reject`` the tagger's suggestion of that
  theme (blank: not yet reviewed); accepting a theme the tagger did not suggest adds it;
- ``added_theme``: a theme the tagger missed, added to the same sentence;
- ``sentence``, ``theme`` and ``note``: for the reader only; the build does not read them.

Published counts use the reviewed tags: accepted and added tags count, rejected ones do not.
A suggestion nobody has reviewed counts provisionally, and the report says it is a draft.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from auditrap.problems import WARNING, Problem, did_you_mean
from auditrap.tables import REVIEW_FILES

#: The columns of a review file, in the order ``auditrap review`` writes them.
REVIEW_COLUMNS = (
    "case_id",
    "agency",
    "field",
    "sentence",
    "theme_id",
    "theme",
    "decision",
    "added_theme",
    "note",
    "sentence_hash",
)
REQUIRED_COLUMNS = ("case_id", "agency", "field", "sentence_hash", "theme_id", "decision")
DECISIONS = ("accept", "reject")
FIELDS = ("strengths", "improvements")

#: What each sentence tag's ``decision`` may be.
ACCEPTED, REJECTED, UNREVIEWED, ADDED = "accepted", "rejected", "unreviewed", "added"

_WORD = re.compile(r"\w+")
_HASH = re.compile(r"^[0-9a-f]{12}$")


def sentence_hash(sentence: str) -> str:
    """Twelve hexadecimal digits that name a sentence by its words.

    The text is put in Unicode normal form NFKC (so that a ligature, a full-width letter
    or a no-break space reads as its plain form), case-folded, and cut into words (runs of
    letters and digits); the words, joined by single spaces, are hashed with SHA-256. So a
    change of spacing, line breaks, capitals, punctuation (a full stop, a curly or straight
    apostrophe, a hyphen) or Unicode form keeps the hash, and any change of a word, a
    number included, makes a new one.
    """
    words = _WORD.findall(unicodedata.normalize("NFKC", str(sentence)).casefold())
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()[:12]


def hash_sentences(sentences: pd.Series) -> pd.Series:
    """:func:`sentence_hash` of each sentence, each distinct sentence hashed once."""
    codes, uniques = pd.factorize(sentences.astype(object), use_na_sentinel=False)
    hashes = [sentence_hash(s) for s in uniques]
    return pd.Series([hashes[c] for c in codes], index=sentences.index, dtype="string")


def find_review_file(audit_dir: Path) -> tuple[Path | None, list[Problem]]:
    """The audit's review file, if it has one. Two (a workbook and a CSV) is an error: the
    build could not tell which holds the analyst's decisions."""
    found = [Path(audit_dir) / name for name in REVIEW_FILES if (Path(audit_dir) / name).is_file()]
    if len(found) > 1:
        return None, [
            Problem(
                found[0].name,
                message=f"The audit folder has both {found[0].name} and {found[1].name}. Keep "
                "the one that holds your review decisions and delete or rename the other.",
            )
        ]
    return (found[0] if found else None), []


@dataclass
class Review:
    """The analyst's verdicts, read from the review file and checked.

    ``verdicts`` has one row per (case_id, agency, field, sentence_hash, theme_id) the
    analyst decided on, with ``verdict`` (accept or reject) and the file and row it came
    from; ``problems`` lists what is wrong with the file (errors) or worth knowing
    (warnings, such as a review of a sentence that has since changed).
    """

    verdicts: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    file: str | None = None
    sentences: pd.DataFrame | None = None  # the sentences of the returns it names, hashed
    notes: dict[tuple[str, ...], str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(p.severity != WARNING for p in self.problems)


_KEY = ["case_id", "agency", "field", "sentence_hash"]
_VERDICT_COLUMNS = [*_KEY, "theme_id", "verdict", "source_file", "source_row"]


def empty_review() -> Review:
    return Review(pd.DataFrame({c: pd.Series(dtype="string") for c in _VERDICT_COLUMNS}))


def read_review(
    audit_dir: Path,
    *,
    theme_ids: Sequence[str],
    case_ids: Sequence[str],
    agencies: Sequence[str],
    sentences: pd.DataFrame,
    returns: pd.DataFrame,
    ignored_columns: Sequence[str] = (),
) -> Review:
    """Read and check the audit's review file (none: an empty review).

    ``sentences`` are the returns' sentences (:func:`auditrap.themes.return_sentences`).
    Those of the returns the file names are hashed, with their case, agency and source
    (:attr:`Review.sentences`); a row whose sentence is not among them is a warning (the
    sentence changed, so its review no longer applies).
    """
    from auditrap.themes import with_source

    path, problems = find_review_file(Path(audit_dir))
    review = empty_review()
    review.sentences = with_source(sentences.iloc[:0], returns).assign(
        sentence_hash=pd.Series(dtype="string")
    )
    review.problems = problems
    if path is None:
        return review
    review.file = path.name
    table = read_review_table(path, ignored_columns)
    review.problems += table.problems
    if not table.ok:
        return review
    frame = table.frame.join(table.origin)
    named = set(zip(frame["case_id"].map(_fold), frame["agency"].map(_fold), strict=True))
    keys = zip(returns["case_id"].astype(str), returns["agency"].astype(str), strict=True)
    wanted = returns.index[[key in named for key in keys]]
    picked = with_source(sentences[sentences["return_index"].isin(wanted)], returns)
    review.sentences = picked.assign(sentence_hash=hash_sentences(picked["sentence"]))
    verdicts, found = check_review_rows(
        frame,
        display=path.name,
        theme_ids=theme_ids,
        case_ids=case_ids,
        agencies=agencies,
        sentences=review.sentences,
    )
    review.verdicts = verdicts
    review.problems += found
    if "note" in frame:
        for row in frame.itertuples(index=False):
            note = _fold(row.note)
            theme = _fold(row.theme_id) or _fold(getattr(row, "added_theme", None))
            if note:
                key = (
                    _fold(row.case_id),
                    _fold(row.agency),
                    _fold(row.field).casefold(),
                    _fold(row.sentence_hash).casefold(),
                    theme,
                )
                review.notes[key] = note
    return review


def read_review_table(path: Path, ignored_columns: Sequence[str] = ()) -> Any:
    """The review file as text cells, read by the project's CSV or workbook reader (extra
    columns are an error unless config.yaml lists them under ``ignored_columns``)."""
    from auditrap.readers import read_csv_table
    from auditrap.workbooks import read_returns_workbook

    reader = read_returns_workbook if path.suffix.lower() == ".xlsx" else read_csv_table
    return reader(
        path,
        display=path.name,
        expected=list(REVIEW_COLUMNS),
        required=list(REQUIRED_COLUMNS),
        ignored=list(ignored_columns),
    )


def _fold(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(value).strip()


def check_review_rows(
    frame: pd.DataFrame,
    *,
    display: str,
    theme_ids: Sequence[str],
    case_ids: Sequence[str],
    agencies: Sequence[str],
    sentences: pd.DataFrame,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check each row of a review file; return the verdicts it holds and the problems."""
    problems: list[Problem] = []
    themes = {t.casefold(): t for t in theme_ids}
    cases, agency_names = set(map(str, case_ids)), {a.casefold(): a for a in agencies}
    known = set(
        zip(
            sentences["case_id"].astype(str),
            sentences["agency"].astype(str),
            sentences["field"].astype(str),
            sentences["sentence_hash"].astype(str),
            strict=True,
        )
    )
    records = []
    for row in frame.itertuples(index=False):
        line = int(row.source_row)

        def problem(
            column: str | None, value: Any, message: str, line: int = line, **kw: Any
        ) -> None:
            problems.append(
                Problem(display, row=line, column=column, value=value, message=message, **kw)
            )

        case_id, agency = _fold(row.case_id), _fold(row.agency)
        field_name, digest = _fold(row.field).casefold(), _fold(row.sentence_hash).casefold()
        theme, decision = _fold(row.theme_id), _fold(row.decision).casefold()
        added = _fold(getattr(row, "added_theme", None))
        if not (theme or decision or added):
            continue  # a sentence the analyst left alone
        bad = False
        if case_id not in cases:
            bad = True
            problem(
                "case_id",
                case_id,
                f"`{case_id}` is not a case of this audit{did_you_mean(case_id, sorted(cases))} "
                "Copy the case_id from cases.csv, or from the review workbook.",
            )
        if agency.casefold() in agency_names:
            agency = agency_names[agency.casefold()]
        else:
            bad = True
            problem(
                "agency",
                agency,
                f"`{agency}` is not one of this audit's agencies"
                f"{did_you_mean(agency, list(agency_names.values()))} The agencies are listed "
                "in audit.yaml.",
            )
        if field_name not in FIELDS:
            bad = True
            problem(
                "field",
                _fold(row.field),
                f"`{_fold(row.field)}` is not a free-text field{did_you_mean(field_name, FIELDS)} "
                "Write strengths or improvements.",
            )
        if not _HASH.match(digest):
            bad = True
            problem(
                "sentence_hash",
                _fold(row.sentence_hash),
                "This is not a sentence hash written by `auditrap review` (twelve letters "
                "a to f and digits). Copy it from the review workbook, or run `auditrap "
                "review` again to get a fresh file.",
            )
        verdicts = []
        for column, value, verdict in (
            (("theme_id", theme, decision)),
            ("added_theme", added, "accept"),
        ):
            if not value:
                continue
            if value.casefold() not in themes:
                bad = True
                problem(
                    column,
                    value,
                    f"`{value}` is not a theme of the taxonomy"
                    f"{did_you_mean(value, list(theme_ids))} The theme ids are: "
                    + ", ".join(theme_ids)
                    + ".",
                )
                continue
            verdicts.append((themes[value.casefold()], verdict))
        if decision and decision not in DECISIONS:
            bad = True
            problem(
                "decision",
                _fold(row.decision),
                f"`{_fold(row.decision)}` is not a decision{did_you_mean(decision, DECISIONS)} "
                "Write accept (the sentence does speak of the theme) or reject (it does not), "
                "or leave it blank until you have read the sentence.",
            )
        if decision and not theme:
            bad = True
            problem(
                "theme_id",
                None,
                "A decision needs the theme it is about: fill in theme_id, or clear the "
                "decision. To add a theme the tagger missed, use added_theme.",
            )
        if bad:
            continue
        if (case_id, agency, field_name, digest) not in known:
            problem(
                "sentence_hash",
                digest,
                f"No sentence of the {field_name} of the {agency} return for {case_id} has this "
                "hash any more: the sentence was changed or "
                "removed, so this review no longer applies, and the tagger's suggestions for "
                "the new wording are not yet reviewed. Run `auditrap review` to bring the "
                "file up to date.",
                severity=WARNING,
                agency=agency,
            )
            continue
        for theme_id, verdict in verdicts:
            if verdict:
                records.append(
                    (case_id, agency, field_name, digest, theme_id, verdict, display, line)
                )
    verdicts = pd.DataFrame(records, columns=_VERDICT_COLUMNS)
    # One sentence and theme accepted in one row and rejected in another: the analyst must
    # say which holds.
    keys = [*_KEY, "theme_id"]
    split = verdicts.groupby(keys)["verdict"].transform("nunique") > 1
    for _, clash in verdicts[split].groupby(keys, sort=False):
        rows = ", ".join(str(r) for r in clash["source_row"])
        problems.append(
            Problem(
                display,
                row=int(clash["source_row"].iloc[0]),
                column="decision",
                value=clash["theme_id"].iloc[0],
                message=f"Rows {rows} both decide on this theme for the same sentence, one "
                "accepting and one rejecting it. Keep the row that holds your decision.",
            )
        )
    verdicts = verdicts[~split].drop_duplicates(keys, keep="first").reset_index(drop=True)
    return verdicts, problems


#: The columns of the sentence tags: every suggestion of the tagger and every tag the analyst
#: added, with the decision on it and whether it counts.
SENTENCE_TAG_COLUMNS = [
    "case_id",
    "agency",
    "field",
    "position",
    "sentence",
    "sentence_hash",
    "theme_id",
    "origin",
    "decision",
    "counted",
    "source_file",
    "source_row",
]


def apply_review(
    suggestions: pd.DataFrame, sentences: pd.DataFrame, verdicts: pd.DataFrame
) -> pd.DataFrame:
    """The sentence tags: each suggestion (``origin`` tagger) with the analyst's decision
    (accepted, rejected or unreviewed), and each tag the analyst added (``origin``
    analyst, decision added). ``counted`` is false only for a rejected suggestion.

    ``suggestions`` and ``sentences`` carry ``sentence_hash``; ``verdicts`` come from
    :func:`read_review`.
    """
    keys = [*_KEY, "theme_id"]
    if verdicts.empty:  # nothing reviewed yet: no need to match anything
        out = suggestions.assign(origin="tagger", decision=UNREVIEWED, counted=True)
        return out[SENTENCE_TAG_COLUMNS].reset_index(drop=True)
    tagged = suggestions.merge(verdicts[[*keys, "verdict"]], on=keys, how="left")
    decision = tagged["verdict"].map({"accept": ACCEPTED, "reject": REJECTED})
    tagged = tagged.assign(origin="tagger", decision=decision.fillna(UNREVIEWED))
    # Accepting a theme the tagger did not suggest adds it to the first such sentence.
    suggested = set(map(tuple, suggestions[keys].astype(str).to_numpy()))
    accepted = verdicts[verdicts["verdict"] == "accept"]
    is_new = [tuple(k) not in suggested for k in accepted[keys].astype(str).to_numpy()]
    extra = accepted.loc[np.asarray(is_new, dtype=bool)]
    if len(extra):
        first = sentences.sort_values(["return_index", "position"]).drop_duplicates(_KEY)
        added = first.merge(extra[keys], on=_KEY).assign(origin="analyst", decision=ADDED)
        tagged = pd.concat([tagged, added], ignore_index=True)
        # In the order of the returns, their fields and sentences; added tags last.
        field_order = tagged["field"].map({f: n for n, f in enumerate(FIELDS)})
        tagged = tagged.assign(_field=field_order).sort_values(
            ["return_index", "_field", "position"], kind="stable"
        )
    tagged["counted"] = tagged["decision"] != REJECTED
    return (
        tagged[SENTENCE_TAG_COLUMNS]
        .reset_index(drop=True)
        .astype({"position": "int64", "source_row": "int64", "counted": bool})
    )


def review_status(
    sentence_tags: pd.DataFrame, *, final_without_review: bool, review_file: str | None
) -> dict[str, Any]:
    """How far the review has got, for the report's variables."""
    by_tagger = sentence_tags[sentence_tags["origin"] == "tagger"]
    unreviewed = int((by_tagger["decision"] == UNREVIEWED).sum())
    return {
        "suggested": len(by_tagger),
        "accepted": int((by_tagger["decision"] == ACCEPTED).sum()),
        "rejected": int((by_tagger["decision"] == REJECTED).sum()),
        "added": int((sentence_tags["decision"] == ADDED).sum()),
        "unreviewed": unreviewed,
        "complete": unreviewed == 0,
        "final_without_review": bool(final_without_review) and unreviewed > 0,
        "file": review_file or "",
    }


def review_sheet(
    sentence_tags: pd.DataFrame,
    sentences: pd.DataFrame,
    titles: Mapping[str, str],
    notes: Mapping[tuple[str, ...], str] | None = None,
) -> pd.DataFrame:
    """The rows of the review file to fill in: one per suggestion and per added tag, with
    its decision so far, and one for each sentence without any, where a missed theme can
    be added. In the order of the returns, fields and sentences."""
    tags = sentence_tags.assign(
        decision=sentence_tags["decision"].map(
            {ACCEPTED: "accept", REJECTED: "reject", UNREVIEWED: "", ADDED: "accept"}
        ),
    )
    untagged = sentences.merge(tags[_KEY].drop_duplicates(), on=_KEY, how="left", indicator=True)
    untagged = untagged[untagged["_merge"] == "left_only"].drop(columns="_merge")
    untagged = untagged.drop_duplicates(_KEY).assign(theme_id="", decision="")
    rows = pd.concat([tags, untagged], ignore_index=True)
    rows["_field"] = rows["field"].map({f: n for n, f in enumerate(FIELDS)})
    rows["_tagged"] = rows["theme_id"] == ""
    rows = rows.sort_values(
        ["source_file", "source_row", "_field", "position", "_tagged"], kind="stable"
    )
    sheet = pd.DataFrame(
        {
            "case_id": rows["case_id"].astype(str),
            "agency": rows["agency"].astype(str),
            "field": rows["field"].astype(str),
            "sentence": rows["sentence"].astype(str),
            "theme_id": rows["theme_id"].astype(str),
            "theme": rows["theme_id"].map(lambda t: titles.get(t, "")),
            "decision": rows["decision"].astype(str),
            "added_theme": "",
            "note": [
                (notes or {}).get(key, "")
                for key in zip(
                    rows["case_id"].astype(str),
                    rows["agency"].astype(str),
                    rows["field"].astype(str),
                    rows["sentence_hash"].astype(str),
                    rows["theme_id"].astype(str),
                    strict=True,
                )
            ],
            "sentence_hash": rows["sentence_hash"].astype(str),
        }
    )
    return sheet[list(REVIEW_COLUMNS)].reset_index(drop=True)


@dataclass
class Tagged:
    """The returns tagged and the review applied: every sentence tag (with its decision),
    theme_tags (one row per return and theme) and the review as read."""

    sentence_tags: pd.DataFrame
    tags: pd.DataFrame
    review: Review
    sentences: pd.DataFrame


def tag_and_review(
    returns: pd.DataFrame,
    taxonomy: Any,
    *,
    audit_dir: Path | None,
    case_ids: Sequence[str],
    agencies: Sequence[str],
    hash_every_sentence: bool = False,
    ignored_columns: Sequence[str] = (),
) -> Tagged:
    """Tag the returns, read the audit's review (from ``audit_dir``; None: no review) and
    apply it. Only the sentences the review needs are hashed, unless
    ``hash_every_sentence`` (for the review workbook, which lists them all)."""
    from auditrap.themes import return_sentences, suggest_tags, theme_tags, with_source

    sentences = return_sentences(returns)
    suggestions = suggest_tags(returns, taxonomy, sentences)
    suggestions["sentence_hash"] = hash_sentences(suggestions["sentence"])
    if audit_dir is None:
        review = empty_review()
        review.sentences = with_source(sentences.iloc[:0], returns).assign(
            sentence_hash=pd.Series(dtype="string")
        )
    else:
        review = read_review(
            audit_dir,
            theme_ids=taxonomy.ids,
            case_ids=case_ids,
            agencies=agencies,
            sentences=sentences,
            returns=returns,
            ignored_columns=ignored_columns,
        )
    if hash_every_sentence:
        sentences = with_source(sentences, returns)
        sentences = sentences.assign(sentence_hash=hash_sentences(sentences["sentence"]))
    else:
        sentences = review.sentences
    sentence_tags = apply_review(suggestions, sentences, review.verdicts)
    return Tagged(sentence_tags, theme_tags(sentence_tags, taxonomy), review, sentences)
