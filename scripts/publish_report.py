"""Snakemake adapter: publish one audit's finished report, data tables and internal edition."""

from auditrap.pipeline import publish_stage, run_stage

inputs, outputs = snakemake.input, snakemake.output  # noqa: F821
pairs = [(inputs.html, outputs.html), (inputs.pdf, outputs.pdf)]
pairs += list(zip(list(inputs.tables) + [inputs.theme_counts], outputs.tables, strict=True))
pairs += [
    (inputs.internal_html, outputs.internal_html),
    (inputs.internal_pdf, outputs.internal_pdf),
    (inputs.case_grades, outputs.case_grades),
    (inputs.theme_tags, outputs.theme_tags),
]

run_stage(snakemake.log[0], publish_stage, files=dict(pairs))  # noqa: F821
