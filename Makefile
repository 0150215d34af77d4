# The course's set-up and checks. `make course` and `make test` are all a new
# reader needs: each creates the virtual environment, installs the pinned
# requirements and fetches the data first, doing only what is not done yet.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: course test setup data models lint format execute links cross-cpu benchmark clean setup-site site test-site \
	setup-colab setup-floors colab floors

# Jupyter refuses to run as root unless told; containers often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

course: data ## open the course in Jupyter Lab
	$(BIN)/jupyter lab $(ALLOW_ROOT) notebooks/01_loading_mnist.ipynb

test: data ## run the unit tests and validate every notebook against its stored outputs
	$(BIN)/python -m pytest --nbval

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# The website's build and browser-test packages, in the same .venv.
setup-site: $(VENV)/.installed-site

$(VENV)/.installed-site: $(VENV)/.installed requirements-site.txt requirements.txt constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-site.txt
	touch $@

site: _build/site/index.html ## the course as a static website in _build/site, from the stored outputs, offline

# Rebuilt (from scratch) when a source changes; a folder's own date changes when a
# file in it is added, renamed or deleted.
SITE_SOURCES := README.md pyproject.toml book book/_ext $(wildcard book/* book/_ext/*) \
	notebooks $(wildcard notebooks/[0-9][0-9]_*.ipynb) benchmarks/results $(wildcard benchmarks/results/*)

_build/site/index.html: $(VENV)/.installed-site $(SITE_SOURCES)
	$(BIN)/python book/build.py

test-site: site ## open every page of the site in headless Chromium (/usr/bin/chromium) and check it
	$(BIN)/python -m pytest -m browser tests/browser

data: setup ## download and verify MNIST and Fashion-MNIST into data/
	$(BIN)/python -m nnlib download --dataset mnist
	$(BIN)/python -m nnlib download --dataset fashion-mnist

models: data ## train the course's best network into data/models once (notebooks 08 and 11 read it)
	$(BIN)/python -c "from nnlib.course import reproducible; reproducible.pin(); \
	from nnlib.course import recipes; recipes.best_network(0)"

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

execute: data ## re-run notebooks top to bottom and store their outputs (NB="notebooks/06_*.ipynb")
	$(BIN)/python -m tools.execute $(NB)

links: setup ## write pyproject.toml's repository URL and release tag into badges and setup cells
	$(BIN)/python -m tools.links

cross-cpu: data ## re-run every notebook under an emulated other CPU; every output must match the stored one
	$(BIN)/python -m tools.cross_cpu

# The course outside its repository (tools/colab.py): two more virtual environments,
# one with Colab's NumPy, pandas and matplotlib on Python 3.12, one with exactly the floors
# pyproject.toml declares on Python 3.11. Each runs every unit test, and half of the
# notebooks, each notebook alone in an empty folder as on Colab (its setup cell pip-installs
# the package from git, here from a local copy of the commit under test): every notebook
# runs in one of the two, the split balancing their run times. The unit tests run the
# repository's code, installed editable for the commands they start (the notebooks' own
# install replaces it with the package built from git). The best network comes
# from data/models (`make models`), standing in for the release.
COLAB_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) python3.12)
FLOORS_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.11*/bin/python3.11) python3.11)
COLAB_NOTEBOOKS := $(wildcard notebooks/0[1238]_*.ipynb notebooks/1[01]_*.ipynb)
FLOORS_NOTEBOOKS := $(wildcard notebooks/0[45679]_*.ipynb)
# An editable install writes nnlib_course.egg-info here: CI runs both targets at once.
ONE_AT_A_TIME := $(if $(shell command -v flock),flock .editable.lock)

setup-colab: .venv-colab/.installed
setup-floors: .venv-floors/.installed

.venv-colab/.installed: pyproject.toml requirements.txt constraints.txt tools/colab.py
	$(PYTHON) -m tools.colab setup colab --venv .venv-colab --python $(COLAB_PYTHON)

.venv-floors/.installed: pyproject.toml requirements.txt constraints.txt tools/colab.py
	$(PYTHON) -m tools.colab setup floors --venv .venv-floors --python $(FLOORS_PYTHON)

colab: setup-colab models ## unit tests with Colab's versions; notebooks 01-03, 08, 10, 11 alone, Colab-like
	$(ONE_AT_A_TIME) .venv-colab/bin/python -m pip install -q --no-deps --no-build-isolation -e .
	.venv-colab/bin/python -m pytest -q -m 'not browser and not grading' tests
	$(BIN)/python -m tools.colab run --venv .venv-colab $(COLAB_NOTEBOOKS)

floors: setup-floors models ## unit tests on the declared floors; notebooks 04-07, 09 alone, Colab-like
	$(ONE_AT_A_TIME) .venv-floors/bin/python -m pip install -q --no-deps --no-build-isolation -e .
	.venv-floors/bin/python -m pytest -q -m 'not browser and not grading' tests
	$(BIN)/python -m tools.colab run --venv .venv-floors $(FLOORS_NOTEBOOKS)

benchmark: setup ## the speed benchmark (install benchmarks/requirements.txt first for PyTorch)
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) .venv-colab .venv-floors _build
