# Entry points. Each target creates .venv with the pinned packages on first use,
# so a fresh clone needs only Python 3.11, pip and gcc.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test report dry-run lock clean

$(INSTALLED): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and alone, at the locked version, so that no other package's
	# looser requirement picks a different build (on PyPI for Linux x86-64 the
	# default is the multi-GB CUDA build; a local CPU wheel is taken if pip has one).
	$(BIN)/pip install --quiet torch==$$(sed -n 's/^torch==//p' requirements.lock)
	$(BIN)/pip install --quiet --constraint requirements.lock --editable ".[test]"
	touch $@

## run: the whole cross-validation on the embedded demo (config/config.yaml)
run: $(INSTALLED)
	$(BIN)/snakemake --cores 1 --resources gpu=1

## test: the test suite
test: $(INSTALLED)
	$(BIN)/pytest

## report: results/report.html from the last run
report: $(INSTALLED)
	$(BIN)/snakemake --report results/report.html

## dry-run: list the jobs a run would execute
dry-run: $(INSTALLED)
	$(BIN)/snakemake --dry-run

## lock: rewrite requirements.lock from the current environment
lock: $(INSTALLED)
	{ sed -n '1,2p' requirements.lock; $(BIN)/pip freeze --exclude-editable | sed 's/+cpu$$//'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf results/* resources/* logs .snakemake
