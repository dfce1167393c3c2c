rule aggregate_grades:
    input:
        code=PACKAGE,
        cases=rules.validate_audit.output.cases,
        returns=rules.validate_audit.output.returns,
        actions=rules.validate_audit.output.actions,
        meta=rules.validate_audit.output.meta,
    output:
        tables=expand(
            PROCESSED / "{{audit_id}}" / "aggregates" / "{name}.csv",
            name=AGGREGATE_TABLES,
        ),
        case_grades=PROCESSED / "{audit_id}" / "case_grades.csv",
        case_grades_table=PROCESSED / "{audit_id}" / "case_grades.parquet",
    log:
        "logs/{audit_id}/aggregate_grades.log",
    group:
        "audit"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=memory_mb(1000),
        runtime=15,
    script:
        "../../scripts/aggregate_grades.py"
