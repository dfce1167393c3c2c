"""Snakemake adapter: the publication gate and the manifest of one audit's build."""

from auditrap.pipeline import published_files, record_stage, run_stage

run_stage(
    snakemake.log[0],  # noqa: F821
    record_stage,
    files=published_files(snakemake.input, snakemake.wildcards.audit_id),  # noqa: F821
    audit_id=snakemake.wildcards.audit_id,  # noqa: F821
    inputs=list(snakemake.input.sources) + list(snakemake.input.config_files),  # noqa: F821
    meta_path=snakemake.input.meta,  # noqa: F821
    manifest_out=snakemake.output.manifest,  # noqa: F821
    engine=snakemake.params.engine,  # noqa: F821
    disclosure_path=snakemake.input.disclosure,  # noqa: F821
    names_path=snakemake.input.names[0] if snakemake.input.names else None,  # noqa: F821
)
