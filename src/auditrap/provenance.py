"""Provenance an auditor can check: the manifest of a build, and ``verify``.

``manifest.json`` records every input and output of one audit's build with its SHA-256, the
code (git commit, or a hash of the source when there is no git), the software versions, the
validation summary and the build date, which comes from the inputs, never the clock: two
clean builds of the same inputs give byte-identical manifests.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
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


def build_manifest(
    *,
    audit_id: str,
    root: Path,
    inputs: Iterable[Path],
    outputs: Mapping[str, Path],
    audit_meta: Mapping[str, Any],
    engine: str | Mapping[str, Any],
    lock_file: Path | None = None,
) -> dict[str, Any]:
    """The manifest of one audit's build. ``outputs`` maps each published name (relative to
    the audit's output folder) to the file to hash. Inputs are recorded relative to ``root``,
    so that the manifest is the same on any machine; an input outside it, absolute.
    ``engine`` is the engine that rendered, as the render step recorded it
    (``{"engine": "quarto", "quarto": "1.7.34"}``), or its name."""
    used = {"engine": engine, "quarto": None} if isinstance(engine, str) else dict(engine)
    base = root.resolve()
    recorded = {}
    for path in inputs:
        full = (root / path).resolve()
        recorded[_posix(full.relative_to(base) if full.is_relative_to(base) else full)] = sha256(
            full
        )
    return {
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


def write_manifest(manifest: Mapping[str, Any], path: Path) -> None:
    path.write_text(
        json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def verify(report_dir: Path, *, root: Path) -> list[tuple[str, str]]:
    """Recompute every hash of a published audit: (status, file) for each file, where status
    is ``intact``, ``changed`` or ``missing``. A first line says whether the code that built
    it is the code here now (for information: it does not fail the check)."""
    report_dir, root = report_dir.resolve(), root.resolve()
    manifest = json.loads((report_dir / MANIFEST).read_text(encoding="utf-8"))
    now = code_version(root)
    same = now == manifest["code"] and not now.get("dirty")
    built_by = manifest["code"].get("git_commit") or manifest["code"].get("source_sha256")
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
    for group, base in (("inputs", root), ("outputs", report_dir)):
        for name, expected in manifest[group].items():
            path = base / name
            if not path.is_file():
                status = "missing"
            else:
                status = "intact" if sha256(path) == expected else "changed"
            shown = _posix(path.relative_to(root)) if path.is_relative_to(root) else str(path)
            results.append((status, f"{group[:-1]} {shown}"))
    return results


WORKFLOW_FILES = ("Snakefile", "workflow", "scripts", "environment.yml", "requirements.lock")


def rebuild(report_dir: Path, *, root: Path) -> list[tuple[str, str]]:
    """Rebuild the audit from its recorded inputs in a temporary folder and compare every
    output byte for byte with the published one."""
    import shutil
    import sys
    import tempfile

    report_dir, root = report_dir.resolve(), root.resolve()
    if not report_dir.is_relative_to(root):
        return [("failed", f"{report_dir} is not inside the project folder {root} (--root)")]
    manifest = json.loads((report_dir / MANIFEST).read_text(encoding="utf-8"))
    audit_id = manifest["audit_id"]
    with tempfile.TemporaryDirectory(prefix="auditrap-verify-") as tmp:
        work = Path(tmp)
        for name in (*WORKFLOW_FILES, *manifest["inputs"]):
            source, target = root / name, work / name
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("_output"))
            elif source.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "snakemake",
                "--cores",
                "2",
                "--quiet",
                "all",
                "--config",
                f"audits=[{audit_id}]",
            ],
            cwd=work,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            return [("failed", f"rebuild of {audit_id}: {result.stderr.strip()[-2000:]}")]
        rebuilt = work / report_dir.relative_to(root)
        results = []
        for name in manifest["outputs"]:
            published, again = report_dir / name, rebuilt / name
            if not published.is_file():
                results.append(("missing", f"output {name}"))
            elif not again.is_file() or again.read_bytes() != published.read_bytes():
                results.append(("changed", f"output {name} (the rebuild differs)"))
            else:
                results.append(("identical", f"output {name}"))
        return results
