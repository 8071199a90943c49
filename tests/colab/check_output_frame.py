"""Colab's output frame, emulated in headless Chromium: the explorers' figures draw there.

Colab's output frame inserts an output's HTML and then re-creates each ``<script>`` element:
an external one (plotly.js from the CDN) loads asynchronously, an inline one runs at once.
Inside an ``ipywidgets.Output`` the plain ``colab``-renderer HTML of a figure then stays blank
with "Uncaught ReferenceError: Plotly is not defined" (googlecolab/colabtools#5889). This page
does the same, with plotly.js served from 127.0.0.1 (the file the plotly package ships, a
little late, as a network would) in place of the CDN. It proves:

* the bug: the old path (``display(figure)`` inside an Output, plotly's ``colab`` renderer)
  stays blank with that error, and the same HTML draws once plotly.js is there (so the
  emulation itself works and what breaks is the order of the scripts);
* the fix: for every explorer the series has (the factories in ``helpers.widgets.__all__``,
  built as the notebooks build them), the HTML it displays in Colab draws its first figure,
  and draws again after a control changes, with no error, plotly.js loaded once per frame.

The HTML is taken from a real kernel run (the installed helpers, Colab's plotly 5.24.1 and
ipywidgets 7.7.1 of ``.venv-colab``) with ``google.colab`` simulated as
``tests/unit/test_colab_setup.py`` does. ``make test-colab`` runs this file through
``tools/run_colab.py``, which names it on pytest's command line (pytest collects a file it is
given whatever its name; the ``check_`` name keeps it out of a plain ``pytest tests``). No
Chromium is a failure, never a skip. Screenshots go to ``reports/screenshots/colab/``.
"""

from __future__ import annotations

import json
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import headless_chromium  # tools/ (pyproject's pytest pythonpath)
import nbformat
import plotly
import pytest
from plotly.offline import get_plotlyjs_version

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "reports" / "screenshots" / "colab"
CDN = "https://cdn.plot.ly/"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PLOTLY_JS_NAME = f"plotly-{get_plotlyjs_version()}.min.js"  # what the CDN serves for it
NETWORK_DELAY = 0.3  # seconds before plotly.js arrives, as over a network

# Every explorer the series has: how a notebook (or its unit test) builds it, and a control to
# move with the value it moves to. A new factory (a *_explorer in the __all__ of a module of
# helpers.widgets) must be added here.
EXPLORERS = {
    "one_hot_explorer": (
        "from helpers.text import Vocabulary, load_corpus, tokenize\n"
        'ex = one_hot_explorer(Vocabulary(tokenize(load_corpus())), "king")',
        "word",
        '"cat"',
    ),
    "word2vec_explorer": (
        "from helpers.text import load_families\n"
        "from helpers.word2vec import trained_vectors\n"
        "models = {d: trained_vectors(d) for d in (2, 8, 16, 32)}\n"
        'ex = word2vec_explorer(models, load_families(), word="king")',
        "word",
        '"queen"',
    ),
    "sqrt_dk_explorer": ("ex = sqrt_dk_explorer(d_k=64)", "d_k", "4"),
    "attention_explorer": ("ex = attention_explorer(h=8, seed=0)", "head", "3"),
    "shape_explorer": ("ex = shape_explorer(batch=3, seq_len=4, d_model=16, h=8)", "h", "2"),
    "subspace_explorer": ("ex = subspace_explorer(d_model=16, h=8)", "h", "4"),
    "cost_explorer": ("ex = cost_explorer(n=32, d_model=512, h=8)", "h", "64"),
    "encoder_explorer": (
        "import torch\n"
        "torch.manual_seed(1)\n"
        "maps = [torch.randn(2, 3, 3).softmax(-1) for _ in range(3)]\n"
        'ex = encoder_explorer(maps, ["0:→2", "1:7", "2:4"], layer=0, head=0)',
        "layer",
        "2",
    ),
    # notebook 08, on the real model (the [model] extra, as 08's setup cell installs it)
    "head_explorer": (
        "from helpers.pretrained import load_minilm\n"
        "from helpers.widgets.real_heads import head_explorer\n"
        'ex = head_explorer(load_minilm(), "The bank raised its rates again.", layer=0, head=0)',
        "layer",
        "3",
    ),
    "sense_subspace_explorer": (
        "from helpers.pretrained import load_minilm\n"
        "from helpers.widgets.real_heads import sense_subspace_explorer\n"
        'ex = sense_subspace_explorer(load_minilm(), "bank", layer=2)',
        "layer",
        "4",
    ),
}

