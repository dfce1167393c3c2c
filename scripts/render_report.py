"""Snakemake adapter: render one audit's report to HTML and PDF."""

from auditrap.pipeline import render_stage, run_stage

run_stage(
    snakemake.log[0],  # noqa: F821
    render_stage,
    variables_path=snakemake.input.variables,  # noqa: F821
    theme_counts_path=snakemake.input.theme_counts,  # noqa: F821
    figures=list(snakemake.input.figures),  # noqa: F821
    charts_json=snakemake.input.charts,  # noqa: F821
    narrative=list(snakemake.input.narrative),  # noqa: F821
    meta_path=snakemake.input.meta,  # noqa: F821
    build_dir=snakemake.params.build_dir,  # noqa: F821
    report_dir=snakemake.params.report_dir,  # noqa: F821
    html_out=snakemake.output.html,  # noqa: F821
    pdf_out=snakemake.output.pdf,  # noqa: F821
    engine=snakemake.params.engine,  # noqa: F821
    accessibility=dict(snakemake.params.accessibility),  # noqa: F821
    sources=list(snakemake.input.sources),  # noqa: F821
    internal={
        "build_dir": snakemake.params.internal_build_dir,  # noqa: F821
        "html": snakemake.output.internal_html,  # noqa: F821
        "pdf": snakemake.output.internal_pdf,  # noqa: F821
        "case_grades": snakemake.input.case_grades,  # noqa: F821
        "theme_tags": snakemake.input.theme_tags,  # noqa: F821
        "returns": snakemake.input.returns,  # noqa: F821
        "actions": snakemake.input.actions,  # noqa: F821
    },
)
