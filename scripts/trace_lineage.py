"""Snakemake adapter: trace every number of the report back to its input rows."""

from pathlib import Path

from auditrap.pipeline import lineage_stage, run_stage

run_stage(
    snakemake.log[0],  # noqa: F821
    lineage_stage,
    variables_path=snakemake.input.variables,  # noqa: F821
    processed_dir=Path(snakemake.input.cases).parent,  # noqa: F821
    audit_dir=snakemake.params.audit_dir,  # noqa: F821
    out=snakemake.output.lineage,  # noqa: F821
    public_out=snakemake.output.public_lineage,  # noqa: F821
)
