"""Provenance an auditor can check: the manifest of a build, and ``verify``.

``manifest.json`` records every input and output of one audit's build with its SHA-256, the
code (git commit, or a hash of the source when there is no git), the software versions, the
validation summary and the build date, which comes from the inputs, never the clock: two
clean builds of the same inputs give byte-identical manifests.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

MANIFEST = "manifest.json"
#: The code of the project (what "dirty" and the source hash are about): not data, not outputs.
CODE_PATHS = ("src", "workflow", "scripts", "report", "Snakefile")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _posix(path: Path | str) -> str:
    return Path(path).as_posix()


def code_version(root: Path) -> dict[str, Any]:
    """The git commit and whether the code had changes (new files included); else a hash of
    the source files."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all", "--", *CODE_PATHS],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return {"git_commit": commit, "dirty": bool(status.strip())}
    except (OSError, subprocess.CalledProcessError):
        files = sorted(
            p
            for name in CODE_PATHS
            for p in ((root / name).rglob("*") if (root / name).is_dir() else [root / name])
            if p.is_file()
            and "_output" not in p.parts
            and "__pycache__" not in p.parts
            and p.suffix != ".pyc"
        )
        digest = hashlib.sha256()
        for path in files:
            digest.update(_posix(path.relative_to(root)).encode() + b"\0" + sha256(path).encode())
        return {"git_commit": None, "source_sha256": digest.hexdigest()}


def environment(lock_file: Path | None) -> dict[str, Any]:
    """Python, every package pinned in the lock file (as installed), pandoc and typst (the
    built-in engine's). Which engine rendered, and which Quarto, the render step records
    (:func:`build_manifest`'s ``engine``)."""
    packages = {}
    if lock_file and lock_file.is_file():
        for line in lock_file.read_text(encoding="utf-8").splitlines():
            if "==" in line and not line.startswith((" ", "#")):
                name = line.split("==")[0].strip()
                try:
                    packages[name] = metadata.version(name)
                except metadata.PackageNotFoundError:
                    packages[name] = None
    tools: dict[str, Any] = {"python": platform.python_version()}
    try:
        import pypandoc

        tools["pandoc"] = pypandoc.get_pandoc_version()
    except (ImportError, OSError):
        tools["pandoc"] = None
    try:
        tools["typst"] = metadata.version("typst")
    except metadata.PackageNotFoundError:
        tools["typst"] = None
    return {**tools, "packages": dict(sorted(packages.items()))}


class ManifestError(ValueError):
    """A path that a manifest may not record or follow: absolute, with ``..``, or resolving
    outside the folder it belongs to. The message names it and says what to do."""


def inside(name: str, base: Path, what: str) -> Path:
    """``base / name`` for a path recorded in a manifest, after checking that it is a plain
    relative path (no drive, no ``..``, no backslash) that resolves inside ``base``, symbolic
    links followed. Raises :class:`ManifestError` otherwise."""
    path = PurePosixPath(name)
    plain = (
        isinstance(name, str)
        and name
        and not path.is_absolute()
        and ".." not in path.parts
        and "\\" not in name
        and ":" not in path.parts[0]
    )
    if not plain:
        raise ManifestError(
            f"{what} {name!r} is not a relative path inside {base}: a manifest may list only "
            "files inside the project (no absolute paths, no '..'). It was refused."
        )
    full = base / path
    if not full.resolve().is_relative_to(base.resolve()):
        raise ManifestError(
            f"{what} {name!r} leads outside {base} (through a symbolic link). It was refused."
        )
    return full


def _recorded_name(path: Path, root: Path, what: str) -> str:
    """``path`` as a manifest records it: relative to ``root``, which it must be inside."""
    full = Path(os.path.normpath(root.absolute() / path))
    base = Path(os.path.normpath(root.absolute()))
    if not full.is_relative_to(base) or not full.resolve().is_relative_to(base.resolve()):
        raise ManifestError(
            f"the {what} {path} is outside the project folder {base}. A manifest records only "
            "files inside the project, so that anyone with the project can check them: move "
            "it into the project folder (a --configfile too) and build again."
        )
    return _posix(full.relative_to(base))


