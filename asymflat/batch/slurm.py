"""A sweep on Slurm through dask-jobqueue: ``asymflat sweep SWEEP --cluster slurm`` (docs/cluster.md).

A few options make a :class:`dask_jobqueue.SLURMCluster`: ``jobs`` Slurm jobs of ``cores`` cores
each, every core one single-threaded Dask worker process (one run at a time), ``memory_per_core``
of memory each, ``walltime``, and optionally the partition, account and extra ``#SBATCH`` lines.
The job script sets the thread variables to 1 (NUMBA_NUM_THREADS, OMP_, OPENBLAS_, MKL_) and a
node-local NUMBA_CACHE_DIR, as the recipe in docs/cluster.md does, and starts the workers with
the driver's Python.  ``--print-job-script`` prints the script and submits nothing
(:func:`job_script`, which needs no scheduler).  Needs the ``dist`` extra (dask-jobqueue).
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from asymflat.config import ConfigError

#: the job script's environment: one thread per worker process, a node-local Numba cache
PROLOGUE: tuple[str, ...] = (
    "export NUMBA_NUM_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1",
    'export NUMBA_CACHE_DIR="${TMPDIR:-/tmp}/numba-$SLURM_JOB_ID"',
)
_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")
_WALLTIME = re.compile(r"^(\d+-)?\d{1,2}:\d{2}(:\d{2})?$")


@dataclass
class SlurmOptions:
    """What a Slurm user sets; everything else follows (one single-threaded worker per core)."""

    jobs: int = 1
    cores: int = 1                      #: cores per job = worker processes per job
    memory_per_core: str = "2GB"
    walltime: str = "01:00:00"
    partition: str | None = None
    account: str | None = None
    extra: list[str] = field(default_factory=list)   #: extra #SBATCH directives, e.g. "--constraint=cpu"
    python: str = sys.executable
    host: str | None = None             #: scheduler address to listen on (default: dask's choice)

    def check(self) -> "SlurmOptions":
        """One-line errors naming the option, its value and what is allowed."""
        for name in ("jobs", "cores"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 1:
                raise ConfigError(f"--slurm-{name} {v!r}: must be an integer >= 1")
        if not _MEMORY.match(self.memory_per_core):
            raise ConfigError(f"--slurm-memory-per-core {self.memory_per_core!r}: must be a size such as 2GB or 1500MB")
        if not _WALLTIME.match(self.walltime):
            raise ConfigError(f"--slurm-walltime {self.walltime!r}: must be [D-]HH:MM[:SS], e.g. 04:00:00")
        return self

    def memory(self) -> str:
        """Memory of one job: ``cores`` x ``memory_per_core`` (dask-jobqueue's ``memory``)."""
        m = re.match(r"^(\d+(?:\.\d+)?)\s*(\w+)$", self.memory_per_core)
        assert m is not None
        total = float(m.group(1)) * self.cores
        return f"{total:g}{m.group(2)}"

    def cluster_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :class:`dask_jobqueue.SLURMCluster` (and ``SLURMJob``)."""
        kw: dict[str, Any] = dict(cores=self.cores, processes=self.cores, memory=self.memory(),
                                  walltime=self.walltime, job_script_prologue=list(PROLOGUE),
                                  job_extra_directives=list(self.extra), python=self.python,
                                  job_name="asymflat-sweep")
        if self.partition:
            kw["queue"] = self.partition
        if self.account:
            kw["account"] = self.account
        return kw


def _jobqueue() -> Any:
    try:
        import dask_jobqueue
    except ModuleNotFoundError:
        raise ConfigError("--cluster slurm needs dask-jobqueue: pip install -e \".[dist]\"") from None
    return dask_jobqueue


def job_script(opts: SlurmOptions, scheduler: str = "tcp://SCHEDULER:8786") -> str:
    """The job script each Slurm job runs (no scheduler started, nothing submitted)."""
    from dask_jobqueue.slurm import SLURMJob

    _jobqueue()
    return SLURMJob(scheduler=scheduler, name="asymflat-worker", **opts.check().cluster_kwargs()).job_script()


def slurm_cluster(opts: SlurmOptions, scale: bool = True) -> Any:
    """A started :class:`dask_jobqueue.SLURMCluster`, scaled to ``opts.jobs`` jobs (``sbatch``) if ``scale``."""
    jq = _jobqueue()
    scheduler_options: dict[str, Any] = {"dashboard_address": None}
    if opts.host:
        scheduler_options["host"] = opts.host
    cluster = jq.SLURMCluster(scheduler_options=scheduler_options, **opts.check().cluster_kwargs())
    if scale:
        cluster.scale(jobs=opts.jobs)
    return cluster


def add_options(p: argparse.ArgumentParser) -> None:
    """The ``--slurm-*`` options of ``asymflat sweep`` (used with ``--cluster slurm``)."""
    d = SlurmOptions()
    g = p.add_argument_group("Slurm (--cluster slurm, dask-jobqueue; docs/cluster.md)")
    g.add_argument("--slurm-jobs", type=int, default=d.jobs, metavar="N", help=f"Slurm jobs (default {d.jobs})")
    g.add_argument("--slurm-cores", type=int, default=d.cores, metavar="N",
                   help="cores per job = single-threaded workers per job (default 1)")
    g.add_argument("--slurm-memory-per-core", default=d.memory_per_core, metavar="SIZE",
                   help=f"memory per core (default {d.memory_per_core})")
    g.add_argument("--slurm-walltime", default=d.walltime, metavar="HH:MM:SS", help=f"default {d.walltime}")
    g.add_argument("--slurm-partition", default=None, metavar="NAME", help="#SBATCH -p")
    g.add_argument("--slurm-account", default=None, metavar="NAME", help="#SBATCH -A")
    g.add_argument("--slurm-extra", action="append", default=[], metavar="DIRECTIVE",
                   help='extra #SBATCH directive (repeatable), e.g. "--constraint=cpu"')
    g.add_argument("--print-job-script", action="store_true",
                   help="print the Slurm job script of --cluster slurm and submit nothing")


def options_from_args(args: argparse.Namespace) -> SlurmOptions:
    return SlurmOptions(jobs=args.slurm_jobs, cores=args.slurm_cores, memory_per_core=args.slurm_memory_per_core,
                        walltime=args.slurm_walltime, partition=args.slurm_partition,
                        account=args.slurm_account, extra=list(args.slurm_extra)).check()
