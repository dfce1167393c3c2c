"""Snakemake adapter: render one audit's charts."""

from pathlib import Path

from auditrap.pipeline import charts_stage, run_stage

run_stage(
    snakemake.log[0],  # noqa: F821
    charts_stage,
    tables={
        "grade_distribution": snakemake.input.grade_distribution,  # noqa: F821
        "grades_by_area": snakemake.input.grades_by_area,  # noqa: F821
    },
    out_dir=Path(snakemake.output.charts).parent,  # noqa: F821
    charts_json=snakemake.output.charts,  # noqa: F821
    palette=snakemake.params.palette,  # noqa: F821
    fonts_dir=snakemake.params.fonts_dir,  # noqa: F821
    disclosure_path=snakemake.input.disclosure,  # noqa: F821
)
