"""The publisher warnings, check by check: each finds what a publisher must put right, from
small files the build wrote, and says what to do; none fails on a folder half built."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from auditrap.readiness import (
    CHECKS,
    PLACEHOLDER_CONTACT,
    TO_BE_WRITTEN,
    accessibility_contact_warnings,
    approval_warnings,
    format_warnings,
    name_list_warnings,
    publisher_warnings,
    record_to_be_written,
    theme_review_warnings,
    to_be_written_warnings,
)

from conftest import ROOT

AUDIT = "x-1"
CONTACT = {"accessibility": {"contact": "https://www.example.org/contact-us"}}


APPROVED = {"audit_id": AUDIT, "approved_by": "The board", "approved_on": "2021-06-01"}


def project(
    tmp_path: Path, *, names: bool = True, review: dict | None = None, meta: dict = APPROVED
) -> Path:
    """A project folder with an audit that has nothing to put right, unless told."""
    if names:
        (tmp_path / "data" / "private" / AUDIT).mkdir(parents=True)
        (tmp_path / "data" / "private" / AUDIT / "names.txt").write_text("# fictional\nAl Bo\n")
    processed = tmp_path / "data" / "processed" / AUDIT
    processed.mkdir(parents=True)
    status = {"suggested": 4, "unreviewed": 0, "final_without_review": False, "file": ""}
    (processed / "theme_review.json").write_text(json.dumps({**status, **(review or {})}))
    record_to_be_written(processed / f"report{TO_BE_WRITTEN}", "the report", [])
    (processed / "audit.json").write_text(json.dumps(meta))
    return tmp_path


def test_an_audit_with_everything_in_place_has_no_warning(tmp_path):
    assert publisher_warnings(AUDIT, CONTACT, project(tmp_path)) == []


# --- the name list ------------------------------------------------------------------------


def test_no_name_list_at_all_is_a_warning_that_says_what_is_lost(tmp_path):
    root = project(tmp_path, names=False)
    [warning] = name_list_warnings(AUDIT, {}, root)
    assert f"There is no name list (data/private/{AUDIT}/names.txt)" in warning
    assert "redacted only where a cue" in warning
    assert "Add the list, one name a line" in warning
    # The folder named in config.yaml is the one looked in, and named.
    [warning] = name_list_warnings(AUDIT, {"private_dir": "secret"}, root)
    assert f"(secret/{AUDIT}/names.txt)" in warning


@pytest.mark.parametrize("name", ["Names.txt", "NAMES.TXT", "names.TXT"])
def test_a_name_list_in_the_wrong_case_is_not_used(tmp_path, name):
    root = project(tmp_path, names=False)
    (root / "data" / "private" / AUDIT).mkdir(parents=True)
    (root / "data" / "private" / AUDIT / name).write_text("Al Bo\n")
    [warning] = name_list_warnings(AUDIT, {}, root)
    assert f"data/private/{AUDIT}/{name} is not used: it must be called names.txt" in warning


def test_a_private_folder_without_the_list_is_a_warning(tmp_path):
    root = project(tmp_path, names=False)
    (root / "data" / "private" / AUDIT).mkdir(parents=True)
    (root / "data" / "private" / AUDIT / "notes.txt").write_text("x")
    [warning] = name_list_warnings(AUDIT, {}, root)
    assert f"data/private/{AUDIT}/ has no names.txt" in warning


def test_a_name_list_of_comments_only_is_a_decision_not_a_warning(tmp_path):
    root = project(tmp_path)
    (root / "data" / "private" / AUDIT / "names.txt").write_text("# The returns name nobody.\n")
    assert name_list_warnings(AUDIT, {}, root) == []


# --- the accessibility contact ------------------------------------------------------------


def test_the_placeholder_contact_is_the_config_schemas_default():
    schema = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())
    accessibility = schema["properties"]["accessibility"]
    assert accessibility["default"]["contact"] == PLACEHOLDER_CONTACT
    assert accessibility["properties"]["contact"]["default"] == PLACEHOLDER_CONTACT


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"accessibility": {}},
        {"accessibility": None},
        {"accessibility": {"contact": "   "}},
        {"accessibility": {"contact": PLACEHOLDER_CONTACT}},
        {"accessibility": {"contact": f"  {PLACEHOLDER_CONTACT}\n"}},
    ],
)
def test_no_accessibility_contact_is_a_warning(tmp_path, config):
    [warning] = accessibility_contact_warnings(AUDIT, config, tmp_path)
    assert "config.yaml sets no accessibility contact" in warning
    assert "accessibility: contact: in config.yaml" in warning


def test_a_real_contact_is_no_warning(tmp_path):
    assert accessibility_contact_warnings(AUDIT, CONTACT, tmp_path) == []


# --- sections still to be written ---------------------------------------------------------


def test_sections_to_be_written_are_read_from_what_the_render_recorded(tmp_path):
    root = project(tmp_path)
    processed = root / "data" / "processed" / AUDIT
    record_to_be_written(
        processed / f"report{TO_BE_WRITTEN}",
        "the report",
        ["narrative/introduction.md", "narrative/finding-step-down.md"],
    )
    [warning] = to_be_written_warnings(AUDIT, {}, root)
    assert warning.startswith("The report has 2 sections still to be written")
    assert f"data/raw/{AUDIT}/narrative/introduction.md" in warning
    assert f"data/raw/{AUDIT}/narrative/finding-step-down.md" in warning
    assert "Write them" in warning


def test_every_document_that_records_its_notes_is_checked(tmp_path):
    # A learning brief or a board report rendered by a job of its own records its notes
    # beside the report's: the warning covers them with no change to the check.
    root = project(tmp_path)
    processed = root / "data" / "processed" / AUDIT
    record_to_be_written(
        processed / f"briefing{TO_BE_WRITTEN}", "the learning brief", ["narrative/brief.md"]
    )
    [warning] = to_be_written_warnings(AUDIT, {"raw_dir": "audits"}, root)
    assert warning.startswith("The learning brief has 1 section still to be written")
    assert f"audits/{AUDIT}/narrative/brief.md" in warning and "Write it" in warning


def test_a_record_must_be_named_so_that_it_is_found(tmp_path):
    with pytest.raises(ValueError, match=TO_BE_WRITTEN):
        record_to_be_written(tmp_path / "notes.json", "the report", [])


def test_a_damaged_record_is_a_warning_never_a_traceback(tmp_path):
    root = project(tmp_path)
    processed = root / "data" / "processed" / AUDIT
    (processed / f"report{TO_BE_WRITTEN}").write_text("{not json")
    [warning] = to_be_written_warnings(AUDIT, {}, root)
    assert "cannot be read" in warning and "Delete it and build again" in warning


def test_an_audit_not_rendered_yet_has_no_such_warning(tmp_path):
    assert to_be_written_warnings(AUDIT, {}, tmp_path) == []
    assert theme_review_warnings(AUDIT, {}, tmp_path) == []


# --- the theme review ---------------------------------------------------------------------


def test_unreviewed_theme_suggestions_are_a_warning(tmp_path):
    root = project(tmp_path, review={"unreviewed": 3, "file": "theme_review.csv"})
    [warning] = theme_review_warnings(AUDIT, {}, root)
    assert warning.startswith("3 theme suggestions have not been reviewed")
    assert f"Run auditrap review {AUDIT}" in warning
    assert f"data/raw/{AUDIT}/theme_review.csv" in warning  # the file the analyst keeps
    root = project(tmp_path / "one", review={"unreviewed": 1})
    [warning] = theme_review_warnings(AUDIT, {}, root)
    assert warning.startswith("1 theme suggestion has not been reviewed")
    assert f"data/raw/{AUDIT}/theme_review.xlsx" in warning  # none yet: the one to write


def test_a_review_skipped_on_purpose_is_no_warning(tmp_path):
    # config.yaml allows a final report without the review (the method says so): the
    # board's choice, not something to put right, for all audits or for one.
    root = project(tmp_path, review={"unreviewed": 3, "final_without_review": True})
    skip_all = {"theme_review": {"final_without_review": True}}
    assert theme_review_warnings(AUDIT, skip_all, root) == []
    skip_one = {"audit_settings": {AUDIT: {"theme_review": {"final_without_review": True}}}}
    assert theme_review_warnings(AUDIT, skip_one, root) == []
    # The setting is read from config.yaml, as it is now: taken away, the warning is back.
    assert theme_review_warnings(AUDIT, {}, root)


# --- the approval -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "meta",
    [
        {"audit_id": AUDIT},
        {"audit_id": AUDIT, "approved_by": "The board"},
        {"audit_id": AUDIT, "approved_on": "2021-06-01"},
        {"audit_id": AUDIT, "approved_by": "", "approved_on": "2021-06-01"},
    ],
)
def test_a_report_not_approved_is_a_warning(tmp_path, meta):
    # The report is a draft until audit.yaml says who approved it and when (its document
    # control says "Draft"): a final build must not publish it.
    [warning] = approval_warnings(AUDIT, {}, project(tmp_path, meta=meta))
    assert warning.startswith("The report is not approved: audit.yaml has no approved_by")
    assert "Add who approved it (a role or a body) and when" in warning


def test_an_approved_report_is_no_warning(tmp_path):
    assert approval_warnings(AUDIT, {}, project(tmp_path)) == []


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '"approved"'])
def test_an_unreadable_audit_record_is_a_warning_never_a_traceback(tmp_path, text):
    root = project(tmp_path)
    (root / "data" / "processed" / AUDIT / "audit.json").write_text(text)
    [warning] = approval_warnings(AUDIT, {}, root)
    assert f"data/processed/{AUDIT}/audit.json cannot be read" in warning


def test_an_audit_not_validated_yet_has_no_approval_warning(tmp_path):
    assert approval_warnings(AUDIT, {}, tmp_path) == []


# --- all together -------------------------------------------------------------------------


def test_every_check_is_gathered_in_order_and_printed_per_audit(tmp_path):
    root = project(tmp_path, names=False, review={"unreviewed": 2})
    record_to_be_written(
        root / "data" / "processed" / AUDIT / f"report{TO_BE_WRITTEN}",
        "the report",
        ["narrative/conclusion.md"],
    )
    (root / "data" / "processed" / AUDIT / "audit.json").write_text(json.dumps({"x": 1}))
    warnings = publisher_warnings(AUDIT, {}, root)
    assert [" ".join(w.split()[:2]) for w in warnings] == [
        "There is",
        "config.yaml sets",
        "The report",
        "2 theme",
        "The report",
    ]
    assert "not approved" in warnings[-1]
    assert len(CHECKS) == 5
    printed = format_warnings({AUDIT: warnings, "y-2": []}, final=False)
    assert printed.startswith("Publisher warnings (a final build refuses to publish")
    assert printed.count(f"\n  - {AUDIT}: ") == 5 and "y-2" not in printed
    assert "this is a final build" in format_warnings({AUDIT: warnings}, final=True)
    assert format_warnings({AUDIT: []}, final=True) == ""
