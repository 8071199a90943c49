"""``make bench``: how long the series takes here, as tables (stdout and reports/bench.md).

    python tools/benchmarks.py [--fresh-install] [--rounds N] [--moves N] [--no-browser]
                               [--browser-only] [--only 04 05] [--compare earlier.json]

Measures each notebook's execution (a copy, run like ``make notebooks`` runs it; the
stored notebooks are never written), the whole series, every explorer's control -> figure
latency on the Python side (each explorer the notebooks show, found in their kernels, plus
any explorer of ``helpers.widgets.__all__`` no notebook shows; every control driven
through its options), the learner's action -> redrawn figure latency in JupyterLab in
headless Chromium for every control of every explorer of every notebook (when chromium is
installed; ``tests/browser/lab.py`` moves them as the browser test does, ``--moves`` times
each, and reports median and p90 per explorer × control, ``--compare`` beside an earlier
run's), the helpers' ``MultiHeadSelfAttention`` against ``torch.nn.MultiheadAttention`` on
``[32, 128, 512]`` with h = 8, the notebooks' sizes, and with ``--fresh-install`` a
``make install`` into a fresh copy of the repository.

Targets are shown beside the figures. A benchmark never fails on a time.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent
BROWSER = ROOT / "tests" / "browser"  # the browser test's JupyterLab driver (lab.py)
REPORT = ROOT / "reports" / "bench.md"
TARGETS = {
    "series_s": 60.0,
    "redraw_ms": 30.0,
    "browser_p90_ms": 100.0,
    "mha_ratio": 1.1,
    "minilm_ratio": 1.5,
    "notebook_kb": 400.0,
}
MARK = "BENCH-EXPLORERS:"


# -- explorers, driven in a notebook's own kernel ---------------------------------------------


def _choices(control, most: int) -> list:
    """Up to ``most`` values a control offers, spread over its range."""
    options = getattr(control, "_options_values", None)  # Selection widgets, ipywidgets 7 and 8
    if options is not None:
        values = list(options)
    elif isinstance(getattr(control, "value", None), str):  # a text box: the browser's sentences
        sys.path.insert(0, str(BROWSER))
        from lab import SENTENCES

        values = [*SENTENCES, control.value]
    elif isinstance(getattr(control, "value", None), bool):
        values = [True, False]
    elif hasattr(control, "min") and hasattr(control, "max"):
        if isinstance(control.value, int):
            values = list(range(control.min, control.max + 1, control.step or 1))
        else:
            n = most
            values = [control.min + (control.max - control.min) * i / (n - 1) for i in range(n)]
    else:
        return []
    if len(values) > most:
        values = [values[round(i * (len(values) - 1) / (most - 1))] for i in range(most)]
    return values


def _factory(explorer, names: list[str]) -> str:
    """Which ``helpers.widgets`` factory made this explorer: by its class, its builder's
    name, or else the topic of its builder's module (``helpers.figures.encoder`` ->
    the one factory in ``helpers.widgets.encoder``)."""
    import helpers.widgets as hw

    build = getattr(explorer, "_build", None)
    while isinstance(build, functools.partial):
        build = build.func
    qualname = getattr(build, "__qualname__", "")
    for name in names:
        if qualname.startswith(name + ".") or type(explorer).__name__.lower() == name.replace(
            "_", ""
        ):
            return name
    topic = (getattr(build, "__module__", None) or "").rsplit(".", 1)[-1]
    same = [
        n for n in names if getattr(getattr(hw, n, None), "__module__", "").endswith("." + topic)
    ]
    return same[0] if len(same) == 1 else type(explorer).__name__


def time_explorer(explorer, rounds: int = 2, most: int = 8) -> dict:
    """Set every control through its options ``rounds`` times; seconds per change, by control."""
    seconds: dict[str, list[float]] = {}
    errors = 0
    for name in list(explorer.values()):
        control = getattr(explorer, name)
        for _ in range(rounds):
            for value in _choices(control, most):  # re-read: a control may change another's options
                if value == control.value:
                    continue
                start = time.perf_counter()
                control.value = value
                seconds.setdefault(name, []).append(time.perf_counter() - start)
                errors += explorer.last_error is not None
    return {"controls": list(explorer.values()), "seconds": seconds, "errors": errors}


def explorer_latencies(rounds: int = 2, most: int = 8, build: tuple[str, ...] = ()) -> None:
    """Run inside a notebook's kernel: time every explorer it holds (and build ``build``
    from ``helpers.widgets`` with their defaults); prints one JSON line after ``MARK``."""
    from IPython import get_ipython

    import helpers.widgets as hw
    from helpers.widgets.base import Explorer

    names = sorted(
        {
            n
            for module, m in list(sys.modules.items())
            if module.startswith("helpers.widgets")
            for n in getattr(m, "__all__", ())
            if n.endswith("_explorer")
        }
    )
    ns = get_ipython().user_ns
    found = {
        id(v): v for v in [*ns.values(), *ns.get("Out", {}).values()] if isinstance(v, Explorer)
    }
    for name in build:
        explorer = getattr(hw, name)()
        found[id(explorer)] = explorer
    results = []
    for explorer in found.values():  # each change displays its figure, as in a live notebook
        result = time_explorer(explorer, rounds, most)
        results.append({"explorer": _factory(explorer, names), **result})
    print(MARK + json.dumps(results))


def _bench_cell(rounds: int, build: tuple[str, ...] = ()) -> str:
    return (
        f"import sys\nsys.path.insert(0, {str(TOOLS)!r})\n"
        f"from benchmarks import explorer_latencies\n"
        f"explorer_latencies(rounds={rounds}, build={build!r})"
    )


def _required(factory) -> list[str]:
    """The arguments a factory cannot be called without."""
    return [
        p.name
        for p in inspect.signature(factory).parameters.values()
        if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


# -- notebooks -------------------------------------------------------------------------------


def notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def run_copy(path: Path, extra: str | None, workdir: Path) -> tuple[float, list[dict]]:
    """Execute a copy of ``path`` as ``make notebooks`` does (tools/run_notebooks.py's
    client), with ``extra`` appended as a last cell; returns the notebook's own seconds
    (kernel start included, the extra cell excluded) and the explorers' timings."""
    import nbformat
    import run_notebooks  # tools/, beside this file

    nb = nbformat.read(path, as_version=4)
    if extra:
        nb.cells.append(nbformat.v4.new_code_cell(extra))
    client = run_notebooks.HeadlessClient(
        nb,
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
        store_widget_state=False,
        record_timing=True,
    )
    start = time.perf_counter()
    client.execute()
    total = time.perf_counter() - start
    if not extra:
        return total, []
    timing = nb.cells[-1].metadata.execution
    extra_s = (
        datetime.fromisoformat(timing["shell.execute_reply"])
        - datetime.fromisoformat(timing["iopub.execute_input"])
    ).total_seconds()
    lines = [
        line
        for out in nb.cells[-1].outputs
        if out.get("name") == "stdout"
        for line in out.text.splitlines()
        if line.startswith(MARK)
    ]
    return total - extra_s, json.loads(lines[-1][len(MARK) :]) if lines else []


