"""The auditrap command line."""

from __future__ import annotations

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

    from auditrap.problems import summary
    from auditrap.validate import load_audit

    settings = {}
    if Path(config).is_file():
        settings = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
    path = Path(audit_dir)
    audit, problems = load_audit(
        path,
        path.name,
        grade_aliases=settings.get("grade_aliases") or {},
        ignored_columns=settings.get("ignored_columns") or [],
    )
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
) -> None:
    """Write the blank audit tool (an Excel workbook) for one audit."""
    from pathlib import Path

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


if __name__ == "__main__":
    app()
