"""The analyst's review of the theme tags: read, checked, applied, kept across edits."""

from __future__ import annotations

import re
import shutil
import unicodedata

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from auditrap.cli import app
from auditrap.problems import WARNING, InputError
from auditrap.review import (
    REVIEW_COLUMNS,
    read_review_table,
    review_status,
    sentence_hash,
    tag_and_review,
)
from auditrap.safe_csv import write_csv
from auditrap.themes import load_taxonomy, theme_counts
from auditrap.validate import load_audit

from conftest import FIXTURE_AUDIT, ROOT, SAMPLE_AUDIT, read_rows, write_rows

TAXONOMY = ROOT / "data" / "themes.yaml"


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy(TAXONOMY)


# --- the sentence hash ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "edited",
    [
        "The GP wasn't told until the strategy meeting.",
        "  the gp WASN'T told until the strategy   meeting  ",
        "The GP wasn’t told until the strategy meeting.",  # a curly apostrophe
        "The GP wasn't told\nuntil the strategy meeting",  # a line break, no full stop
        "The ＧＰ wasn't told until the strategy meeting.",  # full-width letters (NFKC)
        "The GP wasn't told until the strategy-meeting!",
        unicodedata.normalize("NFD", "The GP wasn't told until the strategy meeting."),
    ],
)
def test_the_hash_ignores_spacing_case_punctuation_and_unicode_form(edited):
    assert sentence_hash(edited) == sentence_hash("The GP wasn't told until the strategy meeting.")


@pytest.mark.parametrize(
    "edited",
    [
        "The GP was told until the strategy meeting.",  # a word removed
        "The GP wasn't told until the strategy discussion.",  # a word changed
        "The GP wasn't told until the second strategy meeting.",  # a word added
        "The GP wasn't told until the meeting strategy.",  # words reordered
    ],
)
def test_the_hash_changes_with_the_words(edited):
    assert sentence_hash(edited) != sentence_hash("The GP wasn't told until the strategy meeting.")


def test_the_hash_changes_with_a_number():
    assert sentence_hash("A delay of 3 days.") != sentence_hash("A delay of 4 days.")


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8), min_size=1),
    gaps=st.lists(st.sampled_from([" ", "  ", "\t", "\n", " - ", ", ", "\u00a0"]), min_size=1),
)
def test_any_spacing_keeps_the_hash_and_any_extra_word_changes_it(words, gaps):
    plain = " ".join(words)
    spaced = "".join(w + gaps[n % len(gaps)] for n, w in enumerate(words))
    assert sentence_hash(spaced.upper()) == sentence_hash(plain)
    assert sentence_hash(plain + " extra") != sentence_hash(plain)


# --- an audit with a review file -----------------------------------------------------------


def review_rows(**cells) -> list[str]:
    row = dict.fromkeys(REVIEW_COLUMNS, "")
    row.update(cells)
    return [row[c] for c in REVIEW_COLUMNS]


def write_review(folder, rows, name="theme_review.csv"):
    write_rows(folder / name, [list(REVIEW_COLUMNS), *rows])
    return folder / name


def tagged(folder, taxonomy):
    audit, problems = load_audit(folder, folder.name)
    assert audit is not None, problems
    return tag_and_review(
        audit.returns,
        taxonomy,
        audit_dir=folder,
        case_ids=audit.cases["case_id"].tolist(),
        agencies=list(audit.meta.agencies),
    )


WRONG = dict(  # the tagger takes "trusts" (a verb here) for an NHS trust
    case_id="CE-1",
    agency="Children's Social Care",
    field="strengths",
    sentence_hash=sentence_hash(
        "Consistent worker who the young person trusts; return home interviews completed "
        "after every missing episode."
    ),
    theme_id="health-economy",
    decision="reject",
)
MISSED = dict(  # a record-keeping concern the tagger does not see
    case_id="CE-5",
    agency="Youth Justice Service",
    field="improvements",
    sentence_hash=sentence_hash("Weekly contact not always recorded."),
    added_theme="record-keeping",
)


@pytest.fixture
def reviewed(audit_copy):
    folder = audit_copy(FIXTURE_AUDIT)
    write_review(folder, [review_rows(**WRONG), review_rows(**MISSED)])
    return folder


def counts(result, taxonomy):
    return theme_counts(result.tags, taxonomy).set_index("theme_id")


