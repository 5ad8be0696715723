# The two commands of the README (`make run`, `make test`) do all set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: install seed run test bench eval clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Offline caches (tiktoken) and the sample index, built only when missing.
seed: install
	$(PY) -m assistant setup

run: seed
	$(VENV)/bin/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

test: install
	$(PY) -m pytest

bench: install
	$(PY) -m benchmarks

eval: install
	$(PY) -m assistant eval --backend offline --compare evals/baseline.json

clean:
	rm -rf .data .pytest_cache
