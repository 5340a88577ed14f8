# The two commands the README promises, plus a few helpers.
PYTHON ?= python3
PORT ?= 8501

.PHONY: run test install install-dev browser lint format bench

## Install what the app needs and start it on the bundled story.
run: install
	$(PYTHON) -m streamlit run streamlit_app.py --server.port $(PORT)

## Install what the tests need (pip packages and Debian's Chromium) and run them all.
test: install-dev browser
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m pytest -q

install:
	$(PYTHON) -m pip install -q -r requirements.txt

install-dev:
	$(PYTHON) -m pip install -q -r requirements-dev.txt

## The real-browser tests drive Debian's Chromium (Playwright cannot download browsers here).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium; \
	fi

lint:
	$(PYTHON) -m ruff check .

format:
	$(PYTHON) -m ruff format .

## Speed and memory, side by side in one run (see README "Performance").
bench: install-dev browser
	$(PYTHON) bench/bench.py
