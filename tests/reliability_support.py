"""Helpers of tests/test_reliability_*.py: bit-for-bit comparison of two result files."""
from __future__ import annotations

import h5py
import numpy as np

def pulse_config(amplitude: float, u_end: float, checkpoint_every_steps: int) -> str:
    """A small off-centre-pulse characteristic run (G = 0.05, 33 x 8, cfl 1, shadow grid) with
    checkpoints: amplitude 0.5 runs stably, amplitude 2 goes unstable within ~50 steps."""
    return f"""kind = "characteristic"
G = 0.05
[grid]
nx = 33
nphi = 8
R = 1.0
[evolution]
u_start = -2.0
u_end = {u_end}
cfl = 1.0
[output]
checkpoint_every_steps = {checkpoint_every_steps}
[characteristic]
pulses = [{{ amplitude = {amplitude}, a = 1.0, t0 = 0.0, x0 = 0.3, y0 = 0.0 }}]
shadow_grid = true
"""


#: attributes that legitimately differ between two runs of the same configuration
VOLATILE_ATTRS = {"/": {"created", "git_commit", "checksum"}, "/summary": {"wall_time_s"}}


def _plain_attrs(obj) -> dict:
    out = {}
    skip = VOLATILE_ATTRS.get(obj.name, set())
    for k, v in obj.attrs.items():
        if k in skip or k in ("DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME"):
            continue
        out[k] = v
    return out


def differences(a_path, b_path) -> list[str]:
    """Every dataset (dtype, shape, bytes) and plain attribute that differs; [] if bit-identical."""
    diffs: list[str] = []
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        objs_a, objs_b = {}, {}
        a.visititems(lambda n, o: objs_a.__setitem__(n, o))
        b.visititems(lambda n, o: objs_b.__setitem__(n, o))
        if set(objs_a) != set(objs_b):
            diffs.append(f"objects differ: {sorted(set(objs_a) ^ set(objs_b))}")
        for name in ["/"] + sorted(set(objs_a) & set(objs_b)):
            oa, ob = (a, b) if name == "/" else (objs_a[name], objs_b[name])
            if isinstance(oa, h5py.Dataset):
                da, db = oa[()], ob[()]
                if oa.dtype != ob.dtype or oa.shape != ob.shape:
                    diffs.append(f"{name}: dtype/shape")
                elif oa.dtype.kind == "O":
                    if not np.array_equal(np.asarray(da, dtype=object), np.asarray(db, dtype=object)):
                        diffs.append(f"{name}: values")
                elif np.ascontiguousarray(da).tobytes() != np.ascontiguousarray(db).tobytes():
                    diffs.append(f"{name}: bytes")
            pa, pb = _plain_attrs(oa), _plain_attrs(ob)
            if set(pa) != set(pb):
                diffs.append(f"{name}: attribute names {sorted(set(pa) ^ set(pb))}")
            for k in set(pa) & set(pb):
                va, vb = np.asarray(pa[k]), np.asarray(pb[k])
                if va.dtype.kind in "fc" and vb.dtype.kind in "fc":
                    same = va.shape == vb.shape and va.tobytes() == vb.tobytes()
                else:
                    same = np.array_equal(va, vb)
                if not same:
                    diffs.append(f"{name}@{k}")
    return diffs
