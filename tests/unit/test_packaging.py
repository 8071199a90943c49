"""The package, environment.yml and README stay in step with each other."""

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from helpers import asset_path
from helpers.colab import REPO_URL, colab_badge

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# conda-forge names that differ from PyPI names
CONDA_TO_PIP = {"pytorch-cpu": "torch", "python-kaleido": "kaleido"}


def name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def pyproject_packages() -> set[str]:
    project = PYPROJECT["project"]
    names = {name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        names |= {name(r) for r in extra}
    return names


def environment_packages() -> tuple[set[str], list[str]]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = set(), []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip = dep["pip"]
        else:
            conda.add(CONDA_TO_PIP.get(name(dep), name(dep)))
    return conda, pip


def test_environment_yml_lists_the_same_packages_as_pyproject():
    """Every package is a conda-forge package, except the extras the pip line installs with the
    helpers (PyPI-only packages such as notebook 08's model)."""
    conda, pip = environment_packages()
    conda -= {"python", "pip"}
    (line,) = pip
    extras = re.fullmatch(r"-e \.(?:\[([a-z,]+)\])?", line).group(1) or ""
    by_pip = {
        name(r)
        for extra in extras.split(",")
        if extra
        for r in PYPROJECT["project"]["optional-dependencies"][extra]
    }
    assert conda | by_pip == pyproject_packages() and not conda & by_pip


def test_environment_yml_is_binder_ready():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    deps = env["dependencies"]
    pip_index = next(i for i, d in enumerate(deps) if isinstance(d, dict))
    assert "pip" in deps[:pip_index], "pip must be listed before the pip: section"
    assert deps[pip_index]["pip"] == ["-e .[model]"], (
        "the pip section installs the helpers (and 08's model)"
    )


def test_constraints_pin_every_package_exactly():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            assert "==" in line, f"not an exact pin: {line}"
            pins[name(line)] = line.split("==")[1]
    missing = pyproject_packages() - set(pins)
    assert not missing, f"constraints.txt does not pin {missing}"


def test_repository_url_is_defined_once_and_used_everywhere():
    assert PYPROJECT["project"]["urls"]["Repository"] == REPO_URL
    readme = (ROOT / "README.md").read_text()
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert colab_badge(nb.name) in readme, f"README lacks the Colab badge of {nb.name}"


def test_assets_ship_in_the_package():
    assert asset_path("README.md").read_text(encoding="utf-8").startswith("# assets/")
    shipped = PYPROJECT["tool"]["setuptools"]["package-data"]["helpers"]
    for path in (ROOT / "helpers" / "assets").iterdir():
        assert f"assets/*{path.suffix}" in shipped, f"{path.name} would not ship in the package"
    assert (ROOT / "assets").resolve() == (ROOT / "helpers" / "assets").resolve(), (
        "assets/ links to helpers/assets"
    )
    with pytest.raises(
        FileNotFoundError, match=r"assets/nope.txt not found; the files that ship are: .*README.md"
    ):
        asset_path("nope.txt")


def test_the_installed_torch_is_the_pinned_cpu_build():
    """What the README's install gives: the tested torch, built for the CPU (an unpinned torch
    from PyPI is a CUDA build of several GB)."""
    import torch

    pin = next(
        line
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if line.startswith("torch==")
    )
    assert torch.__version__.split("+")[0] == pin.split("==")[1]
    assert torch.version.cuda is None
