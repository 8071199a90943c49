"""``make bench``: how long the series takes here, as a table (stdout and reports/bench.md).

    python tools/benchmarks.py [--fresh-install] [--rounds N] [--no-browser]

Measures each notebook's execution (a copy, run like ``make notebooks`` runs it; the
stored notebooks are never written), the whole series, every explorer's control -> figure
latency on the Python side (each explorer the notebooks show, found in their kernels, plus
any explorer of ``helpers.widgets.__all__`` no notebook shows; every control driven
through its options), the key press -> redrawn figure latency in JupyterLab in headless
Chromium (when chromium is installed), the helpers' ``MultiHeadSelfAttention`` against
``torch.nn.MultiheadAttention`` on ``[32, 128, 512]`` with h = 8, the notebooks' sizes,
and with ``--fresh-install`` a ``make install`` into a fresh copy of the repository.

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
TARGETS = {"series_s": 60.0, "redraw_ms": 30.0, "mha_ratio": 1.1, "notebook_kb": 300.0}
MARK = "BENCH-EXPLORERS:"


# -- explorers, driven in a notebook's own kernel ---------------------------------------------


def _choices(control, most: int) -> list:
    """Up to ``most`` values a control offers, spread over its range."""
    options = getattr(control, "_options_values", None)  # Selection widgets, ipywidgets 7 and 8
    if options is not None:
        values = list(options)
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
    same = [n for n in names if getattr(hw, n).__module__.rsplit(".", 1)[-1] == topic]
    return same[0] if len(same) == 1 else type(explorer).__name__


def time_explorer(explorer, rounds: int = 2, most: int = 8) -> dict:
    """Set every control through its options ``rounds`` times; seconds per change."""
    seconds, errors = [], 0
    for name in list(explorer.values()):
        control = getattr(explorer, name)
        for _ in range(rounds):
            for value in _choices(control, most):  # re-read: a control may change another's options
                if value == control.value:
                    continue
                start = time.perf_counter()
                control.value = value
                seconds.append(time.perf_counter() - start)
                errors += explorer.last_error is not None
    return {"controls": list(explorer.values()), "seconds": seconds, "errors": errors}


def explorer_latencies(rounds: int = 2, most: int = 8, build: tuple[str, ...] = ()) -> None:
    """Run inside a notebook's kernel: time every explorer it holds (and build ``build``
    from ``helpers.widgets`` with their defaults); prints one JSON line after ``MARK``."""
    from IPython import get_ipython

    import helpers.widgets as hw
    from helpers.widgets.base import Explorer

    names = [n for n in hw.__all__ if n.endswith("_explorer")]
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


def bench_notebooks(rounds: int) -> dict:
    rows, explorers = [], []
    with tempfile.TemporaryDirectory(prefix="eight-heads-bench-") as tmp:
        for path in notebooks():
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
        rest = [n for n in hw.__all__ if n.endswith("_explorer") and n not in shown]
        needs = {n: _required(getattr(hw, n)) for n in rest}
        for name, required in needs.items():
            if required:
                explorers.append(
                    {
                        "notebook": "—",
                        "explorer": name,
                        "seconds": [],
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


def bench_browser(moves: int) -> list[dict]:
    """Key press -> redrawn figure in JupyterLab, for the sliders the browser test moves."""
    sys.path.insert(0, str(BROWSER))
    import lab
    import test_lab

    if lab.chromium_problem():
        return []
    results = []
    with lab.jupyter_lab() as server, lab.chromium() as browser:
        for name, (_, sliders) in test_lab.LIVE.items():
            if not (server.root / name).exists():
                continue
            page = browser.new_page(viewport=lab.VIEWPORT)
            lab.open_notebook(page, server, name)
            lab.run_all(page)
            lab.missing_figures(page, {})
            for description in sliders:
                found = lab.sliders(page, description)
                if not found.count():
                    continue
                ms = [
                    lab.move_explorer_slider(page, found.first, description)[0].latency_ms
                    for _ in range(moves)
                ]
                results.append({"notebook": name[:2], "slider": description, "ms": ms})
                print(
                    f"  browser {name[:2]} {description}: "
                    + ", ".join(f"{m:.0f}" for m in ms)
                    + " ms",
                    flush=True,
                )
            page.close()
    return results


# -- multi-head attention --------------------------------------------------------------------


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
        times: dict[str, list[float]] = {k: [] for k in calls}
        for i in range(repeats + 3):
            for name, call in calls.items():
                start = time.perf_counter()
                call()
                if i >= 3:  # warm-up
                    times[name].append(time.perf_counter() - start)
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
        ms = sorted(s * 1000 for s in e["seconds"])
        median = statistics.median(ms)
        p90 = ms[int(0.9 * (len(ms) - 1))]
        err = f", {e['errors']} change(s) showed an error" if e["errors"] else ""
        rows.append(
            f"| explorer `{e['explorer']}` ({e['notebook']}), control → figure, Python "
            f"({', '.join(e['controls'])}) | median {median:.1f} ms, p90 {p90:.1f} ms, "
            f"max {ms[-1]:.0f} ms, n = {len(ms)}{err} | {_vs(median, t['redraw_ms'], 'ms')} |"
        )
    for b in results.get("browser", []):
        ms = b["ms"]
        later = statistics.median(ms[1:]) if len(ms) > 1 else ms[0]
        rows.append(
            f"| browser: key press → redrawn figure, {b['notebook']} `{b['slider']}` | "
            f"first {ms[0]:.0f} ms, then median {later:.0f} ms (n = {len(ms) - 1}) | |"
        )
    if results.get("browser_note"):
        rows.append(f"| browser: key press → redrawn figure | {results['browser_note']} | |")
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
    if "fresh_install_s" in results:
        rows.append(
            f"| fresh `make install` (no pip cache) | {results['fresh_install_s']:.0f} s | |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh-install", action="store_true", help="also time `make install`")
    parser.add_argument("--rounds", type=int, default=2, help="passes over each control's options")
    parser.add_argument(
        "--moves", type=int, default=8, help="key presses per slider in the browser"
    )
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)

    load = os.getloadavg()
    print(
        f"== benchmarks on {os.cpu_count()} cores, load average {load[0]:.1f} "
        "(other work on this machine slows every figure)",
        flush=True,
    )
    results: dict = bench_notebooks(args.rounds)
    if args.no_browser:
        results["browser_note"] = "not measured (--no-browser)"
    else:
        sys.path.insert(0, str(BROWSER))
        import lab

        problem = lab.chromium_problem()
        results["browser"] = [] if problem else bench_browser(args.moves)
        if problem:
            results["browser_note"] = f"not measured: {problem}"
    import torch

    results["mha"] = [bench_mha(n) for n in sorted({1, torch.get_num_threads()})]
    if args.fresh_install:
        results["fresh_install_s"] = bench_fresh_install()

    text = table(results)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    end = os.getloadavg()[0]
    same = all(m["same_output"] for m in results["mha"])
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
