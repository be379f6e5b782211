# make demo / make test / make eval / make bench: each creates .venv and installs the pinned requirements first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test eval bench clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m crawler demo

test: $(STAMP)
	$(PY) -m pytest -q

eval: $(STAMP)
	$(PY) bench/eval.py

bench: $(STAMP)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) data/demo .pytest_cache
