"""The README's Binder badge and environment.yml agree, the way repo2docker reads them.

repo2docker (what mybinder.org runs) takes its configuration from ``binder/`` or
``.binder/`` if such a folder exists, else from the repository root; a root ``Dockerfile``
replaces everything; with ``environment.yml`` present a ``requirements.txt`` is ignored.
A local pip requirement (``-e .``) makes it install the environment after copying the
repository, so the helpers package is there to install.
"""

import re
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import yaml

from helpers.colab import BRANCH, REPO

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ENV = yaml.safe_load((ROOT / "environment.yml").read_text())
BADGE = re.compile(r"\[!\[Binder\]\(https://mybinder\.org/badge_logo\.svg\)\]\((?P<url>[^)\s]+)\)")


def binder_url():
    badges = BADGE.findall(README)
    assert len(badges) == 1, f"README should have one Binder badge, found {len(badges)}"
    return urlparse(badges[0])


def conda_names() -> set[str]:
    return {
        re.split(r"[<>=! ]", d, maxsplit=1)[0] for d in ENV["dependencies"] if isinstance(d, str)
    }


def test_badge_launches_this_repository_and_branch():
    url = binder_url()
    assert url.scheme == "https" and url.netloc == "mybinder.org"
    assert url.path == f"/v2/gh/{REPO}/{BRANCH}", url.path


def test_badge_opens_the_first_notebook_in_jupyterlab():
    query = parse_qs(binder_url().query)
    assert list(query) == ["urlpath"], query
    (urlpath,) = query["urlpath"]
    kind, _, path = urlpath.partition("/tree/")
    assert kind == "lab", f"urlpath {urlpath!r} should open JupyterLab (lab/tree/...)"
    first = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))[0]
    assert path == first.relative_to(ROOT).as_posix() == "notebooks/01_one_hot.ipynb", path
    assert "jupyterlab" in conda_names(), (
        "the badge opens JupyterLab: environment.yml must install it"
    )


def test_repo2docker_reads_the_root_environment_yml():
    for folder in ("binder", ".binder"):
        assert not (ROOT / folder).exists(), (
            f"{folder}/ would make repo2docker ignore environment.yml"
        )
    assert not (ROOT / "Dockerfile").exists(), (
        "a Dockerfile would replace environment.yml on Binder"
    )
    assert not (ROOT / "requirements.txt").exists(), (
        "requirements.txt is ignored by Binder when environment.yml exists: keep one source"
    )


def test_binder_python_satisfies_the_package():
    pins = [d for d in ENV["dependencies"] if isinstance(d, str) and re.match(r"python[=<> ]", d)]
    assert len(pins) == 1, pins
    version = tuple(int(x) for x in re.findall(r"\d+", pins[0])[:2])
    needs = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert needs.startswith(">="), needs
    assert version >= tuple(int(x) for x in needs[2:].split(".")[:2]), (pins[0], needs)