def bench_notebooks(rounds: int, only: tuple[str, ...] = ()) -> dict:
    rows, explorers = [], []
    with tempfile.TemporaryDirectory(prefix="eight-heads-bench-") as tmp:
        for path in notebooks():
            if only and not path.name.startswith(only):
                continue
            copy = Path(tmp) / path.name
            shutil.copy(path, copy)
            seconds, found = run_copy(copy, _bench_cell(rounds), Path(tmp))
            rows.append(
                {"notebook": path.name, "seconds": seconds, "kb": path.stat().st_size / 1000}
            )
            explorers += [{"notebook": path.name[:2], **e} for e in found]
            print(f"  {path.name}: {seconds:.1f} s, {len(found)} explorer(s)", flush=True)
        import helpers.widgets as hw

        shown = {e["explorer"] for e in explorers}
        rest = [] if only else [n for n in hw.__all__ if n.endswith("_explorer") and n not in shown]
        needs = {n: _required(getattr(hw, n)) for n in rest}
        for name, required in needs.items():
            if required:
                explorers.append(
                    {
                        "notebook": "—",
                        "explorer": name,
                        "seconds": {},
                        "errors": 0,
                        "controls": [],
                        "note": "shown in no notebook; needs "
                        + ", ".join(required)
                        + ": not timed",
                    }
                )
        build = tuple(n for n, required in needs.items() if not required)
        if build:
            import nbformat

            nb = Path(tmp) / "defaults.ipynb"
            nbformat.write(
                nbformat.v4.new_notebook(
                    cells=[
                        nbformat.v4.new_code_cell(
                            "from helpers.widgets import setup_notebook\nsetup_notebook()"
                        )
                    ]
                ),
                nb,
            )
            _, found = run_copy(nb, _bench_cell(rounds, build), Path(tmp))
            explorers += [{"notebook": "— (defaults)", **e} for e in found]
    return {"notebooks": rows, "explorers": explorers}


