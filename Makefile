# Township office system. A newcomer needs two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
# Debian packages the project relies on: CJK fonts for the printouts, Pango and the
# HarfBuzz subsetting library for WeasyPrint, chromium for the browser tests,
# poppler-utils to look at PDFs; LibreOffice (writer, calc, no GUI) converts
# Word/WPS/Excel attachments for the preview (a desktop LibreOffice already installed does too: the -nogui
# packages would replace it), and AR PL UMing is the Song face OFD text is drawn in.
# postgresql-client gives pg_dump/pg_restore for backups of a PostgreSQL installation; faketime runs
# `make test-future`.
DEBIAN_PACKAGES := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 chromium poppler-utils \
	libreoffice-writer-nogui libreoffice-calc-nogui fonts-arphic-uming fonts-arphic-ukai postgresql-client redis-server faketime
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_ARGS ?=
# Ten-year multiples of one township's data for `make bench` (4 = the planning volume).
BENCH_SCALE ?= 4
export BENCH_SCALE

.PHONY: fonts run test test-only test-future test-postgres bench lint format system-deps venv migrate seed worker beat schedule backup restore check-deploy clean-data help

help:
	@echo "make run    安装依赖、迁移数据库、载入演示乡镇，并在 http://127.0.0.1:8000/ 启动"
	@echo "make test   安装依赖并运行全部测试（SQLite）"
	@echo "make bench  性能基准（见 bench/README.md）"
	@echo "make backup 备份数据库、上传文件和密钥到 $${BACKUP_DIR:-data/backups}"
	@echo "make restore ARCHIVE=文件  从备份恢复到空的数据库和数据目录（覆盖已有数据加 FORCE=1）"
	@echo "make check-deploy  用 .env.example 中的生产配置运行 manage.py check --deploy"

system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  for q in $$p $${p%-nogui}; do \
	    dpkg-query -W -f='$${Status}' $$q 2>/dev/null | grep -q "install ok installed" && continue 2; \
	  done; \
	  missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.stamp: requirements.txt requirements-test.txt
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-test.txt
	@# easyofd and PyMuPDF (AGPL-3.0) were dependencies once (township_office/ofd replaces them): a venv made
	@# then loses them, so that no AGPL package stays installed.
	@$(PIP) uninstall -q -y easyofd PyMuPDF 2>/dev/null || true
	@touch $@

venv: system-deps $(VENV)/.stamp fonts

# An openly licensed 仿宋 (FandolFang, GB 2312 subset) for the printouts, and the bold Song face of their titles and
# labels cut down the same way (FormSerif GB2312, from Noto Serif CJK SC Bold): see scripts/install_fangsong.py.
FANGSONG := /usr/local/share/fonts/fandol/FandolFang-GB2312.ttf
TITLE_SERIF := /usr/local/share/fonts/fandol/FormSerif-GB2312-Bold.ttf
fonts: $(FANGSONG) $(TITLE_SERIF)
$(FANGSONG) $(TITLE_SERIF): | $(VENV)/.stamp
	$(SUDO) $(PY) scripts/install_fangsong.py

migrate: venv
	$(MANAGE) migrate --noinput
	$(MANAGE) rebuild_worklist
	$(MANAGE) collectstatic --noinput -v0

seed: migrate
	$(MANAGE) seed_demo --demo

# gunicorn and, beside it, the scheduler that runs the reminders, the daily report and the
# nightly backup in-process (no broker needed); stopping one stops both.
run: seed
	@echo
	@echo "在浏览器打开 http://127.0.0.1:8000/ ，用上面任一演示账号登录。按 Ctrl+C 停止。"
	$(MANAGE) run_schedule & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT INT TERM; \
	$(VENV)/bin/gunicorn township_office.wsgi -b 127.0.0.1:8000 -w 3 --access-logfile -

test: venv test-only

# Lint, formatting and migrations are checked before the suite: an unformatted file or a model change without
# its migration fails `make test` as a failing test does.
test-only:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run
	$(VENV)/bin/pytest --create-db -n 2 $(PYTEST_ARGS)

# The SQLite suite, browser tests included, under a clock a year ahead (libfaketime, Debian faketime): no test
# may depend on today's date. Not part of CI; run it before a release or after adding tests that involve dates.
# (Do not add DONT_FAKE_MONOTONIC=1: libfaketime then makes time.sleep() fail with EINVAL.)
test-future: venv
	faketime -f '+365d' $(VENV)/bin/pytest --create-db -n 2 $(PYTEST_ARGS)

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

# The schedule without a broker (what `make run` starts beside gunicorn).
schedule: venv
	$(MANAGE) run_schedule

# Backup and restore (see README "备份与恢复").
backup: venv
	$(MANAGE) backup

restore: venv
	@[ -n "$(ARCHIVE)" ] || { echo "用法：make restore ARCHIVE=data/backups/township-….tar.gz [FORCE=1]"; exit 2; }
	$(MANAGE) restore "$(ARCHIVE)" $(if $(FORCE),--force)

# `check --deploy` with the production values documented in .env.example; any warning fails.
check-deploy: venv
	@set -a; eval "$$(sed -n 's/^# *PRODUCTION: *//p' .env.example)"; set +a; \
	out=$$($(MANAGE) check --deploy --fail-level WARNING 2>&1); status=$$?; echo "$$out"; exit $$status
