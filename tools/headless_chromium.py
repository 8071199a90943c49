"""Debian's chromium, headless, as every browser in this project runs it: the JupyterLab tests
(``tests/browser``), the emulation of Colab's output frame (``tests/colab``) and the pictures
``make notebooks`` stores beside each figure (``tools/run_notebooks.py``, through kaleido).

Playwright's own browser download does not work here; Debian's does:
``apt-get install -y chromium``. ``CHROMIUM=/path/to/chromium`` points elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = "apt-get install -y chromium"


def chromium_problem() -> str | None:
    """Why no browser can run here, or None when chromium is there."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return None
    return (
        f"no Chromium at {CHROMIUM}: install Debian's browser with `{INSTALL_HINT}` "
        "(as root), or point CHROMIUM= at a chromium binary"
    )


@contextmanager
def chromium() -> Iterator:
    """A Playwright browser on Debian's chromium; raises with the install command if missing."""
    problem = chromium_problem()
    if problem:
        raise RuntimeError(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()