def test_a_rejected_suggestion_stops_counting_and_an_added_tag_counts(
    audit_copy, reviewed, taxonomy
):
    before = counts(tagged(audit_copy(FIXTURE_AUDIT, name="unreviewed"), taxonomy), taxonomy)
    result = tagged(reviewed, taxonomy)
    after = counts(result, taxonomy)
    assert result.review.problems == []
    assert before.loc["health-economy", "returns"] == 1
    assert after.loc["health-economy"].drop("theme").tolist() == [0] * 7
    change = after.loc["record-keeping"].drop("theme") - before.loc["record-keeping"].drop("theme")
    # One more return (a new agency's) raises record keeping as a concern; its case was
    # already counted.
    assert change.to_dict() == {
        "returns": 1,
        "cases": 0,
        "agencies": 1,
        "concern_returns": 1,
        "concern_cases": 0,
        "good_practice_returns": 0,
        "good_practice_cases": 0,
    }
    unchanged = [t for t in before.index if t not in ("health-economy", "record-keeping")]
    assert after.loc[unchanged].equals(before.loc[unchanged])
    status = review_status(result.sentence_tags, final_without_review=False, review_file="x")
    assert (status["rejected"], status["added"], status["accepted"]) == (1, 1, 0)
    assert status["unreviewed"] == status["suggested"] - 1 and not status["complete"]


def test_an_edit_to_an_unrelated_sentence_keeps_every_review(reviewed, taxonomy):
    first = tagged(reviewed, taxonomy)
    returns = reviewed / "returns.csv"
    rows = read_rows(returns)
    edited = 0
    for row in rows[1:]:
        if row[0] == "CE-1" and row[1] == "Police":
            row[5] = row[5].replace("well coordinated", "very well coordinated")
            edited += 1
        if row[0] == "CE-1" and row[1] == "Children's Social Care":  # wording-neutral edits
            row[5] = row[5].replace("return home", "return-home").replace(" who ", "  WHO ")
            edited += 1
    assert edited == 2
    write_rows(returns, rows)
    second = tagged(reviewed, taxonomy)
    assert second.review.problems == []
    keep = ["case_id", "agency", "field", "sentence_hash", "theme_id", "decision", "counted"]
    assert second.sentence_tags[keep].equals(first.sentence_tags[keep])
    assert counts(second, taxonomy).equals(counts(first, taxonomy))


def test_a_changed_sentence_loses_its_review_and_is_unreviewed_again(reviewed, taxonomy):
    returns = reviewed / "returns.csv"
    rows = read_rows(returns)
    for row in rows[1:]:
        if row[0] == "CE-1" and row[1] == "Children's Social Care":
            row[5] = row[5].replace("every missing episode", "each missing episode")
    write_rows(returns, rows)
    result = tagged(reviewed, taxonomy)
    (warning,) = result.review.problems
    assert warning.severity == WARNING and result.review.ok
    assert (warning.file, warning.row, warning.column) == ("theme_review.csv", 2, "sentence_hash")
    assert "changed or removed" in warning.message and "auditrap review" in warning.message
    health = result.sentence_tags[result.sentence_tags["theme_id"] == "health-economy"]
    assert health["decision"].tolist() == ["unreviewed"] and health["counted"].all()
    # The other review still applies.
    assert "added" in set(result.sentence_tags["decision"])


@pytest.mark.parametrize(
    "cells, column, phrase",
    [
        (dict(WRONG, theme_id="helth-economy"), "theme_id", "did you mean `health-economy`?"),
        (
            dict(MISSED, added_theme="record keeping"),
            "added_theme",
            "did you mean `record-keeping`?",
        ),
        (dict(WRONG, case_id="CE-9"), "case_id", "not a case of this audit"),
        (dict(WRONG, agency="Polic"), "agency", "did you mean `Police`?"),
        (dict(WRONG, decision="rejected"), "decision", "did you mean `reject`?"),
        (dict(WRONG, decision="maybe"), "decision", "Write accept"),
        (dict(WRONG, field="strength"), "field", "did you mean `strengths`?"),
        (dict(WRONG, sentence_hash="not-a-hash"), "sentence_hash", "not a sentence hash"),
        (dict(WRONG, theme_id=""), "theme_id", "A decision needs the theme"),
    ],
)
def test_a_bad_review_row_is_located_and_explained(audit_copy, taxonomy, cells, column, phrase):
    folder = audit_copy(FIXTURE_AUDIT)
    write_review(folder, [review_rows(**MISSED), review_rows(**cells)])
    result = tagged(folder, taxonomy)
    assert not result.review.ok
    (problem,) = result.review.problems
    assert (problem.file, problem.row, problem.column) == ("theme_review.csv", 3, column)
    assert phrase in problem.message


