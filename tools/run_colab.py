"""``make test-colab``: install the helpers into ``.venv-colab`` the way Colab's setup cell does
(``pip install`` from the repository, not editable), then run the Colab-like tests there.

    .venv-colab/bin/python tools/run_colab.py [pytest options]

Runs, from a temporary folder so that ``import helpers`` finds the installed package and
never the clone: ``tests/colab/`` (every notebook top to bottom, the helpers and assets from
the package), ``tests/colab/check_output_frame.py`` (every explorer's figure drawn in an
emulation of Colab's output frame, in headless Chromium), the explorer tests
``tests/unit/test_widgets_*.py`` and ``tests/unit/test_colab_setup.py``. In CI a skipped test
fails the run (``tools/run_layer.py``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
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


def install_helpers() -> None:
    """``pip install <copy of the repository>`` (a clean copy: no stale ``build/`` files)."""
    with tempfile.TemporaryDirectory(prefix="eight-heads-src-") as tmp:
        source = Path(tmp) / "eight-heads"
        shutil.copytree(ROOT, source, ignore=NOT_SOURCES, symlinks=True)  # as git clones it
        # pip always reinstalls from a folder; its dependencies must resolve within Colab's pins
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "-c",
                str(CONSTRAINTS),
                str(source),
            ],
            check=True,
        )
        subprocess.run([sys.executable, "-m", "pip", "check"], check=True)


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
    install_helpers()
    with tempfile.TemporaryDirectory(prefix="eight-heads-colab-") as workdir:
        os.chdir(workdir)
        try:
            return run_pytest(pytest_args(argv))
        finally:
            os.chdir(HERE)  # IPython's atexit hook needs a working directory that exists


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
