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


if __name__ == "__main__":
    app()
