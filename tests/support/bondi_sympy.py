"""Independent symbolic machinery for the 2+1 Bondi-gauge Einstein--scalar equations.

This module is test support: it recomputes, from the metric alone, the objects that the
characteristic solver codes (reference: ``bondi-equations.md`` §0--§5 and
``vertex-and-frame-notes.md`` §1).  Nothing here is imported from the reference scripts.

Conventions (reference §0): signature (-,+,+), coordinates (u, r, phi) and

    ds^2 = e^{2 beta} (V/r) du^2 - 2 s e^{2 beta} du dr + r^2 (dphi - U du)^2,

with s = +1 (retarded chart, u = t - r) or s = -1 (advanced chart, the first coordinate is
v = t + r).  The field equations are

    E_ab := R_ab - 8 pi G psi_a psi_b = 0          (3D trace-reversed Einstein--scalar).

Main entry points
-----------------
einstein_residuals(beta, U, V, psi, u, r, phi, G, advanced=False)
    dict {'uu','ur','uphi','rr','rphi','phiphi'} -> sympy expressions E_ab, for arbitrary sympy
    expressions beta, U, V, psi of (u, r, phi).
generic_residuals(advanced=False)
    the same for undetermined functions beta(u,r,phi), ... (cached).
box(psi, beta, U, V, u, r, phi, advanced=False)
    covariant wave operator of the metric.
hierarchy_rhs(chi, beta, Qbar, U, Wc, u, x, phi, G, R)
    right-hand sides of the compactified hierarchy (C1)-(C5) and of the regularised forms.
lambdify_hierarchy(fields, ...)
    numpy callables of those right-hand sides for manufactured-solution tests.
"""
from __future__ import annotations

import functools

import sympy as sp

D = sp.diff
pi = sp.pi

# canonical symbols used by the cached generic computations
u, phi = sp.symbols("u phi", real=True)
r = sp.symbols("r", positive=True)
x = sp.symbols("x", positive=True)
G = sp.symbols("G", positive=True)
R = sp.symbols("R", positive=True)

COMPONENTS = ("uu", "ur", "uphi", "rr", "rphi", "phiphi")
_IDX = {"uu": (0, 0), "ur": (0, 1), "uphi": (0, 2), "rr": (1, 1), "rphi": (1, 2), "phiphi": (2, 2)}


# ----------------------------------------------------------------------------------------------
# geometry
# ----------------------------------------------------------------------------------------------
def bondi_metric(beta, U, V, r, advanced=False):
    """Metric matrix of the (retarded or advanced) Bondi-gauge line element, and its inverse.

    The inverse is written in closed form (reference §0) and checked in the tests against
    ``g.inv()``.
    """
    s = -1 if advanced else 1
    e2b = sp.exp(2 * beta)
    g = sp.Matrix([[e2b * V / r + r**2 * U**2, -s * e2b, -r**2 * U],
                   [-s * e2b, 0, 0],
                   [-r**2 * U, 0, r**2]])
    em2b = sp.exp(-2 * beta)
    ginv = sp.Matrix([[0, -s * em2b, 0],
                      [-s * em2b, -em2b * V / r, -s * em2b * U],
                      [0, -s * em2b * U, r**-2]])
    return g, ginv


def christoffel(g, ginv, X):
    """Gamma^a_{bc} = 1/2 g^{ad} (d_b g_{dc} + d_c g_{db} - d_d g_{bc}); no simplification."""
    n = len(X)
    dg = [[[D(g[a, b], X[c]) for c in range(n)] for b in range(n)] for a in range(n)]
    Gam = [[[0] * n for _ in range(n)] for _ in range(n)]
    for a in range(n):
        for b in range(n):
            for c in range(b, n):
                s = 0
                for d in range(n):
                    if ginv[a, d] != 0:
                        s += ginv[a, d] * (dg[d][b][c] + dg[d][c][b] - dg[b][c][d])
                s = sp.expand(s / 2)
                Gam[a][b][c] = Gam[a][c][b] = s
    return Gam


