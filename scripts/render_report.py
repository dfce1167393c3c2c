"""Snakemake adapter: render one audit's report (both editions) to HTML and PDF."""

from auditrap.pipeline import render_stage, run_stage

inp = snakemake.input  # noqa: F821
out = snakemake.output  # noqa: F821
params = snakemake.params  # noqa: F821

run_stage(
    snakemake.log[0],  # noqa: F821
    render_stage,
    variables_path=inp.variables,
    theme_counts_path=inp.theme_counts,
    figures=list(inp.figures),
    charts_json=inp.charts,
    narrative=list(inp.narrative),
    meta_path=inp.meta,
    build_dir=params.build_dir,
    report_dir=params.report_dir,
    html_out=out.html,
    pdf_out=out.pdf,
    engine=params.engine,
    accessibility=dict(params.accessibility),
    sources=list(inp.sources),
    audit_dir=params.audit_dir,
    engine_out=out.engine,
    briefing={
        "build_dir": params.briefing_build_dir,
        "html": out.briefing_html,
        "pdf": out.briefing_pdf,
        "to_be_written": out.briefing_to_be_written,
    },
    context_path=inp.context,
    context_figures=inp.context_figures,
    to_be_written_out=out.to_be_written,
    settings=dict(snakemake.config),  # noqa: F821
    technical_out=out.technical,
    glossary=list(inp.glossary),
    internal={
        "build_dir": params.internal_build_dir,
        "html": out.internal_html,
        "pdf": out.internal_pdf,
        "appendix": inp.appendix,
    },
)
