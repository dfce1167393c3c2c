"""Provenance: the manifest, verify, and byte-identical rebuilds."""

from __future__ import annotations

import json
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