def test_two_rows_that_disagree_are_an_error(audit_copy, taxonomy):
    folder = audit_copy(FIXTURE_AUDIT)
    write_review(folder, [review_rows(**WRONG), review_rows(**dict(WRONG, decision="accept"))])
    (problem,) = tagged(folder, taxonomy).review.problems
    assert problem.row == 2 and "Rows 2, 3" in problem.message


def test_a_workbook_and_a_csv_side_by_side_is_an_error(reviewed, taxonomy):
    shutil.copyfile(reviewed / "theme_review.csv", reviewed / "theme_review.xlsx")
    (problem,) = tagged(reviewed, taxonomy).review.problems
    assert "both theme_review.xlsx and theme_review.csv" in problem.message


def test_a_missing_column_is_named(audit_copy, taxonomy):
    folder = audit_copy(FIXTURE_AUDIT)
    write_rows(
        folder / "theme_review.csv", [["case_id", "agency", "field"], ["CE-1", "Police", "x"]]
    )
    problems = tagged(folder, taxonomy).review.problems
    assert {p.column for p in problems} == {"sentence_hash", "theme_id", "decision"}
    assert all("missing" in p.message for p in problems)


def test_the_tag_step_stops_on_a_bad_review_and_says_where(reviewed, tmp_path):
    from auditrap.pipeline import tag_stage, validate_stage

    write_review(reviewed, [review_rows(**dict(WRONG, theme_id="helth-economy"))])
    processed = tmp_path / "processed"
    validate_stage(
        audit_dir=reviewed, audit_id=reviewed.name, out_dir=processed, report_dir=tmp_path / "v"
    )
    with pytest.raises(InputError) as caught:
        tag_stage(
            returns_path=processed / "returns.parquet",
            taxonomy_paths=[TAXONOMY],
            tags_out=processed / "theme_tags.csv",
            counts_out=processed / "theme_counts.csv",
            audit_dir=reviewed,
            cases_path=processed / "cases.parquet",
            meta_path=processed / "audit.json",
        )
    assert "theme_review.csv, row 2, column theme_id [helth-economy]" in str(caught.value)
    assert not (processed / "theme_counts.csv").exists()


# --- the sample audit, and the review workbook ---------------------------------------------


def test_the_sample_audit_is_fully_reviewed(taxonomy):
    result = tagged(SAMPLE_AUDIT, taxonomy)
    assert result.review.problems == []
    status = review_status(result.sentence_tags, final_without_review=False, review_file="x")
    assert status["unreviewed"] == 0 and status["complete"]
    assert status["rejected"] > 0 and status["added"] > 0
    # The tagger's mistake the issue names: a GP and health visitor liaison meeting (a
    # strength of information sharing with GPs) is not counted under the health economy.
    health = counts(result, taxonomy).loc["health-economy"]
    assert health["good_practice_returns"] == 0 and health["concern_returns"] > 0


def run_review(audit_dir, *args):
    config = audit_dir.parent.parent / "config.yaml"
    config.write_text(f"raw_dir: {audit_dir.parent}\ntaxonomy: {TAXONOMY}\n", encoding="utf-8")
    return CliRunner().invoke(app, ["review", audit_dir.name, "--config", str(config), *args])


def test_the_review_workbook_has_a_row_and_a_dropdown_for_every_suggestion(reviewed, tmp_path):
    out = tmp_path / "review.xlsx"
    result = run_review(reviewed, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "12 of 13 suggestions need a decision" in result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Instructions", "Review", "Lists"]
    assert book["Lists"].sheet_state == "hidden" and book["Lists"].protection.sheet
    sheet = book["Review"]
    header = [c.value for c in sheet[1]]
    assert header == list(REVIEW_COLUMNS) and sheet.freeze_panes == "A2"
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(2)]
    suggested = [r for r in rows if r["theme_id"]]
    assert all(r["sentence"] for r in rows)
    # Decisions already made are carried over: the rejection, and the added tag as accepted.
    decided = {(r["case_id"], r["theme_id"]): r["decision"] for r in suggested if r["decision"]}
    assert decided == {("CE-1", "health-economy"): "reject", ("CE-5", "record-keeping"): "accept"}
    checks: dict[str, set[str]] = {}
    for check in sheet.data_validations.dataValidation:
        checks.setdefault(check.formula1, set()).add(str(check.sqref))
        assert check.prompt  # an input message on every column
    last = len(rows) + 1
    assert checks["=list_decision"] == {f"G2:G{last}"}
    assert checks["=list_theme_id"] == {f"E2:E{last}", f"H2:H{last}"}
    assert [c.value for c in book["Lists"]["B"][1:3]] == ["accept", "reject"]


