# The two commands that matter: `make site` builds everything, `make test` tests everything.
# Both set themselves up on a fresh machine (a project virtual environment from pinned requirements).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

# The other engines that build the same site, each in its own virtual environment, .venv-<engine>.
ENGINES := properdocs zensical

.PHONY: site html site-properdocs site-zensical engines setup test check sync serve lint clean distclean help
.PHONY: tool-chromium tool-pdftotext tool-java tool-headless-shell
.DEFAULT_GOAL := help

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 18

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.build-installed: requirements.txt constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	@touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.build-installed
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	@touch $@

# ProperDocs and Zensical, from requirements-<engine>.txt with the same constraints.
.venv-%/.installed: requirements-%.txt requirements.txt constraints.txt
	$(PYTHON) -m venv .venv-$*
	.venv-$*/bin/pip install --quiet --upgrade pip
	.venv-$*/bin/pip install --quiet -r requirements-$*.txt -c constraints.txt
	@touch $@

# Programs the PDF and the tests run, found by aiguide/tools.py (AIGUIDE_CHROMIUM, AIGUIDE_PDFTOTEXT and
# AIGUIDE_JAVA, else PATH, else where macOS installs them): Chromium prints the PDF and runs the browser tests
# (nothing downloads a browser of its own), poppler's pdftotext lets the tests read the PDF, and Java runs the
# Nu HTML Checker (vnu.jar). Missing on Debian and run as root, one is installed with apt-get; otherwise the
# build stops with one line saying what to install on Debian/Ubuntu, Fedora, macOS or Windows.
tool-chromium:
	@$(call need_tool,chromium,chromium)

tool-pdftotext:
	@$(call need_tool,pdftotext,poppler-utils)

tool-java:
	@$(call need_tool,java,default-jre-headless)

# Optional: Chromium's headless shell runs the browser tests on less CPU; where it cannot be installed they use Chromium.
tool-headless-shell:
	@command -v chromium-headless-shell >/dev/null || [ -n "$$AIGUIDE_HEADLESS_SHELL" ] || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing Debian package chromium-headless-shell"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null \
				|| echo "chromium-headless-shell could not be installed: the browser tests use Chromium"; \
		fi; \
	}

# axe-core and vnu.jar for the accessibility and HTML tests, exactly as package-lock.json pins them.
# --ignore-scripts: vnu-jar's postinstall would otherwise try to download a Java runtime.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

define need_tool
	$(PYTHON) -m aiguide.tools $(1) >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing Debian package $(2)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
		fi; \
		$(PYTHON) -m aiguide.tools $(1) >/dev/null; \
	}
endef

check: $(VENV)/.build-installed  ## Validate every data file (one line per problem)
	$(BIN)/python -m aiguide check

sync: $(VENV)/.build-installed  ## Write the per-theme page stubs and nav entries from the data
	$(BIN)/python -m aiguide sync

site: $(VENV)/.build-installed tool-chromium  ## Check the data, build site/ with the PDF and downloads, check links
	$(BIN)/python -m aiguide build
	@echo "open site/index.html, or publish site/ on any static host"

html: $(VENV)/.build-installed  ## The same without the PDF (quicker)
	$(BIN)/python -m aiguide build --no-pdf

engines: $(ENGINES:%=.venv-%/.installed)  ## Set up the ProperDocs and Zensical environments (make test does)

site-properdocs: .venv-properdocs/.installed tool-chromium  ## Build site-properdocs/ with ProperDocs, PDF included
	.venv-properdocs/bin/python -m aiguide build --engine properdocs --site-dir site-properdocs

site-zensical: .venv-zensical/.installed tool-chromium  ## Build site-zensical/ with Zensical, PDF included
	.venv-zensical/bin/python -m aiguide build --engine zensical --site-dir site-zensical

serve: $(VENV)/.build-installed  ## Preview at http://127.0.0.1:8000; data, page, template and code edits show on reload
	$(BIN)/python -m aiguide serve

lint: $(VENV)/.dev-installed  ## Lint the Python code
	$(BIN)/ruff check aiguide tests macros.py
	$(BIN)/ruff format --check aiguide tests macros.py

setup: $(VENV)/.dev-installed engines tool-chromium tool-headless-shell tool-pdftotext tool-java node_modules/.package-lock.json  ## Install everything make test needs (the dev container runs it)

test: setup  ## Install what the tests need, then run lint and every test
	$(BIN)/python -m aiguide check
	$(BIN)/python -m aiguide sync --check
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest

clean:  ## Remove build output
	rm -rf site .site.tmp-* .site.old-* build .pytest_cache $(foreach e,$(ENGINES),site-$(e) .site-$(e).tmp-* .site-$(e).old-*)

distclean: clean  ## Also remove the virtual environments and node_modules
	rm -rf $(VENV) $(ENGINES:%=.venv-%) node_modules
