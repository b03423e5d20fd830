"""Figures (issue 20): every figure file is written, round-off series and zero fields are not drawn at
full scale, nphi <= 8 gives lines, colour bars are labelled, the matching ladder has error bars at its
u0 -> -inf limit, and ``[output] figures = true`` makes ``asymflat run`` write the PNGs.

Small results only: exact vacua (0.2 s each); the ladder panels get synthetic ladders extrapolated by
the pipeline's own :func:`asymflat.pipeline.i0_matching.extrapolate`."""
from __future__ import annotations

import types

import numpy as np
import pytest

import asymflat

pytest.importorskip("matplotlib")

from matplotlib.collections import QuadMesh  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402

from asymflat import plots  # noqa: E402
from asymflat.plots.common import mpl  # noqa: E402

ST = {"kind": "vacuum", "G": 0.5, "grid": {"nphi": 32}, "evolution": {"u_start": -2.0, "u_end": 2.0},
      "vacuum": {"spacetime": "supertranslated_minkowski", "n_cuts": 5},
      "frame": {"supertranslation": [[2, 0.3, 0.0], [3, 0.0, 0.1]]}}


def _vacuum(tmp_path, name, nphi=32, spacetime="supertranslated_minkowski"):
    cfg = {**ST, "grid": {"nphi": nphi}, "vacuum": {**ST["vacuum"], "spacetime": spacetime}}
    if spacetime == "minkowski":
        cfg.pop("frame")
    return asymflat.run(cfg, tmp_path / f"{name}.h5")


@pytest.fixture(scope="module")
def st32(tmp_path_factory):
    r = _vacuum(tmp_path_factory.mktemp("plots"), "st32")
    yield r
    r.close()


def _axes():
    plt = mpl()
    fig, ax = plt.subplots()
    return plt, fig, ax


def test_plot_result_writes_every_figure_with_run_header(st32, tmp_path):
    written = plots.plot_result(st32, tmp_path / "figs")
    names = {p.name for p in written}
    assert names == {"scri_plus_aspects.png", "scri_minus_aspects.png", "matching.png"}, names
    for p in written:
        assert p.exists() and p.with_suffix(".pdf").exists()
    head = plots.run_header(st32)
    assert head == "st32 · kind vacuum · G = 0.5 · nphi = 32 · u ∈ [-2, 2]", head
    only_png = plots.plot_result(st32, tmp_path / "png", formats=("png",))
    assert {p.name for p in only_png} == names and not list((tmp_path / "png").glob("*.pdf"))


def test_colour_bar_labelled_with_quantity_and_units(st32):
    plt, fig, ax = _axes()
    assert plots.scri_panel(fig, ax, st32.scri_plus, "angular_momentum_aspect", 10.0) == "map"
    assert any(isinstance(c, QuadMesh) for c in ax.collections)
    bar = [a for a in fig.axes if a is not ax]
    assert len(bar) == 1 and bar[0].get_ylabel() == r"angular-momentum aspect $\Xi$ [length]"
    assert "Bondi time" in ax.get_ylabel()
    plt.close(fig)


def test_nphi_8_drawn_as_lines_not_a_map(tmp_path):
    with _vacuum(tmp_path, "st8", nphi=8) as r:
        plt, fig, ax = _axes()
        assert plots.scri_panel(fig, ax, r.scri_plus, "angular_momentum_aspect", 10.0) == "lines"
        assert not any(isinstance(c, QuadMesh) for c in ax.collections)
        assert len(ax.get_lines()) == 8          # one line per angle: Xi of a supertranslation depends on phi
        assert "Bondi time" in ax.get_xlabel()
        plt.close(fig)


def test_zero_xi_is_a_text_panel_and_circular_data_one_line(tmp_path):
    with _vacuum(tmp_path, "mink", spacetime="minkowski") as r:
        view = r.scri_plus
        assert np.max(np.abs(view.angular_momentum_aspect)) == 0.0
        fig, (a, b) = mpl().subplots(1, 2)
        assert plots.scri_panel(fig, a, view, "angular_momentum_aspect", 5.0) == "zero"
        assert not a.get_lines() and not a.collections and not a.axison
        assert "≡ 0 to round-off" in a.texts[0].get_text()
        # Theta = -1 on every cut: independent of phi -> one line, even on 32 angles
        assert plots.scri_panel(fig, b, view, "mass_aspect", 1.0) == "lines"
        assert len(b.get_lines()) == 1 and not b.collections
        mpl().close(fig)
        # the matching profile of Xi likewise
        plt, fig, ax = _axes()
        assert plots.matching_profile(ax, r.matching, "angular_momentum_aspect") == "zero"
        plt.close(fig)


