# auditrap: from raw multi-agency audit returns to the published report.
# This file only wires the stages together; each stage lives in workflow/rules/.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/analyse.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/board.smk"


onsuccess:
    publisher_warnings_at_end(log)


onerror:
    forget_rendered_reports()
    publisher_warnings_at_end(log)


rule all:
    default_target: True
    input:
        get_published_outputs(),
