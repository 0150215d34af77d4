"""The course's links to itself: one repository URL and one release tag, everywhere.

``pyproject.toml`` holds both: ``[project.urls] Repository`` and the release tag,
``v`` + ``[project] version``. From them this script writes every notebook's Colab
badge and setup cell and the README's Colab badges; ``tests/test_links.py`` fails when
any of them disagrees. After a fork, or for a new release, edit pyproject.toml, then

    python -m tools.links          # rewrite the badges and setup cells (make links)
    python -m tools.links --check  # only list what disagrees; exit 1 if anything does

The setup cell installs the tagged release, never ``main``, with the dependency ranges
of pyproject.toml, so on Colab it keeps Colab's own NumPy.
"""

import json
import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))

BADGE = re.compile(
    r"\[!\[Open In Colab\]\(https://colab\.research\.google\.com/assets/colab-badge\.svg\)\]"
    r"\(https://colab\.research\.google\.com/github/[^)\s]*?/notebooks/(?P<name>[\w.-]+\.ipynb)\)"
)
EXTRAS = re.compile(r'%pip install --quiet "[\w.-]+(?P<extras>\[[\w,]+\])? @ ')

SETUP_CELL = """\
# Setup (run this cell first): on Colab, install the course's library, release {tag}.
import sys

if "google.colab" in sys.modules:
    %pip install --quiet "{requirement}"

from nnlib.course import reproducible

reproducible.pin()  # before NumPy loads: the same numbers on every x86-64 CPU (see README)"""


def project() -> dict:
    """The [project] table of pyproject.toml."""
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def repository() -> str:
    """The repository's URL, e.g. https://github.com/owner/name."""
    url = project()["urls"]["Repository"].rstrip("/")
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise ValueError(f"Repository must be https://github.com/OWNER/NAME, got {url}")
    return url


def release_tag() -> str:
    """The git tag of this release: v + the project's version, e.g. v0.2.0."""
    return "v" + project()["version"]


def colab_badge(notebook: str) -> str:
    """The 'Open in Colab' badge of ``notebook`` (a file name), opening the release's copy."""
    path = repository().removeprefix("https://github.com/")
    url = (
        f"https://colab.research.google.com/github/{path}/blob/{release_tag()}/notebooks/{notebook}"
    )
    return f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({url})"


def setup_cell(extras: str = "") -> str:
    """The first code cell of every notebook; ``extras`` like '[widget]' for optional parts."""
    requirement = f"{project()['name']}{extras} @ git+{repository()}@{release_tag()}"
    return SETUP_CELL.format(tag=release_tag(), requirement=requirement)


def _fix_badges(text: str) -> str:
    return BADGE.sub(lambda m: colab_badge(m["name"]), text)


def _source(cell) -> str:
    return "".join(cell["source"])


def expected_notebook(nb: dict) -> dict:
    """``nb`` with its badges and setup cell as pyproject.toml says (outputs untouched)."""
    nb = json.loads(json.dumps(nb))
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    if code:
        match = EXTRAS.search(_source(code[0]))
        code[0]["source"] = setup_cell(match["extras"] or "" if match else "").splitlines(True)
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = _fix_badges(_source(cell)).splitlines(True)
    return nb


def dump(nb: dict) -> str:
    """A notebook as Jupyter writes it."""
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def sync(write: bool) -> list[Path]:
    """The files whose links disagree with pyproject.toml, rewritten when ``write``."""
    changed = []
    for path in NOTEBOOKS:
        text = path.read_text()
        fixed = dump(expected_notebook(json.loads(text)))
        if fixed != text:
            changed.append(path)
            if write:
                path.write_text(fixed)
    readme = REPO / "README.md"
    text = readme.read_text()
    if _fix_badges(text) != text:
        changed.append(readme)
        if write:
            readme.write_text(_fix_badges(text))
    return changed


def main(argv: list[str]) -> int:
    check = "--check" in argv
    changed = sync(write=not check)
    for path in changed:
        verb = "disagrees with" if check else "rewritten from"
        print(f"{path.relative_to(REPO)}: {verb} pyproject.toml ({repository()} @ {release_tag()})")
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