# -- the kernel: what the explorers display in (simulated) Colab ------------------------------

FAKE_COLAB = """\
import sys, types
google, colab = types.ModuleType("google"), types.ModuleType("google.colab")
colab.output = types.SimpleNamespace(enable_custom_widget_manager=lambda: None)
google.colab = colab
sys.modules.update({"google": google, "google.colab": colab})"""

SETUP = """\
import importlib
import json
import pkgutil

import ipywidgets
import plotly.io as pio
from IPython.display import display

import helpers.widgets
from helpers.colab import in_colab
from helpers.notebook import setup_notebook
from helpers.widgets import *

setup_notebook(seed=0)


def report(figure, error=None):
    texts = [figure.layout.title.text] + [a.text for a in figure.layout.annotations]
    print("@@", json.dumps({"texts": texts, "traces": len(figure.data), "error": error}))


factories = {
    name
    for module in pkgutil.iter_modules(helpers.widgets.__path__, "helpers.widgets.")
    for name in getattr(importlib.import_module(module.name), "__all__", ())
}
print("@@", json.dumps({"colab": in_colab(), "renderer": pio.renderers.default,
                        "factories": sorted(factories)}))"""

# The old path: show_figure before the fix displayed the figure inside the explorer's Output
# through plotly's renderer, which is "colab" in Colab.
OLD_PATH = """\
out = ipywidgets.Output()
with out:
    display(old.figure)
report(old.figure)"""


@dataclass
class Shown:
    """One figure as the kernel displayed it: its HTML and what the figure says it draws."""

    html: str
    texts: list  # the title and every annotation's text, as in the figure's JSON
    traces: int
    error: str | None


def _cells() -> list[tuple[str, str]]:
    cells = [("colab", FAKE_COLAB), ("setup", SETUP)]
    cells.append(("old-build", "old = shape_explorer(batch=3, seq_len=4, d_model=16, h=8)"))
    cells.append(("old", OLD_PATH))
    for name, (build, control, value) in EXPLORERS.items():
        cells.append((f"{name}:before", f"{build}\nreport(ex.figure, ex.last_error)"))
        cells.append(
            (f"{name}:after", f"ex.{control}.value = {value}\nreport(ex.figure, ex.last_error)")
        )
    return cells


def _shown(cell) -> tuple[list[str], list[dict], list]:
    html = [o.data["text/html"] for o in cell.outputs if "text/html" in o.get("data", {})]
    text = "".join(o.text for o in cell.outputs if o.get("name") == "stdout")
    reports = [json.loads(line[3:]) for line in text.splitlines() if line.startswith("@@ ")]
    mimes = [m for o in cell.outputs for m in o.get("data", {})]
    return html, reports, mimes


@pytest.fixture(scope="module")
def kernel():
    """Run the cells above in a real kernel (nbval's way: widget messages ignored, so what an
    Output shows lands in the cell's outputs); cell id -> (HTML outputs, reports, mimetypes)."""
    import run_notebooks  # tools/: the runner make notebooks uses

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src, id=re.sub(r"\W", "-", key)) for key, src in _cells()]
    with tempfile.TemporaryDirectory(prefix="eight-heads-frame-") as tmp:
        client = run_notebooks.HeadlessClient(
            nb,
            timeout=600,
            kernel_name="python3",
            resources={"metadata": {"path": tmp}},
            store_widget_state=False,
            coalesce_streams=True,
        )
        client.execute()
    return {key: _shown(cell) for (key, _), cell in zip(_cells(), nb.cells, strict=True)}


def shown(kernel, key: str) -> Shown:
    html, reports, mimes = kernel[key]
    assert len(html) == 1, f"{key}: the kernel displayed {len(html)} HTML outputs ({mimes})"
    assert "application/vnd.plotly.v1+json" not in mimes, f"{key}: plotly's mimetype in Colab"
    return Shown(html[0], **reports[-1])


