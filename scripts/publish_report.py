"""Snakemake adapter: publish one audit's report, data tables and internal edition, with its
manifest."""

from auditrap.pipeline import publish_stage, run_stage

inputs, outputs = snakemake.input, snakemake.output  # noqa: F821
pairs = [(inputs.html, outputs.html), (inputs.pdf, outputs.pdf)]
pairs += list(zip(list(inputs.tables) + [inputs.theme_counts], outputs.tables, strict=True))
pairs += [
    (inputs.internal_html, outputs.internal_html),
    (inputs.internal_pdf, outputs.internal_pdf),
    (inputs.case_grades, outputs.case_grades),
    (inputs.theme_tags, outputs.theme_tags),
    (inputs.lineage, outputs.lineage),
]

run_stage(
    snakemake.log[0],  # noqa: F821
    publish_stage,
    files=dict(pairs),
    audit_id=snakemake.wildcards.audit_id,  # noqa: F821
    inputs=list(inputs.sources) + list(inputs.config_files),
    meta_path=inputs.meta,
    manifest_out=outputs.manifest,
    engine=snakemake.params.engine,  # noqa: F821
)
