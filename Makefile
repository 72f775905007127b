# Two commands do everything on a fresh machine with Python 3.11+:
#   make demo   - the demo on an embedded SQLite file, local sinks
#   make test   - the whole test suite (SQLite always; PostgreSQL when reachable, required under CI)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck bench clean install model model-check

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/arrears demo --database sqlite:///arrears-demo.db --fresh

test: $(STAMP)
	$(BIN)/python -m pytest -q

# The understanding model, rebuilt bit for bit from data/nlu (one BLAS thread: the same sums in the same order).
model: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python -m arrears.agent.learned.train data/nlu

model-check: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python -m arrears.agent.learned.train data/nlu --check

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench docs
	$(BIN)/mypy src tests bench

clean:
	rm -rf $(VENV) arrears-demo.db .pytest_cache .mypy_cache .ruff_cache
