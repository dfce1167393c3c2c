"""Snakemake adapter: record the package's code, on which every step depends."""

from auditrap.pipeline import code_version_stage, run_stage

run_stage(
    snakemake.log[0],  # noqa: F821
    code_version_stage,
    code=list(snakemake.input.code),  # noqa: F821
    out=snakemake.output.version,  # noqa: F821
)
