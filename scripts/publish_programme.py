"""Snakemake adapter: write the page listing every published audit, and its manifest."""

from auditrap.pipeline import programme_stage, run_stage

run_stage(
    snakemake.log[0],  # noqa: F821
    programme_stage,
    output_dir=snakemake.params.output_dir,  # noqa: F821
    build_dir=snakemake.params.build_dir,  # noqa: F821
    receipt=snakemake.output.receipt,  # noqa: F821
    engine=snakemake.params.engine,  # noqa: F821
)
