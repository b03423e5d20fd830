"""Broken configurations: each gives one line naming the problem, exit status 2, no traceback."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from asymflat import cli, config
try:
    from support.configs import MINKOWSKI_VACUUM
except ImportError:  # pragma: no cover
    from tests.support.configs import MINKOWSKI_VACUUM

GOOD = MINKOWSKI_VACUUM

# (config text, words the one-line message must contain)
BROKEN = {
    "unknown_top_key": (GOOD + "colour = 3\n", ["colour", "unknown key"]),
    "unknown_key_in_section": (GOOD.replace("nphi = 32", "nphi = 32\nnr = 10"), ["grid.nr", "unknown key"]),
    "wrong_type_int": (GOOD.replace("nphi = 32", 'nphi = "many"'), ["grid.nphi", "'many'", "even integer"]),
    "wrong_type_float": (GOOD.replace("G = 1.0", 'G = "big"'), ["G", "'big'", "wrong type"]),
    "negative_size": (GOOD.replace("nphi = 32", "nphi = -32"), ["grid.nphi", "-32", "out of range"]),
    "odd_nphi": (GOOD.replace("nphi = 32", "nphi = 33"), ["grid.nphi", "33", "even"]),
    "missing_section": (GOOD.replace("[vacuum]\nspacetime = \"minkowski\"\n", ""), ["[vacuum]", "missing section"]),
    "missing_key": (GOOD.replace("u_end = 5.0\n", ""), ["evolution.u_end", "missing"]),
    "missing_kind": (GOOD.replace('kind = "vacuum"\n', ""), ["kind", "missing"]),
    "unknown_kind": (GOOD.replace('"vacuum"', '"wormhole"', 1), ["kind", "'wormhole'"]),
    "unknown_section": (GOOD + "[solver]\norder = 4\n", ["[solver]", "unknown section"]),
    "non_toml": ("this is = = not toml [\n", ["not valid TOML"]),
    "reversed_times": (GOOD.replace("u_end = 5.0", "u_end = -6.0"), ["evolution.u_end", "-6.0", "u_start"]),
    "bad_spacetime": (GOOD.replace('"minkowski"', '"kerr"'), ["vacuum.spacetime", "'kerr'", "minkowski"]),
    "mass_too_large": (GOOD + "mass = 0.3\n", ["vacuum.mass", "0.3", "4 G mass < 1"]),
    "negative_G": (GOOD.replace("G = 1.0", "G = -1.0"), ["G", "-1.0", ">= 0"]),
    "bad_mode_list": (GOOD + "[frame]\nsuperrotation = [[0.5, 1.0]]\n", ["frame.superrotation", "[n, a_n, b_n]"]),
    "bool_for_int": (GOOD.replace("nphi = 32", "nphi = true"), ["grid.nphi", "True"]),
    "nan_value": (GOOD.replace("u_start = -5.0", "u_start = nan"), ["evolution.u_start", "nan"]),
    "section_as_value": (GOOD.replace("[grid]\nnphi = 32\n", "grid = 3\n"), ["grid", "3"]),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_config_one_line_exit_2(name, tmp_path, capsys):
    text, words = BROKEN[name]
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    code = cli.main(["run", str(path), "--validate-only"])
    out, err = capsys.readouterr()
    assert code == 2
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("asymflat: error: ")
    assert "Traceback" not in err
    for w in words:
        assert w in lines[0], (w, lines[0])


def test_missing_and_binary_files(tmp_path, capsys):
    assert cli.main(["run", str(tmp_path / "nope.toml"), "--validate-only"]) == 2
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage\x00")
    assert cli.main(["run", str(binary), "--validate-only"]) == 2
    err = capsys.readouterr().err
    assert err.count("asymflat: error:") == 2 and "Traceback" not in err


def test_good_config_validates_and_fills_defaults(tmp_path):
    cfg = config.parse(GOOD)
    assert cfg["grid"]["nx"] == 129 and cfg["grid"]["R"] == 1.0
    assert cfg["frame"]["superrotation"] == []
    # the stored TOML round-trips to the same validated config
    assert config.parse(config.to_toml(cfg)) == cfg


def test_exit_status_from_a_real_process(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace("nphi = 32", "nphi = -4"))
    proc = subprocess.run([sys.executable, "-m", "asymflat.cli", "run", str(path), "--validate-only"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "grid.nphi" in proc.stderr


def test_docs_config_tables_are_generated_from_schema():
    doc = (Path(__file__).parents[1] / "docs" / "config.md").read_text()
    generated = doc.split("<!-- BEGIN GENERATED -->\n")[1].split("<!-- END GENERATED -->")[0]
    assert generated.strip() == config.markdown().strip()


def test_resolution_keys_exist_in_schema():
    for dotted in config.RESOLUTION_KEYS:
        section, key = dotted.split(".")
        assert key in config.SCHEMA[section]


def test_physically_inadmissible_frame_refused_before_running(tmp_path, capsys):
    """A superrotation with F' <= 0 somewhere is not a diffeomorphism: refused by --validate-only."""
    path = tmp_path / "fold.toml"
    path.write_text(GOOD + "[frame]\nsuperrotation = [[2, 0.8, 0.0]]\n")
    assert cli.main(["run", str(path), "--validate-only"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "superrotation" in err and "Traceback" not in err
