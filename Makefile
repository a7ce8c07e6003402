# Developer entry points. Everything installs itself: a clean clone needs only
# python3 (and, for `make matrix`, the pyenv interpreters listed below).
#
#   make demo     run the README demo (demo/)
#   make migration-demo  Flask and Django mounted under FastAPI, served by uvicorn (examples/migration)
#   make test     run the test suite in .venv
#   make lint     ruff, mypy --strict and pyright on src, the typing cases
#   make matrix   run the test suite on every supported FastAPI/Python pair
#   make bench    overhead tables (bench/engine.py, sync.py, django.py, flask.py)
#   make bench-peers  the sync API against the peer packages (bench/peers.py)
#   make bench-server real servers under wrk, against the peers (bench/server/)
#   make docs     the documentation site into site/ (mkdocs build --strict)
#   make docs-check  the built site in headless Chromium (screenshots in site/_screenshots/)
#   make dist     the wheel and sdist into dist/, checked by twine check --strict
#
# Each virtualenv carries a stamp file, rebuilt only when pyproject.toml is
# newer than the stamp or the venv is missing.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test
MAKEFLAGS += --no-builtin-rules
.SECONDEXPANSION:

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
PIP_FLAGS ?= -q --disable-pip-version-check
# pip's stderr minus this machine's warnings about absent local indexes.
PIP_QUIET := 2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
PYTEST_ARGS ?=
# The matrix repeats the suite five times: keep its tracebacks short.
MATRIX_PYTEST_ARGS ?= --tb=short
LINT_PATHS := $(wildcard src tests demo bench example_django example_flask examples docs_src)

PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $(HOME)/.pyenv)
# $(call find_python,3.10): a pyenv CPython 3.10.x, else python3.10 on PATH.
find_python = $(or $(lastword $(sort $(wildcard $(PYENV_ROOT)/versions/$(1).*/bin/python))),$(shell command -v python$(1) 2>/dev/null))

# Matrix: FastAPI oldest supported, a middle release and the newest on 3.11;
# the newest on the oldest and newest supported Python. FastAPI >= 0.162.6
# requires Python >= 3.11, so on 3.10 "the newest" is the last release that
# still installs there.
FASTAPI_OLDEST := 0.115.14
FASTAPI_MIDDLE := 0.128.8
FASTAPI_NEWEST := 0.165.0
FASTAPI_NEWEST_PY310 := 0.162.5
# The oldest-FastAPI entry also runs the oldest supported Django (4.2 LTS) and
# Flask (2.3); the others get the newest their Python allows (Django 6 on 3.13).
PINS_3.11-$(FASTAPI_OLDEST) := "django>=4.2,<5" "flask>=2.3,<3" "werkzeug>=2.3,<3"
MATRIX := \
	3.11-$(FASTAPI_OLDEST) \
	3.11-$(FASTAPI_MIDDLE) \
	3.11-$(FASTAPI_NEWEST) \
	3.10-$(FASTAPI_NEWEST_PY310) \
	3.13-$(FASTAPI_NEWEST)

# pytest exits 5 when it collected no test; that is not a failure here.
run_pytest = $(1) -m pytest $(2) $(PYTEST_ARGS) || { rc=$$?; [ $$rc -eq 5 ] || exit $$rc; }

.PHONY: help venv system-deps demo migration-demo test lint format docs docs-check dist matrix bench bench-peers bench-server clean

help:
	@sed -n '4,14p' Makefile | sed 's/^# \{0,1\}//'

# -- the dev venv -------------------------------------------------------------

