"""The Colab badges and setup cells agree with pyproject.toml's one URL and release tag."""

import json
import re

import pytest

from tools import links


def test_every_badge_and_setup_cell_agrees_with_pyproject():
    assert [str(p.relative_to(links.REPO)) for p in links.sync(write=False)] == []


@pytest.mark.parametrize("path", links.NOTEBOOKS, ids=lambda p: p.name)
def test_each_notebook_opens_its_own_release_copy_in_colab(path):
    nb = json.loads(path.read_text())
    first = "".join(nb["cells"][0]["source"])
    assert first.startswith(links.colab_badge(path.name) + "\n")
    setup = "".join(next(c for c in nb["cells"] if c["cell_type"] == "code")["source"])
    install = re.search(r'%pip install --quiet "(.+)"', setup)[1]
    assert install.endswith(f"@ git+{links.repository()}@{links.release_tag()}")
    assert "numpy" not in install  # Colab keeps its own NumPy
    assert setup.index("reproducible.pin()") > setup.index("%pip install")


@pytest.mark.parametrize(
    "old, new",
    [
        ("@{tag}", "@main"),  # the setup cell installs main
        ("/blob/{tag}/", "/blob/main/"),  # the badge opens main
        ("github.com/", "github.com/someone-else/"),  # another repository
        ("reproducible.pin()", "pass"),  # no pin
    ],
)
def test_a_link_that_disagrees_is_caught(old, new):
    text = links.NOTEBOOKS[0].read_text()
    assert links.dump(links.expected_notebook(json.loads(text))) == text
    old = old.format(tag=links.release_tag())
    assert old in text
    tampered = text.replace(old, new, 1)
    assert links.dump(links.expected_notebook(json.loads(tampered))) != tampered


def test_readme_badges_point_at_the_release():
    readme = (links.REPO / "README.md").read_text()
    badges = links.BADGE.findall(readme)
    assert sorted(set(badges)) == [p.name for p in links.NOTEBOOKS]  # each, at least once
    assert "/blob/main/" not in readme