def test_a_filled_in_workbook_is_read_back_as_the_csv_is(reviewed, tmp_path, taxonomy):
    from_csv = tagged(reviewed, taxonomy).sentence_tags
    result = run_review(reviewed, "-o", str(reviewed / "theme_review.xlsx"))
    assert result.exit_code == 0, result.output
    assert "the build refuses that" in result.output
    (reviewed / "theme_review.csv").unlink()
    from_workbook = tagged(reviewed, taxonomy)
    assert from_workbook.review.problems == [] and from_workbook.review.file == "theme_review.xlsx"
    assert from_workbook.sentence_tags.equals(from_csv)


def test_a_sentence_that_looks_like_a_formula_stays_text(audit_copy, tmp_path):
    folder = audit_copy(FIXTURE_AUDIT)
    rows = read_rows(folder / "returns.csv")
    rows[1][6] = '=HYPERLINK("x") The GP was not told of the strategy discussion.'
    write_rows(folder / "returns.csv", rows)
    out = tmp_path / "review.xlsx"
    assert run_review(folder, "-o", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out)["Review"]
    cells = [c for c in sheet["D"] if str(c.value).startswith("=HYPERLINK")]
    assert cells and all(c.data_type == "s" for c in cells)
    table = read_review_table(out)
    assert table.ok, table.problems


def test_the_review_command_refuses_a_broken_audit(audit_copy):
    folder = audit_copy(FIXTURE_AUDIT)
    rows = read_rows(folder / "cases.csv")
    rows[1][0] = ""
    write_rows(folder / "cases.csv", rows)
    result = run_review(folder)
    assert result.exit_code == 1 and "cases.csv, row 2" in result.output


def test_rewriting_the_review_keeps_notes_and_drops_nothing_that_applies(reviewed):
    path = reviewed / "theme_review.csv"
    rows = read_rows(path)
    rows[1][REVIEW_COLUMNS.index("note")] = "trusts is a verb here"
    write_rows(path, rows)
    assert run_review(reviewed).exit_code == 0  # rewrites theme_review.csv in place
    again = pd.read_csv(path, keep_default_na=False)
    assert len(again[again["theme_id"] != ""]) == 14  # 13 suggestions and the added tag
    wrong = again[(again["case_id"] == "CE-1") & (again["theme_id"] == "health-economy")]
    assert wrong[["decision", "note"]].values.tolist() == [["reject", "trusts is a verb here"]]
    assert not (reviewed / "theme_review.xlsx").exists()


def test_the_review_csv_is_safe_to_open(tmp_path):
    frame = pd.DataFrame([review_rows(sentence="=cmd|' /C calc'!A0")], columns=list(REVIEW_COLUMNS))
    write_csv(frame, tmp_path / "r.csv")
    assert "'=cmd" in (tmp_path / "r.csv").read_text()


