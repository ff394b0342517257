# Two commands do everything; both create .venv on first use (and again when pyproject.toml changes).
#   make book   build the website into _build/html, executing every notebook (warnings are errors)
#   make test   run every test: unit, property, CLI, HTTP, and the notebooks through nbval
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book test lab bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build -W --keep-going book/

test: $(STAMP)
	$(BIN)/python -m pytest tests book --nbval --nbval-sanitize-with book/nbval_sanitize.cfg

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	$(BIN)/jupyter lab book/

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_start_session.py

clean:
	rm -rf _build
