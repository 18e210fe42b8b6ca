# The two front doors: `make lab` and `make test`. Each bootstraps .venv itself,
# so a fresh clone needs only python3 (>= 3.10) and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test unit notebooks notebooks-en notebooks-zh notebooks-future \
        notebooks-without-tools lessons lessons-en lessons-zh catalogues lint clean test-pythons

# The oldest supported Python (3.10) and the strict one (3.13, VERIFY_X509_STRICT on by
# default), where pyenv has them; CI runs the unit tests on both.
OTHER_PYTHONS ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.10*/bin/python)) \
                 $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python))

# The venv starts without pip (0.1 s instead of ~4 s for ensurepip): uv, itself one wheel
# from PyPI, is installed into it by running pip straight from the wheel Python bundles
# for ensurepip, and then installs everything, pip included, several times faster than pip
# does (benchmarks/bench_bootstrap.py). Where any of that fails (no uv wheel for this
# platform, no bundled pip wheel, an index only pip is configured for), ensurepip and
# pip do the install as before. INSTALLER=pip skips uv.
INSTALLER ?= uv
EXTRAS    ?= lab,test
PIP_WHEEL := import ensurepip, glob, os; here = os.path.dirname(ensurepip.__file__); \
             print((sorted(glob.glob(here + "/_bundled/pip-*.whl")) + \
                    sorted(glob.glob("/usr/share/python-wheels/pip-*.whl")))[-1])
WITH_PIP  := { $(BIN)/python -m pip --version >/dev/null 2>&1 || \
               $(BIN)/python -m ensurepip --default-pip >/dev/null || \
               { echo "ensurepip failed: on Debian/Ubuntu, sudo apt install python3-venv" >&2; \
                 exit 1; }; }
BY_PIP    := $(WITH_PIP) && $(BIN)/python -m pip install --quiet --upgrade pip && \
             $(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "pkilab needs Python 3.10 or newer"'
	$(PYTHON) -m venv --without-pip $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	@if [ "$(INSTALLER)" = uv ] && { [ -x $(BIN)/uv ] || \
	      PYTHONPATH="$$($(BIN)/python -c '$(PIP_WHEEL)' 2>/dev/null)" \
	      $(BIN)/python -m pip install --quiet --disable-pip-version-check uv 2>/dev/null; }; \
	then \
	  echo "installing with uv (INSTALLER=pip for pip)"; \
	  $(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[$(EXTRAS)]' pip || \
	  { echo "uv failed; installing with pip" >&2; $(BY_PIP); }; \
	else \
	  $(BY_PIP); \
	fi
	@touch $(STAMP)

# JupyterLab refuses to run as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

# Extra arguments for JupyterLab: make lab ARGS="--port 9999 --no-browser". Without a
# browser to open (a server, a container), JupyterLab's own log has the address; the line
# below says so first, since that log is long.
ARGS ?=
lab: $(STAMP)
	@$(BIN)/python -c 'import webbrowser, sys; webbrowser.get()' 2>/dev/null || \
	  echo "No browser found here: open the http://127.0.0.1:...?token=... address" \
	       "JupyterLab prints below (or run: $(BIN)/jupyter server list)."
	$(BIN)/jupyter lab $(ROOT_FLAG) $(ARGS) notebooks/

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

# One edition: English (notebooks/*.ipynb) or Chinese (notebooks/zh-CN/*.ipynb).
notebooks-en: $(STAMP)
	$(NBVAL) --ignore=notebooks/zh-CN

notebooks-zh: $(STAMP)
	$(BIN)/python -m pytest --nbval notebooks/zh-CN/ --nbval-sanitize-with \
	  notebooks/sanitize.cfg -p no:cacheprovider

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

# Re-execute every lesson from notebooks/src/*.py and store it with outputs, both
# editions (English notebooks/, Chinese notebooks/zh-CN/), or one.
lessons: $(STAMP)
	$(BIN)/python notebooks/build.py

lessons-en: $(STAMP)
	$(BIN)/python notebooks/build.py --edition en

lessons-zh: $(STAMP)
	$(BIN)/python notebooks/build.py --edition zh-CN

# pkilab's translations: add new messages (empty) to pkilab/locale/*/LC_MESSAGES/pkilab.po,
# drop unused ones, compile the .mo. Fill the empty msgstr, then run it again.
catalogues: $(STAMP)
	$(BIN)/python -m pkilab.i18n_catalogue

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
	rm -rf $(VENV) .venv-3.* notebooks/_lab notebooks/zh-CN/_lab .pytest_cache
