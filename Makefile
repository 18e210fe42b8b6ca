# The two front doors: `make lab` and `make test`. Each bootstraps .venv itself,
# so a fresh clone needs only python3 (>= 3.10) and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test unit notebooks lessons lint clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "pkilab needs Python 3.10 or newer"'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[lab,test]'
	@touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

test: $(STAMP)
	$(BIN)/ruff check pkilab tests notebooks/build.py benchmarks
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

clean:
	rm -rf $(VENV) notebooks/_lab .pytest_cache
