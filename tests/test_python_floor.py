"""The Python floor (pyproject ``requires-python``): every module imports and TOML is read on it.

.ci/run runs this file (with a smoke subset of the suite) in a venv made with the oldest supported
Python, installed the way the README says; here it also runs on the development Python.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from pathlib import Path

import pytest

import asymflat
import solvers

ROOT = Path(__file__).resolve().parents[1]
#: optional extras: a module needing one of these may be skipped where the extra is not installed
_OPTIONAL = {"dask", "distributed", "dask_jobqueue", "xarray", "tqdm", "matplotlib"}


def _floor() -> tuple[int, int]:
    text = (ROOT / "pyproject.toml").read_text()
    m = re.search(r'^requires-python\s*=\s*">=\s*(\d+)\.(\d+)"', text, re.M)
    assert m, "pyproject.toml: requires-python must read \">=X.Y\""
    return int(m.group(1)), int(m.group(2))


def test_running_python_is_supported():
    assert sys.version_info[:2] >= _floor()


@pytest.mark.parametrize("package", [asymflat, solvers], ids=["asymflat", "solvers"])
def test_every_module_imports(package):
    failed = []
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        try:
            importlib.import_module(info.name)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.split(".")[0] in _OPTIONAL:
                continue
            failed.append(f"{info.name}: {exc}")
        except Exception as exc:  # noqa: BLE001 - report every broken module at once
            failed.append(f"{info.name}: {type(exc).__name__}: {exc}")
    assert not failed, "\n".join(failed)


def test_toml_reader_and_every_run_config_load():
    from asymflat import config
    from asymflat._toml import tomllib

    assert tomllib.loads('a = 1\n[b]\nc = "x"') == {"a": 1, "b": {"c": "x"}}
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads("a = ")
    configs = sorted((ROOT / "runs").glob("*.toml"))
    assert len(configs) >= 10
    for path in configs:
        assert config.load(path)["kind"]
