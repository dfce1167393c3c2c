rule validate_audit:
    input:
        get_raw_inputs,
        code=PACKAGE,
    output:
        cases=PROCESSED / "{audit_id}" / "cases.parquet",
        returns=PROCESSED / "{audit_id}" / "returns.parquet",
        actions=PROCESSED / "{audit_id}" / "actions.parquet",
        meta=PROCESSED / "{audit_id}" / "audit.json",
    log:
        "logs/{audit_id}/validate_audit.log",
    conda:
        "../../environment.yml"
    params:
        audit_dir=lambda wildcards: RAW / wildcards.audit_id,
        report_dir=lambda wildcards: PROCESSED / wildcards.audit_id / "validation",
        grade_aliases=config["grade_aliases"],
        ignored_columns=config["ignored_columns"],
    script:
        "../../scripts/validate_audit.py"