# -- browser ---------------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by linear interpolation between the sorted values."""
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def bench_browser(moves: int, only: tuple[str, ...] = ()) -> list[dict]:
    """The learner's action -> redrawn figure in JupyterLab, for every control of every
    explorer of every notebook (``only``: the notebooks whose names start so), ``moves``
    times each; each move waits until the kernel is idle and the page has settled."""
    sys.path.insert(0, str(BROWSER))
    import explorers
    import lab

    if lab.chromium_problem():
        return []
    results = []
    # JupyterLab's own windowing, as a learner has it: with every cell laid out (what the
    # browser test needs to reach every control), each redraw lays out the whole notebook
    with lab.jupyter_lab(lay_out_all=False) as server, lab.chromium() as browser:
        for name in lab.notebook_names():
            if only and not name.startswith(only):
                continue
            page = browser.new_page(viewport=lab.VIEWPORT)
            lab.open_notebook(page, server, name)
            lab.run_all(page)
            lab.missing_figures(page, {})
            boxes = lab.explorer_boxes(page)
            for i, found in enumerate(lab.explorers_in_page(page)):
                known = explorers.known(found["title"])
                label = known.name if known else f"unknown ({found['title'][:40]})"
                explorer = boxes.nth(i)
                for description, kind in found["controls"]:
                    if lab.control(explorer, description).count() != 1:
                        continue
                    ms, frame_ms, errors = [], [], []
                    start = lab.control_state(explorer, description, kind)
                    for step in range(moves):
                        lab.settle(page)
                        try:
                            move = lab.move_control(
                                page, explorer, description, kind, 1 if step % 8 < 4 else -1
                            )
                        except AssertionError as exc:
                            errors.append(str(exc).splitlines()[0])
                            continue
                        ms.append(move.latency_ms)
                        frame_ms.append(move.frame_ms)
                    # back to the first state: the next control starts from there
                    lab.settle(page)
                    lab.set_control(page, explorer, description, kind, start)
                    results.append(
                        {
                            "notebook": name[:2],
                            "explorer": label,
                            "control": description,
                            "kind": kind,
                            "ms": ms,
                            "frame_ms": frame_ms,
                            "errors": errors,
                        }
                    )
                    print(
                        f"  browser {name[:2]} {label} {description} ({kind}): "
                        + ", ".join(f"{m:.0f}" for m in frame_ms)
                        + " ms"
                        + (f"; {len(errors)} failed: {errors[0]}" if errors else ""),
                        flush=True,
                    )
            page.evaluate("() => window.eightHeadsLab.shutdownKernel()")
            page.close()
    return results


# -- multi-head attention --------------------------------------------------------------------


