"""JupyterLab in a real headless Chromium: what the browser tests and the benchmark share.

A learner's path, driven by Playwright: start ``jupyter lab`` from ``.venv`` (127.0.0.1, a
free port, a token, on a temporary copy of ``notebooks/`` so a run never touches the stored
notebooks), open a notebook, Run All, wait for the kernel, then look at what the page shows:
error outputs, rendered plotly figures, and each explorer's figure redrawn after one of its
controls moves as a learner moves it (:func:`move_control`). The browser is Debian's
``chromium`` (Playwright's own download does not work here): ``apt-get install -y chromium``
(``tools/headless_chromium.py``). What runs in
the page is ``lab.js``, beside this file.
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# The browser every layer uses (tools/ is on the path: pyproject's pytest pythonpath, or
# tools/benchmarks.py's own folder); lab.chromium() and lab.chromium_problem() as before.
from headless_chromium import chromium, chromium_problem  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
JUPYTER = Path(sys.executable).parent / "jupyter"
LAB_JS = Path(__file__).with_name("lab.js")  # window.eightHeadsLab, added to every page
VIEWPORT = {"width": 1400, "height": 1000}
STDERR_MIME = "application/vnd.jupyter.stderr"
# What JupyterLab shows instead of a widget when the widget front end is missing or broken.
WIDGET_FAILURES = ("Error displaying widget", "Loading widget...", "Failed to load model class")


def notebook_names() -> list[str]:
    return [p.name for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    url: str
    token: str
    root: Path  # the temporary copy of notebooks/ JupyterLab serves
    log: Path

    def notebook_url(self, name: str) -> str:
        """The notebook alone in a fresh workspace of its own: without one, every page
        restores the tabs the other pages opened (one shared default workspace)."""
        workspace = Path(name).stem
        return f"{self.url}/lab/workspaces/{workspace}/tree/{name}?reset&token={self.token}"

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


# Quiet, deterministic JupyterLab: no news or update checks (no network here), and every
# cell laid out. JupyterLab's default windowing ("contentVisibility") skips the layout of
# cells out of view: their figures are drawn only once scrolled to, and Playwright cannot
# scroll to a control with no layout box. A learner scrolls; the test lays out everything.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


@contextmanager
def jupyter_lab(timeout: float = 90, lay_out_all: bool = True) -> Iterator[Lab]:
    """``jupyter lab`` on a temporary copy of ``notebooks/``; stopped and removed on exit.
    ``lay_out_all=False`` keeps JupyterLab's own windowing, as a learner has it (the
    benchmark's latencies: with every cell laid out, each redraw lays out the whole page)."""
    tmp = Path(tempfile.mkdtemp(prefix="eight-heads-lab-"))
    root = tmp / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = tmp / "settings"
    chosen = dict(SETTINGS)
    if not lay_out_all:
        chosen.pop("@jupyterlab/notebook-extension/tracker.jupyterlab-settings")
    for rel, values in chosen.items():
        (settings / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings / rel).write_text(json.dumps(values))
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(tmp / "config"),  # ignore the user's own config,
        JUPYTER_DATA_DIR=str(tmp / "data"),  # kernels and runtime files
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
        JUPYTER_PLATFORM_DIRS="1",
    )
    log = tmp / "jupyter.log"
    command = [
        str(JUPYTER),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: Run All, kernel state
        "--LabApp.extension_manager=readonly",  # no PyPI queries
        "--allow-root",  # CI runs as root
    ]
    with log.open("w") as out:
        proc = subprocess.Popen(
            command, cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    lab = Lab(f"http://127.0.0.1:{port}", token, root, log)
    try:
        _wait_until_up(lab, proc, timeout)
        yield lab
    finally:
        _stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


def _wait_until_up(lab: Lab, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}:\n{lab.log_tail()}")
        try:
            with urllib.request.urlopen(f"{lab.url}/api/status?token={lab.token}", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"jupyter lab did not answer within {timeout} s:\n{lab.log_tail()}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)  # the server and the kernels it started
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# -- one notebook in the page -----------------------------------------------------------------

CURRENT = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook tab in front
_LAB = "window.eightHeadsLab"
_KERNEL_IDLE = f"() => {_LAB}.kernelIdle()"


def open_notebook(page, lab: Lab, name: str, timeout_ms: int = 120_000) -> None:
    """Open ``name`` in JupyterLab and wait until its kernel is idle."""
    page.add_init_script(path=str(LAB_JS))
    page.goto(lab.notebook_url(name))
    page.wait_for_function(_KERNEL_IDLE, timeout=timeout_ms, polling=200)


def run_all(page, timeout_ms: int = 600_000) -> float:
    """Clear every output, Run All, wait until the run ends and the kernel is idle; seconds."""
    page.evaluate(f"() => {_LAB}.clearAllOutputs()")
    start = time.perf_counter()
    page.evaluate(f"() => {_LAB}.runAll()")
    page.wait_for_function("() => window.__runAll !== null", timeout=timeout_ms, polling=250)
    page.wait_for_function(_KERNEL_IDLE, timeout=timeout_ms, polling=250)
    return time.perf_counter() - start


def problems(page) -> list[str]:
    """Error and stderr outputs (model and page), and widgets JupyterLab could not show."""
    return page.evaluate(
        f"([mime, failures]) => {_LAB}.problems(mime, failures)",
        [STDERR_MIME, list(WIDGET_FAILURES)],
    )


def stored_figures(path: Path) -> dict[int, int]:
    """Cell index -> how many plotly outputs the stored notebook carries there."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    counts = {
        i: sum(PLOTLY_MIME in out.get("data", {}) for out in cell.get("outputs", []))
        for i, cell in enumerate(nb.cells)
    }
    return {i: n for i, n in counts.items() if n}


PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_CELL_FIGURES = f"""() => {_LAB}.cellFigures("{PLOTLY_MIME}", "{WIDGET_MIME}")"""


def missing_figures(page, stored: dict[int, int], timeout_ms: int = 60_000) -> list[str]:
    """Cells whose figures the page has not drawn (waits up to ``timeout_ms`` for plotly):
    every plotly output of the run must be drawn in its cell, and a cell whose stored
    figure comes from an explorer (a widget in the live page) must draw at least one."""

    def missing(cells: dict) -> list[str]:
        out = []
        for key, c in cells.items():
            want = max(c["plotly"], 1 if c["widgets"] and stored.get(int(key)) else 0)
            if c["drawn"] < want:
                out.append(f"cell {key}: {c['drawn']} of {want} figure(s) drawn")
        return out

    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        found = missing(page.evaluate(_CELL_FIGURES))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def stored_figures_shown(page, timeout_ms: int = 60_000, drawn: bool = False) -> dict[int, dict]:
    """Cell index -> how a notebook just opened (not run) shows its stored plotly outputs
    (``storedFigures`` in lab.js), once each is drawn or shown as its picture (with ``drawn``:
    once each is drawn), or ``timeout_ms`` has passed."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        cells = page.evaluate(f"(mime) => {_LAB}.storedFigures(mime)", PLOTLY_MIME)
        done = all(
            c["drawn"] + (0 if drawn else c["pictures"]) >= c["figures"] for c in cells.values()
        )
        if done or time.monotonic() > deadline:
            return {int(key): c for key, c in cells.items()}
        time.sleep(0.5)


def hover_pictures(page, timeout_ms: int = 30_000) -> tuple[int, list[str]]:
    """Send the pointer onto every stored figure the page shows as its picture (the PNG stored
    beside it; the event a pointer entering it fires): plotly's renderer then draws the
    interactive figure in its place. Returns how many pictures there were and the cells whose
    figures were not all drawn ``timeout_ms`` later."""
    pictures = page.locator(f'{CURRENT} .jp-RenderedPlotly img.plot-img[src^="data:image/png"]')
    shown = [p for p in pictures.all() if p.is_visible()]
    for picture in shown:
        picture.dispatch_event("mouseenter")
    cells = stored_figures_shown(page, timeout_ms, drawn=True)
    stuck = [
        f"cell {i}: {c['drawn']} of {c['figures']} drawn after the pointer entered"
        for i, c in cells.items()
        if c["drawn"] < c["figures"]
    ]
    return len(shown), stuck


def figure_count(page) -> int:
    """How many plotly figures the open notebook shows."""
    return sum(c["drawn"] for c in page.evaluate(_CELL_FIGURES).values())


# -- an explorer's controls, moved as a learner moves them -----------------------------------

# The text box's sentences (08's head explorer): words the model keeps whole, so the figure's
# token labels can be checked against the words.
SENTENCES = (
    "A bat flew out of the cave.",
    "The river bank was muddy.",
    "She lit a match in the dark.",
)


def explorer_boxes(page):
    """Every explorer (a widget box with controls and a plotly figure) of the open notebook."""
    return page.locator(f"{CURRENT} .widget-vbox:has(> .widget-hbox):has(.js-plotly-plot)")


def explorers_in_page(page) -> list[dict]:
    """[{title, controls: [[description, kind], …]}] of each explorer, in page order; kind is
    slider, toggle, dropdown or text."""
    return page.evaluate(f"(current) => {_LAB}.explorers(current)", CURRENT)


def control(explorer, description: str):
    """The control of ``explorer`` whose description is exactly ``description``."""
    exactly = re.compile(rf"^\s*{re.escape(description)}\s*$")
    label = explorer.page.locator(".widget-label", has_text=exactly)
    return explorer.locator(":scope > .widget-hbox > *").filter(has=label)


def slider_widths(page) -> list:
    """[description, track width in px] of every slider in the open notebook."""
    return page.evaluate(f"(current) => {_LAB}.sliderWidths(current)", CURRENT)


_FIGURE_TEXT = f"(explorer) => {_LAB}.figureText(explorer)"


def normalise_text(text: str) -> str:
    """Figure text as plotly draws it: no tags, entities decoded, single spaces."""
    text = re.sub(r"<br\s*/?>", "\n", text)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return re.sub(r"[ \t\u00a0]+", " ", text).strip()


@dataclass
class Move:
    control: str
    action: str  # what the learner did: "ArrowRight", "click 'head'", …
    before: str  # the control's value as shown before / after
    after: str
    latency_ms: float  # the learner's action -> the figure shows the expected text (in the DOM)
    frame_ms: float  # the learner's action -> the animation frame that paints that figure
    text: str  # the explorer's figure text afterwards


def _shown_value(box, kind: str) -> str:
    """What a control shows (its text, read even where JupyterLab has not laid it out)."""
    if kind == "slider":
        return box.locator(".widget-readout").first.text_content().strip()
    if kind == "toggle":
        return box.locator("button.mod-active").first.text_content().strip()
    if kind == "dropdown":
        return box.locator("select").first.evaluate(
            "(s) => s.options[s.selectedIndex]?.textContent.trim()"
        )
    return box.locator("input").first.input_value()


def _act(page, box, kind: str, direction: int):
    """Prepare the learner's action on a control: (target element, DOM event that starts the
    clock, what it is, the callable that does it). Sliders: an arrow key on the handle (towards
    ``direction``, back at the end of the track); toggle buttons: a click on the next button;
    dropdowns: the next option picked; text boxes: a new sentence typed, then Enter."""
    if kind == "slider":
        handle = box.locator(".noUi-handle").first
        now, low, top = (
            float(handle.get_attribute(a))
            for a in ("aria-valuenow", "aria-valuemin", "aria-valuemax")
        )
        right = now < top if direction > 0 else now <= low
        key = "ArrowRight" if right else "ArrowLeft"

        def press():
            handle.focus()
            page.keyboard.press(key)

        return handle, "keydown", key, press
    if kind == "toggle":
        buttons = box.locator("button")
        labels = [b.strip() for b in buttons.all_text_contents()]
        active = box.locator("button.mod-active").first.text_content().strip()
        nxt = buttons.nth((labels.index(active) + 1) % len(labels))
        return (
            nxt,
            "click",
            f"click {labels[(labels.index(active) + 1) % len(labels)]!r}",
            (lambda: nxt.click()),
        )
    if kind == "dropdown":
        select = box.locator("select").first
        index = select.evaluate("(s) => s.selectedIndex")
        count = select.evaluate("(s) => s.options.length")
        option = (index + direction) % count
        label = select.evaluate("(s, i) => s.options[i].textContent.trim()", option)
        return select, "change", f"pick {label!r}", lambda: select.select_option(index=option)
    text_box = box.locator("input").first
    current = text_box.input_value()
    sentence = next(s for s in SENTENCES if s != current)
    text_box.fill(sentence)  # typed, not sent: the box sends on Enter (continuous_update=False)

    def enter():
        text_box.focus()
        page.keyboard.press("Enter")

    return text_box, "keydown", f"type {sentence!r} + Enter", enter


def move_control(
    page, explorer, description: str, kind: str, direction: int = 1, timeout_ms: int = 60_000
) -> Move:
    """Move one control of ``explorer`` as a learner does (:func:`_act`) and wait until its
    figure shows what the helpers give for the new values (``explorers.EXPECTED``, worked out
    from every control's value as the page shows it once the figure has changed); for an
    explorer not listed there, until the figure changes.

    Every change of the figure's text is recorded in the page, with its time, from before
    the action. The latency runs from the action's DOM event to the first recorded state that
    is a new figure showing all the expected strings (the time this process takes to work out
    the expectation does not count); ``frame_ms`` to the animation frame after it.
    """
    import explorers

    box = control(explorer, description)
    box.scroll_into_view_if_needed()
    expected = explorers.expected_for(explorer.evaluate(explorers.TITLE))
    before = _shown_value(box, kind)
    old_text = explorer.evaluate(_FIGURE_TEXT)
    target, event, action, act = _act(page, box, kind, direction)
    explorer.evaluate(
        f"(ex, [target, event]) => {_LAB}.watchFigure(ex, target, event)",
        [target.element_handle(), event],
    )
    act()
    after = _shown_value(box, kind)
    if after == before:
        raise AssertionError(f"{description}: {action} did not change its value ({before})")
    what = f"{description}: {action} ({before} -> {after})"
    changed = f"(oldText) => {_LAB}.figureChanged(oldText)"
    try:
        page.wait_for_function(changed, arg=old_text, timeout=timeout_ms, polling=50)
    except Exception as exc:
        raise AssertionError(
            f"after {what} the figure did not change within {timeout_ms} ms"
        ) from exc
    values = explorer.evaluate(explorers.CONTROLS)
    strings = expected(values) if expected else []
    want = [
        line.strip() for s in strings for line in normalise_text(s).split("\n") if line.strip()
    ]  # plotly draws each <br> line as its own tspan
    shown = f"([oldText, want]) => {_LAB}.firstShowing(oldText, want)"
    painted = f"([oldText, want]) => ({_LAB}.firstShowing(oldText, want) || [0, null])[1] !== null"
    try:
        page.wait_for_function(painted, arg=[old_text, want], timeout=timeout_ms, polling=50)
    except Exception as exc:
        now_text = explorer.evaluate(_FIGURE_TEXT)
        missing = [w for w in want if w not in re.sub(r"[ \t\u00a0]+", " ", now_text)]
        raise AssertionError(
            f"after {what} the figure never showed {missing}; it shows:\n{now_text[:1500]}"
        ) from exc
    finally:
        page.evaluate(f"() => {_LAB}.stopWatching()")
    t1, t_frame = page.evaluate(shown, [old_text, want])
    t0 = page.evaluate("() => window.__t0")
    if t0 is None:
        raise AssertionError(f"{what}: no {event} event reached the control")
    if values.get(description) != after:
        raise AssertionError(
            f"{description} moved to {after} but the explorer shows {values.get(description)}"
        )
    return Move(
        description, action, before, after, t1 - t0, t_frame - t0, explorer.evaluate(_FIGURE_TEXT)
    )


def control_state(explorer, description: str, kind: str) -> str:
    """Where one control of ``explorer`` stands now: a slider's handle position (its
    ``aria-valuenow``), else the value it shows."""
    box = control(explorer, description)
    if kind == "slider":
        return box.locator(".noUi-handle").first.get_attribute("aria-valuenow")
    return _shown_value(box, kind)


def set_control(page, explorer, description: str, kind: str, state: str, most: int = 40) -> None:
    """Put a control back where it stood (``state``, from :func:`control_state`) as a learner
    would, waiting for the kernel after each step; nothing is timed or checked. The benchmark
    moves each control from the explorer's first state: moving one control can take options
    from another (h follows d_model; word2vec's 3-D view needs dim ≥ 3)."""
    box = control(explorer, description)
    box.scroll_into_view_if_needed()
    for _ in range(most):
        if control_state(explorer, description, kind) == state:
            return
        if kind == "slider":
            handle = box.locator(".noUi-handle").first
            now = float(handle.get_attribute("aria-valuenow"))
            handle.focus()
            page.keyboard.press("ArrowRight" if float(state) > now else "ArrowLeft")
        elif kind == "toggle":
            box.locator("button", has_text=re.compile(rf"^\s*{re.escape(state)}\s*$")).click()
        elif kind == "dropdown":
            box.locator("select").first.select_option(label=state)
        else:
            text_box = box.locator("input").first
            text_box.fill(state)
            text_box.focus()
            page.keyboard.press("Enter")
        settle(page, 50)
    raise AssertionError(f"{description} did not go back to {state!r}")


def settle(page, ms: int = 250, timeout_ms: int = 120_000) -> None:
    """Wait until the kernel is idle and the page has painted and rested ``ms``: what follows a
    move (plotly's renderer makes a PNG of each new figure) does not land in the next one."""
    page.wait_for_function(_KERNEL_IDLE, timeout=timeout_ms, polling=50)
    page.evaluate(f"(ms) => {_LAB}.settle(ms)", ms)
