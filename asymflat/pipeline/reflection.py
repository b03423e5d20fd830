"""The advanced problem and its time reflection (kind ``advanced``; conventions.md section 5):
the retarded configuration of the reflected data (:func:`reflected_config`), the optional BMS3 frame
at scri- (``[frame]``), and :func:`parse_advanced` returning both with the physical pulses."""
from __future__ import annotations

import math

from asymflat.pipeline.characteristic_input import parse


def reflect_pulses(pulses) -> list[dict]:
    """Exact pulses of the reflected (retarded) problem: t0 -> -t0, the rest unchanged."""
    out = []
    for q in pulses or []:
        q = dict(q)
        q["t0"] = -float(q.get("t0", 0.0) or 0.0)
        out.append(q)
    return out


def reflected_config(config: dict) -> dict:
    """The retarded (kind ``characteristic``) configuration of the time-reflected problem.

    u in [-v_end, -v_start]; pulses t0 -> -t0; compact and circular data unchanged; vertex
    angular velocity -omega, acceleration unchanged (module docstring).
    """
    ev = dict(config["evolution"])
    v0, v1 = float(ev["u_start"]), float(ev["u_end"])
    if not (math.isfinite(v0) and math.isfinite(v1) and v1 > v0):
        raise ValueError(f"evolution.u_end = {v1}: must be a finite number > evolution.u_start = {v0} "
                         "(kind advanced: the advanced-time range [v_start, v_end])")
    ev["u_start"], ev["u_end"] = -v1, -v0
    ch = dict(config.get("characteristic") or {})
    ch["pulses"] = reflect_pulses(ch.get("pulses"))
    vx = dict(config.get("vertex") or {})
    om = vx.get("angular_velocity", 0.0)
    vx["angular_velocity"] = -float(0.0 if om is None else om)
    out = {k: v for k, v in config.items() if k != "frame"}
    out.update(kind="characteristic", evolution=ev, characteristic=ch, vertex=vx)
    return out


def _frame(config: dict):
    """The BMS3 frame (F, gamma) at scri- from an optional ``[frame]`` table, or None."""
    fr = config.get("frame") or {}
    keys = ("superrotation", "rotation", "boost_rapidity", "boost_direction", "supertranslation")
    unknown = sorted(set(fr) - set(keys))
    if unknown:
        raise ValueError(f"frame.{unknown[0]}: unknown key; allowed: {', '.join(keys)}")
    if not any(fr.get(k) for k in keys):
        return None
    from asymflat.bms3.spacetimes import make_frame

    el = make_frame(**{k: fr[k] for k in keys if k in fr})
    el.F.check_orientation("frame.superrotation")
    return el


def parse_advanced(config: dict):
    p = parse(reflected_config(config))
    if p["mu"] != 1.0:
        raise ValueError(f"vertex.mu = {p['mu']:g}: a conical vertex runs in kind = \"characteristic\" "
                         "(retarded chart); the advanced kind's checks assume a regular vertex (mu = 1)")
    v0, v1 = float(config["evolution"]["u_start"]), float(config["evolution"]["u_end"])
    ch = config.get("characteristic") or {}
    phys = [dict(q) for q in ch.get("pulses", []) or []]
    phys += [{"amplitude": float(c.get("amplitude", 1.0)), "a": float(c["a"]), "t0": 0.0, "x0": 0.0,
              "y0": 0.0} for c in ch.get("circular", []) or []]
    return p, v0, v1, phys, _frame(config)


def validate(cfg: dict) -> None:
    """Kind-level checks before any work (raises ValueError naming the key); pulses beyond the
    conical-defect range refused as in the other kinds taking pulses."""
    from asymflat.pipeline.ladder import refuse_beyond_conical_defect

    p, _, _, phys, _ = parse_advanced(cfg)
    refuse_beyond_conical_defect(phys, p["G"], p["nphi"])
