"""The exercises as the notebooks show them: three kinds in every notebook, the stored stub
says "Not done yet", and every folded solution, taken from the notebook itself, passes its
checker (so the solutions shown and the checkers can never drift apart)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import helpers.exercises

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
KINDS = ("predict, then run", "write the code", "use the explorer")
HEADING = re.compile(r"^### Exercise · (?P<title>.+) \((?P<kind>" + "|".join(KINDS) + r")\)$", re.M)
SOLUTION = re.compile(
    r"<details><summary>Solution</summary>\s*```python\n(?P<code>.*?)\n```\s*</details>", re.S
)
CHECK = re.compile(r"^run\((check_\w+)", re.M)
# What a solution may take for granted: the imports every notebook has, and the checkers.
PRELUDE = (
    "import math\n\nimport torch\nimport torch.nn.functional as F\nfrom torch import nn\n\n"
    "from helpers.exercises import *\n"
)


def source(cell) -> str:
    return "".join(cell["source"])


def exercises(path: Path) -> list[dict]:
    """Each exercise: its title and kind, the stub cell and the solution's code."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found = []
    for i, cell in enumerate(cells):
        heading = HEADING.search(source(cell)) if cell["cell_type"] == "markdown" else None
        if heading is None:
            continue
        stub, fold = cells[i + 1], cells[i + 2]
        solution = SOLUTION.search(source(fold))
        assert stub["cell_type"] == "code" and solution, (
            f"{path.name}: exercise {heading['title']!r} is not task, stub, solution"
        )
        found.append(dict(notebook=path.name, title=heading["title"], kind=heading["kind"],
                          stub=stub, solution=solution["code"]))  # fmt: skip
    return found


ALL = [e for path in NOTEBOOKS for e in exercises(path)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_notebook_has_three_exercises_of_every_kind(path):
    kinds = [e["kind"] for e in exercises(path)]
    assert len(kinds) >= 3 and set(kinds) == set(KINDS), f"{path.name}: {kinds}"


@pytest.mark.parametrize("e", ALL, ids=[f"{e['notebook']}: {e['title']}" for e in ALL])
def test_the_stored_stub_is_not_done_yet_and_calls_the_solutions_checker(e):
    printed = "".join(
        "".join(o.get("text", "")) for o in e["stub"]["outputs"] if o["output_type"] == "stream"
    )
    assert printed.startswith("Not done yet"), f"stored output of the stub: {printed!r}"
    assert CHECK.findall(source(e["stub"])) == CHECK.findall(e["solution"]) != []


@pytest.mark.parametrize("e", ALL, ids=[f"{e['notebook']}: {e['title']}" for e in ALL])
def test_the_solution_passes_its_checker(e, monkeypatch, capsys):
    verdicts = []

    def run(check, *answers, **options):  # what the notebook's run() does, keeping the verdict
        verdicts.append(check(*answers, **options))

    monkeypatch.setattr(helpers.exercises, "run", run)
    namespace: dict = {}
    exec(PRELUDE, namespace)  # noqa: S102 - the notebook's own solution cell
    namespace["run"] = run
    exec(e["solution"], namespace)  # noqa: S102
    out = capsys.readouterr().out
    assert verdicts == [True], f"{e['notebook']} {e['title']!r}: {out}"
    assert out.startswith("✓"), out
