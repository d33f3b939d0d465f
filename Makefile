# imagegen — the two commands the README starts with, and their parts.
SHELL := /bin/bash
SWIFT ?= swift
DATA ?= $(CURDIR)/data
PLUGINS ?= $(CURDIR)/plugins
RELEASE_BIN = .build/release

.PHONY: demo test test-python test-webapp deps deps-test build release plugins clean

## make demo: install what is missing, build, install the plugins, generate images offline.
demo: deps release plugins
	@echo "== plugins" && $(RELEASE_BIN)/imagegen plugins --plugins $(PLUGINS) --data $(DATA)
	@echo "== models" && $(RELEASE_BIN)/imagegen models --plugins $(PLUGINS) --data $(DATA)
	@echo "== generating 2 images with the offline Preview provider"
	@$(RELEASE_BIN)/imagegen generate --plugins $(PLUGINS) --data $(DATA) --model preview \
		--prompt "a ceramic teapot on a wooden table, soft window light" --category product --variations 2
	@echo "== the images and their metadata records are under $(DATA)/content; the catalog is $(DATA)/catalog.sqlite"
	@$(RELEASE_BIN)/imagegen images list --plugins $(PLUGINS) --data $(DATA)

## make test: install what is missing, build everything (plugins included), run every test.
test: deps-test build
	@mkdir -p .build
	@python3 scripts/check-try.py
	$(SWIFT) test 2>&1 | tee .build/test.log; exit $${PIPESTATUS[0]}
	@$(MAKE) --no-print-directory test-python
	@$(MAKE) --no-print-directory test-webapp

## make test-python: the Python client's tests, against an imagegen serve they start (debug build).
test-python:
	@test -x .build/debug/imagegen -a -f .build/debug/libimagegen-preview.so || $(SWIFT) build
	cd clients/python && PYTHONPATH=src:tests python3 -B -m unittest discover -s tests -v

## make test-webapp: the studio web app in headless Chromium (Selenium) against an imagegen serve the
## tests start (debug build); screenshots of every page go to .build/webapp-screenshots/.
test-webapp:
	@python3 scripts/embed-webapp.py --check
	@test -x .build/debug/imagegen -a -f .build/debug/libimagegen-preview.so || $(SWIFT) build
	cd Tests/WebApp && python3 -B -m unittest discover -s . -p 'test_*.py' -v

deps:
	@scripts/install-deps.sh

deps-test:
	@scripts/install-deps.sh --test

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

plugins:
	@mkdir -p $(PLUGINS)
	@for f in $(RELEASE_BIN)/libimagegen-*.so; do install -m 0644 "$$f" "$(PLUGINS)/"; done
	@echo "installed plugins into $(PLUGINS)"

clean:
	rm -rf .build $(PLUGINS)
