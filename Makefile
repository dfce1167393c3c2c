# The two commands of the README: `make report` and `make test`. Both set up .venv first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORES ?= 2

.PHONY: report test lint format clean setup lock

# Build every audit (`auditrap build` runs the workflow as `snakemake --cores` does, without
# Snakemake's job-rate limiter: see src/auditrap/build.py), then put Snakemake's own report of
# the run (rule code, parameters, runtimes) into each audit's internal edition.
report: $(STAMP)
	$(BIN)/auditrap build --cores $(CORES)
	@for audit in $$($(BIN)/python -c 'import yaml; print(" ".join(yaml.safe_load(open("config.yaml"))["audits"]))'); do \
		$(BIN)/snakemake --quiet all --report report/_output/$$audit/internal/workflow-report.html; \
	done

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src scripts tests benchmarks
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/snakemake --lint

format: $(STAMP)
	$(BIN)/ruff format src scripts tests benchmarks
	$(BIN)/snakefmt Snakefile workflow/rules

setup: $(STAMP)

# The virtual environment, from the pinned, hash-checked lock file. uv is used when it is
# on PATH (about ten times faster); otherwise the standard venv and pip. Either way .venv ends
# up holding exactly what the lock pins (a package the lock no longer pins, such as a cluster
# executor from requirements-cluster.lock, is removed), then the project itself, editable.
$(STAMP): requirements.lock pyproject.toml
	@set -e; if command -v uv >/dev/null 2>&1; then \
		echo "Setting up $(VENV) with uv"; \
		[ -x $(BIN)/python ] || uv venv --quiet --python $(PYTHON) $(VENV); \
		uv pip sync --quiet --compile-bytecode --python $(BIN)/python --require-hashes requirements.lock; \
		uv pip install --quiet --python $(BIN)/python --no-deps -e .; \
	else \
		echo "Setting up $(VENV) with pip"; \
		[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV); \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock; \
		unpinned=$$($(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check \
			| sed -E 's/[ =@<>!~;].*//' | tr 'A-Z_.' 'a-z--' \
			| grep -vxF -f <(grep -oE '^[A-Za-z0-9_.-]+==' requirements.lock | sed 's/==$$//' | tr 'A-Z_.' 'a-z--') \
			|| true); \
		[ -z "$$unpinned" ] || $(BIN)/python -m pip uninstall --quiet --disable-pip-version-check -y $$unpinned; \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .; \
	fi
	@$(BIN)/python -m compileall -q src scripts >/dev/null
	@touch $(STAMP)

# Remove everything the pipeline derived (the raw data is never touched).
clean:
	rm -rf data/processed report/_output logs .snakemake

# Re-pin every dependency after a change to pyproject.toml, then regenerate environment.yml.
# Two locks: requirements-cluster.lock pins everything, the cluster extra included (Snakemake's
# SLURM and Kubernetes executors, docs/cluster.md); requirements.lock, which `make` installs,
# pins the package and its tests only, each at the version the cluster lock has, so that both
# environments run the same code. The cluster lock is resolved first, as it has more to satisfy.
LOCK_OPTIONS := --python-version 3.11 --generate-hashes --quiet --custom-compile-command "make lock"

lock:
	uv pip compile pyproject.toml --extra test --extra cluster $(LOCK_OPTIONS) -o requirements-cluster.lock
	uv pip compile pyproject.toml --extra test -c requirements-cluster.lock $(LOCK_OPTIONS) -o requirements.lock
	rm -f environment.yml && $(MAKE) environment.yml

# environment.yml carries the lock file's pins for people who use conda.
environment.yml: requirements.lock
	$(PYTHON) -c 'import re,sys; pins=re.findall(r"^([A-Za-z0-9_.-]+==[^ \\\n]+)", open("requirements.lock").read(), re.M); \
	print("# Generated from requirements.lock by `make environment.yml`: the same pins, for conda users.\n# conda env create -f environment.yml && conda activate auditrap && pip install --no-deps -e .\nname: auditrap\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pip\n  - pip:"); \
	[print("      - " + p) for p in pins]' > $@
