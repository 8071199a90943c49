"""Stored notebooks: executed in order, small, no widget state, no errors, no stderr,
no machine paths, a picture beside every figure, and every notebook follows the series'
conventions."""

import base64
import binascii
import io
import itertools
import json
import re
from pathlib import Path

import pytest
from PIL import Image

from helpers.colab import colab_badge, setup_cell_source

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MAX_BYTES = 400_000  # with a PNG beside each figure (tools/run_notebooks.py)
PLOTLY_MIME = "application/vnd.plotly.v1+json"
MIN_PICTURE_PX = 200  # a figure's picture, on its short side
MACHINE_PATH = re.compile(
    r"(/root/|/home/|/tmp/|/work/|/Users/|site-packages|\\\\Users\\\\|[A-Z]:\\\\)"
)
# the series in order, as the README's map of notebooks lists it
REQUIRED = [
    "01_one_hot.ipynb",
    "02_word2vec.ipynb",
    "03_self_attention.ipynb",
    "04_multi_head.ipynb",
    "05_why_multi_head.ipynb",
    "06_cost_and_scale.ipynb",
    "07_encoder_stack.ipynb",
    "08_real_heads.ipynb",
]


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def source(cell):
    return "".join(cell["source"])


def raises_on_purpose(cell):
    return "raises-exception" in cell.get("metadata", {}).get(
        "tags", []
    ) or "NBVAL_RAISES_EXCEPTION" in source(cell)


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


def test_notebooks_are_the_designed_series():
    present = [p.name for p in NOTEBOOKS]
    assert present[: len(REQUIRED)] == REQUIRED, present
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", name) for name in present), present


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request):
    return request.param, load(request.param)


def test_size(notebook):
    path, _ = notebook
    assert path.stat().st_size <= MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes"


def test_every_figure_has_a_picture_github_can_show(notebook):
    """GitHub's notebook view draws no plotly JSON: each figure carries a PNG beside it
    (``make notebooks`` draws it), one that decodes, is big enough to read and is not blank."""
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if PLOTLY_MIME not in data:
                continue
            where = f"{path.name} cell {i}"
            assert "image/png" in data, f"{where}: a figure without its PNG; run `make notebooks`"
            try:
                raw = base64.b64decode(data["image/png"], validate=True)
            except binascii.Error as exc:
                raise AssertionError(f"{where}: the PNG is not base64: {exc}") from None
            try:
                image = Image.open(io.BytesIO(raw))
                image.load()  # decodes the whole picture: a truncated one raises here
            except OSError as exc:
                raise AssertionError(f"{where}: the PNG does not decode: {exc}") from None
            assert image.format == "PNG", f"{where}: {image.format}, not PNG"
            assert min(image.size) >= MIN_PICTURE_PX, f"{where}: picture {image.size} too small"
            extrema = image.convert("RGB").getextrema()
            assert any(low != high for low, high in extrema), f"{where}: the picture is blank"


def test_no_saved_widget_state(notebook):
    path, nb = notebook
    assert "widgets" not in nb["metadata"], f"{path.name}: strip metadata.widgets (make notebooks)"


def test_printed_text_is_stored_whole(notebook):
    """Consecutive prints of a cell are one stream output: how the kernel happened to flush
    them is not stored (tests/run_notebooks.py coalesces them)."""
    path, nb = notebook
    for i, cell in enumerate(code_cells(nb)):
        kinds = [o.get("name") if o["output_type"] == "stream" else None for o in cell["outputs"]]
        split = [a for a, b in itertools.pairwise(kinds) if a is not None and a == b]
        assert not split, (
            f"{path.name} code cell {i}: {split[0]} stored in pieces; run `make notebooks`"
        )


def test_executed_in_order(notebook):
    path, nb = notebook
    counts = [c["execution_count"] for c in code_cells(nb) if source(c).strip()]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: re-run with `make notebooks`"


def test_no_errors_no_stderr_no_paths(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                assert raises_on_purpose(cell), f"{path.name} cell {i}: error output {out['ename']}"
            assert out.get("name") != "stderr", (
                f"{path.name} cell {i}: stderr output {out.get('text')!r}"
            )
            text = json.dumps(out)
            assert not MACHINE_PATH.search(text), f"{path.name} cell {i}: machine path in output"
            assert "application/vnd.jupyter.widget-view+json" not in out.get("data", {})


def test_starts_with_title_badge_and_colab_setup(notebook):
    path, nb = notebook
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and source(first).startswith("# "), "title first"
    assert colab_badge(path.name) in source(first), f"{path.name}: Open-in-Colab badge"
    assert source(code_cells(nb)[0]) == setup_cell_source(path.name), (
        f"{path.name}: first code cell must be helpers.colab.setup_cell_source({path.name!r})"
    )


def test_ends_with_recap_glossary_and_next(notebook):
    path, nb = notebook
    prose = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert re.search(r"^#+ .*Recap", prose, re.M), f"{path.name}: a Recap section"
    assert re.search(r"^#+ .*Glossary", prose, re.M), f"{path.name}: a Glossary section"
    assert re.search(r"[\u4e00-\u9fff]", prose), f"{path.name}: Chinese terms in the glossary"
    for target in re.findall(r"\]\((\d\d_[a-z_]+\.ipynb)\)", prose):
        assert (path.parent / target).exists() or target in REQUIRED, (
            f"{path.name}: link to {target}"
        )