def test_roundoff_charges_not_drawn_at_full_scale():
    rng = np.random.default_rng(0)
    t = np.linspace(-5.0, 5.0, 50)
    E = -2.5 + 0.1 * np.tanh(t)
    J = 1.4e-16 * rng.standard_normal(50)        # round-off against |E| = 2.5 (the default run's p_x, p_y)
    K = 1e-3 * np.sin(t)                         # small but physical: drawn
    plt, fig, ax = _axes()
    left = plots.charge_lines(ax, t, {"J": J, "K_x": K}, 2.5, "u_bondi")
    assert left == ["J"]
    drawn = [ln for ln in ax.get_lines() if len(ln.get_xdata())]
    assert len(drawn) == 1 and np.allclose(drawn[0].get_ydata(), K)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert any("≡ 0 to round-off (max" in s and "angular momentum" in s for s in labels), labels
    plt.close(fig)
    plt, fig, ax = _axes()                       # everything at round-off: a text panel, no empty frame
    assert plots.charge_lines(ax, t, {"J": J}, 2.5, "u_bondi") == ["J"]
    assert not ax.axison and "≡ 0 to round-off" in ax.texts[0].get_text()
    plt.close(fig)
    plt, fig, ax = _axes()                       # the energy itself is drawn
    assert plots.charge_lines(ax, t, {"E": E}, 2.5, "u_bondi") == []
    plt.close(fig)


def test_diagnostics_human_labels_and_invisible_series_named():
    t = np.linspace(0.0, 1.0, 20)
    plt, fig, ax = _axes()
    left = plots.series(ax, t, {"max_abs_calW_plus_1": np.zeros(20), "flux_residual_Theta": 1e-9 * (1 + t)},
                        "u_bondi", {"flux_residual_Theta": "1/length", "max_abs_calW_plus_1": "1"})
    assert left == ["max_abs_calW_plus_1"]
    labels = [s.get_text() for s in ax.get_legend().get_texts()]
    assert labels == [r"mass-loss law: max$_\phi|\partial_t\Theta \pm 16\pi G\,\dot\psi_0^2|$ [1/length]"]
    assert "max_abs" not in " ".join(labels) and r"\mathcal{W}" in ax.texts[0].get_text()
    assert ax.get_xlabel() == r"Bondi time $u_B$ [length]"
    plt.close(fig)


def _ladder(D=np.array([16.0, 8.0, 4.0])):
    """A synthetic ladder q = q_inf + C / D^1.5 (E, p_x) and round-off (the rest)."""
    from asymflat.pipeline.i0_matching import extrapolate

    labels = ["E", "p_x", "p_y", "J", "K_x", "K_y"]
    R = np.zeros((len(D), 6))
    R[:, 0] = -5e-4 - 0.3 * D ** -1.5
    R[:, 1] = 2e-3 + 0.01 * D ** -1.5
    R[:, 2:] = 1e-17
    lim, p, err = extrapolate(D, R)
    m = {"ladder/D": D, "ladder/u0": -D, "ladder/charges_residual": R, "ladder/charges_plus": np.full((len(D), 6), 2.5),
         "limit/charges_residual": lim, "limit/charges_residual_error": err, "limit/charges_residual_exponent": p,
         "modes_m": np.array([0.0, 1.0])}
    n = len(D)
    for q in ("mass_aspect", "angular_momentum_aspect"):
        lad = np.zeros((n, 2))
        lad[:, 0] = 0.01 * D ** -1.0 if q == "mass_aspect" else 0.0
        ml, _, me = extrapolate(D, lad)
        m.update({f"ladder/{q}_mode_residual": lad, f"limit/{q}_mode_residual": np.abs(ml),
                  f"limit/{q}_mode_residual_error": me})
    return m, labels


