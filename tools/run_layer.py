"""Run one test layer (browser, Colab-like) with pytest; in CI a skipped test fails the run.

    python tools/run_layer.py tests/browser [pytest options]

With ``CI=true`` a skip (or xfail) is not a pass: the layer proves nothing for what was
skipped, so the run exits non-zero and names the skipped tests.
"""

from __future__ import annotations

import os
import sys

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


class NoSkipsInCI:
    """pytest plugin: record skipped tests; in CI turn a green run with skips into a failure."""

    def __init__(self) -> None:
        self.skipped: list[str] = []

    def pytest_runtest_logreport(self, report) -> None:
        if report.skipped:
            self.skipped.append(report.nodeid)

    def pytest_sessionfinish(self, session, exitstatus) -> None:
        if self.skipped and in_ci() and exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.skipped and in_ci():
            terminalreporter.write_line(
                f"FAILED: {len(self.skipped)} test(s) skipped in CI, where a skip is not a pass: "
                + ", ".join(self.skipped),
                red=True,
            )


def main(argv: list[str], plugins: tuple = ()) -> int:
    return int(pytest.main(argv, plugins=[NoSkipsInCI(), *plugins]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
