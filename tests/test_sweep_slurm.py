"""``asymflat sweep --cluster slurm``: the dask-jobqueue job script a Slurm user would write (no Slurm
here: the script text is tested, and a SLURMCluster is built on loopback without submitting)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("dask_jobqueue")

from asymflat.batch import slurm  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
_EXE = Path(sys.executable).parent / "asymflat"
CMD = [str(_EXE)] if _EXE.exists() else [sys.executable, "-m", "asymflat.cli"]
SWEEP = str(ROOT / "runs" / "sweeps" / "vacuum_scan.toml")


def _sweep(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, "sweep", SWEEP, "--cluster", "slurm", *args], capture_output=True, text=True,
                          timeout=300, env=os.environ)


def test_print_job_script_is_what_a_slurm_user_writes():
    p = _sweep("--slurm-cores", "32", "--slurm-memory-per-core", "4GB", "--slurm-walltime", "04:00:00",
               "--slurm-partition", "compute", "--slurm-account", "phys123", "--slurm-extra=--constraint=cpu",
               "--print-job-script")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == "#!/usr/bin/env bash"
    sbatch = [ln for ln in lines if ln.startswith("#SBATCH")]
    assert sbatch == ["#SBATCH -J asymflat-sweep", "#SBATCH -p compute", "#SBATCH -A phys123", "#SBATCH -n 1",
                      "#SBATCH --cpus-per-task=32", "#SBATCH --mem=120G", "#SBATCH -t 04:00:00",
                      "#SBATCH --constraint=cpu"]          # 32 x 4 GB = 128e9 bytes = 120 GiB (dask-jobqueue)
    body = [ln for ln in lines if ln and not ln.startswith("#")]
    assert body[:2] == list(slurm.PROLOGUE)           # one thread per worker, node-local Numba cache
    worker = body[2].split()
    assert worker[:3] == [worker[0], "-m", "distributed.cli.dask_worker"] and Path(worker[0]).name.startswith("python")
    assert worker[3] == "tcp://SCHEDULER:8786"
    flags = dict(zip(worker[4::2], worker[5::2]))
    assert flags["--nthreads"] == "1" and flags["--nworkers"] == "32"   # 32 single-threaded runs per job
    assert flags["--memory-limit"] == "3.73GiB"


def test_defaults_one_core_jobs_and_no_partition():
    text = slurm.job_script(slurm.SlurmOptions())
    assert "#SBATCH --cpus-per-task=1" in text and "#SBATCH -t 01:00:00" in text
    assert "#SBATCH -p" not in text and "#SBATCH -A" not in text and "--nthreads 1" in text
    assert "--nworkers" not in text or "--nworkers 1 " in text          # one worker process per job


@pytest.mark.parametrize("args, words", [
    (("--slurm-walltime", "4h"), ["--slurm-walltime '4h'", "HH:MM"]),
    (("--slurm-memory-per-core", "lots"), ["--slurm-memory-per-core 'lots'", "2GB"]),
    (("--slurm-cores", "0"), ["--slurm-cores 0", ">= 1"]),
])
def test_bad_slurm_option_is_one_line_exit_2(args, words):
    p = _sweep(*args, "--print-job-script")
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert all(w in p.stderr for w in words), p.stderr


def test_cluster_object_on_loopback_without_submitting():
    opts = slurm.SlurmOptions(cores=4, host="127.0.0.1")
    with slurm.slurm_cluster(opts, scale=False) as cluster:
        text = cluster.job_script()
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        assert cluster.scheduler_address in text and "--nworkers 4" in text
        assert len(cluster.workers) == 0            # nothing submitted
