"""Snakemake adapter: render the board's assurance report to HTML and PDF."""

from auditrap.board_report import render_board_stage
from auditrap.pipeline import run_stage

inp = snakemake.input  # noqa: F821
out = snakemake.output  # noqa: F821
params = snakemake.params  # noqa: F821

run_stage(
    snakemake.log[0],  # noqa: F821
    render_board_stage,
    variables_path=inp.variables,
    figures_dir=inp.figures,
    narrative=list(inp.narrative),
    narrative_dir=params.narrative_dir,
    build_dir=params.build_dir,
    report_dir=params.report_dir,
    html_out=out.html,
    pdf_out=out.pdf,
    engine=params.engine,
    accessibility=dict(params.accessibility),
    engine_out=out.engine,
)