@pytest.mark.e2e
def test_the_published_counts_follow_the_review(tmp_path, taxonomy):
    """A review that rejects one suggestion and adds a missed tag, with an unrelated sentence
    edited afterwards: the published theme counts are the reviewed ones."""
    from test_workflow import html_text, make_workspace, snakemake

    workspace = make_workspace(tmp_path / "ws", {"exploitation-2021": FIXTURE_AUDIT})
    folder = workspace / "data" / "raw" / "exploitation-2021"
    unreviewed = counts(tagged(folder, taxonomy), taxonomy)
    write_review(folder, [review_rows(**WRONG), review_rows(**MISSED)])
    rows = read_rows(folder / "returns.csv")
    police = next(r for r in rows if r[:2] == ["CE-1", "Police"])
    police[5] = police[5].replace("well coordinated", "very well coordinated")
    write_rows(folder / "returns.csv", rows)
    result = snakemake(workspace)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "no longer applies" not in result.stderr
    out = workspace / "report" / "_output" / "exploitation-2021"
    published = pd.read_csv(out / "data" / "theme_counts.csv").set_index("theme_id")
    expected = unreviewed.copy()
    expected.loc["health-economy", expected.columns[1:]] = 0
    for column in ("returns", "agencies", "concern_returns"):
        expected.loc["record-keeping", column] += 1
    assert published.equals(expected)
    text = html_text(out / "exploitation-2021.html")
    assert "Draft: 12 theme suggestions not yet reviewed." in text
    assert "rejected 1" in text and "added 1 theme the software had missed" in text
    # No return speaks of the health economy any more, so it is no longer a finding (it stays
    # in the table of themes, with zeros).
    assert unreviewed.loc["health-economy", "cases"] == 1
    assert re.search(r"\d\. Understanding of how the local health economy", text) is None
    assert re.search(r"\d\. Record keeping", text)


def test_the_switch_for_a_final_build_without_review(tmp_path):
    from snakemake.exceptions import WorkflowError
    from snakemake.utils import validate

    from auditrap.tables import final_without_review

    schema = str(ROOT / "workflow" / "schemas" / "config.schema.yaml")
    config = {"audits": ["a", "b"]}
    validate(config, schema, set_default=True)
    assert config["theme_review"] == {"final_without_review": False}
    assert not final_without_review(config, "a")
    config = {
        "audits": ["a", "b"],
        "theme_review": {"final_without_review": True},
        "audit_settings": {"b": {"theme_review": {"final_without_review": False}}},
    }
    validate(config, schema, set_default=True)
    assert final_without_review(config, "a") and not final_without_review(config, "b")
    with pytest.raises(WorkflowError):
        validate({"audits": ["a"], "theme_review": {"final": True}}, schema)
    with pytest.raises(WorkflowError):
        validate({"audits": ["a"], "theme_review": {"final_without_review": "yes"}}, schema)
    shipped = __import__("yaml").safe_load((ROOT / "config.yaml").read_text())
    assert shipped["theme_review"] == {"final_without_review": False}


def test_the_tag_step_records_the_review_and_the_switch(reviewed, tmp_path):
    import json

    from auditrap.pipeline import tag_stage, validate_stage

    processed = tmp_path / "processed"
    validate_stage(
        audit_dir=reviewed, audit_id=reviewed.name, out_dir=processed, report_dir=tmp_path / "v"
    )
    for final in (False, True):
        tag_stage(
            returns_path=processed / "returns.parquet",
            taxonomy_paths=[TAXONOMY],
            tags_out=processed / "theme_tags.csv",
            counts_out=processed / "theme_counts.csv",
            audit_dir=reviewed,
            cases_path=processed / "cases.parquet",
            meta_path=processed / "audit.json",
            sentence_tags_out=processed / "theme_sentences.parquet",
            review_out=processed / "theme_review.json",
            final_without_review=final,
        )
        status = json.loads((processed / "theme_review.json").read_text())
        assert status["final_without_review"] is final
        assert (status["rejected"], status["added"], status["unreviewed"]) == (1, 1, 12)
    sentences = pd.read_parquet(processed / "theme_sentences.parquet")
    assert set(sentences["decision"]) == {"rejected", "added", "unreviewed"}
    tags = pd.read_csv(processed / "theme_tags.csv")
    assert {"concern", "good_practice", "reviewed"} <= set(tags.columns)


def test_an_extra_column_is_an_error_unless_config_ignores_it(reviewed, taxonomy):
    rows = read_rows(reviewed / "theme_review.csv")
    write_rows(
        reviewed / "theme_review.csv", [[*rows[0], "reviewer"]] + [[*r, "AB"] for r in rows[1:]]
    )
    (problem,) = tagged(reviewed, taxonomy).review.problems
    assert (problem.column, problem.row) == ("reviewer", 1)
    audit, _ = load_audit(reviewed, reviewed.name)
    result = tag_and_review(
        audit.returns,
        taxonomy,
        audit_dir=reviewed,
        case_ids=audit.cases["case_id"].tolist(),
        agencies=list(audit.meta.agencies),
        ignored_columns=["reviewer"],
    )
    assert result.review.problems == [] and "added" in set(result.sentence_tags["decision"])