def build_manifest(
    *,
    audit_id: str,
    root: Path,
    inputs: Iterable[Path],
    outputs: Mapping[str, Path],
    audit_meta: Mapping[str, Any],
    engine: str | Mapping[str, Any],
    lock_file: Path | None = None,
    publication: Mapping[str, Any] | None = None,
    config_files: Sequence[Path] = (),
) -> dict[str, Any]:
    """The manifest of one audit's build. ``outputs`` maps each published name (relative to
    the audit's output folder) to the file to hash. Inputs are recorded relative to ``root``,
    so that the manifest is the same on any machine; an input outside it is refused
    (:class:`ManifestError`). ``engine`` is the engine that rendered, as the render step
    recorded it (``{"engine": "quarto", "quarto": "1.7.34"}``), or its name.
    ``publication`` is what the programme page lists of the audit; ``config_files``, the
    config files of the build in the order they were read (a rebuild reads them in the same
    order)."""
    used = {"engine": engine, "quarto": None} if isinstance(engine, str) else dict(engine)
    recorded = {_recorded_name(Path(p), root, "input"): sha256(root / p) for p in inputs}
    manifest = {
        "audit_id": audit_id,
        "build_date": audit_meta["published"],
        "inputs": dict(sorted(recorded.items())),
        "outputs": {name: sha256(Path(p)) for name, p in sorted(outputs.items())},
        "code": code_version(root),
        "environment": {
            **environment(lock_file),
            "engine": used.get("engine"),
            "quarto": used.get("quarto"),
        },
        "validation": {
            "rows_read": audit_meta.get("rows_read", {}),
            "warnings": audit_meta.get("warnings", []),
        },
    }
    if config_files:
        manifest["config_files"] = [
            _recorded_name(Path(p), root, "config file") for p in config_files
        ]
    if publication is not None:
        manifest["publication"] = dict(publication)
    return manifest


def page_manifest(
    *,
    kind: str,
    root: Path,
    inputs: Iterable[Path],
    outputs: Mapping[str, Path],
    engine: str,
    lock_file: Path | None = None,
) -> dict[str, Any]:
    """The manifest of a page that lists publications (the programme page; board pages):
    ``kind``, the SHA-256 of each input (the manifests of the publications it lists, relative
    to ``root``) and of each output (relative to the page's folder), the code and the
    software. Nothing in it depends on the clock: two builds of the same inputs give the same
    bytes. ``verify`` checks it as it checks an audit's."""
    recorded = {_recorded_name(Path(p), root, "input"): sha256(root / p) for p in inputs}
    return {
        "kind": kind,
        "inputs": dict(sorted(recorded.items())),
        "outputs": {name: sha256(Path(p)) for name, p in sorted(outputs.items())},
        "code": code_version(root),
        "environment": {"engine": engine, **environment(lock_file)},
    }


def write_manifest(manifest: Mapping[str, Any], path: Path) -> None:
    path.write_text(
        json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )


#: Statuses of verify's results that do not fail the check.
PASSING = ("intact", "identical", "same-code", "note", "unrecorded")


