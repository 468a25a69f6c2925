# Two commands on a fresh Debian machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# E-ARK's package validator, in its own virtualenv: it pins an lxml digitize does not use.
EARK := .venv-eark
EARK_STAMP := $(EARK)/.installed

.PHONY: demo test deps lint samples bench fuzz docs examples clean

deps: $(STAMP) $(EARK_STAMP)
	@PYTHON=$(PYTHON) scripts/ensure-system-packages.sh
	@# An editable install is not byte-compiled (pip compiles only regular installs); where
	@# PYTHONDONTWRITEBYTECODE is set, every command would compile its modules again.
	@$(PY) -m compileall -q digitize

$(STAMP): pyproject.toml constraints.txt
	@PYTHON=$(PYTHON) scripts/ensure-system-packages.sh
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -c constraints.txt --upgrade pip
	@# tesserocr built on the system's libtesseract (the `tesseract` command's), not its wheel
	@# with a Tesseract of its own: the same library reads the same words.
	$(PY) -m pip install -q -c constraints.txt --no-binary tesserocr -e '.[dev,docs]'
	@touch $(STAMP)

$(EARK_STAMP): constraints-eark.txt
	@test -x $(EARK)/bin/python || $(PYTHON) -m venv $(EARK)
	$(EARK)/bin/python -m pip install -q -c constraints-eark.txt --upgrade pip
	$(EARK)/bin/python -m pip install -q -c constraints-eark.txt eark-validator
	@touch $(EARK_STAMP)

# The demo's own config: the samples' procedure catalogue, kept in out/ (never the desk's own).
DEMO_CONFIG := out/demo-config.toml

demo: deps
	$(PY) -m digitize.signing.demo
	@mkdir -p out
	@printf '[procedures]\nfile = "%s/out/demo-procedures.json"\n' "$(CURDIR)" > $(DEMO_CONFIG)
	$(VENV)/bin/digitize procedures import samples/procedures.csv --config $(DEMO_CONFIG)
	$(VENV)/bin/digitize run samples/ --out out/demo --config $(DEMO_CONFIG)
	$(VENV)/bin/digitize verify out/demo --trust "$$($(PY) -m digitize.signing.demo --ca-path)"

# What only the tests need: an SSH server and a PostgreSQL server they start, Debian's chromium
# for the browser tests. `make demo` installs none of them.
TEST_PACKAGES := openssh-server postgresql chromium chromium-driver

test: deps
	@PYTHON=$(PYTHON) scripts/ensure-system-packages.sh $(TEST_PACKAGES)
	$(VENV)/bin/ruff check digitize tests samples benchmarks
	$(PY) -m pytest

lint: deps
	$(VENV)/bin/ruff check digitize tests samples benchmarks

bench: deps
	@PYTHON=$(PYTHON) scripts/ensure-system-packages.sh ghostscript
	$(PY) -m pip install -q -c constraints.txt --no-binary tesserocr -e '.[dev,docs,bench]'
	$(PY) benchmarks/ocr_vs_ocrmypdf.py
	$(PY) benchmarks/real_pages.py
	$(PY) benchmarks/page_kinds.py
	$(PY) benchmarks/extraction_eval.py
	$(PY) benchmarks/signing.py
	$(PY) benchmarks/verification.py
	$(PY) benchmarks/index_find.py

# Ten thousand mutants of the real inputs through ocr's input stage, extract and verify.
fuzz: deps
	$(PY) benchmarks/fuzz.py --n 10000

# The documentation site (docs/, mkdocs.yml) into site/: offline, every warning an error. The
# command reference and the config reference are generated from the code as it builds.
docs: deps
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site

# Run every command on samples/ again and store what it prints in docs/examples/ (minutes: OCR).
examples: deps
	$(PY) scripts/capture-examples.py

samples: deps
	$(PY) samples/make_samples.py

clean:
	rm -rf out site .pytest_cache
