"""The guarded setup cell every notebook starts with, run by a real IPython shell:
harmless outside Colab, and inside (simulated) Colab it installs the helpers from the one
repository address and turns on the custom widget manager."""

from __future__ import annotations

import sys
import types

import pytest
from IPython.core.interactiveshell import InteractiveShell

from helpers.colab import BRANCH, EXTRAS, REPO_URL, setup_cell_source


@pytest.fixture
def shell():
    """A fresh IPython shell whose ``%pip`` only records what it was asked to install."""
    InteractiveShell.clear_instance()
    ip = InteractiveShell.instance()
    pip_lines: list[str] = []
    ip.register_magic_function(pip_lines.append, "line", "pip")
    ip.pip_lines = pip_lines
    yield ip
    InteractiveShell.clear_instance()


def fake_colab(monkeypatch) -> list[str]:
    """Put a ``google.colab`` module in ``sys.modules``; returns the calls to its ``output``."""
    calls: list[str] = []
    output = types.SimpleNamespace(
        enable_custom_widget_manager=lambda: calls.append("enable_custom_widget_manager")
    )
    google = types.ModuleType("google")
    colab = types.ModuleType("google.colab")
    colab.output = output
    google.colab = colab
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    return calls


def test_outside_colab_the_setup_cell_does_nothing_and_prints_nothing(shell, capsys):
    assert "google.colab" not in sys.modules
    result = shell.run_cell(setup_cell_source())
    result.raise_error()
    assert shell.pip_lines == []
    assert "output" not in shell.user_ns
    assert capsys.readouterr() == ("", "")


def test_in_colab_the_setup_cell_installs_the_helpers_and_enables_widgets(
    shell, monkeypatch, capsys
):
    calls = fake_colab(monkeypatch)
    result = shell.run_cell(setup_cell_source())
    result.raise_error()
    assert len(shell.pip_lines) == 1, shell.pip_lines
    assert shell.pip_lines[0] == f'install -q "eight-heads @ git+{REPO_URL}@{BRANCH}"'
    assert calls == ["enable_custom_widget_manager"]
    assert capsys.readouterr() == ("", "")


def test_in_colab_08_installs_the_helpers_with_the_model_extra(shell, monkeypatch, capsys):
    calls = fake_colab(monkeypatch)
    result = shell.run_cell(setup_cell_source("08_real_heads.ipynb"))
    result.raise_error()
    assert shell.pip_lines == [f'install -q "eight-heads[model] @ git+{REPO_URL}@{BRANCH}"']
    assert calls == ["enable_custom_widget_manager"]
    assert capsys.readouterr() == ("", "")


def test_setup_cell_installs_the_package_and_extras_pyproject_names():
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    name = pyproject["project"]["name"]
    assert f'"{name} @ git+{REPO_URL}@{BRANCH}"' in setup_cell_source()
    notebooks = Path(__file__).resolve().parents[2] / "notebooks"
    for notebook, extra in EXTRAS.items():
        assert extra in pyproject["project"]["optional-dependencies"], extra
        assert (notebooks / notebook).is_file(), notebook
        assert f'"{name}[{extra}] @ git+{REPO_URL}@{BRANCH}"' in setup_cell_source(notebook)
    # the other notebooks install the helpers alone: nothing Colab has, no test extras
    assert setup_cell_source("01_one_hot.ipynb") == setup_cell_source()


def _shown_by_an_explorer(monkeypatch) -> list:
    """What an explorer hands to ``display``: its first figure, then one after a change."""
    import ipywidgets as widgets
    import plotly.graph_objects as go

    from helpers.widgets import base

    shown: list = []
    monkeypatch.setattr(base, "display", shown.append)
    n = widgets.IntSlider(value=1, min=1, max=3, description="n")
    ex = base.Explorer({"n": n}, lambda n: go.Figure(layout={"title": f"n={n} </script>"}))
    ex.n.value = 2
    return shown


def test_outside_colab_an_explorer_shows_the_figure_itself(monkeypatch):
    import plotly.graph_objects as go

    shown = _shown_by_an_explorer(monkeypatch)
    assert [type(s) for s in shown] == [go.Figure, go.Figure]  # plotly's renderer, its mimetype


def test_in_colab_an_explorer_shows_html_that_loads_plotly_before_drawing(monkeypatch):
    """Colab's output frame runs an external script late (colabtools#5889): the HTML has
    none, only one inline script that adds plotly.js if missing and draws once it is there
    (drawn in an emulated output frame by tests/colab/check_output_frame.py)."""
    from IPython.display import HTML
    from plotly.offline import get_plotlyjs_version

    fake_colab(monkeypatch)
    shown = _shown_by_an_explorer(monkeypatch)
    assert [type(s) for s in shown] == [HTML, HTML]
    first, second = (s.data for s in shown)
    cdn = f"https://cdn.plot.ly/plotly-{get_plotlyjs_version()}.min.js"
    for html in (first, second):
        assert html.count("<script") == 1 and "<script src" not in html
        assert f'src = "{cdn}"' in html and "if (window.Plotly) return draw();" in html
        assert html.count("</script>") == 1, "a title ended the script early"
    assert "n=1 " in first and "n=2 " in second
