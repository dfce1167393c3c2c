"""Names of the published tables (kept free of heavy imports: the Snakefile reads them)."""

#: The aggregate tables behind the report, each published as ``data/<name>.csv``: the
#: workflow's outputs and the report's list of data files are both made from this.
AGGREGATE_TABLES = (
    "grade_distribution",
    "grades_by_area",
    "agency_grades",
    "grade_agreement",
    "immediate_actions",
    "returns_by_agency",
)
PUBLISHED_TABLES = (*AGGREGATE_TABLES, "theme_counts")
#: The tables of an audit with recommendations (recommendations.csv): the recommendations as
#: published, and its action plan's progress by status and by recommendation.
PLAN_TABLES = ("recommendations", "action_plan_progress", "recommendation_progress")
#: What the audit takes from its board (auditrap.earlier): for each finding, the earlier
#: audits of the board where it was also a finding; a re-audit's grades beside the earlier
#: audit's. Published when they apply.
CONTEXT_TABLES = ("earlier_findings", "reaudit_grades")


def disclosure_settings(config: dict, audit_id: str) -> dict:
    """The disclosure policy of one audit, as settings: config.yaml's ``disclosure``, with
    the keys the audit sets differently under ``audit_settings``."""
    settings = dict(config.get("disclosure") or {})
    override = ((config.get("audit_settings") or {}).get(audit_id) or {}).get("disclosure")
    settings.update(override or {})
    return settings


#: The analyst's review of the theme tags, in an audit's folder: a workbook or a CSV file.
REVIEW_FILES = ("theme_review.xlsx", "theme_review.csv")


def final_without_review(config: dict, audit_id: str) -> bool:
    """Whether the audit may be published as final while theme suggestions are unreviewed:
    config.yaml's ``theme_review: final_without_review``, or the audit's own setting."""
    settings = dict(config.get("theme_review") or {})
    override = ((config.get("audit_settings") or {}).get(audit_id) or {}).get("theme_review")
    settings.update(override or {})
    return bool(settings.get("final_without_review", False))
