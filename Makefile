# Two commands for a newcomer: `make demo` and `make test`. Both set up everything first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng poppler-utils chromium fonts-dejavu-core
STAMP  := $(VENV)/.installed

# Hermetic, quiet Prefect and single-threaded Tesseract (see docs in README).
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 120
export PREFECT_LOGGING_LEVEL ?= WARNING
export OMP_THREAD_LIMIT := 1

.PHONY: setup system-deps demo test bench fixtures clean

setup: system-deps $(STAMP)

# Installs the Debian packages only when a tool is missing (needs root or sudo).
system-deps:
	@if ! command -v tesseract >/dev/null || ! command -v pdftoppm >/dev/null || ! command -v chromium >/dev/null \
		|| [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
		echo "Installing Debian packages: $(APT_PACKAGES)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

DEMO_DB := sqlite:///out/demo/scrutiny.db

demo: setup
	$(BIN)/scrutiny run fixtures/papers --out out/demo --database $(DEMO_DB)
	@echo ""
	@echo "Review the flags in a browser:"
	@echo "  $(BIN)/scrutiny users add YOURNAME --role admin --database $(DEMO_DB)"
	@echo "  $(BIN)/scrutiny review --database $(DEMO_DB)      # then open http://127.0.0.1:8000"

test: setup
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m bench.run

fixtures: setup
	for script in make_fixtures make_extra_fixtures make_scan_fixtures make_dataset_fixtures; do \
		[ -f fixtures/$$script.py ] && $(BIN)/python fixtures/$$script.py || exit 1; \
	done

clean:
	rm -rf $(VENV) out bench/results.json
