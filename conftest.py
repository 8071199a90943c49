"""nbval configuration, found from the repository root so that
``.venv/bin/pytest --nbval notebooks/04_multi_head.ipynb`` checks one notebook the same
way ``make test`` checks them all."""

from pathlib import Path

SANITIZE = Path(__file__).parent / "tests" / "nbval_sanitize.cfg"

# Compared as exact strings they would fail on float noise: plotly ≥ 6 stores arrays as
# base64 and its HTML fallback carries random div ids. Figures are checked by the
# printed numbers and asserts beside them, and by the unit and browser tests.
NOT_COMPARED = ("application/vnd.plotly.v1+json", "text/html")


def pytest_configure(config):
    option = config.option
    if getattr(option, "nbval", False) or getattr(option, "nbval_lax", False):
        if option.nbval_sanitize_with is None:
            option.nbval_sanitize_with = str(SANITIZE)
        if option.nbval_kernel_name is None:
            option.nbval_current_env = True


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        notebook = item.parent
        if hasattr(notebook, "skip_compare") and NOT_COMPARED[0] not in notebook.skip_compare:
            notebook.skip_compare = tuple(notebook.skip_compare) + NOT_COMPARED
