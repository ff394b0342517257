# Two commands do everything; both create .venv on first use (and again when pyproject.toml changes).
#   make book   build the website into _build/html, executing every notebook (warnings are errors)
#   make test   run every test: unit, property, CLI, HTTP, and the notebooks through nbval
#               (and the website in headless Chromium, installed from Debian when missing)
#   make notebooks   re-execute the book's notebooks in place to refresh their stored outputs
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
KERNEL_CONFIG := $(VENV)/etc/ipython/ipython_kernel_config.py

.PHONY: book test notebooks browser lab bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Every notebook kernel started from .venv reads this (it silences ipykernel's TCP warning).
$(KERNEL_CONFIG): book/_ext/ipython_kernel_config.py $(STAMP)
	mkdir -p $(dir $@)
	cp $< $@

book: $(STAMP) $(KERNEL_CONFIG)
	$(BIN)/jupyter-book build -W --keep-going book/

test: $(STAMP) $(KERNEL_CONFIG) browser
	$(BIN)/python -m pytest tests book --nbval --nbval-sanitize-with book/nbval_sanitize.cfg

# After a deliberate change to the package or a notebook: rerun every notebook top to bottom
# (nbclient, no timing metadata), then review the diff of the stored outputs.
notebooks: $(STAMP) $(KERNEL_CONFIG)
	$(BIN)/python book/_ext/run_notebooks.py

# tests/test_book_site.py looks at the built site in headless Chromium, driven through
# chromedriver (selenium). CI runs as root on a fresh Debian machine, so install both from Debian
# there (chromium and chromium-driver, about 115 packages the first time); elsewhere the browser
# tests skip without them.
browser:
	@{ command -v chromium && command -v chromedriver; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	  else \
	    echo "chromium or chromedriver not found and not root: the website tests will be skipped"; \
	  fi; }

lab: $(STAMP) $(KERNEL_CONFIG)
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	$(BIN)/jupyter lab book/ $(if $(filter 0,$(shell id -u)),--allow-root)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_start_session.py
	$(BIN)/python benchmarks/bench_batch.py

clean:
	rm -rf _build
