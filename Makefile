# The two set-up commands of the README:
#   make run    create .venv, install qunzhu, start the bot on the console (SQLite, no token)
#   make test   create .venv, install qunzhu with its test tools, run ruff, mypy and the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint pytest demo bench catalogs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# mypy does not follow setuptools' editable mapping of core/ to qunzhu.core: give it a path
	mkdir -p $(VENV)/mypy-path/qunzhu
	for d in core adapters plugins; do ln -sfn ../../../$$d $(VENV)/mypy-path/qunzhu/$$d; done
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/qunzhu run

demo: $(STAMP)
	$(BIN)/qunzhu run < docs/tour.txt

test: lint pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	MYPYPATH=$(VENV)/mypy-path $(BIN)/mypy -p qunzhu.core -p qunzhu.adapters -p qunzhu.plugins

pytest: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks.dispatch
	$(BIN)/python -m benchmarks.fanout
	$(BIN)/python -m benchmarks.footprint
	$(BIN)/python -m benchmarks.telegram_broadcast
	$(BIN)/python -m benchmarks.promotion_broadcast

catalogs: $(STAMP)
	$(BIN)/qunzhu i18n update

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
