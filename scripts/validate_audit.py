"""Snakemake adapter: validate one audit's raw files."""

from auditrap.pipeline import run_stage, validate_stage

run_stage(
    snakemake.log[0],  # noqa: F821
    validate_stage,
    audit_dir=snakemake.params.audit_dir,  # noqa: F821
    audit_id=snakemake.wildcards.audit_id,  # noqa: F821
    out_dir=snakemake.output.meta.rsplit("/", 1)[0],  # noqa: F821
    report_dir=snakemake.params.report_dir,  # noqa: F821
    grade_aliases=snakemake.params.grade_aliases,  # noqa: F821
    ignored_columns=snakemake.params.ignored_columns,  # noqa: F821
    names_path=snakemake.input.names[0] if snakemake.input.names else None,  # noqa: F821
    redactions_out=snakemake.output.redactions,  # noqa: F821
)
