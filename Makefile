# The doors: make run | test | lint | bench | data | fetch
PYTHON ?= python3
PORT ?= 8501
STAMP := .make-installed

.PHONY: install run test lint format bench data fetch clean

install: $(STAMP)
$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

data: install  ## build data/clustermap.duckdb from the sources folder (skipped when already up to date)
	$(PYTHON) -m mapping build --if-stale

run: data  ## install, build, serve on http://127.0.0.1:$(PORT)
	$(PYTHON) -m mapping.ui.serve --server.port $(PORT) --server.headless true

test: install  ## the whole suite: unit, integration, app (AppTest) and browser (Chromium) tests
	$(PYTHON) -m pytest

lint: install
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

format: install
	$(PYTHON) -m ruff format .
	$(PYTHON) -m ruff check --fix .

bench: install  ## print the benchmark figures with their goals
	$(PYTHON) -m bench

fetch: install  ## download official files into data/sources (for machines without ../shared/data)
	$(PYTHON) -m mapping fetch

clean:
	rm -f data/clustermap.duckdb $(STAMP)
