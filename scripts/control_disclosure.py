"""Snakemake adapter: hide small counts in the tables to be published."""

from auditrap.pipeline import disclosure_stage, run_stage

run_stage(
    snakemake.log[0],  # noqa: F821
    disclosure_stage,
    tables=[*snakemake.input.tables, snakemake.input.theme_counts],  # noqa: F821
    policy=dict(snakemake.params.policy),  # noqa: F821
    tables_out=list(snakemake.output.tables),  # noqa: F821
    summary_out=snakemake.output.disclosure,  # noqa: F821
)
