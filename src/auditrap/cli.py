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
def validate(audit_dir: str) -> None:
    """Check one audit folder against the data contract and list every problem."""
    from pathlib import Path

    from auditrap.problems import summary
    from auditrap.validate import load_audit

    path = Path(audit_dir)
    audit, problems = load_audit(path, path.name)
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
