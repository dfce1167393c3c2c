"""Snakemake adapter: aggregate the grades and actions of one audit."""

from pathlib import Path

from auditrap.pipeline import aggregate_stage, run_stage

run_stage(
    snakemake.log[0],  # noqa: F821
    aggregate_stage,
    processed_dir=Path(snakemake.input.meta).parent,  # noqa: F821
    tables_out=list(snakemake.output.tables),  # noqa: F821
    case_grades_out=snakemake.output.case_grades,  # noqa: F821
)
