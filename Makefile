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
# The same arithmetic on every x86 CPU, so trained numbers repeat bit for bit (measured: with
# the defaults, a toy model trained on an AMD EPYC ends 0.2 away from the same model trained on
# the machine that made the stored outputs). MKL's "compatible" code branch is the one its
# makers promise gives equal results on Intel and non-Intel CPUs; torch's own kernels are
# capped at AVX2, which every x86 server has. Both are read once, when torch starts.
export MKL_CBWR := COMPATIBLE
export ATEN_CPU_CAPABILITY := avx2

.PHONY: help install lab test test-unit test-notebooks lint notebooks clean

help:
	@echo "make lab        install if needed, then open the series in JupyterLab"
	@echo "make test       install if needed, then run every test"
	@echo "make install    create .venv and install the helpers with the pinned tested set"
	@echo "make notebooks  re-execute every notebook and store its outputs deterministically"
	@echo "make test-browser / test-colab / bench   single test layers and the benchmarks"
	@echo "make clean      remove .venv, .venv-colab, reports and caches"

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[lab,test,model]"
	touch $(STAMP)

# JupyterLab refuses to start as root (containers, CI) unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
# Extra flags, e.g.  make lab LAB_ARGS="--no-browser --port 8899"
LAB_ARGS ?=

lab: install
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(ROOT_FLAG) $(LAB_ARGS)

test: install lint test-unit test-notebooks test-browser test-colab

lint: install
	$(BIN)/ruff check helpers tests tools notebooks conftest.py
	$(BIN)/ruff format --check helpers tests tools conftest.py

test-unit: install
	$(BIN)/pytest tests/unit

test-notebooks: install
	$(BIN)/pytest --nbval notebooks

notebooks: install
	$(BIN)/python tools/run_notebooks.py

# -- where learners use the series: JupyterLab in a real browser, Colab; benchmarks ----------
COLAB       := .venv-colab
COLAB_STAMP := $(COLAB)/.installed

.PHONY: test-browser test-colab bench

# every notebook run in JupyterLab in headless Chromium; explorers moved with the keyboard
test-browser: install
	$(BIN)/python tools/run_layer.py tests/browser

# a second venv with Colab's widget stack; the helpers pip-installed (not editable) each run
$(COLAB_STAMP): tests/colab/constraints.txt
	test -x $(COLAB)/bin/python || $(PYTHON) -m venv $(COLAB)
	$(COLAB)/bin/python -m pip install --quiet --upgrade pip
	$(COLAB)/bin/python -m pip install --quiet -r tests/colab/constraints.txt
	touch $(COLAB_STAMP)

test-colab: $(COLAB_STAMP)
	$(COLAB)/bin/python tools/run_colab.py

# timings and sizes (reports/bench.md), every explorer's controls in JupyterLab among them;
# FRESH_INSTALL=1 also times a fresh `make install`; COMPARE=file.json puts an earlier run's
# explorer latencies beside these (e.g. a copy of reports/bench.json from before a change)
bench: install
	$(BIN)/python tools/benchmarks.py $(if $(FRESH_INSTALL),--fresh-install) \
		$(if $(COMPARE),--compare $(COMPARE))

clean:
	rm -rf $(VENV) $(COLAB) reports .pytest_cache .ruff_cache *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
