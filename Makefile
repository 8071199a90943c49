# The two commands a newcomer needs:  make lab   and   make test
# Everything runs from .venv at the repository root, created on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Same hash seed everywhere so that set/dict iteration cannot change stored outputs.
export PYTHONHASHSEED := 0
# Keep debugpy's "frozen modules" notice out of kernel output.
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help install lab test test-unit test-notebooks lint notebooks clean

help:
	@echo "make lab        install if needed, then open the series in JupyterLab"
	@echo "make test       install if needed, then run every test"
	@echo "make install    create .venv and install the helpers with the pinned tested set"
	@echo "make notebooks  re-execute every notebook and store its outputs deterministically"
	@echo "make clean      remove .venv and caches"

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[lab,test]"
	touch $(STAMP)

# JupyterLab refuses to start as root (containers, CI) unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
# Extra flags, e.g.  make lab LAB_ARGS="--no-browser --port 8899"
LAB_ARGS ?=

lab: install
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(ROOT_FLAG) $(LAB_ARGS)

test: install lint test-unit test-notebooks

lint: install
	$(BIN)/ruff check helpers tests notebooks conftest.py

test-unit: install
	$(BIN)/pytest tests

test-notebooks: install
	$(BIN)/pytest --nbval notebooks

notebooks: install
	$(BIN)/python tests/run_notebooks.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
