"""Sweep files: format, expansion (product, zip, zipped groups, ranges), names, one-line errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from asymflat import cli, config
from asymflat.batch import spec, store
from asymflat.config import ConfigError
try:
    from support.configs import MINKOWSKI_VACUUM
except ImportError:  # pragma: no cover
    from tests.support.configs import MINKOWSKI_VACUUM

BASE = MINKOWSKI_VACUUM


def _sweep(tmp_path: Path, body: str, base: str = BASE, name: str = "s") -> Path:
    (tmp_path / "base.toml").write_text(base)
    path = tmp_path / f"{name}.toml"
    path.write_text(body)
    return path


def test_product_order_last_key_fastest(tmp_path):
    sw = spec.load_sweep(_sweep(tmp_path, '[sweep]\nbase = "base.toml"\n[sweep.vary]\nG = [0.5, 1.0]\n'
                                           '"vacuum.mass" = [0.0, 0.1, 0.2]\n'))
    assert sw.name == "s" and sw.mode == "product" and sw.keys == ("G", "vacuum.mass")
    assert [tuple(p.values.values()) for p in sw.points] == [
        (0.5, 0.0), (0.5, 0.1), (0.5, 0.2), (1.0, 0.0), (1.0, 0.1), (1.0, 0.2)]
    assert all(p.valid for p in sw.points)
    assert sw.points[4].config["G"] == 1.0 and sw.points[4].config["vacuum"]["mass"] == 0.1


def test_zip_resolution_ladder_and_hash_is_of_stored_text(tmp_path):
    sw = spec.load_sweep(_sweep(tmp_path, '[sweep]\nname = "ladder"\nbase = "base.toml"\nmode = "zip"\n'
                                           '[sweep.vary]\n"grid.nx" = [33, 65, 129]\n"grid.nphi" = [16, 32, 64]\n'))
    assert [(config.get(p.config, "grid.nx"), config.get(p.config, "grid.nphi")) for p in sw.points] == [
        (33, 16), (65, 32), (129, 64)]
    p = sw.points[1]
    assert p.config_hash == spec.config_hash(config.to_toml(p.config)) and len(p.config_hash) == 64
    assert [store.point_stem(sw, p) for p in sw.points] == [
        "ladder_000_nx33_nphi16", "ladder_001_nx65_nphi32", "ladder_002_nx129_nphi64"]


def test_zip_groups_inside_a_product(tmp_path):
    sw = spec.load_sweep(_sweep(tmp_path, '[sweep]\nbase = "base.toml"\nzip = [["grid.nx", "grid.nphi"]]\n'
                                           '[sweep.vary]\nG = [0.5, 1.0]\n"grid.nx" = [33, 65]\n"grid.nphi" = [16, 32]\n'))
    assert [tuple(p.values.values()) for p in sw.points] == [
        (0.5, 33, 16), (0.5, 65, 32), (1.0, 33, 16), (1.0, 65, 32)]


def test_ranges_inline_base_nested_vary_and_list_items(tmp_path):
    text = """\
