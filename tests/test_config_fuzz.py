"""Property-based: random and adversarial configurations through `asymflat run --validate-only`.

Every outcome is acceptance (exit 0) or one line `asymflat: error: ...` with exit 2 — never a
traceback, never a hang.
"""
from __future__ import annotations

import signal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asymflat import cli, config

scalars = st.one_of(
    st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.text(max_size=8), st.lists(st.integers(-3, 3), max_size=3),
    st.lists(st.lists(st.floats(-2, 2), max_size=4), max_size=3),
    st.lists(st.dictionaries(st.sampled_from(["amplitude", "a", "x0", "m", "r_center", "width", "bogus"]),
                             st.one_of(st.floats(-5, 5), st.integers(-3, 5), st.text(max_size=3)), max_size=5),
             max_size=3),
)
sections = st.sampled_from(list(config.SCHEMA) + ["bogus"])


def _keys(section: str) -> st.SearchStrategy[str]:
    known = list(config.SCHEMA.get(section, {})) or ["x"]
    return st.one_of(st.sampled_from(known), st.text(min_size=1, max_size=6))


@st.composite
def configs(draw):
    raw: dict = {"kind": draw(st.one_of(st.sampled_from(config.KINDS), st.text(max_size=5))),
                 "G": draw(st.one_of(st.floats(-1, 2), scalars))}
    for _ in range(draw(st.integers(0, 6))):
        section = draw(sections)
        table = {draw(_keys(section)): draw(scalars) for _ in range(draw(st.integers(0, 4)))}
        if section:
            raw.setdefault(section, {}).update(table)
        else:
            raw.update(table)
    return raw


def _toml(raw: dict) -> str:
    try:
        return config.to_toml(raw)
    except TypeError:
        return "not = toml = [\n"


class _Timeout(Exception):
    pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=configs())
def test_validate_only_never_tracebacks(raw, tmp_path_factory, capsys):
    path = tmp_path_factory.mktemp("fuzz") / "c.toml"
    text = _toml(raw)
    path.write_text(text)

    def alarm(*_):
        raise _Timeout

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(10)
    try:
        code = cli.main(["run", str(path), "--validate-only"])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    if code == 0:
        assert out.strip().endswith("valid (" + raw["kind"] + ")"), out
    else:
        assert code == 2
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("asymflat: error: "), err


_RUNS = sorted((__import__("pathlib").Path(__file__).parents[1] / "runs").glob("*.toml"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, 10**6), pick=st.integers(0, 10**6), value=scalars, drop=st.booleans())
def test_mutated_real_configs_never_traceback(which, pick, value, drop, tmp_path_factory, capsys):
    from asymflat._toml import tomllib

    raw = tomllib.loads(_RUNS[which % len(_RUNS)].read_text())
    flat = [(s, k) for s, t in raw.items() if isinstance(t, dict) for k in t] + [(None, k) for k in raw]
    section, key = flat[pick % len(flat)]
    table = raw if section is None else raw[section]
    if drop:
        del table[key]
    else:
        table[key] = value
    path = tmp_path_factory.mktemp("mut") / "c.toml"
    path.write_text(_toml(raw))
    code = cli.main(["run", str(path), "--validate-only"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert code in (0, 2)
    if code == 2:
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("asymflat: error: "), err
