"""Every notebook in JupyterLab in a real headless Chromium (``make test-browser``).

Not run by ``make test-unit`` (which runs ``tests/unit/``): it needs a browser and takes
minutes. ``make test-browser`` runs it through ``tools/run_layer.py``.

For each notebook: open it (plotly's renderer must show every stored figure, drawn, or as
the PNG stored beside it for GitHub until the pointer enters it), clear its outputs, Run All,
wait for the kernel, then assert no error or stderr output, no widget JupyterLab could not
show, and every plotly figure the stored notebook carries drawn again. In 04 and 05 the
explorers' ``h`` and ``d_model`` sliders are moved with the keyboard and the redrawn figure
must show exactly what the helpers' own figure builder gives for the new values; every
slider's track must be wide enough to drag. A screenshot of each notebook (and of each
moved explorer) goes to ``reports/screenshots/``, the run and redraw times to
``reports/browser.json`` (git-ignored).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import explorers  # tests/browser/, beside this file (pytest puts this folder on sys.path)
import lab
import pytest

REPORTS = lab.ROOT / "reports"
SHOTS = REPORTS / "screenshots"
RESULTS: dict = {"run_seconds": {}, "moves": []}
NOTEBOOKS = lab.notebook_names()
# The notebooks whose explorers must answer the keyboard, and the sliders moved there.
# 05's subspace explorer offers d_model = 16 only (its models are trained at that width):
# there d_model is a one-option control, checked by test_fixed_d_model_is_shown.
LIVE = {
    "04_multi_head.ipynb": ("shape_explorer", ("h", "d_model")),
    "05_why_multi_head.ipynb": ("subspace_explorer", ("h",)),
}
FIXED_D_MODEL = {"05_why_multi_head.ipynb": "16"}
# notebook -> its stored figures, how they showed when opened, pictures hovered, ones stuck
STORED_SHOWN: dict[str, tuple] = {}


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    problem = lab.chromium_problem()
    if problem:
        pytest.fail(problem, pytrace=False)  # a failure, never a skip: CI must have it
    with lab.chromium() as b:
        yield b


@pytest.fixture(scope="module")
def server():
    with lab.jupyter_lab() as running:
        yield running


@pytest.fixture(scope="module")
def pages(browser, server):
    """Notebook name -> page with that notebook run; kept for the slider tests."""
    opened: dict = {}
    yield opened
    for page in opened.values():
        page.close()
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "browser.json").write_text(json.dumps(RESULTS, indent=1))


def _run(browser, server, pages, name):
    if name in pages:
        pages[name].bring_to_front()
        return pages[name]
    page = browser.new_page(viewport=lab.VIEWPORT)
    lab.open_notebook(page, server, name)
    stored = lab.stored_figures(server.root / name)  # read now: JupyterLab autosaves the run
    shown = lab.stored_figures_shown(page)  # as opened, before Run All
    STORED_SHOWN[name] = (stored, shown, *lab.hover_pictures(page))
    seconds = lab.run_all(page)
    RESULTS["run_seconds"][name] = round(seconds, 1)
    pages[name] = page
    return page


# -- tests -------------------------------------------------------------------------------------


def test_there_are_notebooks():
    assert NOTEBOOKS, f"no notebooks in {lab.NOTEBOOKS}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_clean_in_jupyterlab(browser, server, pages, name):
    page = _run(browser, server, pages, name)
    ok = page.evaluate("() => window.__runAll")
    stored = STORED_SHOWN[name][0]  # the copy JupyterLab opened, read before Run All
    missing = lab.missing_figures(page, stored)
    SHOTS.mkdir(parents=True, exist_ok=True)
    figures = page.locator(f"{lab.CURRENT} .js-plotly-plot")
    if figures.count():
        figures.last.evaluate("(fig) => fig.scrollIntoView({block: 'center'})")
    page.screenshot(path=str(SHOTS / f"{Path(name).stem}.png"))
    SLIDER_WIDTHS[name] = lab.slider_widths(page)
    assert ok and ok["ok"], f"{name}: Run All stopped early: {ok}"
    problems = lab.problems(page)
    assert not problems, f"{name}: " + "\n".join(problems)
    assert not missing, f"{name}: " + "; ".join(missing)
    assert lab.figure_count(page) >= (1 if stored else 0), f"{name}: no figure drawn"
    if name not in LIVE:  # free the kernel; 04 and 05 stay open for the slider tests
        page.evaluate("() => window.eightHeadsLab.shutdownKernel()")
        pages.pop(name).close()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_stored_figures_open_in_plotly_and_turn_interactive(browser, server, pages, name):
    """A stored notebook, opened as it is: plotly's renderer shows every stored figure (never
    the image renderer, though a PNG is stored beside each for GitHub). It draws a figure at
    once, or shows that picture until the pointer enters it and then draws the figure (what
    jupyterlab-plotly does with a PNG in the output, the one it stores itself when it saves)."""
    if name not in STORED_SHOWN:  # run on its own (-k): open the notebook here
        _run(browser, server, pages, name)
    stored, shown, hovered, stuck = STORED_SHOWN[name]
    assert {i: c["figures"] for i, c in shown.items()} == stored, (shown, stored)
    other = {i: c for i, c in shown.items() if c["imageOutputs"] or c["views"] != c["figures"]}
    assert not other, f"{name}: figures not shown by plotly's renderer: {other}"
    unshown = {i: c for i, c in shown.items() if c["drawn"] + c["pictures"] < c["figures"]}
    assert not unshown, f"{name}: stored figures neither drawn nor shown as pictures: {unshown}"
    assert hovered == sum(c["pictures"] for c in shown.values()), (hovered, shown)
    assert not stuck, f"{name}: " + "; ".join(stuck)


@pytest.mark.parametrize(
    "name,description", [(n, d) for n, (_, moved) in LIVE.items() if n in NOTEBOOKS for d in moved]
)
def test_keyboard_moves_explorer(browser, server, pages, name, description):
    explorer_name = LIVE[name][0]
    source = (lab.NOTEBOOKS / name).read_text(encoding="utf-8")
    assert explorer_name in source, f"{name} does not show {explorer_name}"
    page = _run(browser, server, pages, name)
    found = lab.sliders(page, description)
    assert found.count() >= 1, f"{name}: no slider with description {description!r} in the page"
    checked = 0
    for i in range(found.count()):
        slider = found.nth(i)
        move, known = lab.move_explorer_slider(page, slider, description)
        checked += known
        RESULTS["moves"].append(
            {
                "notebook": name,
                "slider": description,
                "from": move.before,
                "to": move.after,
                "latency_ms": round(move.latency_ms, 1),
            }
        )
        print(
            f"{name} {description}: {move.before} -> {move.after} "
            f"redrawn in {move.latency_ms:.0f} ms"
        )
        problems = lab.problems(page)
        assert not problems, f"{name} after moving {description}: " + "\n".join(problems)
        explorer = slider.locator(explorers.EXPLORER_OF)
        assert not re.search(r"\w+Error: ", explorer.inner_text()), explorer.inner_text()[:500]
        explorer.evaluate("(ex) => ex.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(SHOTS / f"{Path(name).stem}_{description}.png"))
    assert checked, (
        f"{name}: no {description} slider belongs to a figure this test knows; "
        "add what its figure must show to tests/browser/explorers.py"
    )


@pytest.mark.parametrize("name", [n for n in FIXED_D_MODEL if n in NOTEBOOKS])
def test_fixed_d_model_is_shown(browser, server, pages, name):
    page = _run(browser, server, pages, name)
    h = lab.sliders(page, "h").first
    values = h.locator(explorers.EXPLORER_OF).evaluate(explorers.CONTROLS)
    assert values.get("d_model") == FIXED_D_MODEL[name], values


MIN_TRACK_PX = 100  # a slider's track a learner can drag with a mouse
SLIDER_WIDTHS: dict[str, list] = {}  # notebook -> [description, track width in px], from its run


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_sliders_are_wide_enough_to_drag(browser, server, pages, name):
    widths = SLIDER_WIDTHS.get(name)
    if widths is None:  # run on its own (-k): open the notebook here
        widths = lab.slider_widths(_run(browser, server, pages, name))
    if name in LIVE:
        assert widths, f"{name}: no slider in the page"
    narrow = [(label, px) for label, px in widths if px < MIN_TRACK_PX]
    assert not narrow, (
        f"{name}: slider tracks squeezed to {narrow} px (< {MIN_TRACK_PX}); "
        "let the explorer's control row wrap: HBox(..., "
        "layout=widgets.Layout(flex_flow='row wrap')) in helpers/widgets/base.py"
    )
