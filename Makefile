# The README's two commands: `make demo` and `make test`. Each installs what it needs.
PYTHON ?= python3
PIP = $(PYTHON) -m pip install --quiet --disable-pip-version-check -c constraints.txt
PYTEST_ARGS ?=

.PHONY: install install-test demo test test-all docs bench clean

install:
	$(PIP) -e .

install-test:
	$(PIP) -e ".[test]"

demo: install
	$(PYTHON) -m skaudio demo

test: install-test
	$(PYTHON) -m pytest -n 2 --durations=15 $(PYTEST_ARGS)

# Everything, the slow tests too.
test-all: install-test
	$(PYTHON) -m pytest -n 2 -m "slow or not slow" $(PYTEST_ARGS)

# The figures page's PNG files and the numbers quoted beside them come from one run of
# the figures script (ESC-10 from ../shared/data, else synthetic events); -n: every
# cross-reference must resolve, -W: warnings are errors.
docs:
	$(PIP) -e ".[docs]"
	$(PYTHON) examples/plot_spectrogram_figures.py --out docs/_static/figures
	$(PYTHON) -m sphinx -n -W --keep-going -b html docs docs/_build/html

# A quick asv run against the working tree's environment (no new virtualenv).
bench:
	$(PIP) -e ".[bench]"
	cd asv_bench && $(PYTHON) -m asv machine --yes >/dev/null && \
		$(PYTHON) -m asv run --python=same --quick --show-stderr $(BENCH_ARGS)

clean:
	rm -rf build dist *.egg-info docs/_build .pytest_cache