def ricci(g, ginv, X):
    """R_{bd} = d_a Gam^a_{bd} - d_d Gam^a_{ab} + Gam^a_{ae} Gam^e_{bd} - Gam^a_{de} Gam^e_{ab}."""
    n = len(X)
    Gam = christoffel(g, ginv, X)
    Ric = sp.zeros(n, n)
    for b in range(n):
        for d in range(b, n):
            s = 0
            for a in range(n):
                s += D(Gam[a][b][d], X[a]) - D(Gam[a][a][b], X[d])
                for e in range(n):
                    s += Gam[a][a][e] * Gam[e][b][d] - Gam[a][d][e] * Gam[e][a][b]
            Ric[b, d] = Ric[d, b] = s
    return Ric, Gam


def einstein_residuals(beta, U, V, psi, u, r, phi, G, advanced=False, mu=None):
    """E_ab = R_ab - 8 pi G (psi_a psi_b + mu k_a k_b) of the Bondi-gauge metric.

    Parameters
    ----------
    beta, U, V, psi : sympy expressions of (u, r, phi)
        Metric functions and scalar field; ``u`` is the retarded time (or the advanced time v if
        ``advanced``).
    u, r, phi : sympy Symbols
        The coordinates.
    G : sympy expression
        Newton's constant.
    advanced : bool
        False: ds^2 = e^{2b}(V/r)du^2 - 2e^{2b}du dr + r^2(dphi - U du)^2 (reference §0);
        True:  ds^2 = e^{2b}(V/r)dv^2 + 2e^{2b}dv dr + r^2(dphi - U dv)^2 (reference §5).
    mu : sympy expression, optional
        Null-dust density with k_a = -d_a u (enters E_uu only).

    Returns
    -------
    dict
        keys 'uu', 'ur', 'uphi', 'rr', 'rphi', 'phiphi' -> unsimplified sympy expressions.
    """
    X = (u, r, phi)
    g, ginv = bondi_metric(beta, U, V, r, advanced)
    Ric, _ = ricci(g, ginv, X)
    dpsi = [D(psi, c) for c in X]
    out = {}
    for name, (a, b) in _IDX.items():
        e = Ric[a, b] - 8 * pi * G * dpsi[a] * dpsi[b]
        if mu is not None and (a, b) == (0, 0):
            e -= 8 * pi * G * mu
        out[name] = e
    return out


def box(psi, beta, U, V, u, r, phi, advanced=False):
    """Covariant wave operator (1/sqrt(-g)) d_a(sqrt(-g) g^{ab} d_b psi), sqrt(-g) = r e^{2 beta}."""
    X = (u, r, phi)
    _, ginv = bondi_metric(beta, U, V, r, advanced)
    sq = r * sp.exp(2 * beta)
    s = 0
    for a in range(3):
        for b in range(3):
            if ginv[a, b] != 0:
                s += D(sq * ginv[a, b] * D(psi, X[b]), X[a])
    return s / sq


@functools.lru_cache(maxsize=None)
def generic_fields():
    """Undetermined functions beta, U, V, psi of (u, r, phi) (canonical symbols of this module)."""
    return tuple(sp.Function(n)(u, r, phi) for n in ("beta", "U", "V", "psi"))


@functools.lru_cache(maxsize=None)
def generic_residuals(advanced=False):
    """E_ab for undetermined beta, U, V, psi (cached; ~1 s)."""
    beta, U, V, psi = generic_fields()
    return einstein_residuals(beta, U, V, psi, u, r, phi, G, advanced=advanced)


def is_zero(expr):
    """Robust symbolic zero test for expressions containing exp(+-2 beta) and derivatives."""
    e = sp.expand(sp.powsimp(sp.expand(expr), combine="exp"))
    if e == 0:
        return True
    return sp.simplify(e) == 0


