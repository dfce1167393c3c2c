"""An audit's folder holds its own files: every link (to a file or a folder, nested, broken),
hard link, pipe or device under data/raw/<audit_id>/ is refused before anything is read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditrap import validate as validate_module
from auditrap.audit_folder import check_audit_folder
from auditrap.cli import app
from auditrap.pipeline import StageError, validate_stage


def messages(audit: Path) -> dict[str, str]:
    return {p.file: p.message for p in check_audit_folder(audit)}


def test_the_fixture_and_sample_folders_are_clean(audit_copy):
    assert check_audit_folder(audit_copy()) == []


@pytest.mark.parametrize(
    "link, target",
    [
        ("cases.csv", "/etc/passwd"),
        ("audit.yaml", "/etc/hostname"),
        ("themes.yaml", "/etc/passwd"),
        ("narrative/introduction.md", "/etc/passwd"),
        ("narrative/plan.png", "/etc/passwd"),
        ("returns/agency.xlsx", "/etc/passwd"),
        ("recommendations.csv", "/etc/passwd"),  # a file the pipeline may read one day
        ("narrative/notes/deep/nested.md", "/etc/passwd"),
        ("narrative/broken.md", "/nowhere/at/all"),
    ],
)
def test_a_link_to_a_file_is_refused_wherever_it_is(audit_copy, link, target):
    audit = audit_copy()
    path = audit / link
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.symlink_to(target)
    found = messages(audit)
    assert list(found) == [link]
    assert f"symbolic link (to {target})" in found[link]
    assert "copy it, do not link it" in found[link]


def test_a_link_to_a_file_inside_the_audit_is_refused_too(audit_copy):
    audit = audit_copy()
    (audit / "narrative").mkdir()
    (audit / "narrative" / "conclusion.md").symlink_to(audit / "cases.csv")
    assert list(messages(audit)) == ["narrative/conclusion.md"]


@pytest.mark.parametrize("folder", ["narrative", "returns", "narrative/pictures"])
def test_a_link_to_a_folder_is_refused_and_not_followed(audit_copy, tmp_path, folder):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "introduction.md").write_text("Secret.")
    (outside / "inner").symlink_to("/etc")
    audit = audit_copy()
    (audit / folder).parent.mkdir(parents=True, exist_ok=True)
    (audit / folder).symlink_to(outside, target_is_directory=True)
    found = messages(audit)
    assert list(found) == [folder]  # what is behind the link is never listed
    assert "not a folder of the audit" in found[folder]


def test_the_audit_folder_itself_a_link_is_refused(audit_copy, tmp_path):
    real = audit_copy()
    link = tmp_path / "linked-audit"
    link.symlink_to(real, target_is_directory=True)
    found = messages(link)
    assert list(found) == [link.as_posix()]
    assert "symbolic link" in found[link.as_posix()]


def test_a_folder_on_the_way_that_is_a_link_is_refused(audit_copy, tmp_path, monkeypatch):
    real = audit_copy()  # tmp_path/raw/exploitation-2021
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "data" / "raw").symlink_to(real.parent, target_is_directory=True)
    monkeypatch.chdir(project)
    found = messages(Path("data/raw/exploitation-2021"))
    assert list(found) == ["data/raw"]
    assert "inside the project's own folder" in found["data/raw"]


def test_a_hard_link_is_refused(audit_copy, tmp_path):
    audit = audit_copy()
    outside = tmp_path / "outside.csv"
    outside.write_text((audit / "actions.csv").read_text())
    (audit / "actions.csv").unlink()
    os.link(outside, audit / "actions.csv")
    found = messages(audit)
    assert list(found) == ["actions.csv"] and "hard link" in found["actions.csv"]


def test_a_pipe_is_refused_and_never_opened(audit_copy):
    audit = audit_copy()
    (audit / "returns.csv").unlink()
    os.mkfifo(audit / "returns.csv")  # reading it would wait for ever
    found = messages(audit)
    assert list(found) == ["returns.csv"] and "not an ordinary file" in found["returns.csv"]


def test_validation_refuses_a_link_before_reading_any_file(audit_copy, tmp_path, monkeypatch):
    audit = audit_copy()
    (audit / "cases.csv").unlink()
    (audit / "cases.csv").symlink_to("/etc/passwd")

    def never(*args, **kwargs):
        raise AssertionError("load_audit read the audit's files")

    monkeypatch.setattr(validate_module, "load_audit", never)
    with pytest.raises(StageError) as info:
        validate_stage(
            audit_dir=audit,
            audit_id=audit.name,
            out_dir=tmp_path / "processed",
            report_dir=tmp_path / "validation",
        )
    message = str(info.value)
    assert "cases.csv" in message and "symbolic link" in message
    assert "root:" not in message
    report = (tmp_path / "validation" / "report.html").read_text()
    assert "symbolic link" in report and "root:x" not in report
    assert not (tmp_path / "processed" / "cases.parquet").exists()


def test_auditrap_validate_refuses_a_link(audit_copy):
    audit = audit_copy()
    (audit / "narrative").mkdir()
    (audit / "narrative" / "introduction.md").symlink_to("/etc/passwd")
    result = CliRunner().invoke(app, ["validate", str(audit)])
    assert result.exit_code == 1
    assert "narrative/introduction.md" in result.output and "symbolic link" in result.output
    assert "root:x" not in result.output


def test_auditrap_validate_checks_the_narrative(audit_copy):
    audit = audit_copy()
    (audit / "narrative").mkdir()
    (audit / "narrative" / "introduction.md").write_text("<script>alert(1)</script>\n")
    result = CliRunner().invoke(app, ["validate", str(audit)])
    assert result.exit_code == 1
    assert "narrative/introduction.md, line 1" in result.output and "raw HTML" in result.output