def test_charge_ladder_has_error_bars_at_the_limit():
    m, labels = _ladder()
    chk = types.SimpleNamespace(name="matching_limit_E", value=float(m["limit/charges_residual"][0]),
                                error_estimate=7e-4, tolerance=2.1e-3)
    plt, fig, ax = _axes()
    plots.charge_ladder(ax, m, labels, [chk])
    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(bars) == 2                         # E and p_x; p_y, J, K at round-off are only named
    (e_x, e_y), (p_x, p_y) = (b.lines[0].get_xydata()[0] for b in bars)
    assert e_x == 0.0 and p_x == 0.0              # the limit sits at 1/D = 0
    assert e_y == pytest.approx(-5e-4, abs=1e-7)  # extrapolate() recovers q_inf of the model
    assert p_y == pytest.approx(m["limit/charges_residual"][1])
    seg = bars[0].lines[2][0].get_segments()[0]   # gated: the check's error estimate
    assert seg[1, 1] - seg[0, 1] == pytest.approx(2 * 7e-4)
    seg = bars[1].lines[2][0].get_segments()[0]   # not gated: the extrapolation error
    assert seg[1, 1] - seg[0, 1] == pytest.approx(2 * m["limit/charges_residual_error"][1])
    labels_ = [s.get_text() for s in ax.get_legend().get_texts()]
    assert any("≡ 0 to round-off" in s and "p_y" in s for s in labels_), labels_
    assert not ax.child_axes                      # three levels: no zoom
    plt.close(fig)
    deep, _ = _ladder(np.array([64.0, 32.0, 16.0, 8.0, 4.0]))
    plt, fig, ax = _axes()
    plots.charge_ladder(ax, deep, labels, [])
    assert len(ax.child_axes) == 1                # deep ladder: an inset of the earliest cones and the limit
    zoom = ax.child_axes[0]
    assert zoom.get_xlim()[1] == pytest.approx(1.15 / 16.0)
    assert len([c for c in zoom.containers if isinstance(c, ErrorbarContainer)]) == 2
    plt.close(fig)
    plt, fig, ax = _axes()
    plots.aspect_ladder(ax, m, {}, [])
    assert len([c for c in ax.containers if isinstance(c, ErrorbarContainer)]) == 1
    plt.close(fig)


def test_matching_figure_of_a_ladder_written(st32, tmp_path):
    m, labels = _ladder()
    m.update({k: v for k, v in st32.matching.items() if not k.startswith(("ladder", "limit", "modes"))})
    m["modes_m"] = np.array([0.0, 1.0])
    fake = types.SimpleNamespace(matching=m, summary={"charge_labels": ", ".join(labels)}, checks=[],
                                 path=tmp_path / "ladder.h5", kind="scattering", G=0.05,
                                 config={"grid": {"nx": 65, "nphi": 32}})
    m["charges_residual"] = m["charges_residual"][:6]
    m["charges_plus"] = m["charges_plus"][:6]
    m["limit/charges_residual"] = m["limit/charges_residual"][:6]
    written = []
    plt = mpl()
    plots.matching_figure(fake, plt, tmp_path, ("png",), written)
    assert written == [tmp_path / "matching.png"] and written[0].stat().st_size > 10_000


def test_memory_figure_error_bars_from_F_error():
    phi = 2 * np.pi * np.arange(16) / 16
    mem = {"phi": phi, "F_minus_phi": 1e-3 * np.cos(2 * phi), "gamma": np.zeros(16), "F_error": 2e-4,
           "gamma_error": 0.0}
    plt = mpl()
    fig, axs = plt.subplots(1, 2)
    chk = types.SimpleNamespace(name="memory_F_recovered_vs_predicted", value=2.5e-5, error_estimate=4e-5,
                                tolerance=1.2e-4, passed=True)
    plots.memory_figure(mem, axes=axs, checks=[chk])
    assert axs[0].get_title() == "recovered − predicted 2.5e-05 ± 4e-05 (tol 0.00012): PASS"
    bars = [c for c in axs[0].containers if isinstance(c, ErrorbarContainer)]
    assert len(bars) == 1 and "± 0.0002" in axs[0].get_legend().get_texts()[0].get_text()
    seg = bars[0].lines[2][0].get_segments()[0]
    assert seg[1, 1] - seg[0, 1] == pytest.approx(4e-4)
    assert not axs[1].axison and "γ ≡ 0" in axs[1].texts[0].get_text()   # zero with zero error: text
    plt.close(fig)


def test_figures_true_makes_run_write_pngs(tmp_path):
    from asymflat import cli

    base = "kind = \"vacuum\"\nG = 1.0\n[grid]\nnphi = 32\n[evolution]\nu_start = -5.0\nu_end = 5.0\n" \
           "[vacuum]\nspacetime = \"minkowski\"\n"
    on, off = tmp_path / "on.toml", tmp_path / "off.toml"
    on.write_text(base)                                   # figures = true is the default
    off.write_text(base + "[output]\nfigures = false\n")
    assert cli.main(["run", str(on), "-o", str(tmp_path / "on.h5"), "--quiet"]) == 0
    pngs = sorted(p.name for p in (tmp_path / "on").iterdir())
    assert pngs == ["matching.png", "scri_minus_aspects.png", "scri_plus_aspects.png"], pngs
    assert (tmp_path / "on.h5").exists()
    assert cli.main(["run", str(off), "-o", str(tmp_path / "off.h5"), "--quiet"]) == 0
    assert (tmp_path / "off.h5").exists() and not (tmp_path / "off").exists()
    assert cli.main(["run", str(on), "-o", str(tmp_path / "nf.h5"), "--quiet", "--no-figures"]) == 0
    assert not (tmp_path / "nf").exists()
