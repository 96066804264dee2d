# The two commands that matter: `make site` builds everything, `make test` tests everything.
# Both set themselves up on a fresh machine (a project virtual environment from pinned requirements).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: site test check sync serve lint clean distclean help
.DEFAULT_GOAL := help

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.build-installed: requirements.txt constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	@touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.build-installed
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	@touch $@

check: $(VENV)/.build-installed  ## Validate every data file (one line per problem)
	$(BIN)/python -m aiguide check

sync: check  ## Write the per-theme page stubs and nav entries from the data
	$(BIN)/python -m aiguide sync

site: sync  ## Check the data and build the site into site/ (the old site stays if the build fails)
	rm -rf site.tmp
	$(BIN)/mkdocs build --strict --site-dir site.tmp
	rm -rf site.old && if [ -d site ]; then mv site site.old; fi && mv site.tmp site && rm -rf site.old
	@echo "site built in site/ (open site/index.html, or run: make serve)"

serve: sync  ## Preview at http://127.0.0.1:8000 with live reload on data/, templates and package changes
	$(BIN)/mkdocs serve

lint: $(VENV)/.dev-installed  ## Lint the Python code
	$(BIN)/ruff check aiguide tests macros.py
	$(BIN)/ruff format --check aiguide tests macros.py

test: $(VENV)/.dev-installed  ## Install what the tests need, then run lint and every test
	$(BIN)/python -m aiguide check
	$(BIN)/python -m aiguide sync --check
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest

clean:  ## Remove build output
	rm -rf site site.tmp site.old .pytest_cache

distclean: clean  ## Also remove the virtual environment
	rm -rf $(VENV)
