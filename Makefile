# npopt's two commands (see README.md):
#   make bench   the main job: benchmark HEAD with asv, publish html/, print the summary table
#   make test    the tests: correctness on hostile input, bad-input errors, the benchmark suite itself
# Each sets up the project virtualenv .venv from requirements-dev.txt (pinned) on first use.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
BUILT := $(VENV)/.built

.PHONY: test bench publish summary serve clean

$(READY): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# npopt itself, editable, with the Cython extension built against the venv's NumPy
$(BUILT): $(READY) setup.py pyproject.toml npopt/_recurrences.pyx
	$(BIN)/python -m pip install --quiet --no-build-isolation --no-deps -e .
	touch $@

test: $(BUILT)
	$(BIN)/python -m pytest
	$(BIN)/asv check --python=same

bench: $(BUILT)
	bash tools/bench.sh

publish: $(BUILT)
	$(BIN)/asv publish

summary: $(BUILT)
	$(BIN)/python tools/summary.py

clean:
	rm -rf $(VENV) build *.egg-info npopt/*.so npopt/*.c