# ----------------------------------------------------------------------------------------------
# r-form hypersurface / evolution equations (reference §1), written with a derivative operator
# so that the same code serves r and the compactified coordinate x.
# ----------------------------------------------------------------------------------------------
def rform_equations(beta, U, Wc, psi, rr, Dr, Dphi, Du, G, Qbar=None):
    """Residuals of (H1), (H2 in Qbar form), (H3 in calW form) and the wave operator.

    ``Dr``, ``Dphi``, ``Du`` are callables giving the partial derivatives at fixed other
    coordinates of the Bondi chart; ``rr`` is the expression of the areal radius.  If ``Qbar``
    is given it is used as an independent field in 'H2' and 'H3' (the hierarchy treats Qbar as
    the unknown of H2); otherwise Qbar := r^3 e^{-2b} U_r + 2 r beta_phi.

    Returns dict with
        'H1'   : beta_r - 4 pi G r psi_r^2
        'Qbar' : r^3 e^{-2b} U_r + 2 r beta_phi
        'H2'   : Qbar_r - 16 pi G r psi_r (2 r psi_{r phi} + psi_phi)
        'H3'   : r calW_r - e^{2b}[8 pi G psi_phi^2 + Qbar_phi/r + Qbar^2/(2r^2)]
        'V'    : r calW - 2 r^2 U_phi
        'wave' : r e^{2 beta} box psi, written as the reference §1.2 right-hand side.
    """
    e2b = sp.exp(2 * beta)
    Qb = rr**3 * sp.exp(-2 * beta) * Dr(U) + 2 * rr * Dphi(beta)
    Qdef = Qb
    if Qbar is not None:
        Qb = Qbar
    V = rr * Wc - 2 * rr**2 * Dphi(U)
    sr = sp.sqrt(rr)
    return {
        "H1": Dr(beta) - 4 * pi * G * rr * Dr(psi) ** 2,
        "Qbar": Qdef,
        "H2": Dr(Qb) - 16 * pi * G * rr * Dr(psi) * (2 * rr * Dr(Dphi(psi)) + Dphi(psi)),
        "H3": rr * Dr(Wc) - e2b * (8 * pi * G * Dphi(psi) ** 2 + Dphi(Qb) / rr + Qb**2 / (2 * rr**2)),
        "V": V,
        "wave": (-2 * sr * Dr(sr * Du(psi)) - Dr(V * Dr(psi)) - Dr(rr * U * Dphi(psi))
                 - Dphi(rr * U * Dr(psi)) + Dphi(e2b * Dphi(psi)) / rr),
    }


