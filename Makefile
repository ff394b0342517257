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
# there, without recommended packages (fonts-liberation, which chromium only recommends, is named
# so pages render with the usual metric-compatible fonts) and without upgrading named packages
# already installed; apt still upgrades an installed library when chromium needs a newer one.
# apt's output goes to $(APT_LOG), not into the test log. Elsewhere the browser tests skip.
APT_LOG := _build/apt-chromium.log
browser:
	@{ command -v chromium && command -v chromedriver; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    mkdir -p $(dir $(APT_LOG)); \
	    echo "installing chromium, chromium-driver and fonts-liberation with apt-get (log: $(APT_LOG))"; \
	    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	        --no-upgrade chromium chromium-driver fonts-liberation; } >$(APT_LOG) 2>&1 \
	      && grep -E "upgraded, .* newly installed" $(APT_LOG) \
	      || { tail -n 20 $(APT_LOG); echo "apt-get failed (log: $(APT_LOG))"; exit 1; }; \
	  else \
	    echo "chromium or chromedriver not found and not root: the website tests will be skipped"; \
	  fi; }

# lab/jupyter_server_config.py strips what Lab writes into a notebook on every save (the
# interpreter version, cell timings), so opening a chapter leaves it as stored (tests/test_lab_round_trip.py).
lab: $(STAMP) $(KERNEL_CONFIG)
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	$(BIN)/jupyter lab book/ --config=lab/jupyter_server_config.py $(if $(filter 0,$(shell id -u)),--allow-root)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_start_session.py
	$(BIN)/python benchmarks/bench_batch.py

clean:
	rm -rf _build
