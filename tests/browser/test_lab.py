"""Every notebook in JupyterLab in a real headless Chromium (``make test-browser``).

Not run by ``make test-unit`` (which runs ``tests/unit/``): it needs a browser and takes
minutes. ``make test-browser`` runs it through ``tools/run_layer.py``.

For each notebook: open it (plotly's renderer must show every stored figure, drawn, or as
the PNG stored beside it for GitHub until the pointer enters it), clear its outputs, Run All,
wait for the kernel, then assert no error or stderr output, no widget JupyterLab could not
show, and every plotly figure the stored notebook carries drawn again. Then every explorer
the notebook shows (``EXPLORERS``) has each of its controls moved once as a learner moves it
(a slider with an arrow key, a toggle button clicked, a dropdown's option picked, a sentence
typed and sent with Enter), and its redrawn figure must show what the helpers give for the
new values (``explorers.py``); an explorer that does not redraw, or one the page shows that
this test does not know, fails. Every slider's track must be wide enough to drag. A
screenshot of each notebook (and of each moved explorer) goes to ``reports/screenshots/``, the
run and redraw times to ``reports/browser.json`` (git-ignored). ``make bench`` times the same
moves, several each.
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
# The explorers each notebook shows, in page order (helpers' factory names); each one's
# controls are moved in the page, and its figure checked (tests/browser/explorers.py).
EXPLORERS = {
    "01_one_hot.ipynb": ["one_hot_explorer"],
    "02_word2vec.ipynb": ["word2vec_explorer"],
    "03_self_attention.ipynb": ["sqrt_dk_explorer", "attention_explorer"],
    "04_multi_head.ipynb": ["shape_explorer", "attention_explorer"],
    "05_why_multi_head.ipynb": ["subspace_explorer"],
    "06_cost_and_scale.ipynb": ["cost_explorer"],
    "07_encoder_stack.ipynb": ["encoder_explorer"],
    "08_real_heads.ipynb": ["head_explorer", "sense_subspace_explorer"],
}
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
    if not EXPLORERS.get(name):  # free the kernel; a notebook with explorers stays open
        page.evaluate("() => window.eightHeadsLab.shutdownKernel()")


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


def test_every_notebook_is_listed_with_the_explorers_it_builds():
    """EXPLORERS names, for each notebook, the explorer factories its code calls."""
    assert sorted(EXPLORERS) == NOTEBOOKS, "list every notebook in EXPLORERS (none: [])"
    for name, listed in EXPLORERS.items():
        source = (lab.NOTEBOOKS / name).read_text(encoding="utf-8")
        called = set(re.findall(r"\b(\w+_explorer)\(", source))
        assert called == set(listed), f"{name} calls {sorted(called)}; EXPLORERS lists {listed}"


@pytest.mark.parametrize("name", [n for n in NOTEBOOKS if EXPLORERS.get(n)])
def test_every_explorer_redraws_when_each_control_moves(browser, server, pages, name):
    page = _run(browser, server, pages, name)
    shown = lab.explorers_in_page(page)
    known = [explorers.known(e["title"]) for e in shown]
    unknown = [e["title"][:80] for e, k in zip(shown, known, strict=True) if k is None]
    assert not unknown, (
        f"{name}: explorers whose figure this test does not know (titles {unknown}); "
        "add what their figure must show to tests/browser/explorers.py"
    )
    assert [k.name for k in known] == EXPLORERS[name], f"{name}: the page shows {known}"
    boxes = lab.explorer_boxes(page)
    try:
        for i, (found, k) in enumerate(zip(shown, known, strict=True)):
            explorer = boxes.nth(i)
            assert found["controls"], f"{name}: {k.name} shows no control"
            for description, kind in found["controls"]:
                lab.settle(page)
                move = lab.move_control(page, explorer, description, kind)
                RESULTS["moves"].append(
                    {
                        "notebook": name,
                        "explorer": k.name,
                        "control": description,
                        "action": move.action,
                        "from": move.before,
                        "to": move.after,
                        "latency_ms": round(move.latency_ms, 1),
                        "frame_ms": round(move.frame_ms, 1),
                    }
                )
                print(
                    f"{name} {k.name} {description}: {move.action} ({move.before} -> "
                    f"{move.after}) redrawn in {move.latency_ms:.0f} ms "
                    f"(painted {move.frame_ms:.0f} ms)"
                )
                problems = lab.problems(page)
                assert not problems, f"{name} after {move.action}: " + "\n".join(problems)
                text = explorer.inner_text()
                assert not re.search(r"\w+Error: ", text), text[:500]
            explorer.evaluate("(ex) => ex.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(SHOTS / f"{Path(name).stem}_{i}_{k.name}.png"))
    finally:
        page.evaluate("() => window.eightHeadsLab.shutdownKernel()")


MIN_TRACK_PX = 100  # a slider's track a learner can drag with a mouse
SLIDER_WIDTHS: dict[str, list] = {}  # notebook -> [description, track width in px], from its run


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_sliders_are_wide_enough_to_drag(browser, server, pages, name):
    widths = SLIDER_WIDTHS.get(name)
    if widths is None:  # run on its own (-k): open the notebook here
        widths = lab.slider_widths(_run(browser, server, pages, name))
    narrow = [(label, px) for label, px in widths if px < MIN_TRACK_PX]
    assert not narrow, (
        f"{name}: slider tracks squeezed to {narrow} px (< {MIN_TRACK_PX}); "
        "let the explorer's control row wrap: HBox(..., "
        "layout=widgets.Layout(flex_flow='row wrap')) in helpers/widgets/base.py"
    )