# ----------------------------------------------------------------------------------------------
# compactified hierarchy (reference §2) and regularised forms (vertex-and-frame-notes §1)
# ----------------------------------------------------------------------------------------------
def hierarchy_rhs(chi, beta, Qbar, U, Wc, u, x, phi, G, R):
    """Right-hand sides of the compactified hierarchy, x = r/(R+r), chi = sqrt(r+R) psi.

    Parameters
    ----------
    chi, beta, Qbar, U, Wc : sympy expressions of (u, x, phi)
        Scalar variable chi, beta, Qbar = r^3 e^{-2b} U_r + 2 r beta_phi, U, calW = V/r + 2 r U_phi.
    u, x, phi : Symbols
    G, R : sympy expressions

    Returns
    -------
    dict of sympy expressions:
        'A'      calA = 2(1-x) chi_x - chi
        'C1'     d_x beta  = (pi G/R) x calA^2
        'C2'     d_x Qbar  = 8 pi G x calA (2x chi_{x phi} + chi_phi)
        'C3'     d_x U     = e^{2b}[(1-x) Qbar - 2 R x beta_phi]/(R^2 x^3)
        'C4'     d_x calW  = (e^{2b}/(R x))[8 pi G chi_phi^2 + Qbar_phi/x + (1-x) Qbar^2/(2 R x^2)]
        'S_chi'  source of (C5): (2x d_x + 1) chi_u = S_chi (calW form, reference §2)
        'C5_lhs' (2x d_x + 1) chi_u
        regularised (b = beta/x^2, q = Qbar/x^3, c = chi_phi/x):
        'b', 'q', 'c'
        'reg_b'  = (pi G/R) calA^2                    [= (x d_x + 2) b]
        'reg_q'  = 8 pi G calA (2 chi_{x phi} + c)     [= (x d_x + 3) q]
        'reg_U'  = e^{2b}[(1-x) q - 2 R b_phi]/R^2     [= d_x U]
        'reg_W'  = (e^{2b}/R)[8 pi G x c^2 + x q_phi + (1-x) x^3 q^2/(2R)]   [= d_x calW]
        'reg_ang'= (1/R) d_phi(e^{2b} c)               [= angular term of S_chi]
        'lhs_b', 'lhs_q' : (x d_x + 2) b, (x d_x + 3) q computed from the given beta, Qbar.
    """
    e2b = sp.exp(2 * beta)
    cx, cp = D(chi, x), D(chi, phi)
    A = 2 * (1 - x) * cx - chi
    out = {"A": A}
    out["C1"] = pi * G / R * x * A**2
    out["C2"] = 8 * pi * G * x * A * (2 * x * D(chi, x, phi) + cp)
    out["C3"] = e2b * ((1 - x) * Qbar - 2 * R * x * D(beta, phi)) / (R**2 * x**3)
    out["C4"] = e2b / (R * x) * (8 * pi * G * cp**2 + D(Qbar, phi) / x
                                 + (1 - x) * Qbar**2 / (2 * R * x**2))
    Up = D(U, phi)
    out["S_chi"] = (-D(x * (1 - x) ** 2 * Wc * cx, x) / R
                    + (2 * D(x * (1 - x) * Wc, x) + x * Wc) * chi / (4 * R)
                    + 2 * D(x**2 * (1 - x) * Up * cx, x) - D(x**2 * Up, x) * chi + x * Up * chi / 2
                    - D(x * U * cp, x) - D(x * U * cx, phi)
                    + D(e2b * cp, phi) / (R * x))
    out["C5_lhs"] = 2 * x * D(chi, u, x) + D(chi, u)
    b = beta / x**2
    q = Qbar / x**3
    c = cp / x
    out.update(b=b, q=q, c=c)
    out["reg_b"] = pi * G / R * A**2
    out["reg_q"] = 8 * pi * G * A * (2 * D(chi, x, phi) + c)
    out["reg_U"] = e2b * ((1 - x) * q - 2 * R * D(b, phi)) / R**2
    out["reg_W"] = e2b / R * (8 * pi * G * x * c**2 + x * D(q, phi) + (1 - x) * x**3 * q**2 / (2 * R))
    out["reg_ang"] = D(e2b * c, phi) / R
    out["lhs_b"] = x * D(b, x) + 2 * b
    out["lhs_q"] = x * D(q, x) + 3 * q
    return out


def lambdify_hierarchy(fields, keys=None, G=G, R=R, u=u, x=x, phi=phi):
    """Numpy callables of the hierarchy right-hand sides for manufactured fields.

    Parameters
    ----------
    fields : dict
        sympy expressions of (u, x, phi) [and optionally of the symbols G, R] for the keys
        'chi', 'beta', 'Qbar', 'U', 'Wc'; missing keys default to the Minkowski values
        (0, 0, 0, 0, -1) except 'chi' which is required.
    keys : iterable of str, optional
        Which entries of :func:`hierarchy_rhs` to return (default: all).  Additionally the keys
        'beta_x', 'Qbar_x', 'U_x', 'Wc_x', 'chi_u' give the x/u-derivatives of the given fields
        (the left-hand sides), so that residual = lhs - rhs can be formed numerically.

    Returns
    -------
    dict str -> callable f(u, x, phi, G, R) (numpy broadcasting).
    """
    f = dict(beta=sp.Integer(0), Qbar=sp.Integer(0), U=sp.Integer(0), Wc=sp.Integer(-1))
    f.update(fields)
    h = hierarchy_rhs(f["chi"], f["beta"], f["Qbar"], f["U"], f["Wc"], u, x, phi, G, R)
    h["beta_x"] = D(f["beta"], x)
    h["Qbar_x"] = D(f["Qbar"], x)
    h["U_x"] = D(f["U"], x)
    h["Wc_x"] = D(f["Wc"], x)
    h["chi_u"] = D(f["chi"], u)
    keys = list(h) if keys is None else list(keys)
    out = {}
    for k in keys:
        expr = h[k]
        fn = sp.lambdify((u, x, phi, G, R), expr, modules="numpy")
        out[k] = _broadcasting(fn)
    return out


