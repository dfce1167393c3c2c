"""Snakemake adapter: the board report's tables, charts, variables and lineage."""

from auditrap.board_report import board_analysis_stage
from auditrap.pipeline import run_stage

out = snakemake.output  # noqa: F821
params = snakemake.params  # noqa: F821

run_stage(
    snakemake.log[0],  # noqa: F821
    board_analysis_stage,
    programme=dict(params.programme),
    as_of=dict(params.as_of) if params.as_of else None,
    processed_dir=params.processed_dir,
    taxonomy_path=snakemake.input.taxonomy,  # noqa: F821
    out_dir=__import__("pathlib").Path(out.tables[0]).parent,
    figures_dir=out.figures,
    variables_out=out.variables,
    lineage_out=out.lineage,
    checked_out=out.checked,
    palette=params.palette,
    fonts_dir=params.fonts_dir,
    symbol=params.symbol,
)
