rule validate_audit:
    input:
        get_raw_inputs,
        code=PACKAGE,
        names=get_name_list,
    output:
        cases=PROCESSED / "{audit_id}" / "cases.parquet",
        returns=PROCESSED / "{audit_id}" / "returns.parquet",
        actions=PROCESSED / "{audit_id}" / "actions.parquet",
        meta=PROCESSED / "{audit_id}" / "audit.json",
        redactions=PROCESSED / "{audit_id}" / "redactions.csv",
    log:
        "logs/{audit_id}/validate_audit.log",
    group:
        "audit"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=memory_mb(1000),
        runtime=30,
    params:
        audit_dir=lambda wildcards: RAW / wildcards.audit_id,
        report_dir=lambda wildcards: PROCESSED / wildcards.audit_id / "validation",
        grade_aliases=config["grade_aliases"],
        ignored_columns=config["ignored_columns"],
    script:
        "../../scripts/validate_audit.py"