def read_manifest(report_dir: Path) -> dict[str, Any]:
    """The manifest of a published folder; :class:`ManifestError` when it is not one."""
    try:
        manifest = json.loads((report_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ManifestError(
            f"{report_dir / MANIFEST} cannot be read as a manifest ({exc})"
        ) from None
    if not (
        isinstance(manifest, dict)
        and isinstance(manifest.get("inputs"), dict)
        and isinstance(manifest.get("outputs"), dict)
        and isinstance(manifest.get("code"), dict)
    ):
        raise ManifestError(f"{report_dir / MANIFEST} is not a manifest written by auditrap")
    return manifest


def verify(report_dir: Path, *, root: Path) -> list[tuple[str, str]]:
    """Recompute every hash of a published folder (an audit's, or ``report/_output`` for the
    programme page): (status, file) for each file, where status is ``intact``, ``changed``,
    ``missing``, ``unlisted`` (a file in the folder that the manifest does not list),
    ``refused`` (a path the manifest may not hold) or ``unrecorded`` (Snakemake's report of
    the run, which ``make report`` adds after the manifest: named, never checked). A first
    line says whether the code that built it is the code here now (for information: it does
    not fail the check)."""
    from auditrap.publish import RUN_REPORT, folder_files

    report_dir, root = report_dir.absolute(), root.absolute()
    try:
        manifest = read_manifest(report_dir)
    except ManifestError as exc:
        return [("refused", str(exc))]
    now = code_version(root)
    recorded_code = manifest["code"]
    same = now == recorded_code and not now.get("dirty")
    built_by = recorded_code.get("git_commit") or recorded_code.get("source_sha256")
    results = [
        (
            "same-code" if same else "note",
            f"built by code {built_by}"
            + (
                ""
                if same
                else f"; the code here now is {now.get('git_commit') or now.get('source_sha256')}"
                + (" with uncommitted changes" if now.get("dirty") else "")
            ),
        )
    ]

    def shown(path: Path) -> str:
        return _posix(path.relative_to(root)) if path.is_relative_to(root) else str(path)

    for group, base in (("inputs", root), ("outputs", report_dir)):
        for name, expected in manifest[group].items():
            try:
                path = inside(name, base, group[:-1])
            except ManifestError as exc:
                results.append(("refused", str(exc)))
                continue
            if path.is_symlink():
                status = "refused" if group == "outputs" else _status(path, expected)
            else:
                status = _status(path, expected)
            results.append((status, f"{group[:-1]} {shown(path)}"))
    # Every file in the folder must be one the manifest lists. The programme page shares
    # report/_output with the audits' folders, each checked on its own: only its own files.
    if manifest.get("kind") == "programme":
        present = [p.name for p in report_dir.iterdir() if p.is_file() or p.is_symlink()]
    else:
        present = list(folder_files(report_dir))
    for name in sorted(set(present) - set(manifest["outputs"]) - {MANIFEST}):
        path = report_dir / name
        if name == RUN_REPORT and manifest.get("kind") is None and not path.is_symlink():
            results.append(
                (
                    "unrecorded",
                    f"{shown(path)} (Snakemake's report of the run, added by make report after "
                    "the manifest was written; its run times differ every run, so it is not "
                    "recorded or checked)",
                )
            )
        else:
            results.append(("unlisted", f"{shown(path)} is in the folder but not in the manifest"))
    return results


def _status(path: Path, expected: str) -> str:
    if not path.is_file():
        return "missing"
    return "intact" if sha256(path) == expected else "changed"


WORKFLOW_FILES = ("Snakefile", "workflow", "scripts", "environment.yml", "requirements.lock")


#: The settings of config.yaml that name folders or files: a rebuild refuses any outside its
#: temporary folder, so that it can never write (or read) anywhere else.
PATH_SETTINGS = ("raw_dir", "processed_dir", "output_dir", "private_dir", "report_dir", "taxonomy")
AUDIT_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def rebuild(report_dir: Path, *, root: Path) -> list[tuple[str, str]]:
    """Rebuild the audit from its recorded inputs in a temporary folder and compare every
    output byte for byte with the published one, and the manifest itself (all but its record
    of the code: a copy outside git cannot repeat the commit; ``verify``'s first line says
    whether the code is the same). Every path the manifest and the config files name must be
    inside the project and the temporary folder: the rebuild never writes anywhere else."""
    report_dir, root = report_dir.absolute(), root.absolute()
    if not report_dir.resolve().is_relative_to(root.resolve()):
        return [("failed", f"{report_dir} is not inside the project folder {root} (--root)")]
    try:
        manifest = read_manifest(report_dir)
    except ManifestError as exc:
        return [("refused", str(exc))]
    if manifest.get("kind") == "programme":
        return _rebuild_programme(report_dir, root, manifest)
    if manifest.get("kind") == "board":
        # A board's assurance report: its own publication, from its audits' data.
        board = manifest.get("board") if isinstance(manifest.get("board"), dict) else {}
        slug = board.get("slug")
        if not isinstance(slug, str) or not AUDIT_ID.fullmatch(slug):
            return [("refused", f"the manifest's board slug {slug!r} is not a board's slug")]
        members = [
            a.get("audit_id")
            for a in board.get("audits", [])
            if isinstance(a, dict) and a.get("audit_id")
        ]
        if not all(isinstance(a, str) and AUDIT_ID.fullmatch(a) for a in members):
            return [("refused", f"the manifest's audits {members!r} are not audit ids")]
        return _rebuild_in_folder(
            report_dir, root, manifest, f"boards/{slug}", members, f"the board {slug}"
        )
    audit_id = manifest.get("audit_id")
    if not isinstance(audit_id, str) or not AUDIT_ID.fullmatch(audit_id):
        return [("refused", f"the manifest's audit_id {audit_id!r} is not an audit id")]
    return _rebuild_in_folder(report_dir, root, manifest, audit_id, [audit_id], audit_id)


def _rebuild_in_folder(
    report_dir: Path,
    root: Path,
    manifest: Mapping[str, Any],
    publication: str,
    audits: list[str],
    what: str,
) -> list[tuple[str, str]]:
    """Copy the workflow and the manifest's inputs into a temporary folder, publish ``publication``
    (an audit id, or ``boards/<slug>``) there with ``audits`` as config.yaml's audits, and
    compare the result with the published folder."""
    import shutil
    import sys
    import tempfile

    import yaml

    config_files = manifest.get("config_files", ["config.yaml"])
    with tempfile.TemporaryDirectory(prefix="auditrap-verify-") as tmp:
        work = Path(tmp)
        try:
            copies = [
                (inside(n, root, "input"), inside(n, work, "input")) for n in manifest["inputs"]
            ]
            extra = [inside(n, work, "config file") for n in config_files if n != "config.yaml"]
        except ManifestError as exc:
            return [("refused", str(exc))]
        for name in WORKFLOW_FILES:
            source, target = root / name, work / name
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("_output"))
            elif source.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
        for source, target in copies:
            if source.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
        settings: dict[str, Any] = {}
        for path in [work / "config.yaml", *extra]:
            # Unreadable settings are left for the rebuild to report as Snakemake sees them.
            with contextlib.suppress(
                OSError, ValueError, yaml.YAMLError, TypeError, AttributeError
            ):
                settings.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        try:
            for key in PATH_SETTINGS:
                if key in settings:
                    inside(str(settings[key]), work, f"the config setting {key}")
        except ManifestError as exc:
            return [("refused", str(exc))]
        # An audit's name list is private (never recorded), but the build redacted with it.
        for audit_id in audits:
            private = Path(str(settings.get("private_dir", "data/private")), audit_id, "names.txt")
            if (root / private).is_file() and (root / private).resolve().is_relative_to(
                root.resolve()
            ):
                (work / private).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(root / private, work / private)
        # This publication only (its receipt): not, for an audit, its board's report, whose
        # sources are not the audit's inputs.
        processed = str(settings.get("processed_dir", "data/processed"))
        target = inside(f"{processed}/{publication}/publication.json", work, "the receipt")
        command = [sys.executable, "-m", "snakemake", str(target.relative_to(work))]
        # Not --quiet all: it silences Snakemake's own errors too.
        command += ["--cores", "2"]
        if extra:
            command += ["--configfile", *(str(p.relative_to(work)) for p in extra)]
        command += ["--config", f"audits=[{','.join(audits)}]"]
        result = subprocess.run(command, cwd=work, capture_output=True, text=True)
        if result.returncode != 0:
            # Snakemake writes some of its errors to standard output (--quiet or not).
            said = (result.stderr.strip() or result.stdout.strip())[-2000:]
            return [("failed", f"rebuild of {what}: {said or 'Snakemake stopped'}")]
        rebuilt = work / str(settings.get("output_dir", "report/_output")) / publication
        return _compare(report_dir, rebuilt, manifest)


def _compare(published: Path, rebuilt: Path, manifest: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Compare a rebuilt folder with the published one: every output byte for byte, the
    set of files, and the manifest itself but for its record of the code."""
    from auditrap.publish import folder_files

    results = []
    for name in manifest["outputs"]:
        try:
            here = inside(name, published, "output")
        except ManifestError as exc:
            results.append(("refused", str(exc)))
            continue
        again = rebuilt / name
        if not here.is_file():
            results.append(("missing", f"output {name}"))
        elif not again.is_file() or again.read_bytes() != here.read_bytes():
            results.append(("changed", f"output {name} (the rebuild differs)"))
        else:
            results.append(("identical", f"output {name}"))
    for name in sorted(set(folder_files(rebuilt)) - set(manifest["outputs"]) - {MANIFEST}):
        results.append(
            ("changed", f"output {name} (the rebuild makes it; the manifest does not list it)")
        )
    try:
        again = read_manifest(rebuilt)
    except ManifestError as exc:
        return [*results, ("changed", f"{MANIFEST}: the rebuild made none ({exc})")]
    differ = sorted(
        key
        for key in set(manifest) | set(again)
        if key != "code" and manifest.get(key) != again.get(key)
    )
    if differ:
        results.append(
            ("changed", f"{MANIFEST} (the rebuild records a different {', '.join(differ)})")
        )
    else:
        results.append(("identical", f"{MANIFEST} (all but its record of the code)"))
    return results


def _rebuild_programme(report_dir: Path, root: Path, manifest: Mapping[str, Any]):
    """Make the programme page again from the manifests it recorded, in a temporary folder,
    and compare it and its manifest with the published ones."""
    import shutil
    import tempfile

    from auditrap.pipeline import write_programme

    with tempfile.TemporaryDirectory(prefix="auditrap-verify-") as tmp:
        work = Path(tmp)
        try:
            copies = [
                (inside(n, root, "input"), inside(n, work, "input")) for n in manifest["inputs"]
            ]
        except ManifestError as exc:
            return [("refused", str(exc))]
        for source, target in copies:
            if source.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
        output_dir = work / report_dir.relative_to(root)
        output_dir.mkdir(parents=True, exist_ok=True)
        build = work / "build"
        write_programme(
            output_dir=output_dir,
            build_dir=build,
            engine=manifest.get("environment", {}).get("engine", "auto"),
            root=work,
        )
        return _compare_page(report_dir, build, manifest)


def _compare_page(published: Path, rebuilt: Path, manifest: Mapping[str, Any]):
    results = []
    for name in manifest["outputs"]:
        here, again = published / name, rebuilt / name
        if not here.is_file():
            results.append(("missing", f"output {name}"))
        elif not again.is_file() or again.read_bytes() != here.read_bytes():
            results.append(("changed", f"output {name} (the rebuild differs)"))
        else:
            results.append(("identical", f"output {name}"))
    again = read_manifest(rebuilt)
    differ = sorted(
        key
        for key in set(manifest) | set(again)
        if key != "code" and manifest.get(key) != again.get(key)
    )
    results.append(
        ("changed", f"{MANIFEST} (the rebuild records a different {', '.join(differ)})")
        if differ
        else ("identical", f"{MANIFEST} (all but its record of the code)")
    )
    return results
