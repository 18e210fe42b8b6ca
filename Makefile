# The two front doors: `make lab` and `make test`. Each bootstraps .venv itself,
# so a fresh clone needs only python3 (>= 3.10) and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test unit notebooks lessons lint clean test-pythons

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

test: $(STAMP)
	$(BIN)/ruff check pkilab tests notebooks/build.py benchmarks
	$(BIN)/ruff check --select F notebooks/src
	$(BIN)/python -m pytest tests
	$(BIN)/python -m pytest --nbval notebooks/ --nbval-sanitize-with notebooks/sanitize.cfg -p no:cacheprovider

unit: $(STAMP)
	$(BIN)/python -m pytest tests

notebooks: $(STAMP)
	$(BIN)/python -m pytest --nbval notebooks/ --nbval-sanitize-with notebooks/sanitize.cfg -p no:cacheprovider

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
