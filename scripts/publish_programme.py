"""Snakemake adapter: write the page listing every published audit."""

from auditrap.pipeline import programme_stage, run_stage

run_stage(
    snakemake.log[0],  # noqa: F821
    programme_stage,
    variables_paths=list(snakemake.input.variables),  # noqa: F821
    out=snakemake.output.index,  # noqa: F821
)
