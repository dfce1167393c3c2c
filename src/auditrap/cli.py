"""The auditrap command line."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    help="auditrap: multi-agency safeguarding audit reports, reproducibly.", no_args_is_help=True
)


@app.command()
def dictionary() -> None:
    """Print the data dictionary (Markdown), generated from the pandera models."""
    from auditrap.dictionary import data_dictionary

    typer.echo(data_dictionary(), nl=False)


@app.command()
def validate(
    audit_dir: str,
    config: str = typer.Option(
        "config.yaml",
        help="Settings to apply (grade aliases, ignored "
        "columns), as the workflow does; skipped if the file is absent.",
    ),
) -> None:
    """Check one audit folder against the data contract and list every problem."""
    from pathlib import Path

    import yaml

    from auditrap.audit_folder import check_audit_folder
    from auditrap.limits import InputLimits
    from auditrap.narrative import check_narrative, narrative_files
    from auditrap.problems import summary
    from auditrap.redact import read_name_list
    from auditrap.validate import load_audit, mask_problems

    settings = {}
    if Path(config).is_file():
        settings = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
    path = Path(audit_dir)
    # Links are refused before any file is read; the narrative is checked as the render does.
    # The findings and the recommendations' themes are checked against the taxonomy the
    # audit is tagged with: the shared one, and the audit's own extension.
    from auditrap.themes import load_theme_ids

    taxonomy = [Path(settings.get("taxonomy") or "data/themes.yaml"), path / "themes.yaml"]
    theme_ids, taxonomy_problems = load_theme_ids([p for p in taxonomy if p.is_file()])
    audit, problems = None, check_audit_folder(path)
    if not problems:
        audit, problems = load_audit(
            path,
            path.name,
            grade_aliases=settings.get("grade_aliases") or {},
            ignored_columns=settings.get("ignored_columns") or [],
            theme_ids=theme_ids,
            limits=InputLimits.from_settings(settings),
        )
        problems += check_narrative(narrative_files(path / "narrative"))
        # The glossary the report is written with: the board's, and the audit's own.
        from auditrap.glossary import load_glossary

        board = Path(settings.get("glossary") or "data/glossary.yaml")
        problems += load_glossary(
            [(board, board.as_posix()), (path / "glossary.yaml", "glossary.yaml")],
            limits=InputLimits.from_settings(settings),
        )[1]
    problems += taxonomy_problems
    if any(p.severity != "warning" for p in problems):
        audit = None
    # Never echo what redaction would remove: the audit's name list, as the workflow reads it.
    names_file = Path(settings.get("private_dir") or "data/private", path.name, "names.txt")
    problems = mask_problems(problems, read_name_list(names_file))
    for warning in (p for p in problems if p.severity == "warning"):
        typer.echo(f"Warning: {warning.line()}", err=True)
    if audit is None:
        typer.echo(summary(problems, audit_id=path.name), err=True)
        raise typer.Exit(1)
    typer.echo(
        f"{path.name} is valid: " + ", ".join(f"{n} rows in {f}" for f, n in audit.files.items())
    )


@app.command()
def template(
    audit_id: str,
    output: str = typer.Option(..., "-o", "--output", help="The workbook to write (.xlsx)."),
    raw_dir: str = typer.Option("data/raw", help="Folder holding the audits."),
    action_plan: bool = typer.Option(
        False,
        "--action-plan",
        help="Write the action-plan workbook the leads update each quarter instead, filled "
        "in with the current action plan if there is one.",
    ),
) -> None:
    """Write the blank audit tool (an Excel workbook) for one audit, or with --action-plan
    the action-plan workbook."""
    from pathlib import Path

    if action_plan:
        _action_plan_template(audit_id, Path(output), Path(raw_dir))
        return

    from auditrap.metadata import load_meta
    from auditrap.readers import read_csv_table
    from auditrap.schemas import Cases, columns, required_columns
    from auditrap.template import write_template

    folder = Path(raw_dir) / audit_id
    meta, problems = load_meta(folder / "audit.yaml")
    cases = (
        read_csv_table(
            folder / "cases.csv",
            display="cases.csv",
            expected=columns(Cases),
            required=required_columns(Cases),
        )
        if (folder / "cases.csv").is_file()
        else None
    )
    if meta is None or cases is None or not cases.ok:
        for problem in problems + (cases.problems if cases else []):
            typer.echo(f"  - {problem.line()}", err=True)
        typer.echo(f"The audit tool needs a valid {folder}/audit.yaml and cases.csv.", err=True)
        raise typer.Exit(1)
    path = write_template(meta, cases.frame["case_id"].dropna().tolist(), Path(output))
    typer.echo(f"Wrote the audit tool for {audit_id} to {path}.")


def _action_plan_template(audit_id: str, output, raw_dir) -> None:
    from auditrap.metadata import load_meta
    from auditrap.problems import ERROR
    from auditrap.template import write_action_plan_template
    from auditrap.validate import load_plan_tables

    folder = raw_dir / audit_id
    meta, problems = load_meta(folder / "audit.yaml")
    tables, plan_problems = load_plan_tables(folder, meta) if meta else ({}, [])
    errors = [p for p in problems + plan_problems if p.severity == ERROR]
    if meta is None or errors or "recommendations.csv" not in tables:
        for problem in errors:
            typer.echo(f"  - {problem.line()}", err=True)
        typer.echo(
            f"The action-plan workbook needs a valid {folder}/audit.yaml and "
            "recommendations.csv, and the current action plan, if there is one, without "
            "problems.",
            err=True,
        )
        raise typer.Exit(1)
    plan = tables.get("action_plan.csv")
    path = write_action_plan_template(
        meta,
        tables["recommendations.csv"].frame,
        plan.frame if plan is not None else None,
        output,
        audit_id=audit_id,
    )
    filled = f", filled in with the {len(plan.frame)} actions of {plan.name}" if plan else ""
    typer.echo(f"Wrote the action-plan workbook for {audit_id} to {path}{filled}.")


@app.command()
def review(
    audit_id: str,
    output: str = typer.Option(
        None,
        "-o",
        "--output",
        help="The file to write (.xlsx or .csv). Default: the audit's review file, "
        "theme_review.xlsx unless the audit already has theme_review.csv.",
    ),
    config: str = typer.Option(
        "config.yaml",
        help="Settings to apply (folders, taxonomy, grade aliases, ignored columns), as the "
        "workflow does; skipped if the file is absent.",
    ),
) -> None:
    """Write the theme review for one audit to fill in: every suggestion of the tagger, with
    the decisions already made carried over, and every other sentence, to add a theme."""
    from pathlib import Path

    import yaml

    from auditrap.problems import WARNING, summary
    from auditrap.redact import read_name_list, redact_tables
    from auditrap.review import find_review_file, review_sheet, review_status, tag_and_review
    from auditrap.safe_csv import write_csv
    from auditrap.template import write_review_workbook
    from auditrap.themes import TaxonomyError, load_taxonomy
    from auditrap.validate import load_audit

    settings = {}
    if Path(config).is_file():
        settings = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
    folder = Path(settings.get("raw_dir") or "data/raw") / audit_id
    if not (folder / "audit.yaml").is_file():
        typer.echo(f"There is no audit folder {folder}/ with an audit.yaml.", err=True)
        raise typer.Exit(1)
    audit, problems = load_audit(
        folder,
        audit_id,
        grade_aliases=settings.get("grade_aliases") or {},
        ignored_columns=settings.get("ignored_columns") or [],
    )
    if audit is None:
        typer.echo(summary(problems, audit_id=audit_id), err=True)
        raise typer.Exit(1)
    # The sentences as the build tags them: redacted, so that their hashes are the build's.
    private = Path(settings.get("private_dir") or "data/private") / audit_id / "names.txt"
    names = read_name_list(private if private.is_file() else None)
    returns = redact_tables({"returns": audit.returns}, names)[0]["returns"]
    try:
        taxonomy = load_taxonomy(
            Path(settings.get("taxonomy") or "data/themes.yaml"), folder / "themes.yaml"
        )
    except TaxonomyError as exc:
        typer.echo(f"The theme taxonomy cannot be used: {exc}", err=True)
        raise typer.Exit(1) from None
    tagged = tag_and_review(
        returns,
        taxonomy,
        audit_dir=folder,
        case_ids=audit.cases["case_id"].astype(str).tolist(),
        agencies=list(audit.meta.agencies),
        hash_every_sentence=True,
        ignored_columns=settings.get("ignored_columns") or [],
    )
    stale = [p for p in tagged.review.problems if p.severity == WARNING]
    if not tagged.review.ok:
        typer.echo(summary(tagged.review.problems, audit_id=audit_id), err=True)
        typer.echo("Correct the review file first: its decisions are carried over.", err=True)
        raise typer.Exit(1)
    current, _ = find_review_file(folder)
    target = Path(output) if output else current or folder / "theme_review.xlsx"
    if target.suffix.lower() not in (".xlsx", ".csv"):
        typer.echo(f"{target}: write the review as .xlsx (a workbook) or .csv.", err=True)
        raise typer.Exit(1)
    titles = {t.id: t.title for t in taxonomy.themes}
    sheet = review_sheet(tagged.sentence_tags, tagged.sentences, titles, tagged.review.notes)
    if target.suffix.lower() == ".csv":
        target.parent.mkdir(parents=True, exist_ok=True)
        write_csv(sheet, target)
    else:
        write_review_workbook(audit.meta, audit_id, sheet, titles, target)
    status = review_status(
        tagged.sentence_tags, final_without_review=False, review_file=str(target)
    )
    typer.echo(
        f"Wrote the theme review of {audit_id} to {target}: {status['unreviewed']} of "
        f"{status['suggested']} suggestions need a decision."
    )
    for problem in stale:
        typer.echo(f"Dropped, as its sentence changed: {problem.line()}", err=True)
    others = [folder / n for n in ("theme_review.xlsx", "theme_review.csv")]
    if target.resolve() in {p.resolve() for p in others} and sum(p.is_file() for p in others) > 1:
        typer.echo(
            f"Note: {folder} now holds both theme_review.xlsx and theme_review.csv; the build "
            "refuses that. Keep the one you fill in and delete the other.",
            err=True,
        )


@app.command()
def build(
    targets: Annotated[
        list[str] | None, typer.Argument(help="Files or rules to build (default: all).")
    ] = None,
    cores: int = typer.Option(2, "--cores", "-c", help="How many jobs run at once."),
    configfile: Annotated[
        list[str] | None,
        typer.Option("--configfile", help="A config file that overrides config.yaml's keys."),
    ] = None,
    keep_going: bool = typer.Option(
        False, "--keep-going", "-k", help="Go on with the other audits when a job fails."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print less."),
    final: bool = typer.Option(
        False,
        "--final",
        help="A final build: any publisher warning stops it before anything is published.",
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", "-n", help="Say what would be built, and build nothing."
    ),
) -> None:
    """Build the audits here, as `snakemake --cores N` does, without its job-rate limiter.

    A build stopped before it finished (killed, a full disk) is recovered from: its stale
    lock is removed and its unfinished files made again. A second build at the same time in
    the same folder is refused."""
    from pathlib import Path

    from auditrap.build import build as run

    ok = run(
        cores=cores,
        targets=targets or [],
        configfiles=[Path(f) for f in configfile or []],
        keep_going=keep_going,
        quiet=quiet,
        final=final,
        dry_run=dry_run,
    )
    raise typer.Exit(0 if ok else 1)


@app.command()
def verify(
    report_dir: str,
    root: str = typer.Option(".", help="The project folder the inputs are recorded from."),
    rebuild: bool = typer.Option(
        False,
        "--rebuild",
        help="Also rebuild the audit from its "
        "recorded inputs in a temporary folder and compare every "
        "output byte for byte.",
    ),
) -> None:
    """Check a published folder against its manifest: every input and output, by SHA-256.

    REPORT_DIR is an audit's folder (report/_output/<audit_id>) or report/_output itself
    for the programme page. Every file in the folder must be in the manifest."""
    from pathlib import Path

    from auditrap import provenance

    folder, base = Path(report_dir), Path(root)
    if not (folder / provenance.MANIFEST).is_file():
        typer.echo(
            f"There is no {provenance.MANIFEST} in {folder}: is it a published audit "
            "folder (report/_output/<audit_id>), or report/_output?",
            err=True,
        )
        raise typer.Exit(2)
    results = provenance.verify(folder, root=base)
    if rebuild and not any(status == "refused" for status, _ in results):
        results += provenance.rebuild(folder, root=base)
    elif rebuild:
        results.append(("refused", "not rebuilt: the manifest holds paths it may not"))
    for status, name in results:
        typer.echo(f"{status:<10} {name}")
    bad = [name for status, name in results if status not in provenance.PASSING]
    if bad:
        typer.echo(f"{len(bad)} file(s) differ from the manifest: " + "; ".join(bad), err=True)
        raise typer.Exit(1)
    typer.echo("Every file matches the manifest.")


if __name__ == "__main__":
    app()
