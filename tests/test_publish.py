"""Atomic publication, receipts, content stamps and the recovery of a stopped build, as units:
every fault injected where it would really happen (a full disk mid-copy, a stop between
two renames), and what is published checked at each moment."""

from __future__ import annotations

import base64
import errno
import json
import os
import sys
from pathlib import Path

import pytest

from auditrap import publish as pub
from auditrap.build import BuildBusy, BuildLock, incomplete_files, recover
from auditrap.pipeline import StageError, publish_stage
from auditrap.readiness import publisher_warnings
from auditrap.sources import Hasher, stamp_text, write_stamp


def finished(tmp_path: Path, version: str, names=("page.html", "data/table.csv")) -> dict:
    """Finished files of one build, each holding its version, mapped to published names."""
    folder = tmp_path / f"build-{version}"
    files = {}
    for name in names:
        path = folder / name.replace("/", "_")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{name} of build {version}\n")
        files[path] = name
    manifest = folder / "manifest.json"
    manifest.write_text(json.dumps({"version": version}))
    files[manifest] = "manifest.json"
    return files


def contents(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text() for p in folder.rglob("*") if p.is_file()
    }


def whole(folder: Path, version: str) -> bool:
    """``folder`` is exactly build ``version``: every file, nothing else, nothing of another."""
    found = contents(folder)
    return (
        set(found) == {"page.html", "data/table.csv", "manifest.json"}
        and found["manifest.json"] == json.dumps({"version": version})
        and all(f"of build {version}" in text for n, text in found.items() if n != "manifest.json")
    )


def test_publishing_replaces_the_whole_folder(tmp_path):
    target = tmp_path / "out" / "audit"
    pub.publish_folder(target, finished(tmp_path, "1"))
    assert whole(target, "1")
    (target / "stale.txt").write_text("a file of an older build")
    pub.publish_folder(target, finished(tmp_path, "2"))
    assert whole(target, "2")  # nothing of the previous folder is left in it
    assert not pub.leftovers(target)
    assert oct(target.stat().st_mode & 0o777) == oct(0o777 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("atomic_exchange", [True, False])
def test_at_the_swap_the_target_is_the_whole_previous_folder(
    tmp_path, monkeypatch, atomic_exchange
):
    """At the moment of the swap the new folder is complete beside the old, and the target
    is still the previous build, whole; with the two-rename fallback too."""
    if atomic_exchange and not sys.platform.startswith("linux"):
        pytest.skip("renameat2(RENAME_EXCHANGE) is Linux's")
    if not atomic_exchange:
        monkeypatch.setenv("AUDITRAP_NO_EXCHANGE", "1")
    target = tmp_path / "audit"
    pub.publish_folder(target, finished(tmp_path, "1"))
    seen = []
    real = pub.swap_in

    def watched(new, old):
        seen.append((whole(old, "1"), whole(new, "2")))
        real(new, old)
        seen.append((whole(old, "2"), whole(new, "1")))  # the previous one, until removed

    monkeypatch.setattr(pub, "swap_in", watched)
    pub.publish_folder(target, finished(tmp_path, "2"))
    assert seen == [(True, True), (True, True)]
    assert whole(target, "2") and not pub.leftovers(target)


def test_the_exchange_is_atomic_on_linux(tmp_path):
    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2(RENAME_EXCHANGE) is Linux's")
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "one").write_text("1")
    (second / "two").write_text("2")
    assert pub.exchange(first, second)
    assert (first / "two").is_file() and (second / "one").is_file()


def test_a_stop_between_the_two_renames_is_put_right_next_time(tmp_path, monkeypatch):
    """Without an atomic exchange the previous folder is renamed aside, then the new one in:
    stopped in between, the target is missing; the next publication (and the receipt check)
    put the previous one back first."""
    monkeypatch.setenv("AUDITRAP_NO_EXCHANGE", "1")
    target = tmp_path / "audit"
    pub.publish_folder(target, finished(tmp_path, "1"))
    real_rename, calls = os.rename, []

    def stopped(source, destination):
        calls.append(destination)
        if len(calls) == 2:  # the new folder's rename into place: the build is killed
            raise KeyboardInterrupt
        real_rename(source, destination)

    monkeypatch.setattr(pub.os, "rename", stopped)
    with pytest.raises(KeyboardInterrupt):
        pub.publish_folder(target, finished(tmp_path, "2"))
    monkeypatch.setattr(pub.os, "rename", real_rename)
    assert not target.exists() and pub.leftovers(target)
    done = pub.clear_leftovers(target)
    assert whole(target, "1") and not pub.leftovers(target)
    assert any("Put back" in line for line in done)
    pub.publish_folder(target, finished(tmp_path, "3"))
    assert whole(target, "3")


