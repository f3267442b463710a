# Two commands on a fresh machine: `make demo` (the end-to-end demo) and `make test` (every test).
# Both build .venv first: torch and torchvision at exactly the tested versions, then this package with its extras.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
TORCH := torch==2.14.1 torchvision==0.29.1

.PHONY: demo test test-fast readme install browser outputs colab-check

$(VENV)/.installed: settings.ini setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH)
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Headless Chromium for the web app's browser test (Debian's package; needs root or sudo).
browser:
	@command -v chromium >/dev/null || { (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1 || \
	  sudo sh -c 'apt-get update -qq && apt-get install -y -qq chromium' >/dev/null 2>&1 || echo "could not install chromium: the browser test will say so"; }

demo: install
	$(VENV)/bin/chris-classifier demo --out demo

# Every test, the slow ones (`#| slow`: two-process, property and end-to-end tests) included; CI runs this.
test: install browser
	$(PY) tools/run_tests.py --flags slow

# The edit loop: every notebook's tests without the slow cells.
test-fast: install
	$(PY) tools/run_tests.py

readme: install
	$(PY) tools/readme.py

# Execute every lesson notebook as the tests do and keep its outputs (what a reader sees on GitHub), with a
# throw-away CHRIS_CLASSIFIER_HOME (the generated sample, never your photos), then make the outputs machine-independent;
# the packaged copies of the benchmark results, the app's screenshots, the demo's review picture and the README are refreshed too.
outputs: install
	$(PY) tools/sync_results.py
	export CHRIS_CLASSIFIER_HOME=$$(mktemp -d /tmp/chris_home_XXXX); \
	for nb in nbs/lesson.ipynb nbs/0*.ipynb; do $(VENV)/bin/nbdev-test --save --flags slow $$nb || exit 1; done
	$(PY) tools/scrub_outputs.py
	$(VENV)/bin/nbdev-clean
	$(PY) tools/screenshots.py
	$(PY) tools/demo_picture.py
	$(PY) tools/readme.py
	$(PY) tools/check_outputs.py nbs/lesson.ipynb nbs/0*.ipynb

# The lesson notebooks as a new learner runs them on Colab (ipywidgets 7.7.1, user extras only, a copy of nbs/ outside
# the clone); a fresh venv of its own, 15 to 35 minutes, not run by CI: tools/colab_check.sh says what it checks.
colab-check:
	bash tools/colab_check.sh