[sweep]
[sweep.vary]
G = {start = 0.5, stop = 2.0, num = 4}
"grid.nphi" = {start = 16, stop = 64, num = 3, scale = "log"}
[sweep.vary.vacuum]
rapidity = {start = 0.0, stop = 0.3, num = 4}
[base]
kind = "vacuum"
G = 1.0
[base.grid]
nphi = 8
[base.evolution]
u_start = 0.0
u_end = 1.0
[base.vacuum]
spacetime = "boosted_particle"
mass = 0.01
"""
    sw = spec.load_sweep(_sweep(tmp_path, text))
    assert sw.keys == ("G", "grid.nphi", "vacuum.rapidity")
    assert len(sw.points) == 4 * 3 * 4
    assert sorted({p.values["G"] for p in sw.points}) == [0.5, 1.0, 1.5, 2.0]
    assert sorted({p.values["grid.nphi"] for p in sw.points}) == [16, 32, 64]  # ints stay ints
    assert all(isinstance(p.values["grid.nphi"], int) for p in sw.points)
    assert sorted({p.values["vacuum.rapidity"] for p in sw.points}) == [0.0, 0.1, 0.2, 0.3]  # no round-off
    # an item of a list of tables (scan over a pulse amplitude)
    raw = {"characteristic": {"pulses": [{"amplitude": 1.0, "a": 1.0}]}}
    spec.set_value(raw, "characteristic.pulses[0].amplitude", 0.25)
    assert raw["characteristic"]["pulses"][0]["amplitude"] == 0.25


def test_base_file_merged_with_inline_base(tmp_path):
    sw = spec.load_sweep(_sweep(tmp_path, '[sweep]\nbase = "base.toml"\n[sweep.vary]\nG = [1.0]\n'
                                           '[base.grid]\nnx = 17\n'))
    cfg = sw.points[0].config
    assert cfg["grid"]["nx"] == 17 and cfg["grid"]["nphi"] == 32


def test_invalid_point_is_kept_with_its_error(tmp_path):
    sw = spec.load_sweep(_sweep(tmp_path, '[sweep]\nbase = "base.toml"\n[sweep.vary]\n"vacuum.mass" = [0.1, 0.3]\n'))
    good, bad = sw.points
    assert good.valid and not bad.valid and bad.config is None
    assert "vacuum.mass = 0.3" in bad.error and "4 G mass < 1" in bad.error
    assert sw.invalid_points == (bad,)


def test_ambiguous_labels_fall_back_to_longer_keys(tmp_path):
    sw = spec.load_sweep(_sweep(tmp_path, '[sweep]\nbase = "base.toml"\n[sweep.vary]\n"vacuum.direction" = [0.0]\n'
                                           '"frame.boost_direction" = [1.5]\n"vacuum.rapidity" = [-0.5]\n'))
    assert store.point_stem(sw, sw.points[0]) == "s_000_direction0_boost_direction1.5_rapidity-0.5"
    labels = store._labels(["characteristic.pulses[0].amplitude", "characteristic.compact[0].amplitude", "G"])
    assert list(labels.values()) == ["pulses0.amplitude", "compact0.amplitude", "G"]


# (sweep file body, words the one-line message must contain)
BROKEN = {
    "not_toml": ("[sweep\n", ["not valid TOML"]),
    "no_sweep_table": ("[base]\nkind = 'vacuum'\n", ["[sweep]", "missing"]),
    "unknown_sweep_key": ('[sweep]\nbase = "base.toml"\nmodes = "zip"\n[sweep.vary]\nG = [1.0]\n', ["sweep.modes", "allowed"]),
    "unknown_top_table": ('[sweep]\nbase = "base.toml"\n[sweep.vary]\nG = [1.0]\n[grid]\nnx = 9\n', ["grid", "[base]"]),
    "bad_mode": ('[sweep]\nbase = "base.toml"\nmode = "cartesian"\n[sweep.vary]\nG = [1.0]\n', ["sweep.mode", "'cartesian'", "product, zip"]),
    "no_base": ("[sweep]\n[sweep.vary]\nG = [1.0]\n", ["sweep.base", "missing"]),
    "missing_base_file": ('[sweep]\nbase = "nope.toml"\n[sweep.vary]\nG = [1.0]\n', ["sweep.base", "nope.toml", "no such file"]),
    "no_vary": ('[sweep]\nbase = "base.toml"\n', ["sweep.vary", "missing or empty"]),
    "unknown_key": ('[sweep]\nbase = "base.toml"\n[sweep.vary]\n"grid.nr" = [1]\n', ['"grid.nr"', "unknown configuration key", "grid.nphi"]),
    "empty_list": ('[sweep]\nbase = "base.toml"\n[sweep.vary]\nG = []\n', ['"G"', "non-empty list"]),
    "scalar_values": ('[sweep]\nbase = "base.toml"\n[sweep.vary]\nG = 1.0\n', ['"G" = 1.0', "list"]),
    "range_missing_num": ('[sweep]\nbase = "base.toml"\n[sweep.vary]\nG = {start = 1, stop = 2}\n', ['"G".num', "missing"]),
    "range_bad_num": ('[sweep]\nbase = "base.toml"\n[sweep.vary]\nG = {start = 1, stop = 2, num = 0}\n', ['"G".num = 0', ">= 1"]),
    "range_unknown_key": ('[sweep]\nbase = "base.toml"\n[sweep.vary]\nG = {start = 1, stop = 2, num = 2, step = 1}\n', ['"G".step', "allowed"]),
    "range_log_nonpositive": ('[sweep]\nbase = "base.toml"\n[sweep.vary]\nG = {start = 0, stop = 2, num = 2, scale = "log"}\n', ["log", "start > 0"]),
    "zip_unequal": ('[sweep]\nbase = "base.toml"\nmode = "zip"\n[sweep.vary]\n"grid.nx" = [33, 65]\n"grid.nphi" = [16]\n', ["equal numbers", "grid.nx has 2", "grid.nphi has 1"]),
    "zip_group_unknown": ('[sweep]\nbase = "base.toml"\nzip = [["grid.nx", "G"]]\n[sweep.vary]\n"grid.nx" = [33]\n', ["sweep.zip", "'G'", "not a key"]),
    "zip_in_zip_mode": ('[sweep]\nbase = "base.toml"\nmode = "zip"\nzip = [["G"]]\n[sweep.vary]\nG = [1.0]\n', ["sweep.zip", "product"]),
    "duplicate_points": ('[sweep]\nbase = "base.toml"\n[sweep.vary]\nG = [1.0, 1]\n', ["points 0 and 1", "same configuration"]),
    "bad_name": ('[sweep]\nname = "a b/c"\nbase = "base.toml"\n[sweep.vary]\nG = [1.0]\n', ["sweep.name", "'a b/c'"]),
    "list_item_absent": ('[sweep]\nbase = "base.toml"\n[sweep.vary]\n"characteristic.pulses[0].amplitude" = [1.0]\n', ["characteristic.pulses[0]", "no"]),
    "bad_item_key": ('[sweep]\nbase = "base.toml"\n[sweep.vary]\n"characteristic.pulses[0].width" = [1.0]\n', ["unknown item key", "amplitude"]),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_sweep_file_one_line_exit_2(name, tmp_path, capsys):
    body, words = BROKEN[name]
    path = _sweep(tmp_path, body)
    with pytest.raises(ConfigError) as err:
        spec.load_sweep(path)
    assert "\n" not in str(err.value)
    assert cli.main(["sweep", str(path), "--serial", "-o", str(tmp_path / "out")]) == 2
    msg = capsys.readouterr().err.strip()
    assert msg.startswith("asymflat: error: ") and "\n" not in msg and "Traceback" not in msg
    for w in words:
        assert w in msg, (w, msg)
    assert not (tmp_path / "out").exists()  # nothing ran, nothing written


def test_strict_refuses_a_sweep_with_an_invalid_point(tmp_path, capsys):
    path = _sweep(tmp_path, '[sweep]\nbase = "base.toml"\n[sweep.vary]\n"vacuum.mass" = [0.1, 0.3]\n')
    assert cli.main(["sweep", str(path), "--serial", "--strict", "-o", str(tmp_path / "out")]) == 2
    msg = capsys.readouterr().err
    assert "point 1 (vacuum.mass=0.3)" in msg and "4 G mass < 1" in msg
    assert not list((tmp_path / "out").glob("*.h5")) if (tmp_path / "out").exists() else True


def test_example_sweeps_in_runs_are_valid():
    root = Path(__file__).parents[1]
    for path in sorted((root / "runs" / "sweeps").glob("*.toml")):
        sw = spec.load_sweep(path)
        assert sw.points and not sw.invalid_points, path


def test_every_sweep_option_is_documented():
    import argparse

    sub = argparse.ArgumentParser().add_subparsers()
    from asymflat.batch import sweep as sweep_cli

    parser = sweep_cli.register(sub)
    doc = (Path(__file__).parents[1] / "docs" / "sweeps.md").read_text()
    options = [s for a in parser._actions for s in a.option_strings if s.startswith("--") and s != "--help"]
    missing = [o for o in options if o not in doc]
    assert not missing, missing
    cluster = (Path(__file__).parents[1] / "docs" / "cluster.md").read_text()
    for needle in ("SLURM_ARRAY_TASK_ID", "--point", "--list", "--status", "NUMBA_CACHE_DIR", "ASYMFLAT_NUMBA_CACHE",
                   "--scheduler", "dask-jobqueue"):
        assert needle in cluster, needle
