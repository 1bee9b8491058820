# roi-reports — every target creates .venv itself, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED := ../shared

.PHONY: demo test lint fmt clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	@echo "== roi-reports metrics on sample_data/roi-sample.xlsx (by channel, October 2026)"
	$(BIN)/roi-reports metrics --by channel --period 2026-10 --compare sample_data/roi-sample.xlsx
	@echo
	@echo "== by employee, whole sample (JSON written to demo-out/metrics-by-employee.json)"
	@mkdir -p demo-out
	$(BIN)/roi-reports metrics --by employee --format json sample_data/roi-sample.xlsx \
		> demo-out/metrics-by-employee.json
	@echo "Demo output: $(CURDIR)/demo-out/metrics-by-employee.json"

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check roi_reports tests
	$(BIN)/ruff format --check roi_reports tests
	$(BIN)/mypy roi_reports

fmt: $(STAMP)
	$(BIN)/ruff format roi_reports tests
	$(BIN)/ruff check --fix roi_reports tests

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis demo-out
