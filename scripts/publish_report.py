"""Snakemake adapter: publish one audit's finished report and data tables."""

from auditrap.pipeline import publish_stage, run_stage

sources = [snakemake.input.html, snakemake.input.pdf]  # noqa: F821
sources += list(snakemake.input.tables) + [snakemake.input.theme_counts]  # noqa: F821
targets = [snakemake.output.html, snakemake.output.pdf] + list(snakemake.output.tables)  # noqa: F821

run_stage(
    snakemake.log[0],  # noqa: F821
    publish_stage,
    files=dict(zip(sources, targets, strict=True)),
)
