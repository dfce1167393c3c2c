"""Run the workflow on this machine through Snakemake's Python API, as ``make report`` does.

This is the same workflow and the same jobs as ``snakemake --cores N``, with one difference:
no job-rate limiter. Snakemake's command line always sets one (``--max-jobs-per-timespan``,
100 jobs a second by default, meant to spare a cluster's scheduler), and in Snakemake 9.27
it costs a local build dearly: every scheduling round starts a one-second timer that starts
another round, so rounds pile up as jobs finish (each round checks every input of every job
that is ready), and the last timer holds the process for up to a second after the last job.
For 100 audits that was most of Snakemake's own time (``docs/performance.md``). The API's
scheduling settings have no limiter unless one is asked for; nothing in Snakemake is patched.
Jobs are picked by the greedy scheduler, which is as good here (no temporary files) and
cheaper than the ILP one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def build(
    *,
    cores: int,
    targets: Sequence[str] = (),
    configfiles: Sequence[Path] = (),
    keep_going: bool = False,
    quiet: bool = False,
    snakefile: Path = Path("Snakefile"),
) -> bool:
    """Build ``targets`` (default: the workflow's default target); True when every job ran."""
    from snakemake.api import SnakemakeApi
    from snakemake.scheduling.greedy import SchedulerSettings as GreedySettings
    from snakemake.settings.types import (
        ConfigSettings,
        DAGSettings,
        ExecutionSettings,
        OutputSettings,
        Quietness,
        ResourceSettings,
        SchedulingSettings,
    )

    output = OutputSettings(
        printshellcmds=True, quiet={Quietness.PROGRESS, Quietness.RULES} if quiet else None
    )
    with SnakemakeApi(output) as api:
        try:
            workflow = api.workflow(
                resource_settings=ResourceSettings(cores=cores),
                config_settings=ConfigSettings(configfiles=[Path(f) for f in configfiles]),
                snakefile=snakefile,
                workdir=Path.cwd(),
            )
            dag = workflow.dag(dag_settings=DAGSettings(targets=frozenset(targets)))
            dag.execute_workflow(
                execution_settings=ExecutionSettings(keep_going=keep_going),
                scheduling_settings=SchedulingSettings(scheduler="greedy"),
                scheduler_settings=GreedySettings(),
                greedy_scheduler_settings=GreedySettings(),
            )
        except Exception as exc:  # Snakemake's own errors, printed as its command line does
            api.print_exception(exc)
            return False
    return True