def interleaved(calls: dict, repeats: int, warm_up: int = 3) -> dict[str, list[float]]:
    """Seconds of each call, ``repeats`` times, the calls taking turns (after ``warm_up``
    rounds): load that comes and goes on the machine hits every call alike."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for i in range(warm_up + repeats):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            if i >= warm_up:
                times[name].append(time.perf_counter() - start)
    return times


def bench_mha(threads: int, repeats: int = 30) -> dict:
    """helpers' layer vs torch's on x [32, 128, 512], h = 8, same weights, eval, no grad,
    on ``threads`` torch threads; calls interleaved so that load from elsewhere hits all of
    them alike. (One thread is the steadier comparison when other work shares the cores.)"""
    import torch
    from torch import nn

    from helpers.attention import MultiHeadSelfAttention

    default = torch.get_num_threads()
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = torch.randn(32, 128, 512)  # (B, T, d_model)
    theirs = nn.MultiheadAttention(512, 8, batch_first=True).eval()
    ours = MultiHeadSelfAttention.from_torch(theirs).eval()
    calls = {
        "helpers": lambda: ours(x),
        "torch (per-head weights)": lambda: theirs(x, x, x, average_attn_weights=False),
        "torch (need_weights=False)": lambda: theirs(x, x, x, need_weights=False),
    }
    with torch.no_grad():
        same = torch.allclose(ours(x)[0], theirs(x, x, x)[0], atol=1e-5)
        times = interleaved(calls, repeats)
    torch.set_num_threads(default)
    ms = {k: statistics.median(v) * 1000 for k, v in times.items()}
    # each repeat's helpers time over torch's in the same repeat: load that comes and goes
    # hits both sides of a ratio alike
    ratios = {
        k: statistics.median(a / b for a, b in zip(times["helpers"], v, strict=True))
        for k, v in times.items()
        if k != "helpers"
    }
    return {"ms": ms, "ratio": ratios, "same_output": same, "threads": threads, "repeats": repeats}


# -- the pretrained model (notebook 08) ---------------------------------------------------------


def bench_minilm(repeats: int = 30) -> dict:
    """``MiniLM.run`` on one 12-token sentence against transformers' ``BertModel`` (eager
    attention, the same outputs asked for: every hidden state and attention map), same
    weights, same thread count, calls interleaved so that load from elsewhere hits both."""
    import torch
    import transformers

    from helpers.pretrained import load_minilm, model_path

    model = load_minilm()
    reference = transformers.BertModel.from_pretrained(
        str(model_path()), attn_implementation="eager"
    ).eval()
    text = "The bank raised its interest rates again this spring."
    ids, _, tokens = model.tokenize([text])
    mask = torch.ones_like(ids)
    calls = {
        "ours": lambda: model.run([text]),
        "BertModel": lambda: reference(
            input_ids=ids, attention_mask=mask, output_hidden_states=True, output_attentions=True
        ),
    }
    with torch.no_grad():
        times = interleaved(calls, repeats)
    ms = {k: statistics.median(v) * 1000 for k, v in times.items()}
    ratio = statistics.median(a / b for a, b in zip(times["ours"], times["BertModel"], strict=True))
    return {
        "ms": ms,
        "ratio": ratio,
        "tokens": len(tokens[0]),
        "threads": torch.get_num_threads(),
        "repeats": repeats,
    }


# -- fresh install ---------------------------------------------------------------------------


def bench_fresh_install() -> float:
    """``make install`` in a fresh copy of the repository (no pip cache): seconds."""
    from run_colab import NOT_SOURCES  # tools/run_colab.py: what a fresh clone would not carry

    with tempfile.TemporaryDirectory(prefix="eight-heads-install-") as tmp:
        copy = Path(tmp) / "eight-heads"
        shutil.copytree(ROOT, copy, ignore=NOT_SOURCES)
        start = time.perf_counter()
        subprocess.run(
            ["make", "install"], cwd=copy, check=True, env=dict(os.environ, PIP_NO_CACHE_DIR="1")
        )
        return time.perf_counter() - start


# -- the table -------------------------------------------------------------------------------


def _vs(value: float, target: float, unit: str) -> str:
    return f"≤ {target:g} {unit} " + ("✓" if value <= target else "✗ (over)")


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} / {_percentile(values, 0.9):.0f}" if values else "—"


def latency_table(results: dict, before: dict | None = None) -> str:
    """Explorer × control: the learner's action -> redrawn figure in JupyterLab (median / p90
    of the moves, to the animation frame that paints it; ``before``: an earlier run's, beside
    it), and the Python side alone (control set -> figure built and displayed)."""
    python = {}
    for e in results.get("explorers", []):
        for control, seconds in e["seconds"].items():
            key = (e["notebook"][:2], e["explorer"], control)
            python.setdefault(key, []).extend(s * 1000 for s in seconds)
    earlier = {
        (b["notebook"], b["explorer"], b["control"]): b.get("frame_ms", b["ms"])
        for b in (before or {}).get("browser", [])
    }
    head = "| notebook | explorer | control | browser ms, median / p90"
    line = "|---|---|---|---"
    if before is not None:
        head += " | before, median / p90"
        line += "|---"
    head += f" | ≤ {TARGETS['browser_p90_ms']:g} ms p90 | Python ms, median / p90 | moves |"
    line += "|---|---|---|"
    rows = [head, line]
    for b in results.get("browser", []):
        key = (b["notebook"], b["explorer"], b["control"])
        frames = b.get("frame_ms", b["ms"])
        ok = (
            ("✓" if _percentile(frames, 0.9) <= TARGETS["browser_p90_ms"] else "✗ (over)")
            if frames
            else "—"
        )
        cells = [b["notebook"], f"`{b['explorer']}`", f"`{b['control']}` ({b['kind']})"]
        cells.append(_ms(frames))
        if before is not None:
            cells.append(_ms(earlier.get(key, [])))
        cells += [ok, _ms(python.get(key, [])), str(len(frames))]
        if b["errors"]:
            cells[-1] += f" ({len(b['errors'])} failed: {b['errors'][0]})"
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def table(results: dict) -> str:
    t = TARGETS
    rows = ["| what | measured | target |", "|---|---|---|"]
    series = 0.0
    for r in results["notebooks"]:
        series += r["seconds"]
        rows.append(f"| run {r['notebook']} | {r['seconds']:.1f} s | |")
    if results["notebooks"]:
        n = len(results["notebooks"])
        rows.append(
            f"| **whole series** ({n} notebooks, one after another) | **{series:.1f} s** "
            f"| {_vs(series, t['series_s'], 's')} |"
        )
    for e in results["explorers"]:
        if not e["seconds"]:
            rows.append(
                f"| explorer `{e['explorer']}` ({e['notebook']}) "
                f"| {e.get('note', 'no control to move')} | |"
            )
            continue
        ms = sorted(s * 1000 for values in e["seconds"].values() for s in values)
        median = statistics.median(ms)
        p90 = _percentile(ms, 0.9)
        err = f", {e['errors']} change(s) showed an error" if e["errors"] else ""
        rows.append(
            f"| explorer `{e['explorer']}` ({e['notebook']}), control → figure, Python "
            f"({', '.join(e['controls'])}) | median {median:.1f} ms, p90 {p90:.1f} ms, "
            f"max {ms[-1]:.0f} ms, n = {len(ms)}{err} | {_vs(median, t['redraw_ms'], 'ms')} |"
        )
    if results.get("browser_note"):
        rows.append(f"| browser: action → redrawn figure | {results['browser_note']} | |")
    for m in results.get("mha", []):
        ours = m["ms"]["helpers"]
        for name, ratio in m["ratio"].items():
            rows.append(
                f"| MHA `[32, 128, 512]`, h = 8, forward, {m['threads']} thread(s): "
                f"helpers {ours:.1f} ms vs {name} {m['ms'][name]:.1f} ms (medians of "
                f"{m['repeats']}) | **{ratio:.2f}×** (median of paired ratios) "
                f"| {_vs(ratio, t['mha_ratio'], '×')} |"
            )
    for r in results["notebooks"]:
        rows.append(
            f"| size {r['notebook']} | {r['kb']:.0f} KB | {_vs(r['kb'], t['notebook_kb'], 'KB')} |"
        )
    if "minilm" in results:
        m = results["minilm"]
        rows.append(
            f"| 08's `MiniLM.run`, one {m['tokens']}-token sentence, {m['threads']} thread(s): "
            f"{m['ms']['ours']:.1f} ms vs transformers' BertModel {m['ms']['BertModel']:.1f} ms "
            f"(medians of {m['repeats']}) | **{m['ratio']:.2f}×** (median of paired ratios) "
            f"| {_vs(m['ratio'], t['minilm_ratio'], '×')} |"
        )
    if "fresh_install_s" in results:
        rows.append(
            f"| fresh `make install` (no pip cache) | {results['fresh_install_s']:.0f} s | |"
        )
    return "\n".join(rows)


LATENCY_NOTE = """\
## Every explorer's controls in JupyterLab

