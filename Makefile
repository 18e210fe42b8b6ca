# The two front doors: `make lab` and `make test`. Each bootstraps .venv itself,
# so a fresh clone needs only python3 (>= 3.10) and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test unit notebooks notebooks-future notebooks-without-tools lessons lint clean \
        test-pythons

# The oldest supported Python (3.10) and the strict one (3.13, VERIFY_X509_STRICT on by
# default), where pyenv has them; CI runs the unit tests on both.
OTHER_PYTHONS ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.10*/bin/python)) \
                 $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python))

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "pkilab needs Python 3.10 or newer"'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[lab,test]'
	@touch $(STAMP)

# JupyterLab refuses to run as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/

# nbval re-runs every lesson and compares the outputs stored in it (notebooks/conftest.py
# leaves out cells tagged needs-<tool> where that tool is missing, as skipped).
NBVAL := $(BIN)/python -m pytest --nbval notebooks/ --nbval-sanitize-with notebooks/sanitize.cfg \
         -p no:cacheprovider

test: $(STAMP)
	$(BIN)/ruff check pkilab tests notebooks/build.py benchmarks
	$(BIN)/ruff check --select F notebooks/src
	$(BIN)/python -m pytest tests
	$(NBVAL)

unit: $(STAMP)
	$(BIN)/python -m pytest tests

notebooks: $(STAMP)
	$(NBVAL)

# The stored outputs must stay true for ten years: run nbval with the clock moved on
# (faketime, a Debian package, fakes the time for the kernel and everything it starts).
# The fixed date keeps December 2036 covered whenever this runs.
FUTURE_DATES := "+3 months" "+5 years" "+10 years" "2036-12-01 00:00:00"
notebooks-future: $(STAMP)
	@command -v faketime >/dev/null || { echo "needs faketime (apt-get install faketime)" >&2; exit 2; }
	@set -e; for when in $(FUTURE_DATES); do \
	  echo "== nbval with the clock at $$(faketime "$$when" date -u '+%F %T') UTC =="; \
	  faketime "$$when" $(NBVAL) -q; \
	done

# The lessons on a machine without openssl, curl, keytool, java or nginx (a Windows or
# macOS laptop): a private mount namespace hides each binary under /dev/null (not
# executable, so shutil.which finds nothing). Needs root (CI runs as root).
HIDDEN_TOOLS := openssl curl keytool java nginx pebble tshark
notebooks-without-tools: $(STAMP)
	unshare -m sh -c 'set -e; \
	  for path in $$(PATH="$$PATH:/usr/sbin:/usr/local/sbin" which -a $(HIDDEN_TOOLS) | \
	                 xargs -r readlink -f | sort -u); do \
	    mount --bind /dev/null "$$path"; echo "hidden: $$path"; \
	  done; \
	  $(MAKE) notebooks'

# Re-execute every lesson from notebooks/src/*.py and store it with outputs.
lessons: $(STAMP)
	$(BIN)/python notebooks/build.py

lint: $(STAMP)
	$(BIN)/ruff check pkilab tests notebooks/build.py benchmarks
	$(BIN)/ruff check --select F notebooks/src

test-pythons:
	@set -e; for py in $(OTHER_PYTHONS); do \
	  ver=$$($$py -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	  echo "== Python $$ver =="; \
	  [ -x .venv-$$ver/bin/python ] || $$py -m venv .venv-$$ver; \
	  .venv-$$ver/bin/python -m pip install --quiet --upgrade pip; \
	  .venv-$$ver/bin/python -m pip install --quiet -e '.[test]'; \
	  .venv-$$ver/bin/python -m pytest -q -p no:cacheprovider tests; \
	done

clean:
	rm -rf $(VENV) .venv-3.* notebooks/_lab .pytest_cache
