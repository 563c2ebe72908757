# RiskRadar developer entry points. `make run` and `make test` are the README's quick start.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)

.PHONY: run test bench venv system-deps demo-data clean lint

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[postgres,test]"
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

system-deps:
	@bash scripts/ensure-system-deps.sh

## Set up and run the real thing: web + scheduler on SQLite with demo data.
run: venv
	$(VENV)/bin/riskradar init-db
	$(VENV)/bin/riskradar demo --if-empty
	$(VENV)/bin/riskradar serve --demo

## Set up and run the whole test suite (SQLite, PostgreSQL when reachable, Chromium).
test: venv system-deps
	$(PY) -m pytest $(PYTEST_ARGS)

## Benchmarks at the stated scales (generates bench/data once, reproducible from a seed).
bench: venv
	$(PY) -m bench.run_all

clean:
	rm -rf $(VENV) instance bench/data bench/out .pytest_cache test-artifacts