def _broadcasting(fn):
    import numpy as np

    def wrapped(uu, xx, pp, GG, RR):
        val = np.asarray(fn(uu, xx, pp, GG, RR))
        if np.iscomplexobj(val):  # complex intermediate (e.g. Re of an analytic field)
            val = val.real
        shape = np.broadcast(np.asarray(uu), np.asarray(xx), np.asarray(pp)).shape
        return np.broadcast_to(np.asarray(val, dtype=float), shape).copy()
    return wrapped


# ----------------------------------------------------------------------------------------------
# truncated Laurent expansions (scri, vertex)
# ----------------------------------------------------------------------------------------------
def laurent_coeffs(expr, var, lo, hi, exp_order=4, at_infinity=True):
    """Coefficients of a truncated expansion of ``expr`` in y = 1/var (at_infinity) or y = var.

    The exponentials exp(k beta) are replaced by their Taylor polynomials of degree
    ``exp_order - 1`` in k beta, which is exact to the retained orders provided beta = O(y)
    (Bondi frame at scri, beta(0) = 0 at the vertex).  Fields must be polynomial (Laurent) in
    y with half-integer powers only in products that combine to integers.

    Returns
    -------
    dict n -> coefficient of y^n, for lo <= n <= hi.
    """
    y = sp.Dummy("y", positive=True)
    e = expr.subs(var, 1 / y if at_infinity else y)
    e = e.replace(sp.exp, lambda a: sum(a**n / sp.factorial(n) for n in range(exp_order)))
    e = sp.expand(e)
    return {n: e.coeff(y, n) for n in range(lo, hi + 1)}


def solve_orders(coeffs, targets, sol, free=()):
    """Solve the coefficients of a truncated expansion order by order.

    Each nonzero coefficient (after substituting ``sol``) must contain exactly one not yet solved
    unknown among ``targets`` (solved for, linear), or none (then it must vanish identically:
    such an order is a resonance, where a log term would otherwise be needed).  Stops at the
    first coefficient that contains a truncation unknown from ``free``.

    Returns the list of resonant orders that vanished identically; raises AssertionError when a
    coefficient with no unknown is nonzero.
    """
    resonant = []
    for n in sorted(coeffs):
        c = sp.expand(sp.sympify(coeffs[n]).subs(sol).doit())
        if any(c.has(f) for f in free):
            break
        unk = [t for t in targets if t not in sol and c.has(t)]
        if not unk:
            c = sp.simplify(c)
            assert c == 0, ("order %d has no unknown and does not vanish: %s" % (n, c))
            if coeffs[n] != 0:
                resonant.append(n)
            continue
        sols = sp.solve(c, unk[0])
        assert len(sols) == 1, (n, unk[0], c)
        sol[unk[0]] = sp.expand(sols[0])
    return resonant


# ----------------------------------------------------------------------------------------------
# truncated power series with precision tracking (fast substitution into the generic E_ab)
# ----------------------------------------------------------------------------------------------
INF = 10**9


class TSeries:
    """Truncated series sum_n c_n z^n, known exactly for n <= prec (c_n sympy expressions).

    ``z`` is the expansion variable: z = r^{-1/2} at scri (r = z^{-2}) or z = r at the vertex.
    Products and the exponential propagate the precision, so every coefficient returned by
    :func:`series_of` with n <= prec is exact for the given field data.
    """

    __slots__ = ("c", "prec")
    cap = 12

    def __init__(self, c, prec=INF):
        self.prec = prec
        self.c = {n: v for n, v in c.items() if v != 0 and n <= self.prec}

    def val(self):
        return min(self.c) if self.c else self.prec

    def __add__(self, o):
        p = min(self.prec, o.prec)
        c = dict(self.c)
        for n, v in o.c.items():
            c[n] = c.get(n, 0) + v
        return TSeries({n: v for n, v in c.items() if n <= p}, p)

    def __mul__(self, o):
        va, vb = self.val(), o.val()
        p = min(self.prec + vb if self.prec < INF else INF, o.prec + va if o.prec < INF else INF)
        p = min(p, TSeries.cap)          # terms above the cap are dropped: precision drops too
        c = {}
        for n, v in self.c.items():
            for m, w in o.c.items():
                if n + m <= p:
                    c[n + m] = c.get(n + m, 0) + v * w
        return TSeries({n: sp.expand(v) for n, v in c.items()}, p)

    def map(self, f):
        return TSeries({n: f(v) for n, v in self.c.items()}, self.prec)