def test_a_stop_while_copying_leaves_the_publication_and_is_cleared(tmp_path, monkeypatch):
    target = tmp_path / "audit"
    pub.publish_folder(target, finished(tmp_path, "1"))
    real_copy = pub._copy

    def killed(source, destination):
        if destination.name == "page.html":
            raise KeyboardInterrupt
        real_copy(source, destination)

    monkeypatch.setattr(pub, "_copy", killed)
    with pytest.raises(KeyboardInterrupt):
        pub.publish_folder(target, finished(tmp_path, "2"))
    assert whole(target, "1")
    monkeypatch.setattr(pub, "_copy", real_copy)
    pub.publish_folder(target, finished(tmp_path, "3"))
    assert whole(target, "3") and not pub.leftovers(target)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_while_copying_is_a_plain_message_and_changes_nothing(
    tmp_path, monkeypatch, code
):
    target = tmp_path / "out" / "audit"
    pub.publish_folder(target, finished(tmp_path, "1"))
    receipt = tmp_path / "processed" / "publication.json"
    pub.write_receipt(receipt, target)
    before_receipt = receipt.read_bytes()
    real_copy = pub._copy
    copied = []

    def filling(source, destination):
        copied.append(destination)
        if len(copied) == 2:
            destination.write_text("half a file")
            raise OSError(code, os.strerror(code))
        real_copy(source, destination)

    monkeypatch.setattr(pub, "_copy", filling)
    with pytest.raises(SystemExit) as stopped:
        from auditrap.pipeline import run_stage

        run_stage(
            None,
            publish_stage,
            files=finished(tmp_path, "2"),
            output_dir=target,
            receipt=receipt,
        )
    assert stopped.value.code == 1
    assert whole(target, "1")
    assert not pub.leftovers(target)  # the partial new folder is removed
    assert receipt.read_bytes() == before_receipt


def test_the_full_disk_message_says_what_to_do(tmp_path, monkeypatch):
    target = tmp_path / "audit"

    def full(source, destination):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pub, "_copy", full)
    with pytest.raises(StageError) as error:
        publish_stage(files=finished(tmp_path, "1"), output_dir=target, receipt=tmp_path / "r")
    message = str(error.value)
    assert "not enough space on the disk" in message and "Free some space" in message
    assert "No space left on device" in message
    assert not target.exists() and not pub.leftovers(target)


def test_a_single_page_is_replaced_whole_and_survives_a_full_disk(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    page = tmp_path / "index.html"
    page.write_text("<html>one</html>")
    pub.publish_files(folder, {page: "index.html"})
    page.write_text("<html>two</html>")

    def full(source, destination):
        destination.write_text("<ht")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pub, "_copy", full)
    with pytest.raises(pub.PublishError):
        pub.publish_files(folder, {page: "index.html"})
    assert (folder / "index.html").read_text() == "<html>one</html>"
    assert [p.name for p in folder.iterdir()] == ["index.html"]


@pytest.mark.parametrize("name", ["/etc/passwd", "../outside.txt", "a/../../b", "..", "a\\..\\b"])
def test_nothing_is_published_outside_the_folder(tmp_path, name):
    source = tmp_path / "file.txt"
    source.write_text("x")
    with pytest.raises(ValueError):
        pub.publish_folder(tmp_path / "out" / "audit", {source: name})
    assert not (tmp_path / "outside.txt").exists()


def test_a_receipt_notices_a_missing_changed_added_or_removed_file(tmp_path):
    target = tmp_path / "audit"
    receipt = tmp_path / "publication.json"
    pub.publish_folder(target, finished(tmp_path, "1"))
    pub.write_receipt(receipt, target)
    assert pub.receipt_problem(receipt, target) is None
    # Snakemake's report of the run, added by make report, is not a change.
    (target / "internal").mkdir()
    (target / pub.RUN_REPORT).write_text("<html>run report</html>")
    assert pub.receipt_problem(receipt, target) is None
    (target / "data" / "extra.csv").write_text("a,b\n")
    assert "was not published" in pub.receipt_problem(receipt, target)
    (target / "data" / "extra.csv").unlink()
    (target / "page.html").write_text("edited")
    assert "has changed" in pub.receipt_problem(receipt, target)
    (target / "page.html").unlink()
    assert "page.html is missing" in pub.receipt_problem(receipt, target)
    pub.publish_folder(target, finished(tmp_path, "2"))
    assert "has changed" in pub.receipt_problem(receipt, target)
    import shutil

    shutil.rmtree(target)
    assert "is missing" in pub.receipt_problem(receipt, target)
    assert pub.receipt_problem(tmp_path / "no-receipt.json", target) is None


