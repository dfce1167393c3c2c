"""Snakemake adapter: an audit's board entry (what later audits of its board take from it)."""

from auditrap.earlier import entry_stage
from auditrap.pipeline import run_stage

inp = snakemake.input  # noqa: F821
params = snakemake.params  # noqa: F821

run_stage(
    snakemake.log[0],  # noqa: F821
    entry_stage,
    audit_dir=params.audit_dir,
    audit_id=snakemake.wildcards.audit_id,  # noqa: F821
    out=snakemake.output.entry,  # noqa: F821
    taxonomy_paths=list(inp.taxonomy),
    names_path=inp.names[0] if inp.names else None,
    grade_aliases=params.grade_aliases,
    ignored_columns=params.ignored_columns,
    input_limits=params.input_limits,
    policy=dict(params.policy),
)
