"""Snakemake adapter: every step on one audit's data, in order, in one process."""

from pathlib import Path

from auditrap import pipeline as p
from auditrap.earlier import context_stage

out = snakemake.output  # noqa: F821
inp = snakemake.input  # noqa: F821
params = snakemake.params  # noqa: F821
published = {Path(f).stem: f for f in out.published}
plan_tables = list(out.plan_tables)
plan_published = list(out.plan_published)
context_tables = list(out.context_tables)

p.run_steps(
    snakemake.log[0],  # noqa: F821
    [
        (
            p.validate_stage,
            dict(
                audit_dir=params.audit_dir,
                audit_id=snakemake.wildcards.audit_id,  # noqa: F821
                out_dir=Path(out.meta).parent,
                report_dir=params.validation_dir,
                grade_aliases=params.grade_aliases,
                ignored_columns=params.ignored_columns,
                names_path=inp.names[0] if inp.names else None,
                redactions_out=out.redactions,
                taxonomy_paths=list(inp.taxonomy),
                input_limits=params.input_limits,
            ),
        ),
        (
            p.aggregate_stage,
            dict(
                processed_dir=Path(out.meta).parent,
                tables_out=list(out.aggregates),
                case_grades_out=out.case_grades,
            ),
        ),
        (
            p.tag_stage,
            dict(
                returns_path=out.returns,
                taxonomy_paths=list(inp.taxonomy),
                tags_out=out.theme_tags,
                counts_out=out.theme_counts,
                audit_dir=params.audit_dir,
                cases_path=out.cases,
                meta_path=out.meta,
                sentence_tags_out=out.theme_sentences,
                review_out=out.theme_review,
                final_without_review=params.final_without_review,
                ignored_columns=params.ignored_columns,
            ),
        ),
        (
            p.plan_stage,
            dict(
                processed_dir=Path(out.meta).parent,
                theme_counts_path=out.theme_counts,
                as_of=params.board.get("as_of") or {},
                tables_out=plan_tables,
                internal_out=out.action_plan_internal,
                plan_out=out.plan,
            ),
        ),
        (
            p.disclosure_stage,
            dict(
                tables=[*out.aggregates, out.theme_counts, *plan_tables],
                policy=dict(params.policy),
                tables_out=[*out.published, *plan_published],
                summary_out=out.disclosure,
            ),
        ),
        (
            context_stage,
            dict(
                context=dict(params.board),
                entries=list(inp.entries),
                meta_path=out.meta,
                theme_tags_path=out.theme_tags,
                theme_counts_path=out.theme_counts,
                grade_distribution_path=published["grade_distribution"],
                disclosure_path=out.disclosure,
                out=out.context,
                tables_out=context_tables,
                figures_dir=out.context_figures,
                palette=params.palette,
                fonts_dir=params.fonts_dir,
            ),
        ),
        (
            p.charts_stage,
            dict(
                tables={
                    "grade_distribution": published["grade_distribution"],
                    "grades_by_area": published["grades_by_area"],
                },
                out_dir=Path(out.charts).parent,
                charts_json=out.charts,
                palette=params.palette,
                fonts_dir=params.fonts_dir,
                disclosure_path=out.disclosure,
            ),
        ),
        (
            p.variables_stage,
            dict(
                meta_path=out.meta,
                tables=[*out.published, *plan_published],
                disclosure_path=out.disclosure,
                out=out.variables,
                review_path=out.theme_review,
                plan_path=out.plan,
                context_path=out.context,
            ),
        ),
        (
            p.lineage_stage,
            dict(
                variables_path=out.variables,
                processed_dir=Path(out.meta).parent,
                audit_dir=params.audit_dir,
                out=out.lineage,
                public_out=out.public_lineage,
                context_path=out.context,
                programme_path=params.programme,
                raw_dir=params.raw_dir,
            ),
        ),
        (
            p.appendix_stage,
            dict(
                case_grades_path=out.case_grades_table,
                returns_path=out.returns,
                theme_tags_path=out.theme_tags_table,
                actions_path=out.actions,
                theme_counts_path=out.theme_counts,
                out=out.appendix,
                theme_sentences_path=out.theme_sentences,
                max_rows=params.internal_appendix_rows,
            ),
        ),
        (
            p.check_disclosure_stage,
            dict(
                tables=[*out.published, *plan_published, *context_tables, out.public_lineage],
                summary=out.disclosure,
                audit_id=snakemake.wildcards.audit_id,  # noqa: F821
                out=out.disclosure_check,
            ),
        ),
    ],
)