$(STAMP): pyproject.toml
	@test -x $(VPY) || { echo "creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	@echo "installing .[dev] into $(VENV)"
	@$(VPY) -m pip install $(PIP_FLAGS) -e ".[dev]" $(PIP_QUIET)
	@touch $@

venv: $(STAMP)

# $(call apt_install,command:package ...): install (apt-get, as root or through
# sudo) the Debian package of each command that is missing; fail clearly when
# one cannot be had.
apt_install = missing=; for cp in $(1); do command -v $${cp%%:*} >/dev/null || missing="$$missing $${cp\#*:}"; done; \
	[ -z "$$missing" ] || { \
		echo "installing$$missing (apt-get)"; \
		command -v apt-get >/dev/null || { echo "no apt-get here: install$$missing by hand" >&2; exit 1; }; \
		sudo=; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null \
			|| { echo "could not install$$missing with apt-get" >&2; exit 1; }; \
	}

# The Celery worker tests run a real redis-server, the bench-server smoke tests
# wrk and valgrind (Debian packages).
system-deps:
	@$(call apt_install,redis-server:redis-server wrk:wrk valgrind:valgrind)

demo: $(STAMP)
	$(VPY) -m demo

migration-demo: $(STAMP)
	$(VPY) -m examples.migration

test: $(STAMP) system-deps
	$(call run_pytest,$(VPY))

# All three run, so one pass shows every problem; fails if any did.
lint: $(STAMP)
	@rc=0; \
	echo "+ ruff check $(LINT_PATHS)"; $(VENV)/bin/ruff check $(LINT_PATHS) || rc=1; \
	echo "+ ruff format --check $(LINT_PATHS)"; $(VENV)/bin/ruff format --check $(LINT_PATHS) || rc=1; \
	echo "+ mypy (strict, src)"; $(VENV)/bin/mypy || rc=1; \
	echo "+ pyright (src)"; $(VENV)/bin/pyright --pythonpath $(VPY) || rc=1; \
	echo "+ typing cases (mypy --strict, pyright strict)"; \
	$(VENV)/bin/mypy --strict --warn-unused-ignores --config-file pyproject.toml tests/typing/cases || rc=1; \
	$(VENV)/bin/pyright --pythonpath $(VPY) -p tests/typing || rc=1; \
	exit $$rc

# The site: docs/ and the docs_src/ examples it includes, the API reference
# from the docstrings under src/.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site

# The home page, a guide and the API reference of a freshly built site, opened
# in Debian's chromium (installed with apt-get if missing) through Playwright:
# navigation, search, a code block, no console error; tests/browser/check_site.py.
docs-check: docs
	@$(call apt_install,chromium:chromium)
	$(VPY) tests/browser/check_site.py --site site --chromium "$$(command -v chromium)"

# What a release uploads; tests/release/test_wheel.py checks the same in make test.
dist: $(STAMP)
	rm -rf dist
	$(VPY) -m build --outdir dist .
	$(VPY) -m twine check --strict dist/*

format: $(STAMP)
	$(VENV)/bin/ruff check --fix $(LINT_PATHS)
	$(VENV)/bin/ruff format $(LINT_PATHS)

bench: $(STAMP)
	$(VPY) bench/engine.py $(BENCH_ARGS)
	$(VPY) bench/sync.py $(BENCH_ARGS)
	$(VPY) bench/django.py
	$(VPY) bench/flask.py $(BENCH_ARGS)

# The peers live in their own venv (Python >= 3.12: fastapi-depends-anywhere
# needs it); they are never dependencies of the package.
# bench-server adds the servers, the mixed app's WSGI adapter and the DI
# peers that have Django/Flask integrations (wireup, dishka, svcs).
BENCH_VENV := .venvs/bench
BENCH_PEERS := fastapi-depends-anywhere fastapi-injectable fastapi-standalone-di
BENCH_SERVER_PKGS := gunicorn uvicorn a2wsgi wireup dishka svcs
$(BENCH_VENV)/.installed: pyproject.toml Makefile
	@interp='$(call find_python,3.12)'; [ -n "$$interp" ] || interp='$(call find_python,3.13)'; \
	[ -n "$$interp" ] || { echo "bench-peers: needs Python >= 3.12" >&2; exit 1; }; \
	[ -x $(BENCH_VENV)/bin/python ] || $$interp -m venv $(BENCH_VENV); \
	echo "installing the peers and servers into $(BENCH_VENV)"; \
	$(BENCH_VENV)/bin/python -m pip install $(PIP_FLAGS) -e ".[django,flask]" $(BENCH_PEERS) $(BENCH_SERVER_PKGS) $(PIP_QUIET); \
	touch $@

bench-peers: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python bench/peers.py $(BENCH_ARGS)

# Real servers (gunicorn, uvicorn) under wrk: bench/server/README in
# bench/README.md. BENCH_ARGS=--quick for a smoke run; BENCH_SERVER_DURATION,
# BENCH_SERVER_ROUNDS, BENCH_SERVER_SYSTEMS also apply.
bench-server: $(BENCH_VENV)/.installed
	@$(call apt_install,wrk:wrk)
	$(BENCH_VENV)/bin/python bench/server/run.py $(BENCH_ARGS)

# -- the version matrix ---------------------------------------------------------
# matrix-3.11-0.115.14 -> .venvs/py3.11-fastapi0.115.14 with fastapi==0.115.14.

# Each entry prints its own header; nothing is printed after the last pytest
# summary line (CI reads the closing line). The matrix-* entries are not
# .PHONY: make skips pattern rules for phony targets.
matrix: $(addprefix matrix-,$(MATRIX))

MATRIX_STAMPS := $(foreach e,$(MATRIX),.venvs/py$(word 1,$(subst -, ,$(e)))-fastapi$(word 2,$(subst -, ,$(e)))/.installed)
.SECONDARY: $(MATRIX_STAMPS)

# .venvs/py3.11-fastapi0.115.14/.installed: that venv, installed; rebuilt when
# pyproject.toml changes.
.venvs/py%/.installed: pyproject.toml Makefile
	@venv=.venvs/py$*; pyver=$(firstword $(subst -, ,$*)); fa=$(patsubst fastapi%,%,$(lastword $(subst -, ,$*))); \
	interp='$(call find_python,$(firstword $(subst -, ,$*)))'; \
	if [ -z "$$interp" ]; then echo "matrix: no Python $$pyver found (pyenv root: $(PYENV_ROOT))" >&2; exit 1; fi; \
	if [ ! -x $$venv/bin/python ]; then echo "creating $$venv with $$($$interp --version)"; $$interp -m venv $$venv; fi; \
	pins='$(PINS_$(firstword $(subst -, ,$*))-$(patsubst fastapi%,%,$(lastword $(subst -, ,$*))))'; \
	echo "installing .[dev] fastapi==$$fa $$pins into $$venv"; \
	eval "set -- $$pins"; \
	$$venv/bin/python -m pip install $(PIP_FLAGS) -e ".[dev]" "fastapi==$$fa" "$$@" $(PIP_QUIET); \
	touch $@

matrix-%: .venvs/py$$(word 1,$$(subst -, ,$$*))-fastapi$$(word 2,$$(subst -, ,$$*))/.installed system-deps
	@venv=.venvs/py$(word 1,$(subst -, ,$*))-fastapi$(word 2,$(subst -, ,$*)); \
	echo; \
	echo "=== matrix: Python $(word 1,$(subst -, ,$*)) / FastAPI $(word 2,$(subst -, ,$*)) ($$($$venv/bin/python -c 'import sys; from importlib.metadata import version as v; print(sys.version.split()[0], *(f"{p} {v(p)}" for p in ("fastapi", "starlette", "pydantic", "django", "flask")))')) ==="; \
	demo_rc=0; log=.venvs/demo-py$*.log; \
	$$venv/bin/python -m demo --db .venvs/demo-py$*.db > $$log 2>&1 || demo_rc=$$?; \
	if [ $$demo_rc -eq 0 ]; then tail -n 1 $$log; else cat $$log; echo "demo: FAILED (exit $$demo_rc)"; fi; \
	$(call run_pytest,$$venv/bin/python,$(MATRIX_PYTEST_ARGS)); \
	[ $$demo_rc -eq 0 ]

clean:
	rm -rf .venvs .pytest_cache .mypy_cache .ruff_cache demo.db site dist
