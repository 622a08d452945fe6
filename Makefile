# The doors: make run | test | lint | bench | data | fetch
# Everything runs in a project virtual environment ($(VENV)), never in the system interpreter
# (Debian 12 / Ubuntu 24.04 refuse `pip install` there: PEP 668).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev

.PHONY: install install-dev run serve serve-replicas stop-replicas test test-fast lint format bench data fetch clean

$(PY):
	@$(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create the virtual environment $(VENV)."; \
	  echo "On Debian/Ubuntu install the venv module first: sudo apt-get install python3-venv"; \
	  exit 1; }

install: $(RUNTIME)
$(RUNTIME): requirements.txt | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

install-dev: $(DEV)
$(DEV): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@ $(RUNTIME)

data: install  ## sources folder (fetched into data/sources when there is none), then build when stale
	$(PY) -m mapping prepare

run: data serve  ## install, get data, build, serve on http://127.0.0.1:$(PORT)

serve: install
	$(PY) -m mapping.ui.serve --server.port $(PORT) --server.headless true

# N replicas of the app behind nginx on http://127.0.0.1:$(REPLICA_PORT), supervised (restarted when they die);
# Ctrl-C or `make stop-replicas` stops them all. Needs nginx (Debian: apt-get install nginx-light). See deploy/.
N ?= 3
REPLICA_PORT ?= 8080
serve-replicas: install
	$(PY) -m deploy.replicas start --n $(N) --port $(REPLICA_PORT)

stop-replicas:
	$(PY) -m deploy.replicas stop

# Two worker processes (pytest-xdist, one test file per worker at a time): ~13 min instead of ~21 on 2 cores.
# xdist needs every worker to collect the same test ids in the same order: ids are fixed strings, never built from
# bytes that carry a timestamp (gzip, xlsx). TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= 2
test: install-dev  ## the whole suite: unit, integration, app (AppTest), robustness and browser (Chromium) tests
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=15

test-fast: install-dev  ## the faster door for local work: no browser, no fresh clone, no fuzz or corrupted builds
	$(PY) -m pytest -m "not e2e and not clone and not slow" -x

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install-dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: install-dev  ## print the benchmark figures with their goals
	$(PY) -m bench

fetch: install  ## download every official file into data/sources (resumable; checksums in FETCHED.json)
	$(PY) -m mapping fetch

clean:
	rm -f data/clustermap.duckdb $(RUNTIME) $(DEV)
