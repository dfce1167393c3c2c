"""Provenance: the manifest, verify, and byte-identical rebuilds."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURE_AUDIT
from test_workflow import make_workspace, snakemake

pytestmark = pytest.mark.e2e
OUT = "report/_output/exploitation-2021"


def build(folder):
    workspace = make_workspace(folder, {"exploitation-2021": FIXTURE_AUDIT})
    result = snakemake(workspace)
    assert result.returncode == 0, result.stderr[-3000:]
    return workspace


def verify(workspace, *extra):
    return subprocess.run(
        [sys.executable, "-m", "auditrap.cli", "verify", OUT, *extra],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    return build(tmp_path_factory.mktemp("first")), build(tmp_path_factory.mktemp("second"))


def test_manifest_records_every_input_and_output(two_builds):
    workspace, _ = two_builds
    manifest = json.loads((workspace / OUT / "manifest.json").read_text())
    assert manifest["build_date"] == "2021-07-09"  # the latest date in the inputs, not the clock
    for name in (
        "data/raw/exploitation-2021/cases.csv",
        "data/raw/exploitation-2021/audit.yaml",
        "data/themes.yaml",
        "config.yaml",
        "report/report.qmd",
        "report/fonts/AtkinsonHyperlegible-Regular.ttf",
    ):
        assert name in manifest["inputs"], name
    for name in (
        "exploitation-2021.html",
        "exploitation-2021.pdf",
        "data/grade_distribution.csv",
        "internal/exploitation-2021-internal.html",
    ):
        assert name in manifest["outputs"], name
    assert manifest["environment"]["python"] and manifest["environment"]["pandoc"]
    # Which engine rendered (the render step records it), and no Quarto.
    assert manifest["environment"]["engine"] == "builtin"
    assert manifest["environment"]["quarto"] is None
    assert manifest["validation"]["rows_read"]["cases.csv"] == 6


def test_two_clean_builds_are_byte_identical(two_builds):
    first, second = two_builds
    files = sorted(p.relative_to(first / OUT) for p in (first / OUT).rglob("*") if p.is_file())
    again = sorted(p.relative_to(second / OUT) for p in (second / OUT).rglob("*") if p.is_file())
    assert files and files == again
    for name in files:
        assert (first / OUT / name).read_bytes() == (second / OUT / name).read_bytes(), name


def test_verify_passes_then_names_a_changed_input_and_output(tmp_path):
    workspace = build(tmp_path)
    ok = verify(workspace)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Every file matches the manifest." in ok.stdout
    cases = workspace / "data/raw/exploitation-2021/cases.csv"
    cases.write_bytes(cases.read_bytes().replace(b"CE-1", b"CE-9", 1))
    html = workspace / OUT / "exploitation-2021.html"
    html.write_bytes(html.read_bytes()[:-2] + b"X\n")
    bad = verify(workspace)
    assert bad.returncode == 1
    assert "changed    input data/raw/exploitation-2021/cases.csv" in bad.stdout
    assert "changed    output report/_output/exploitation-2021/exploitation-2021.html" in bad.stdout


def test_verify_rebuild_compares_byte_for_byte(two_builds):
    workspace, _ = two_builds
    result = verify(workspace, "--rebuild")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "identical  output exploitation-2021.pdf" in result.stdout
    assert "identical  manifest.json (all but its record of the code)" in result.stdout


@pytest.fixture
def published(two_builds, tmp_path):
    """A copy of a built project, to tamper with."""
    workspace, _ = two_builds
    copy = tmp_path / "project"
    shutil.copytree(workspace, copy, symlinks=True, ignore=shutil.ignore_patterns(".snakemake"))
    return copy


def test_verify_names_a_file_the_manifest_does_not_list(published):
    (published / OUT / "data" / "extra.csv").write_text("a,b\n")
    result = verify(published)
    assert result.returncode == 1
    assert (
        "unlisted   report/_output/exploitation-2021/data/extra.csv is in the folder"
        in result.stdout
    )


def test_verify_catches_an_entry_deleted_and_the_page_then_changed(published):
    manifest_path = published / OUT / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    del manifest["outputs"]["exploitation-2021.html"]
    manifest_path.write_text(json.dumps(manifest, indent=2))
    page = published / OUT / "exploitation-2021.html"
    page.write_text(page.read_text().replace("Child exploitation", "Something else"))
    result = verify(published)
    assert result.returncode == 1
    assert "unlisted   report/_output/exploitation-2021/exploitation-2021.html" in result.stdout


def test_snakemakes_run_report_is_named_but_not_checked(published):
    (published / OUT / "internal" / "workflow-report.html").write_text("<html>run</html>")
    result = verify(published)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "unrecorded report/_output/exploitation-2021/internal/workflow-report.html" in result.stdout
    )
    # Anywhere else, the same file is an unlisted one.
    (published / OUT / "workflow-report.html").write_text("<html>run</html>")
    assert verify(published).returncode == 1


@pytest.mark.parametrize(
    "name", ["/etc/hostname", "../outside/cases.csv", "data/../../outside/cases.csv", "C:/x"]
)
def test_verify_refuses_a_manifest_path_outside_the_project(published, name):
    manifest_path = published / OUT / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["inputs"][name] = "0" * 64
    manifest_path.write_text(json.dumps(manifest, indent=2))
    outside = published.parent / "outside"
    result = verify(published, "--rebuild")
    assert result.returncode == 1
    assert f"refused    input {name!r} is not a relative path inside" in result.stdout
    assert "not rebuilt" in result.stdout
    assert not outside.exists()


def test_verify_refuses_an_output_or_input_reached_through_a_symlink(published, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not part of the project")
    cases = published / "data/raw/exploitation-2021/cases.csv"
    link = published / "data/raw/exploitation-2021/linked.csv"
    link.symlink_to(secret)
    manifest_path = published / OUT / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["inputs"]["data/raw/exploitation-2021/linked.csv"] = "0" * 64
    manifest_path.write_text(json.dumps(manifest, indent=2))
    result = verify(published, "--rebuild")
    assert result.returncode == 1
    assert "'data/raw/exploitation-2021/linked.csv' leads outside" in result.stdout
    assert cases.is_file()


def test_a_rebuild_writes_nowhere_but_its_temporary_folder(published):
    """A config.yaml (an input the rebuild copies and runs with) that would send the outputs
    elsewhere is refused before anything runs."""
    config = published / "config.yaml"
    config.write_text(config.read_text() + "\noutput_dir: ../../escaped\n")
    manifest_path = published / OUT / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["inputs"]["config.yaml"] = (
        __import__("hashlib").sha256(config.read_bytes()).hexdigest()
    )
    manifest_path.write_text(json.dumps(manifest, indent=2))
    result = verify(published, "--rebuild")
    assert result.returncode == 1
    assert "refused    the config setting output_dir '../../escaped'" in result.stdout


def test_rebuild_compares_the_manifest_itself(published):
    """A file and its manifest entry both removed: every remaining hash matches, so only the
    rebuild, which compares the manifest and the set of files, can tell."""
    manifest_path = published / OUT / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    del manifest["outputs"]["data/lineage.csv"]
    manifest["validation"]["warnings"] = []
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    (published / OUT / "data" / "lineage.csv").unlink()
    assert verify(published).returncode == 0
    result = verify(published, "--rebuild")
    assert result.returncode == 1
    assert "changed    output data/lineage.csv (the rebuild makes it" in result.stdout
    assert "changed    manifest.json (the rebuild records a different outputs" in result.stdout


def test_the_programme_page_has_a_manifest_verify_checks(published):
    root = subprocess.run(
        [sys.executable, "-m", "auditrap.cli", "verify", "report/_output", "--rebuild"],
        cwd=published,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert root.returncode == 0, root.stdout + root.stderr
    assert "intact     input report/_output/exploitation-2021/manifest.json" in root.stdout
    assert "identical  output index.html" in root.stdout
    assert "identical  manifest.json" in root.stdout
    (published / "report/_output/notes.txt").write_text("not published by the build")
    page = published / "report/_output/index.html"
    page.write_text(page.read_text().replace("Child exploitation", "Something else"))
    again = subprocess.run(
        [sys.executable, "-m", "auditrap.cli", "verify", "report/_output"],
        cwd=published,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 1
    assert "changed    output report/_output/index.html" in again.stdout
    assert "unlisted   report/_output/notes.txt" in again.stdout
