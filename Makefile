# Everything installs into .venv from pyproject.toml on first use; later runs reuse it.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test bench lint sandbox serve worker check-config clean

$(STAMP): pyproject.toml sandbox/pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv --clear $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -e ./sandbox -e ".[dev,sandbox]"
	@touch $(STAMP)

## make demo: sandbox Jira + Confluence, Redis, SMTP, service and worker; sample incidents through every stage
demo: $(STAMP)
	@$(PY) -m debrief demo

## make test: the whole suite against a real Redis (started privately when none runs)
test: $(STAMP)
	@$(PY) -m sandbox.local_redis -- $(PY) -m pytest $(PYTEST_ARGS)

## make bench: speed and Atlassian cost as ratios in one run (table; figures in .bench/latest.json); never fails
bench: $(STAMP)
	@$(PY) -m sandbox.local_redis -- $(PY) -m bench

lint: $(STAMP)
	@$(PY) -m ruff check .

check-config: $(STAMP)
	@$(PY) -m debrief check-config

sandbox: $(STAMP)
	@$(PY) -m debrief sandbox

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info