def test_a_receipt_of_named_files_ignores_the_rest_of_the_folder(tmp_path):
    folder = tmp_path / "out"
    page = tmp_path / "index.html"
    page.write_text("<html></html>")
    pub.publish_files(folder, {page: "index.html"})
    (folder / "audit").mkdir()
    (folder / "audit" / "manifest.json").write_text("{}")
    receipt = tmp_path / "programme.json"
    pub.write_receipt(receipt, folder, names=["index.html"])
    assert pub.receipt_problem(receipt, folder) is None
    (folder / "index.html").write_text("<html>edited</html>")
    assert "index.html has changed" in pub.receipt_problem(receipt, folder)


def test_a_stamp_is_rewritten_only_when_a_hash_changes(tmp_path):
    source = tmp_path / "cases.csv"
    source.write_text("case_id\nA-1\n")
    stamp = tmp_path / "stamps" / "analysis.sha256"
    assert write_stamp(stamp, stamp_text([source], Hasher()))
    os.utime(stamp, (1_000_000_000, 1_000_000_000))
    # Touched, copied over with the same bytes, or given an old date: the stamp stays.
    os.utime(source, None)
    assert not write_stamp(stamp, stamp_text([source], Hasher()))
    assert stamp.stat().st_mtime == 1_000_000_000
    # New bytes with an older date than anything built (cp -p, rsync -a, a backup restored):
    # the stamp is rewritten, so it is newer than every output made from the old bytes.
    source.write_text("case_id\nA-2\n")
    os.utime(source, (500_000_000, 500_000_000))
    assert write_stamp(stamp, stamp_text([source], Hasher()))
    assert stamp.stat().st_mtime > 1_000_000_000
    # A file added to or gone from the group changes it too; so does what `extra` says.
    other = tmp_path / "actions.csv"
    other.write_text("x")
    assert write_stamp(stamp, stamp_text([source, other], Hasher()))
    assert write_stamp(stamp, stamp_text([source], Hasher()))
    assert write_stamp(stamp, stamp_text([source], Hasher(), extra=["private: ['Names.txt']"]))
    assert not list(stamp.parent.glob(".*.tmp"))


def test_a_hasher_reads_each_file_once(tmp_path, monkeypatch):
    import auditrap.sources as sources

    path = tmp_path / "template.css"
    path.write_text("body{}")
    reads = []
    monkeypatch.setattr(sources, "sha256", lambda p: reads.append(p) or "h")
    hasher = Hasher()
    stamp_text([path], hasher)
    stamp_text([str(path), path], hasher)
    assert len(reads) == 1


def test_a_second_build_in_the_same_folder_is_refused(tmp_path):
    with BuildLock(tmp_path):
        with pytest.raises(BuildBusy) as busy, BuildLock(tmp_path):
            pass
        assert f"process {os.getpid()}" in str(busy.value)
        assert "Nothing was changed" in str(busy.value)
    with BuildLock(tmp_path):  # released when the first build ends
        pass


def _mark_incomplete(root: Path, path: str) -> None:
    encoded = base64.urlsafe_b64encode(path.encode()).decode()
    marker = root / ".snakemake" / "incomplete" / encoded
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text('{"external_jobid": null}')


def test_a_stale_lock_and_unfinished_files_are_recovered_from_with_a_message(tmp_path):
    locks = tmp_path / ".snakemake" / "locks"
    locks.mkdir(parents=True)
    (locks / "0.input.lock").write_text("data/raw/a/cases.csv\n")
    (locks / "0.output.lock").write_text("data/processed/a/rendered/a.html\n")
    rendered = tmp_path / "data" / "processed" / "a" / "rendered" / "a.html"
    rendered.parent.mkdir(parents=True)
    rendered.write_text("<html>half")
    _mark_incomplete(tmp_path, "data/processed/a/rendered/a.html")
    _mark_incomplete(tmp_path, "data/processed/a/rendered/a.pdf")  # never written: no matter
    assert incomplete_files(tmp_path) == ["data/processed/a/rendered/a.html"]
    notes = recover(tmp_path)
    assert not locks.exists()
    assert "the stale lock was removed" in notes[0]
    assert "1 file(s) unfinished (data/processed/a/rendered/a.html)" in notes[1]
    assert recover(tmp_path) == notes[1:]  # nothing more to unlock


