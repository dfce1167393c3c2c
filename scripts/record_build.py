"""Snakemake adapter: the publication gate and the manifest of one audit's build."""

from auditrap.pipeline import published_files, record_stage, run_stage

inp = snakemake.input  # noqa: F821

run_stage(
    snakemake.log[0],  # noqa: F821
    record_stage,
    files=published_files(inp, snakemake.wildcards.audit_id),  # noqa: F821
    audit_id=snakemake.wildcards.audit_id,  # noqa: F821
    inputs=list(dict.fromkeys([*inp.sources, *inp.board_plans, *inp.config_files])),
    meta_path=inp.meta,
    variables_path=inp.variables,
    config_files=list(inp.config_files),
    manifest_out=snakemake.output.manifest,  # noqa: F821
    engine=snakemake.params.engine,  # noqa: F821
    engine_record_path=inp.engine,
    disclosure_check_path=inp.disclosure_check,
    names_path=inp.names[0] if inp.names else None,
    final=snakemake.params.final,  # noqa: F821
    settings=dict(snakemake.config),  # noqa: F821
    context_path=inp.context,
)
