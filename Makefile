# Township office system. A newcomer needs two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
# Debian packages the project relies on: CJK fonts for the printouts, Pango and the
# HarfBuzz subsetting library for WeasyPrint, chromium for the browser tests,
# poppler-utils to look at PDFs.
DEBIAN_PACKAGES := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 chromium poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_ARGS ?=
# Ten-year multiples of one township's data for `make bench` (4 = the planning volume).
BENCH_SCALE ?= 4
export BENCH_SCALE

.PHONY: fonts run test test-only test-postgres bench lint format system-deps venv migrate seed worker beat clean-data help

help:
	@echo "make run    安装依赖、迁移数据库、载入演示乡镇，并在 http://127.0.0.1:8000/ 启动"
	@echo "make test   安装依赖并运行全部测试（SQLite）"
	@echo "make bench  性能基准（见 bench/README.md）"

system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.stamp: requirements.txt requirements-test.txt
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-test.txt
	@touch $@

venv: system-deps $(VENV)/.stamp fonts

# An openly licensed 仿宋 (FandolFang, GB 2312 subset) for the printouts: see scripts/install_fangsong.py.
FANGSONG := /usr/local/share/fonts/fandol/FandolFang-GB2312.otf
fonts: $(FANGSONG)
$(FANGSONG): | $(VENV)/.stamp
	$(SUDO) $(PY) scripts/install_fangsong.py

migrate: venv
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput -v0

seed: migrate
	$(MANAGE) seed_demo

run: seed
	@echo
	@echo "在浏览器打开 http://127.0.0.1:8000/ ，用上面任一演示账号登录。按 Ctrl+C 停止。"
	$(VENV)/bin/gunicorn township_office.wsgi -b 127.0.0.1:8000 -w 3 --access-logfile -

test: venv test-only

test-only:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest --create-db -n 2 $(PYTEST_ARGS)

# The same suite against the local PostgreSQL and Redis (what .ci/run does second).
test-postgres: venv
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	$(VENV)/bin/pytest --create-db -n 2 $(PYTEST_ARGS)

bench: venv
	$(PY) -m bench

lint: venv
	$(VENV)/bin/ruff check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Production processes (set DATABASE_URL and CELERY_BROKER_URL first).
worker: venv
	$(VENV)/bin/celery -A township_office worker -l info

beat: venv
	$(VENV)/bin/celery -A township_office beat -l info -s $${DATA_DIR:-data}/celerybeat-schedule