Headless Chromium, JupyterLab 4, ipywidgets 8: each control moved as a learner moves it
(sliders: an arrow key on the handle; toggle buttons: a click; dropdowns: an option picked;
text boxes: a sentence typed, then Enter), {moves} times, the kernel idle and the page settled
before each move. Browser: from the learner's DOM event to the animation frame that paints
the explorer's figure showing what the helpers give for the new values
(``tests/browser/explorers.py``). Python: the control set -> figure built and displayed, in the
notebook's own kernel (no browser). A text box's or a new word's first use runs the model.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh-install", action="store_true", help="also time `make install`")
    parser.add_argument("--rounds", type=int, default=2, help="passes over each control's options")
    parser.add_argument(
        "--moves", type=int, default=8, help="moves of each explorer control in the browser"
    )
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument(
        "--browser-only", action="store_true", help="only the browser's explorer latencies"
    )
    parser.add_argument(
        "--only", nargs="*", default=[], help="notebooks whose names start so (e.g. 04 05)"
    )
    parser.add_argument(
        "--compare", type=Path, help="an earlier reports/bench.json: its latencies beside these"
    )
    args = parser.parse_args(argv)
    only = tuple(args.only)

    load = os.getloadavg()
    print(
        f"== benchmarks on {os.cpu_count()} cores, load average {load[0]:.1f} "
        "(other work on this machine slows every figure)",
        flush=True,
    )
    before = json.loads(args.compare.read_text()) if args.compare else None
    results: dict = (
        {"notebooks": [], "explorers": []}
        if args.browser_only
        else bench_notebooks(args.rounds, only)
    )
    if args.no_browser:
        results["browser_note"] = "not measured (--no-browser)"
    else:
        sys.path.insert(0, str(BROWSER))
        import lab

        problem = lab.chromium_problem()
        results["browser"] = [] if problem else bench_browser(args.moves, only)
        if problem:
            results["browser_note"] = f"not measured: {problem}"
    import torch

    if not args.browser_only:
        results["mha"] = [bench_mha(n) for n in sorted({1, torch.get_num_threads()})]
        results["minilm"] = bench_minilm()
    if args.fresh_install:
        results["fresh_install_s"] = bench_fresh_install()

    text = table(results)
    if results.get("browser"):
        text += "\n\n" + LATENCY_NOTE.format(moves=args.moves) + "\n"
        text += latency_table(results, before)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    end = os.getloadavg()[0]
    same = all(m["same_output"] for m in results.get("mha", []))
    head = (
        f"# Benchmarks, {stamp}\n\n{os.cpu_count()} cores, load average {load[0]:.1f} at the "
        f"start and {end:.1f} at the end (other work on the machine slows everything); "
        f"MHA outputs equal to torch's: {same}. Targets beside the figures; a benchmark "
        "never fails on a time.\n\n"
    )
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(head + text + "\n")
    (REPORT.with_suffix(".json")).write_text(json.dumps(results, indent=1))
    print()
    print(text)
    print(f"\n(written to {REPORT.relative_to(ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