# -- the page: an output frame that treats scripts as Colab's does ----------------------------

FRAME = """<!doctype html>
<html><head><meta charset="utf-8"><title>Colab output frame (emulated)</title></head>
<body style="width: 1000px"><div id="output"></div>
<script>
// As Colab's output frame does: insert the output's HTML (its scripts do not run), then
// re-create each script element. An external one then loads asynchronously; an inline one
// runs at once. A second call replaces the output, as clear_output(wait=True) + display do.
window.insertOutput = function (html) {
  const out = document.getElementById("output");
  out.innerHTML = html;
  for (const old of Array.from(out.querySelectorAll("script"))) {
    const script = document.createElement("script");
    for (const attr of Array.from(old.attributes)) script.setAttribute(attr.name, attr.value);
    if (!old.src) script.textContent = old.textContent;
    old.replaceWith(script);
  }
};
</script></body></html>"""

# The figure in the frame, once plotly.js has drawn it (null until then).
DRAWN = """() => {
  const gd = document.querySelector("#output .js-plotly-plot");
  const svg = gd && gd._fullLayout && gd.querySelector("svg.main-svg");
  if (!svg) return null;
  const title = gd.layout.title;
  return {
    id: gd.id,
    texts: [title && typeof title === "object" ? title.text : title]
      .concat((gd.layout.annotations || []).map(a => a.text)),
    traces: gd._fullData.length,
    width: svg.getBoundingClientRect().width,
    height: svg.getBoundingClientRect().height,
  };
}"""
PLOTLY_TAGS = """() => Array.from(document.scripts).filter(s => /plotly[^/]*\\.js$/.test(s.src))
  .map(s => s.src)"""


class _Handler(BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        self.requests.append(self.path)
        if self.path == "/":
            body, kind = FRAME.encode(), "text/html; charset=utf-8"
        elif self.path == "/favicon.ico":
            body, kind = b"", "image/x-icon"
        elif self.path == f"/{PLOTLY_JS_NAME}":
            time.sleep(NETWORK_DELAY)
            body, kind = PLOTLY_JS.read_bytes(), "text/javascript; charset=utf-8"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except ConnectionError:  # the page closed before plotly.js arrived: nothing to tell
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    """The output frame's page and plotly.js, from 127.0.0.1; yields (url, requested paths)."""
    requests: list[str] = []
    handler = type("Handler", (_Handler,), {"requests": requests})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    problem = headless_chromium.chromium_problem()
    if problem:
        pytest.fail(problem, pytrace=False)  # a failure, never a skip: CI must have it
    with headless_chromium.chromium() as b:
        yield b


class Frame:
    """A fresh output frame in a new page, recording every error the page reports."""

    def __init__(self, browser, server):
        self.url, self.requests = server
        self.page = browser.new_page(viewport={"width": 1100, "height": 700})
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(f"Uncaught {e.name}: {e.message}"))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on(
            "requestfailed", lambda r: self.errors.append(f"request failed: {r.url} {r.failure}")
        )
        self.elsewhere: list[str] = []  # requests for other hosts (MathJax from its CDN)
        self.page.route("**/*", self._local_only)
        self.page.goto(self.url + "/")

    def _local_only(self, route) -> None:
        """No network here: what the HTML loads from elsewhere arrives empty (and is noted)."""
        if route.request.url.startswith(self.url + "/"):
            route.continue_()
        else:
            self.elsewhere.append(route.request.url)
            route.fulfill(status=200, content_type="text/javascript", body="")

    def insert(self, html: str) -> None:
        """The output's HTML with the CDN's address rewritten to the local server."""
        assert CDN + PLOTLY_JS_NAME in html, f"the HTML does not load {CDN}{PLOTLY_JS_NAME}"
        self.page.evaluate("(html) => window.insertOutput(html)", html.replace(CDN, self.url + "/"))

    def wait_for_plotly(self) -> None:
        self.page.wait_for_function("() => window.Plotly !== undefined", timeout=30_000)

    def drawn(self, not_id: str | None = None, timeout_ms: int = 30_000) -> dict | None:
        """The drawn figure (waits up to ``timeout_ms``; one whose div is not ``not_id``)."""
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            found = self.page.evaluate(DRAWN)
            if (found and found["id"] != not_id) or time.monotonic() > deadline:
                return found if found and found["id"] != not_id else None
            time.sleep(0.1)

    def settle(self) -> None:
        """Let pending tasks and two animation frames run."""
        self.page.evaluate(
            "() => new Promise(r => setTimeout(() => requestAnimationFrame("
            "() => requestAnimationFrame(r)), 200))"
        )

    def screenshot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def frame(browser, server):
    opened = Frame(browser, server)
    yield opened
    opened.page.close()


