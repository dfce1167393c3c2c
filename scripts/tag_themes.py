"""Snakemake adapter: tag the free text of one audit's returns with themes."""

from auditrap.pipeline import run_stage, tag_stage

run_stage(
    snakemake.log[0],  # noqa: F821
    tag_stage,
    returns_path=snakemake.input.returns,  # noqa: F821
    taxonomy_paths=list(snakemake.input.taxonomy),  # noqa: F821
    tags_out=snakemake.output.tags,  # noqa: F821
    counts_out=snakemake.output.counts,  # noqa: F821
)
