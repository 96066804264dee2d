# The two commands that matter: `make site` builds everything, `make test` tests everything.
# Both set themselves up on a fresh machine (a project virtual environment from pinned requirements).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

CHROMIUM  := /usr/bin/chromium
PDFTOTEXT := /usr/bin/pdftotext
JAVA      := /usr/bin/java

.PHONY: site html test check sync serve lint clean distclean help
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

# Debian's Chromium prints the PDF and runs the browser tests (nothing downloads a browser of its own);
# poppler-utils' pdftotext lets the tests read the PDF. Installed with apt when run as root.
$(CHROMIUM):
	@$(call apt_install,chromium)

$(PDFTOTEXT):
	@$(call apt_install,poppler-utils)

# The Nu HTML Checker (vnu.jar) runs on Java.
$(JAVA):
	@$(call apt_install,default-jre-headless)

# axe-core and vnu.jar for the accessibility and HTML tests, exactly as package-lock.json pins them.
# --ignore-scripts: vnu-jar's postinstall would otherwise try to download a Java runtime.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

define apt_install
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian package $(1)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; \
	else \
		echo "Debian package $(1) is missing: install it with 'sudo apt-get install $(1)' and run make again." >&2; \
		exit 1; \
	fi
endef

check: $(VENV)/.build-installed  ## Validate every data file (one line per problem)
	$(BIN)/python -m aiguide check

sync: $(VENV)/.build-installed  ## Write the per-theme page stubs and nav entries from the data
	$(BIN)/python -m aiguide sync

site: $(VENV)/.build-installed $(CHROMIUM)  ## Check the data, build site/ with the PDF and downloads, check links
	$(BIN)/python -m aiguide build
	@echo "open site/index.html, or publish site/ on any static host"

html: $(VENV)/.build-installed  ## The same without the PDF (quicker)
	$(BIN)/python -m aiguide build --no-pdf

serve: $(VENV)/.build-installed  ## Preview at http://127.0.0.1:8000; data, page, template and code edits show on reload
	$(BIN)/python -m aiguide serve

lint: $(VENV)/.dev-installed  ## Lint the Python code
	$(BIN)/ruff check aiguide tests macros.py
	$(BIN)/ruff format --check aiguide tests macros.py

test: $(VENV)/.dev-installed $(CHROMIUM) $(PDFTOTEXT) $(JAVA) node_modules/.package-lock.json  ## Install what the tests need, then run lint and every test
	$(BIN)/python -m aiguide check
	$(BIN)/python -m aiguide sync --check
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest

clean:  ## Remove build output
	rm -rf site .site.tmp-* .site.old-* build .pytest_cache

distclean: clean  ## Also remove the virtual environment and node_modules
	rm -rf $(VENV) node_modules
