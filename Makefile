# Two commands for a fresh machine: `make run` (set up, prepare models, ingest corpus/, serve) and `make test`.
HOST ?= 127.0.0.1
PORT ?= 8000
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DATA ?= data
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export KG_DATA_DIR ?= $(DATA)

.PHONY: setup models ingest run test lint bench clean

$(BIN)/.installed: pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 est requis ($(PYTHON) introuvable)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, from the local CPU wheel: otherwise pip resolves a multi-GB CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

setup: $(BIN)/.installed

models: setup
	$(BIN)/kg prepare-models

ingest: models
	$(BIN)/kg ingest corpus

run: ingest
	$(BIN)/kg stats
	$(BIN)/kg serve --host $(HOST) --port $(PORT)

test: models
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .

bench: models
	$(BIN)/python bench/ingestion.py
	$(BIN)/python bench/authority_extraction.py
	$(BIN)/python bench/search_latency.py

clean:
	rm -rf $(DATA) .pytest_cache