# -- the checks -------------------------------------------------------------------------------


def test_every_explorer_of_the_series_is_checked(kernel):
    setup = kernel["setup"][1][-1]
    assert setup["colab"] is True and setup["renderer"] == "colab", setup
    factories = {name for name in setup["factories"] if name.endswith("_explorer")}
    missing = factories - set(EXPLORERS)
    assert not missing, f"add {sorted(missing)} to EXPLORERS in {Path(__file__).name}"


def test_old_path_stays_blank_with_plotly_not_defined(kernel, frame):
    old = shown(kernel, "old")
    assert "Plotly.newPlot" in old.html and "plotly-graph-div" in old.html
    frame.insert(old.html)
    frame.wait_for_plotly()  # plotly.js did arrive, after the inline script had run
    frame.settle()
    frame.screenshot("old-path")
    assert frame.drawn(timeout_ms=0) is None, "the old path drew: the emulation lost the bug"
    assert "Uncaught ReferenceError: Plotly is not defined" in frame.errors, frame.errors
    print("old path:", frame.errors)


def test_old_path_draws_once_plotly_is_there(kernel, frame):
    """The emulation is sound: the same HTML draws when plotly.js is already in the frame."""
    old = shown(kernel, "old")
    frame.insert(old.html)
    frame.wait_for_plotly()
    frame.errors.clear()
    frame.insert(old.html)
    drawn = frame.drawn()
    assert drawn and drawn["texts"] == old.texts and not frame.errors, (drawn, frame.errors)


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_explorer_draws_in_the_output_frame_and_redraws(kernel, frame, name):
    before, after = shown(kernel, f"{name}:before"), shown(kernel, f"{name}:after")
    assert before.error is None and after.error is None, (before.error, after.error)
    assert before.texts != after.texts, f"{name}: moving {EXPLORERS[name][1]} changed no text"
    frame.insert(before.html)  # the first figure, plotly.js not loaded yet
    first = frame.drawn()
    frame.screenshot(f"{name}-before")
    assert first, f"{name}: first figure not drawn; errors: {frame.errors}"
    assert first["texts"] == before.texts and first["traces"] == before.traces, first
    assert first["width"] > 100 and first["height"] > 100, first
    frame.insert(after.html)  # after the control moved: clear_output(wait=True) + display
    second = frame.drawn(not_id=first["id"])
    frame.screenshot(f"{name}-after")
    assert second, f"{name}: not redrawn after the control changed; errors: {frame.errors}"
    assert second["texts"] == after.texts and second["traces"] == after.traces, second
    assert not frame.errors, f"{name}: {frame.errors}"
    assert len(frame.page.evaluate(PLOTLY_TAGS)) == 1, "plotly.js added more than once"


def test_a_redraw_before_plotly_has_loaded_draws_the_new_figure(kernel, frame):
    """A control moved while plotly.js is still on its way: only the new figure is drawn."""
    before, after = shown(kernel, "shape_explorer:before"), shown(kernel, "shape_explorer:after")
    frame.insert(before.html)
    frame.insert(after.html)  # at once: plotly.js arrives NETWORK_DELAY later
    drawn = frame.drawn()
    assert drawn and drawn["texts"] == after.texts, drawn
    assert not frame.errors, frame.errors
    assert len(frame.page.evaluate(PLOTLY_TAGS)) == 1, "plotly.js added more than once"
