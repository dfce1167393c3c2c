"""Publisher warnings end every build and open the internal edition, and a final build refuses
to publish until they are put right: a missing or misnamed name list, the placeholder
accessibility contact, sections still to be written, unreviewed theme tags and a report not
approved must never pass unnoticed. And the publication gate refuses the internal edition in the public bundle."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from auditrap.gate import public_text

from conftest import FIXTURE_AUDIT
from test_workflow import make_workspace, snakemake

pytestmark = pytest.mark.e2e

AUDIT = "exploitation-2021"
OUT = f"report/_output/{AUDIT}"
INTERNAL = f"{OUT}/internal/{AUDIT}-internal"


def build(workspace, *extra):
    return subprocess.run(
        [sys.executable, "-m", "auditrap.cli", "build", "--cores", "2", "--quiet", *extra],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=600,
    )


def published(workspace):
    folder = workspace / "report" / "_output"
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def printed_warnings(stderr: str) -> list[str]:
    return re.findall(rf"^  - {AUDIT}: (.*)$", stderr, flags=re.M)


def before_publishing(path) -> str:
    """The text of the internal edition's "Before publishing" section."""
    text = re.sub(r"\s+", " ", public_text(path))
    # A list that runs over a page: without the running footer and header between.
    text = re.sub(
        r"Page \d+ of \d+ (OFFICIAL-SENSITIVE: not for publication ){2}Northshire Safeguarding "
        r"Children Partnership Multi-agency audit: Child exploitation ",
        "",
        text,
    )
    after = text.split("Before publishing", 2)[-1]
    return re.split(r"Key messages|Introduction and background", after)[0]  # the next section


def edit_config(workspace, change) -> None:
    path = workspace / "config.yaml"
    config = yaml.safe_load(path.read_text())
    change(config)
    path.write_text(yaml.safe_dump(config))


def test_a_final_build_refuses_an_audit_with_publisher_warnings(tmp_path):
    workspace = make_workspace(tmp_path, {AUDIT: FIXTURE_AUDIT})
    private = workspace / "data" / "private" / AUDIT
    private.mkdir(parents=True)
    (private / "Names.txt").write_text("# fictional\nJessica Thornley\n")

    # An ordinary build publishes, and ends by saying what to put right: the fixture has
    # its name list in the wrong case, no accessibility contact, no narrative nor
    # recommendations, no review of its theme tags and no approval.
    first = snakemake(workspace)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Publisher warnings" in first.stderr
    warnings = printed_warnings(first.stderr)
    assert len(warnings) == 5, warnings
    names, contact, unwritten, review, approval = warnings
    assert f"data/private/{AUDIT}/Names.txt is not used: it must be called names.txt" in names
    assert "config.yaml sets no accessibility contact" in contact
    assert unwritten.startswith("The report has ")
    for section in ("introduction", "conclusion", "next-steps"):
        assert f"data/raw/{AUDIT}/narrative/{section}.md" in unwritten
    assert f"data/raw/{AUDIT}/recommendations.csv" in unwritten
    assert re.match(r"\d+ theme suggestions have not been reviewed", review)
    assert approval.startswith("The report is not approved: audit.yaml has no approved_by")
    # The internal edition lists the same warnings, near its top, in the page and the PDF.
    for suffix in (".html", ".pdf"):
        listed = before_publishing(workspace / f"{INTERNAL}{suffix}")
        for warning in warnings:
            assert re.sub(r"\s+", "", warning) in re.sub(r"\s+", "", listed), (suffix, warning)
    before = published(workspace)
    # So does a build that has nothing to do.
    again = build(workspace)
    assert again.returncode == 0, again.stderr[-3000:]
    assert printed_warnings(again.stderr) == warnings

    # A final build stops before anything is published, and says why.
    final = build(workspace, "--final")
    assert final.returncode == 1
    assert f"This is a final build, and '{AUDIT}' has publisher warnings" in final.stderr
    assert "Names.txt is not used" in final.stderr
    assert "Traceback" not in final.stderr
    assert published(workspace) == before

    # Put right as the warnings say: the list renamed, a contact set, every section written
    # (those the build recorded), the review skipped on purpose, which config.yaml allows,
    # and the approval recorded in audit.yaml.
    (private / "Names.txt").rename(private / "names.txt")
    record = workspace / "data" / "processed" / AUDIT / "report.to-be-written.json"
    sections = json.loads(record.read_text())["sections"]
    assert "recommendations.csv" in sections and len(sections) >= 4
    assert all(s.startswith("narrative/") for s in sections if s != "recommendations.csv")
    for section in sections:
        path = workspace / "data" / "raw" / AUDIT / section
        path.parent.mkdir(exist_ok=True)
        if section == "recommendations.csv":
            path.write_text(
                "recommendation_id,recommendation,addressed_to\n"
                "R1,The partnership reviews its exploitation screening tool.,Board\n"
            )
        else:
            path.write_text("The analyst's words on this part of the audit.\n")
    audit_yaml = workspace / "data" / "raw" / AUDIT / "audit.yaml"
    audit_yaml.write_text(
        audit_yaml.read_text()
        + 'published: 2022-03-01\napproved_by: "The partnership"\napproved_on: 2022-02-14\n'
    )

    def put_right(config):
        config["accessibility"] = {"contact": "https://www.example.org/contact-us"}
        config["audit_settings"] = {AUDIT: {"theme_review": {"final_without_review": True}}}

    edit_config(workspace, put_right)
    final = build(workspace, "--final")
    assert final.returncode == 0, final.stderr[-3000:]
    assert "Publisher warnings" not in final.stderr
    assert f"as report/_output/{AUDIT}." in final.stderr  # published again, redacted with it
    listed = before_publishing(workspace / f"{INTERNAL}.html")
    assert "Nothing to put right" in listed
    assert "The theme review was skipped on purpose" in listed
    public = re.sub(r"\s+", " ", public_text(workspace / OUT / f"{AUDIT}.html"))
    assert "To be written" not in public and "https://www.example.org/contact-us" in public

    # The gate: the internal edition copied over the public one is never published, and the
    # message says what happened and what to do.
    before = published(workspace)
    rendered = workspace / "data" / "processed" / AUDIT / "rendered"
    shutil.copyfile(rendered / "internal" / f"{AUDIT}-internal.html", rendered / f"{AUDIT}.html")
    copied = build(workspace)
    assert copied.returncode == 1
    assert f"The public edition of '{AUDIT}' holds the internal edition" in copied.stderr
    assert (
        f"{AUDIT}.html is a copy of internal/{AUDIT}-internal.html, a file of the internal "
        "edition" in copied.stderr
    )
    assert "Traceback" not in copied.stderr
    assert published(workspace) == before
    # The next build renders the public edition afresh (the copy was removed with the
    # failed build's rendered files) and publishes it.
    again = build(workspace)
    assert again.returncode == 0, again.stderr[-3000:]
    assert published(workspace) == before


def test_final_is_a_setting_of_config_yaml(tmp_path):
    workspace = make_workspace(tmp_path, {AUDIT: FIXTURE_AUDIT})
    (workspace / "data" / "private" / AUDIT).mkdir(parents=True)  # no names.txt in it
    config = workspace / "config.yaml"
    config.write_text(config.read_text().replace("final: false", "final: true"))
    result = snakemake(workspace)
    assert result.returncode == 1
    assert f"data/private/{AUDIT}/ has no names.txt" in result.stderr
    assert not (workspace / "report" / "_output" / AUDIT).exists()
