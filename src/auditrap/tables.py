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
