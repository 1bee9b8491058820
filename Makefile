# roi-reports — every target creates .venv itself, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED := ../shared
# system libraries, fonts and programs: checked (and installed when possible) by one script
SYSDEPS := PYTHON=$(PYTHON) .ci/sysdeps

.PHONY: demo test lint fmt clean catalogs bench bench-scale bench-burst

$(STAMP): pyproject.toml
	@$(SYSDEPS) base
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

DEMO := demo-out/team-roi

demo: $(STAMP)
	@$(SYSDEPS) demo
	@rm -rf $(DEMO)
	$(BIN)/roi-reports init $(DEMO)
	@cat sample_data/demo-stakeholders.toml >> $(DEMO)/roi-reports.toml
	@cp sample_data/employees.csv $(DEMO)/inbox/
	$(BIN)/roi-reports run --dir $(DEMO) --period 2026-10 --no-send
	@echo
	@echo "Excel workbook: $(CURDIR)/$(DEMO)/out/2026-10/roi-summary-2026-10.xlsx"
	@echo "PDF reports:    $(CURDIR)/$(DEMO)/out/2026-10/pdf/"
	@ls $(DEMO)/out/2026-10/pdf | sed 's/^/                  /'
	@echo "Outbox (.eml):  $(CURDIR)/$(DEMO)/outbox/2026-10/"
	@ls $(DEMO)/outbox/2026-10 | sed 's/^/                  /'

# ROWS=… scales the inputs (default 1,000,000); generated once under .bench/ and reused
bench: $(STAMP)
	@$(SYSDEPS) demo
	$(BIN)/python -m roi_reports.bench

# pandas engine vs Dask local cluster; ROWS=… (default 20_000_000), Parquet generated once
bench-scale: $(STAMP)
	@$(SYSDEPS) demo
	$(BIN)/python -m roi_reports.bench.scale

# the monthly job mails EMPLOYEES=… (default 1,000) through a local throttling SMTP server
bench-burst: $(STAMP)
	@$(SYSDEPS) demo
	$(BIN)/python -m roi_reports.bench.burst

test: $(STAMP)
	@$(SYSDEPS) test
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check roi_reports tests
	$(BIN)/ruff format --check roi_reports tests
	$(BIN)/mypy roi_reports

fmt: $(STAMP)
	$(BIN)/ruff format roi_reports tests
	$(BIN)/ruff check --fix roi_reports tests

# Re-extract the user-visible strings, merge them into the fi/fa catalogs, compile the .mo
# files (committed: a fresh clone and `pip install .` need no build step). Translate the
# new empty msgstr entries, then run this again; tests/test_i18n.py fails while any is empty.
catalogs: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k t --no-location --sort-output \
		-o roi_reports/locale/roi_reports.pot .
	$(BIN)/pybabel update -D roi_reports -i roi_reports/locale/roi_reports.pot \
		-d roi_reports/locale --width 100 --ignore-obsolete
	$(BIN)/pybabel compile -D roi_reports -d roi_reports/locale --statistics

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis demo-out .bench
