"""Document control: audit.yaml says the report's version, who approved it (a role or a body,
never a person) and when, and when it is next reviewed; a report is a draft until approved,
and a final build refuses a report without an approval."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from auditrap.metadata import approval_problem, load_meta

from conftest import FIXTURE_AUDIT


def meta_with(tmp_path: Path, extra: str):
    path = tmp_path / "audit.yaml"
    path.write_text((FIXTURE_AUDIT / "audit.yaml").read_text() + extra, encoding="utf-8")
    return load_meta(path)


def test_the_document_control_keys_are_read(tmp_path):
    meta, problems = meta_with(
        tmp_path,
        'version: "1.10"\napproved_by: The Board\napproved_on: 2021-06-01\n'
        "next_review: 2022-06-01\n",
    )
    assert problems == [] and meta is not None
    assert meta.version == "1.10" and meta.approved_by == "The Board"
    assert str(meta.approved_on) == "2021-06-01" and str(meta.next_review) == "2022-06-01"
    # A whole number is a version too.
    meta, problems = meta_with(tmp_path, "version: 2\n")
    assert problems == [] and meta.version == "2"


@pytest.mark.parametrize(
    "extra, key, words",
    [
        ("version: 1.10\n", "version", 'write it in quotes, e.g. version: "1.0"'),
        ("approved_by: The Board\n", "approved_on", "approved_by is given without approved_on"),
        ("approved_on: 2021-06-01\n", "approved_by", "approved_on is given without approved_by"),
        (
            "approved_by: Dr Jane Smith\napproved_on: 2021-06-01\n",
            "approved_by",
            "looks like a person's name",
        ),
        (
            "approved_by: Mrs. Patel, chair\napproved_on: 2021-06-01\n",
            "approved_by",
            "looks like a person's name",
        ),
        ("approved_by: B\napproved_on: 2021-02-30\n", "approved_on", "is not a real date"),
        (
            "published: 2021-07-01\napproved_by: B\napproved_on: 2021-08-01\n",
            "approved_on",
            "is after published",
        ),
        (
            "approved_by: B\napproved_on: 2021-06-01\nnext_review: 2021-05-01\n",
            "next_review",
            "is not after approved_on",
        ),
        ("aproved_by: The Board\n", "aproved_by", "did you mean `approved_by`"),
    ],
)
def test_each_mistake_names_the_key_and_what_to_do(tmp_path, extra, key, words):
    text = (FIXTURE_AUDIT / "audit.yaml").read_text()
    if extra.startswith("published:") and "published:" in text:
        text = "\n".join(line for line in text.splitlines() if not line.startswith("published:"))
    path = tmp_path / "audit.yaml"
    path.write_text(text + "\n" + extra, encoding="utf-8")
    meta, problems = load_meta(path)
    assert meta is None
    found = [p for p in problems if p.column == key and words in p.message]
    assert found, problems
    assert found[0].row is not None  # located: the line of the key


def test_a_final_report_needs_an_approval():
    assert approval_problem({"approved_by": "The Board", "approved_on": "2021-06-01"}) is None
    problem = approval_problem({"approved_by": "The Board"})
    assert problem and "approved_by and approved_on" in problem and "draft" in problem
    assert approval_problem({}) == problem


def test_an_approval_naming_someone_on_the_name_list_is_refused():
    from auditrap.pipeline import _approval_naming_people

    audit = SimpleNamespace(meta=SimpleNamespace(approved_by="Agreed by Jo Bloggs"))
    found = _approval_naming_people(audit, ["Jo Bloggs"])
    assert len(found) == 1 and found[0].column == "approved_by"
    assert "Jo Bloggs" not in (found[0].value or "")
    assert (
        _approval_naming_people(
            SimpleNamespace(meta=SimpleNamespace(approved_by="The Board")), ["Jo Bloggs"]
        )
        == []
    )


def test_the_variables_say_draft_until_approved_and_reviewed():
    from auditrap.variables import document_control

    approved = {"approved_by": "The Board", "approved_on": "2021-06-01", "version": "1.0"}
    assert document_control(approved, {"draft": False}) == {
        "status": "Final",
        "approved": True,
        "version": "1.0",
        "approved_by": "The Board",
        "approved_on": "1 June 2021",
        "next_review": "",
    }
    assert document_control(approved, {"draft": True})["status"] == "Draft"
    assert document_control({}, {"draft": False})["status"] == "Draft"
