# The two set-up commands of the README:
#   make run    create .venv, install qunzhu (what running needs), start the bot on the console
#               (SQLite, no token); `make run EXTRAS=telegram,postgres` adds platform libraries
#   make test   create .venv, install qunzhu with its test tools, run ruff, mypy and the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_STAMP = $(VENV)/.installed-run$(if $(EXTRAS),-$(EXTRAS))
FILES := $(VENV)/.files
#: Extras for `make run` (the console needs none): telegram, matrix, e2e, postgres, all.
EXTRAS ?=

.PHONY: run test lint pytest demo bench catalogs clean FORCE

# The editable install is strict: a tree of links to the code under build/, found through a
# static .pth, which mypy follows (it cannot follow the import hook of the default mode). A file
# added or removed since then needs a new install: the install depends on the list of files.
$(FILES): FORCE
	@mkdir -p $(VENV)
	@find core adapters plugins -type f -not -path '*/__pycache__/*' | LC_ALL=C sort > $@.new
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

# What testing needs (the dev extra: pytest, ruff, mypy, the platform libraries). It holds
# everything running needs, so it stands for the run install too.
$(STAMP): pyproject.toml $(FILES)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' --config-settings editable_mode=strict
	touch $(STAMP) $(RUN_STAMP)

# What running needs: qunzhu and its dependencies, plus EXTRAS (none for the console).
$(RUN_STAMP): pyproject.toml $(FILES)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.$(if $(EXTRAS),[$(EXTRAS)])' --config-settings editable_mode=strict
	touch $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/qunzhu run

demo: $(RUN_STAMP)
	$(BIN)/qunzhu run < docs/tour.txt

test: lint pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks.dispatch
	$(BIN)/python -m benchmarks.fanout
	$(BIN)/python -m benchmarks.footprint
	$(BIN)/python -m benchmarks.telegram_broadcast
	$(BIN)/python -m benchmarks.promotion_broadcast
	$(BIN)/python -m benchmarks.people_cache
	$(BIN)/python -m benchmarks.startup
	$(BIN)/python -m benchmarks.detection
	$(BIN)/python -m benchmarks.overdue_scan
	$(BIN)/python -m benchmarks.digest_heads
	$(BIN)/python -m benchmarks.web_console
	$(BIN)/python -m benchmarks.city

catalogs: $(STAMP)
	$(BIN)/qunzhu i18n update

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache *.egg-info