def _ts_exp(a):
    """exp of a series whose negative-order part vanishes."""
    assert all(n >= 0 for n in a.c), "exp of a series with negative powers"
    c0 = a.c.get(0, 0)
    rho = TSeries({n: v for n, v in a.c.items() if n > 0}, a.prec)
    out = TSeries({0: sp.Integer(1)})
    term = TSeries({0: sp.Integer(1)})
    p = min(a.prec, TSeries.cap)
    k = 1
    while rho.c and k * rho.val() <= p:
        term = term * rho
        term = term.map(lambda v, k=k: v / k)
        out = out + term
        k += 1
    out = TSeries(out.c, min(out.prec, a.prec))
    return out.map(lambda v: sp.expand(sp.exp(c0) * v)) if c0 != 0 else out


def series_of(expr, fields, rsym, mode, cap=12):
    """Evaluate a sympy expression built from r and undetermined fields as a truncated series.

    Parameters
    ----------
    expr : sympy expression (e.g. a generic E_ab from :func:`generic_residuals`)
    fields : dict  Function-application (e.g. beta(u,r,phi)) -> TSeries
    rsym : the radial Symbol
    mode : 'scri' (z = r^{-1/2}, r = z^{-2}) or 'vertex' (z = r)
    cap : maximal retained order in z

    Derivatives d_r act as -(n/2) z^{n+2} on z^n at scri and as n z^{n-1} at the vertex; other
    derivatives act on the coefficients.
    """
    TSeries.cap = cap
    memo = {}

    def dr(s):
        if mode == "scri":
            return TSeries({n + 2: -sp.Rational(n, 2) * v for n, v in s.c.items()},
                           s.prec + 2 if s.prec < INF else INF)
        return TSeries({n - 1: n * v for n, v in s.c.items() if n != 0},
                       s.prec - 1 if s.prec < INF else INF)

    def rpow(k):
        if mode == "scri":
            kk = -2 * sp.Rational(k)
            assert kk.is_integer
            return TSeries({int(kk): sp.Integer(1)})
        return TSeries({int(k): sp.Integer(1)})

    def ev(e):
        if e in memo:
            return memo[e]
        if e == rsym:
            out = rpow(1)
        elif e in fields:
            out = fields[e]
        elif not e.has(rsym) and not any(e.has(f) for f in fields):
            out = TSeries({0: e})
        elif isinstance(e, sp.Derivative):
            s = fields[e.expr]
            for var, cnt in e.variable_count:
                for _ in range(cnt):
                    if var == rsym:
                        s = dr(s)
                    else:
                        s = s.map(lambda v, var=var: sp.diff(v, var))
            out = s
        elif isinstance(e, sp.Add):
            out = TSeries({})
            first = True
            for a in e.args:
                out = ev(a) if first else out + ev(a)
                first = False
        elif isinstance(e, sp.Mul):
            out = None
            for a in e.args:
                out = ev(a) if out is None else out * ev(a)
        elif isinstance(e, sp.Pow):
            if e.base == rsym:
                out = rpow(e.exp)
            else:
                assert e.exp.is_integer and e.exp > 0, e
                b = ev(e.base)
                out = b
                for _ in range(int(e.exp) - 1):
                    out = out * b
        elif isinstance(e, sp.exp):
            out = _ts_exp(ev(e.args[0]))
        else:
            raise NotImplementedError(type(e))
        memo[e] = out
        return out

    return ev(expr)
