"""Named vacuum spacetimes and their BMS3 frames, with data at scri+ and scri- (reference §3).

Every named spacetime is a stationary *rest-frame* state ``(Theta0, Xi0)`` (constants) acted on by
a BMS3 frame ``(F, gamma)`` at scri+ (finite law, reference §2.4); scri- carries the antipodally
linked frame ``(F(. + pi) - pi, gamma(. + pi))`` (reference §4.2) acting on the stationary
advanced form, which has the same constants (reference §3.1, "spinning particle").

======================  ====================  ==========  ======================================
name                    Theta0                Xi0         frame
======================  ====================  ==========  ======================================
minkowski               -1                    0           user frame
conical_defect          -mu^2, mu = 1-4Gm     0           user frame
spinning_particle       -mu^2                 -4 G J      user frame
flat_space_cosmology    8 G M (> 0)           -4 G J      user frame (no spatial infinity)
boosted_particle        -mu^2                 0           boost(rapidity, direction) then user frame
supertranslated_mink.   -1                    0           user frame, supertranslation required
superrotated_mink.      -1                    0           user frame, superrotation required
======================  ====================  ==========  ======================================

Data construction
-----------------
* Minkowski orbit (Theta0 = -1, Xi0 = 0; ``m = 0`` defects included): read off the exact
  embeddings into global Minkowski space, retarded at scri+ with ``(F, gamma)`` and advanced at
  scri- with ``(F_bar, gamma_bar) = (F(.+pi) - pi, -gamma(.+pi))`` (reference §3.2,
  :func:`embeddings.bondi_data_from_embedding`): the two ends are computed independently.
* Other quotients: the finite law applied to the stationary forms (boosted defect = the Lorentz
  (Moebius) transform of the static one).  Their embeddings also exist (local developing maps,
  :meth:`Spacetime.embedding_parameters`): cone ``F = mu phi``, spin ``gamma = Xi0 phi/Theta0``,
  flat-space cosmology ``F = 2 atan(tanh(sqrt(Theta0) phi/2))``; ``phi -> phi + 2 pi`` is the
  holonomy (rotation by ``2 pi mu`` + time shift, resp. a boost + translation).

The frame of the configuration: ``F = R_rotation o B(boost_rapidity, boost_direction) o S`` with
``S(phi) = phi + sum a_n cos(n phi) + b_n sin(n phi)`` and ``R_a(phi) = phi + a``; then the
supertranslation "new Bondi time = old + alpha(phi)", i.e. ``gamma = -alpha``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from . import diffeo as _diffeo
from .action import BMS3Element
from .embeddings import bondi_data_from_embedding, composed_supertranslation
from .spectral import TrigSeries
from .state import ScriCut

SPACETIMES = (
    "minkowski",
    "conical_defect",
    "spinning_particle",
    "flat_space_cosmology",
    "boosted_particle",
    "supertranslated_minkowski",
    "superrotated_minkowski",
)


def _check_terms(terms, key: str) -> list:
    terms = [] if terms is None else list(terms)
    out = []
    for t in terms:
        if not isinstance(t, (list, tuple)) or len(t) != 3:
            raise ValueError(f"{key} = {terms!r}: allowed is a list of [n, a_n, b_n] triples")
        n, a, b = t
        if int(n) != n or int(n) < 1:
            raise ValueError(f"{key} = {terms!r}: mode number n = {n!r} must be an integer >= 1")
        if not (np.isfinite(a) and np.isfinite(b)):
            raise ValueError(f"{key} = {terms!r}: coefficients must be finite numbers")
        out.append((int(n), float(a), float(b)))
    return out


def make_frame(
    superrotation: Sequence = (),
    rotation: float = 0.0,
    boost_rapidity: float = 0.0,
    boost_direction: float = 0.0,
    supertranslation: Sequence = (),
) -> BMS3Element:
    """BMS3 frame ``(F, gamma)`` at scri+ from the ``[frame]`` parameters (see module docstring)."""
    sr = _check_terms(superrotation, "frame.superrotation")
    st = _check_terms(supertranslation, "frame.supertranslation")
    for key, val in (("frame.rotation", rotation), ("frame.boost_rapidity", boost_rapidity),
                     ("frame.boost_direction", boost_direction)):
        if not np.isfinite(val):
            raise ValueError(f"{key} = {val!r}: allowed are finite real numbers")
    if abs(boost_rapidity) > 20:
        raise ValueError(f"frame.boost_rapidity = {boost_rapidity}: allowed is |rapidity| <= 20")
    F = _diffeo.identity()
    if sr:
        F = _diffeo.from_fourier_terms(sr, "frame.superrotation")
    if boost_rapidity != 0.0:
        F = _diffeo.boost(boost_rapidity, boost_direction).compose(F)
    if rotation != 0.0:
        F = _diffeo.rotation(rotation).compose(F)
    alpha = TrigSeries.from_cos_sin(st)
    return BMS3Element(F, -alpha)


@dataclass
class Spacetime:
    """A named vacuum spacetime in a BMS3 frame.

    Attributes
    ----------
    name
        One of :data:`SPACETIMES`.
    G
        Newton's constant.
    theta0, xi0
        Rest-frame stationary mass and angular-momentum aspects (constants).
    frame
        The finite-law frame ``(F, gamma)`` at scri+ (boost included for boosted_particle).
    has_spatial_infinity
        False for the flat-space cosmology (matching is refused).
    parameters
        The physical parameters (mass, J, ...).
    """

    name: str
    G: float
    theta0: float
    xi0: float
    frame: BMS3Element
    has_spatial_infinity: bool = True
    parameters: dict = field(default_factory=dict)

    @property
    def on_minkowski_orbit(self) -> bool:
        return self.theta0 == -1.0 and self.xi0 == 0.0

    def frame_at(self, chart: str) -> BMS3Element:
        """Finite-law frame at ``chart`` (scri-: the antipodally linked element)."""
        return self.frame if chart == "scri_plus" else self.frame.linked()

    @property
    def construction(self) -> str:
        if self.on_minkowski_orbit:
            return ("exact embeddings X(u,r,phi) (retarded) and X(v,r,phi) (advanced) into global "
                    "Minkowski space, metric read off with spectral d_phi (reference 3.2)")
        return ("finite BMS3 law on the stationary form (Theta0, Xi0) at both ends, linked frame at "
                "scri- (reference 2.4, 4.2)")

    # -- data ---------------------------------------------------------------------------
    def predicted_cut(self, chart: str, n: int) -> ScriCut:
        """Finite-law data ``frame . (Theta0, Xi0)`` on ``phi_grid(n)`` (closed form in F)."""
        th, xi = self.frame_at(chart).act(self.theta0, self.xi0, n=n)
        return ScriCut(th, xi, chart, self.G, f"{self.name} ({chart}, finite law)")

    def embedding_parameters(self, chart: str) -> tuple[_diffeo.CircleDiffeo, Callable]:
        """``(F, gamma)`` for :func:`embeddings.embedding` (``gamma_bar`` convention at scri-).

        The composite of the developing map ``(C, gamma_C)`` of the rest-frame state with the
        frame: ``(C o F, gamma + (gamma_C o F)/F')`` (group law), sign-flipped at scri-.
        """
        el = self.frame_at(chart)
        C = _diffeo.developing_map(self.theta0) if self.theta0 != -1.0 else _diffeo.identity()
        if self.xi0 != 0.0 and self.theta0 == 0.0:
            raise ValueError("no developing map for Theta0 = 0 with Xi0 != 0 (not a named spacetime)")
        gC = TrigSeries(np.zeros(1), self.xi0 / self.theta0 if self.theta0 != 0.0 else 0.0)
        h = composed_supertranslation(gC, el.F)
        g_el = el.gamma
        s = 1.0 if chart == "scri_plus" else -1.0

        def gamma(phi, k):
            return s * (g_el(phi, k) + h(phi, k))

        return C.compose(el.F), gamma

    def cuts(self, chart: str, n: int, times: Sequence[float], r: float = 1.0):
        """Data on the cuts ``t in times`` of ``chart``: a list of :class:`ScriCut` and diagnostics.

        On the Minkowski orbit the data come from the embedding at each cut (``N`` read off
        ``g_{t phi}``, ``Xi = N - t Theta'/2``); otherwise from the finite law (t-independent).
        Returns ``(cuts, diag)`` with ``diag`` holding gauge residuals (embedding) and the
        maximal deviation from the finite-law prediction.
        """
        pred = self.predicted_cut(chart, n)
        out: list[ScriCut] = []
        diag = {"gauge_residual": 0.0, "embedding_vs_finite_law": 0.0, "truncation": 0.0, "scale": 1.0}
        if not self.on_minkowski_orbit:
            for t in times:
                out.append(ScriCut(pred.theta.copy(), pred.xi.copy(), chart, self.G, pred.label))
            return out, diag
        F, gamma = self.embedding_parameters(chart)
        g = TrigSeries.from_grid(gamma(np.arange(n) * 2 * np.pi / n, 0))
        for t in times:
            d = bondi_data_from_embedding(F, g, t, n, chart, r)
            cut = ScriCut.from_N(d["theta"], d["N"], t, chart, self.G, f"{self.name} ({chart}, embedding)")
            out.append(cut)
            gres = max(np.max(np.abs(d[k])) for k in ("g_tr_residual", "g_rr", "g_rphi", "g_phiphi_residual"))
            diag["gauge_residual"] = max(diag["gauge_residual"], float(gres))
            dev = max(np.max(np.abs(cut.theta - pred.theta)), np.max(np.abs(cut.xi - pred.xi)))
            diag["embedding_vs_finite_law"] = max(diag["embedding_vs_finite_law"], float(dev))
            diag["truncation"] = max(diag["truncation"], float(d["truncation"]))
            diag["scale"] = max(diag["scale"], float(d["scale"]) ** 2)
        return out, diag


def _mass_to_mu(m: float, G: float) -> float:
    if not np.isfinite(m) or m < 0 or 4 * G * m >= 1:
        raise ValueError(
            f"vacuum.mass = {m!r}: allowed is the Deser-Jackiw-'t Hooft mass with 0 <= 4 G m < 1 "
            f"(G = {G}), i.e. 0 <= mass < {1 / (4 * G):g}"
        )
    return 1.0 - 4.0 * G * m


def make_spacetime(
    name: str,
    G: float = 1.0,
    mass: float = 0.0,
    angular_momentum: float = 0.0,
    energy: float = 0.0,
    rapidity: float = 0.0,
    direction: float = 0.0,
    frame: BMS3Element | None = None,
    frame_parameters: dict | None = None,
) -> Spacetime:
    """Build a named spacetime (see module docstring); ``frame`` or ``frame_parameters``
    (the ``[frame]`` table, passed to :func:`make_frame`) gives the BMS3 frame."""
    if name not in SPACETIMES:
        raise ValueError(f"vacuum.spacetime = {name!r}: allowed are {', '.join(SPACETIMES)}")
    if not (np.isfinite(G) and G > 0):
        raise ValueError(f"G = {G!r}: allowed is G > 0 for vacuum runs")
    fp = dict(frame_parameters or {})
    if frame is None:
        frame = make_frame(**fp)
    if name == "supertranslated_minkowski" and not fp.get("supertranslation"):
        raise ValueError("frame.supertranslation = []: supertranslated_minkowski needs a nonempty list of "
                         "[n, a_n, b_n] (modes |n| >= 2 give distinct Minkowski spaces)")
    if name == "superrotated_minkowski" and not fp.get("superrotation"):
        raise ValueError("frame.superrotation = []: superrotated_minkowski needs a nonempty list of "
                         "[n, a_n, b_n] with F' > 0")
    params: dict = {}
    has_i0 = True
    if name in ("minkowski", "supertranslated_minkowski", "superrotated_minkowski"):
        th0, xi0 = -1.0, 0.0
    elif name == "conical_defect":
        mu = _mass_to_mu(mass, G)
        th0, xi0 = -(mu**2), 0.0
        params = {"mass": mass, "mu": mu}
    elif name == "spinning_particle":
        mu = _mass_to_mu(mass, G)
        if not np.isfinite(angular_momentum):
            raise ValueError(f"vacuum.angular_momentum = {angular_momentum!r}: allowed are finite numbers")
        th0, xi0 = -(mu**2), -4.0 * G * angular_momentum  # J = -Q[0,1] (conventions §4)
        params = {"mass": mass, "mu": mu, "angular_momentum": angular_momentum}
    elif name == "flat_space_cosmology":
        if not (np.isfinite(energy) and energy > 0):
            raise ValueError(f"vacuum.energy = {energy!r}: allowed is M > 0 for flat_space_cosmology")
        if not np.isfinite(angular_momentum):
            raise ValueError(f"vacuum.angular_momentum = {angular_momentum!r}: allowed are finite numbers")
        th0, xi0 = 8.0 * G * energy, -4.0 * G * angular_momentum  # J = -Q[0,1]
        params = {"energy": energy, "angular_momentum": angular_momentum}
        has_i0 = False
    elif name == "boosted_particle":
        mu = _mass_to_mu(mass, G)
        if not (np.isfinite(rapidity) and abs(rapidity) <= 20):
            raise ValueError(f"vacuum.rapidity = {rapidity!r}: allowed is |rapidity| <= 20")
        if not np.isfinite(direction):
            raise ValueError(f"vacuum.direction = {direction!r}: allowed are finite angles")
        th0, xi0 = -(mu**2), 0.0
        B = _diffeo.boost(rapidity, direction)
        frame = BMS3Element(B.compose(frame.F), frame.gamma)
        params = {"mass": mass, "mu": mu, "rapidity": rapidity, "direction": direction}
    # m = 0 particles are on the Minkowski orbit and are built from the embeddings
    return Spacetime(name, float(G), float(th0), float(xi0), frame, has_i0, params)


def distinct_minkowski_pair(alpha_terms: Sequence, G: float = 1.0) -> tuple[Spacetime, Spacetime]:
    """Minkowski and the supertranslated Minkowski space with ``alpha`` (reference §3.1)."""
    a = make_spacetime("minkowski", G)
    b = make_spacetime("supertranslated_minkowski", G, frame_parameters={"supertranslation": alpha_terms})
    return a, b


__all__ = ["SPACETIMES", "Spacetime", "make_frame", "make_spacetime", "distinct_minkowski_pair"]
