"""Publisher warnings end every build, and a final build refuses to publish until they are
put right: a name list in the wrong case is not used, so it must never pass unnoticed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import FIXTURE_AUDIT
from test_workflow import make_workspace, snakemake

pytestmark = pytest.mark.e2e

AUDIT = "exploitation-2021"


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


def test_a_final_build_refuses_an_audit_with_publisher_warnings(tmp_path):
    workspace = make_workspace(tmp_path, {AUDIT: FIXTURE_AUDIT})
    private = workspace / "data" / "private" / AUDIT
    private.mkdir(parents=True)
    (private / "Names.txt").write_text("# fictional\nJessica Thornley\n")

    # An ordinary build publishes, and ends by saying what to put right.
    first = snakemake(workspace)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Publisher warnings" in first.stderr
    assert (
        f"data/private/{AUDIT}/Names.txt is not used: it must be called names.txt" in first.stderr
    )
    before = published(workspace)
    # So does a build that has nothing to do.
    again = build(workspace)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "Names.txt is not used" in again.stderr

    # A final build stops before anything is published, and says why.
    final = build(workspace, "--final")
    assert final.returncode == 1
    assert f"This is a final build, and '{AUDIT}' has publisher warnings" in final.stderr
    assert "Names.txt is not used" in final.stderr
    assert "Traceback" not in final.stderr
    assert published(workspace) == before

    # So does a section of the learning brief not yet written (the fixture has no narrative).
    assert 'The learning brief\'s section "What good looks like" is to be written' in final.stderr

    # Put right, the final build publishes, with no warning left.
    (private / "Names.txt").rename(private / "names.txt")
    narrative = workspace / "data" / "raw" / AUDIT / "narrative"
    narrative.mkdir()
    (narrative / "what-good-looks-like.md").write_text("- **Listening.** Workers saw the child.\n")
    (narrative / "questions.md").write_text("- Who else needs to know today?\n")
    final = build(workspace, "--final")
    assert final.returncode == 0, final.stderr[-3000:]
    assert "Publisher warnings" not in final.stderr
    assert f"as report/_output/{AUDIT}." in final.stderr  # published again, redacted with it


def test_final_is_a_setting_of_config_yaml(tmp_path):
    workspace = make_workspace(tmp_path, {AUDIT: FIXTURE_AUDIT})
    (workspace / "data" / "private" / AUDIT).mkdir(parents=True)  # no names.txt in it
    config = workspace / "config.yaml"
    config.write_text(config.read_text().replace("final: false", "final: true"))
    result = snakemake(workspace)
    assert result.returncode == 1
    assert f"data/private/{AUDIT}/ has no names.txt" in result.stderr
    assert not (workspace / "report" / "_output" / AUDIT).exists()
