# npopt's two commands (see README.md):
#   make bench   the main job: HEAD across the NumPy matrix with asv, offline dashboard in html/,
#                the overview table (speedup per NumPy version) in the terminal
#   make test    the tests: correctness on hostile input, bad-input errors, the benchmark suite itself,
#                the dashboard in a headless browser
# Each sets up the project virtualenv .venv from requirements-dev.txt (pinned) on first use.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
BUILT := $(VENV)/.built
NUMPY_ARGS := $(foreach v,$(NUMPY),--numpy $(v))
BENCH_ARGS := $(if $(BENCH),--bench '$(BENCH)')

.PHONY: test bench bench-quick history repeat publish overview claims summary serve gate bisect nightly-local merge machine clean report year

$(READY): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# npopt itself, editable, with the Cython extension built against the venv's NumPy
$(BUILT): $(READY) setup.py pyproject.toml npopt/_recurrences.pyx
	$(BIN)/python -m pip install --quiet --no-build-isolation --no-deps -e .
	touch $@

# The dashboard test's browser (tests/test_dashboard.py): the Chromium or Google Chrome that CHROMIUM names,
# else chromium on the PATH, else Debian's, installed with apt-get where there is apt-get (a test tool's own
# browser download does not work here)
DEBIAN_CHROMIUM := /usr/bin/chromium
BROWSER := $(if $(CHROMIUM)$(shell command -v chromium),,$(DEBIAN_CHROMIUM))
$(DEBIAN_CHROMIUM):
	@command -v apt-get > /dev/null || { echo "make test needs a Chromium for the dashboard test. On macOS:" \
	  "brew install --cask chromium (or install Google Chrome), then" \
	  "CHROMIUM=\"/Applications/Chromium.app/Contents/MacOS/Chromium\" make test (or" \
	  "CHROMIUM=\"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome\" make test)" >&2; exit 1; }
	@[ "$$(id -u)" = 0 ] || { echo "make test needs Debian's chromium: sudo apt-get install -y chromium" >&2; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null

# Debian's valgrind (with callgrind.h) for the counted cost of the kernels (measurement/cost.py), which the
# tests, the asv figures and the gate use: on Linux only. Valgrind does not exist for macOS, where the counted
# figures are n/a and the gate decides by wall time.
ifeq ($(shell uname -s),Linux)
VALGRIND := /usr/bin/valgrind
$(VALGRIND):
	@[ "$$(id -u)" = 0 ] && command -v apt-get > /dev/null || \
	  { echo "npopt's cost counter needs Debian's valgrind: sudo apt-get install -y valgrind" >&2; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind > /dev/null
endif

test: $(BUILT) $(BROWSER) $(VALGRIND)
	$(BIN)/python -m pytest
	$(BIN)/asv check --python=same

bench: $(BUILT) $(VALGRIND)     ## make bench [NUMPY="2.0.2 2.4.6"] [BENCH=regex]
	$(BIN)/python -m tools.bench $(NUMPY_ARGS) $(BENCH_ARGS)

bench-quick: $(BUILT) $(VALGRIND)
	$(BIN)/python -m tools.bench --quick $(NUMPY_ARGS)

history: $(BUILT) $(VALGRIND)   ## make history [N=5 | RANGE=A..B] [NUMPY=2.4.6]
	$(BIN)/python -m tools.bench history $(or $(RANGE),$(N),5) $(NUMPY_ARGS)

repeat: $(BUILT)                ## make repeat [RUNS=5] [NUMPY="2.4.6 ..."] [BENCH=regex] [REPEAT_ARGS="--check --all-numpy"]
	$(BIN)/python -m tools.repeat --runs $(or $(RUNS),5) $(NUMPY_ARGS) $(BENCH_ARGS) $(REPEAT_ARGS)

publish: $(BUILT)
	$(BIN)/python -m tools.dashboard.publish

overview: $(BUILT)
	$(BIN)/python -m tools.reports.overview --csv overview.csv --json overview.json

claims: $(BUILT)                ## NumPy's release-note speed claims against the stored results
	$(BIN)/python -m tools.reports.claims

summary: $(BUILT)
	$(BIN)/python -m tools.reports.summary

report: $(BUILT)                ## the results pages (docs/results/) and the README's results table, from results/
	$(BIN)/python -m tools.reports.report

serve: $(BUILT)
	$(BIN)/python -m tools.dashboard.serve

gate: $(BUILT) $(VALGRIND)      ## make gate [BASELINE=rev] [CANDIDATE=rev] [BENCH=regex] [GATE_ARGS="--rounds 8 ..."]
	$(BIN)/python -m tools.gate $(if $(BASELINE),--baseline $(BASELINE)) $(if $(CANDIDATE),--candidate $(CANDIDATE)) $(BENCH_ARGS) $(GATE_ARGS)

bisect: $(BUILT) $(VALGRIND)    ## make bisect GOOD=rev [BAD=rev] [BENCH=regex] [BISECT_ARGS="--json F ..."]
	$(BIN)/python -m tools.gate.bisect $(if $(GOOD),--good $(GOOD)) $(if $(BAD),--bad $(BAD)) $(BENCH_ARGS) $(BISECT_ARGS)

nightly-local: $(BUILT) $(VALGRIND) ## make nightly-local [NUMPY=2.4.6] [BENCH=regex]: the nightly fan-out, four nights, here
	$(BIN)/python -m testing.nightly $(if $(NUMPY),--numpy '$(NUMPY)') $(if $(BENCH),--bench '$(BENCH)')

merge: $(BUILT)                ## make merge NIGHTS=folder [MERGE_ARGS="--markdown F --issues DIR"]: the nightly's artifacts onto the results branch
	$(BIN)/python -m tools.nightly.merge $(NIGHTS) $(MERGE_ARGS)

machine: $(READY)               ## this machine's fingerprint name (results/<name>/)
	@$(BIN)/python -m tools.machine --name

year: $(BUILT) $(BROWSER)       ## a year of nights simulated: the results branches' size, publish's time, the dashboard's (docs/year.md)
	$(BIN)/python -m tools.year --docs

clean:
	rm -rf $(VENV) build *.egg-info npopt/*.so npopt/*.c