def test_a_lock_held_by_a_running_snakemake_is_left_alone(tmp_path, monkeypatch):
    import auditrap.build as build

    locks = tmp_path / ".snakemake" / "locks"
    locks.mkdir(parents=True)
    (locks / "0.input.lock").write_text("x\n")
    monkeypatch.setattr(build, "snakemake_processes", lambda root: [4242])
    with pytest.raises(BuildBusy, match="Snakemake is running in this folder \\(process 4242\\)"):
        recover(tmp_path)
    assert (locks / "0.input.lock").is_file()


def test_a_misnamed_or_missing_name_list_is_a_publisher_warning(tmp_path):
    config = {
        "private_dir": "data/private",
        "accessibility": {"contact": "https://www.example.org/contact-us"},
    }
    private = tmp_path / "data" / "private" / "a"
    [warning] = publisher_warnings("a", config, tmp_path)  # no private folder: no list
    assert "There is no name list (data/private/a/names.txt)" in warning
    private.mkdir(parents=True)
    [warning] = publisher_warnings("a", config, tmp_path)
    assert "data/private/a/ has no names.txt" in warning
    (private / "Names.txt").write_text("Jessica Thornley\n")
    [warning] = publisher_warnings("a", config, tmp_path)
    assert "data/private/a/Names.txt is not used: it must be called names.txt" in warning
    (private / "Names.txt").rename(private / "names.txt")
    assert publisher_warnings("a", config, tmp_path) == []


def test_the_programme_page_lists_every_published_audit_from_its_manifest(tmp_path):
    from auditrap.pipeline import published_audits, write_programme

    output = tmp_path / "report" / "_output"
    listing = {
        "title": "Multi-agency audit: Neglect",
        "board": "Northshire Safeguarding Children Partnership",
        "period": "2019",
        "published": "3 March 2020",
        "published_iso": "2020-03-03",
        "cases": 12,
    }
    for audit_id, extra in (
        ("neglect-2019", {}),
        ("older-2017", None),
        (".neglect-2019.staging-x", {}),
    ):
        folder = output / audit_id
        folder.mkdir(parents=True)
        manifest = {"audit_id": audit_id, "outputs": {"data/grade_distribution.csv": "0"}}
        if extra is not None:
            manifest["publication"] = listing
        (folder / "manifest.json").write_text(json.dumps(manifest))
    audits, notes = published_audits(output)
    assert [a.audit_id for a in audits] == ["neglect-2019"]
    assert audits[0].tables == ("grade_distribution",)
    assert len(notes) == 1 and "older-2017" in notes[0] and "Build that audit again" in notes[0]
    manifest = write_programme(
        output_dir=output, build_dir=tmp_path / "build", engine="builtin", root=tmp_path
    )
    page = (tmp_path / "build" / "index.html").read_text()
    assert "Multi-agency audit: Neglect" in page
    assert 'href="neglect-2019/data/grade_distribution.csv"' in page
    assert 'href="neglect-2019/data/grades_by_area.csv"' not in page  # not published
    assert list(manifest["inputs"]) == ["report/_output/neglect-2019/manifest.json"]
    assert manifest["kind"] == "programme" and list(manifest["outputs"]) == ["index.html"]


def test_a_build_clears_what_stopped_publications_left_everywhere(tmp_path, monkeypatch):
    import auditrap.build as build

    monkeypatch.setattr(build, "snakemake_processes", lambda root: [])
    output = tmp_path / "report" / "_output"
    pub.publish_folder(output / "audit", finished(tmp_path, "1"))
    pub.publish_folder(output / "boards" / "north", finished(tmp_path, "1"))
    (output / ".audit.staging-abc" / "data").mkdir(parents=True)
    (output / "boards" / ".north.staging-def").mkdir()
    (output / "boards" / "north").rename(output / "boards" / ".north.previous-1-2")
    notes = recover(tmp_path, output)
    assert whole(output / "audit", "1") and whole(output / "boards" / "north", "1")
    assert not pub.leftovers(output / "audit") and not pub.leftovers(output / "boards" / "north")
    assert any("Put back" in n for n in notes) and any(".audit.staging-abc" in n for n in notes)
