# The package's code, recorded in one file that every step depends on (see PACKAGE in
# common.smk): a change to any module rebuilds everything, as a change to the data would.
localrules:
    record_code_version,


rule record_code_version:
    input:
        code=PACKAGE_FILES,
    output:
        version=PACKAGE,
    log:
        "logs/record_code_version.log",
    conda:
        "../../environment.yml"
    script:
        "../../scripts/record_code_version.py"
