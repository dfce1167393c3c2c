"""Snakemake adapter: write the variables file the report's shortcodes read."""

from auditrap.pipeline import run_stage, variables_stage

run_stage(
    snakemake.log[0],  # noqa: F821
    variables_stage,
    meta_path=snakemake.input.meta,  # noqa: F821
    tables=list(snakemake.input.tables),  # noqa: F821
    disclosure_path=snakemake.input.disclosure,  # noqa: F821
    out=snakemake.output.variables,  # noqa: F821
)
