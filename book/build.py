"""Build the course website into _build/site (`make site`), offline and without
executing a notebook: the pages show the outputs stored in the notebooks.

Jupyter Book 1 builds one source folder. Ours, _build/book, is made fresh on every
build and laid out like the repository: this folder's _config.yml, _toc.yml and
_ext/, README.md (the home page), notebooks/NN_*.ipynb and every local file that the
README links to (the benchmark report and its figure). Copying, rather than building
from the repository root, keeps Sphinx out of .venv/ and data/, keeps the README's
relative links valid, and leaves the sources unchanged, so a page's download button
gives exactly the repository's notebook. Every build starts from scratch (about 15 s),
so no page of a renamed or deleted notebook lingers in the site.

The repository URL and the release tag that the Colab launch buttons point at come
from pyproject.toml ([project.urls] Repository and "v" + [project] version).
"""

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
SOURCE = ROOT / "_build" / "book"
SITE = ROOT / "_build" / "site"
DOCTREES = ROOT / "_build" / "doctrees"

# [text](target) in Markdown; the targets the README links to inside the repository
LINK = re.compile(r"\]\(([^)\s]+)\)")


def repository():
    """The repository URL and the release tag, from pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project["urls"]["Repository"], "v" + project["version"]


def local_links(markdown):
    for target in LINK.findall(markdown):
        path = target.split("#", 1)[0]
        if path and ":" not in path and not path.startswith("/"):
            yield path


def stage():
    for folder in (SOURCE, SITE, DOCTREES):
        shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(BOOK, SOURCE, ignore=shutil.ignore_patterns("build.py", "__pycache__"))
    readme = (ROOT / "README.md").read_text()
    files = ["README.md", *local_links(readme)]
    files += [p.relative_to(ROOT) for p in sorted(ROOT.glob("notebooks/[0-9][0-9]_*.ipynb"))]
    for name in files:
        if not (ROOT / name).is_file():
            sys.exit(f"README.md links to {name}, which is not a file of the repository")
        (SOURCE / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, SOURCE / name)

    url, tag = repository()
    config = yaml.safe_load((BOOK / "_config.yml").read_text())
    config["repository"].update(url=url, branch=tag)
    (SOURCE / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))


def build():
    stage()
    bin_dir = Path(sys.executable).parent
    run([bin_dir / "jupyter-book", "config", "sphinx", SOURCE])
    # The generated conf.py leaves local_extensions' folder off sys.path.
    env = {**os.environ, "PYTHONPATH": str(SOURCE / "_ext")}
    # -W: any warning (a broken cross-reference, a remote asset) fails the build
    sphinx = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going"]
    run([*sphinx, "-d", DOCTREES, SOURCE, SITE], env=env)
    print(f"site: {SITE / 'index.html'}")


def run(command, **kwargs):
    if subprocess.run(command, **kwargs).returncode:
        sys.exit(f"make site failed in: {' '.join(map(str, command))}")


if __name__ == "__main__":
    build()
