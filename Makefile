# asymflat: `make run` (default run + figures) and `make test` (fast suite) on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
PY := $(VENV)/bin/python
ASYMFLAT := $(VENV)/bin/asymflat
SOURCES := $(shell find asymflat solvers -name '*.py' 2>/dev/null) pyproject.toml
CONFIGS := $(wildcard runs/*.toml)
RESULTS := $(patsubst runs/%.toml,results/%.h5,$(CONFIGS))

.PHONY: run test test-slow runs plots bench clean install

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[test]"
	touch $@

run: $(STAMP)
	@mkdir -p results
	$(ASYMFLAT) run runs/default.toml -o results/default.h5 --overwrite   # + PNG figures in results/default/ ([output] figures)
	$(ASYMFLAT) check results/default.h5

test: $(STAMP)
	$(VENV)/bin/pytest -q

test-slow: $(STAMP)
	$(VENV)/bin/pytest -q -m slow

# Every runs/*.toml whose result is missing or older than its config or the sources.
# A failed run does not stop the others (its error goes to results/NAME.failed); safe with make -j.
runs: $(RESULTS)
	@failed=$$(ls results/*.failed 2>/dev/null); \
	if [ -n "$$failed" ]; then echo "failed runs:"; for f in $$failed; do echo "  $$(basename $$f .failed): $$(cat $$f)"; done; exit 1; \
	else echo "all $(words $(RESULTS)) results up to date"; fi

results/%.h5: runs/%.toml $(SOURCES) | $(STAMP)
	@mkdir -p results; rm -f results/$*.failed results/.$*.h5.tmp.*
	@$(ASYMFLAT) run $< -o $@ --quiet --overwrite 2> results/$*.log; rc=$$?; \
	if [ $$rc -eq 0 ]; then echo "ran $<"; \
	else { tail -n 1 results/$*.log | grep . || echo "exit status $$rc (killed by signal $$((rc > 128 ? rc - 128 : 0)))"; } > results/$*.failed; echo "FAILED $<"; fi

# Incoming-data tables made by scripts, and runs that read another run's result: extra prerequisites
# of the results/%.h5 rule (its recipe runs the config, $<), so that make orders them.
results/incoming/gaussian_m3.h5: examples/incoming_bump.py $(SOURCES) | $(STAMP)
	@mkdir -p results/incoming
	@$(PY) examples/incoming_bump.py $@ --shape gaussian --v-range -10 10 > /dev/null
results/scattering_incoming.h5: results/incoming/gaussian_m3.h5
results/scattering_incoming_closure.h5: results/scattering_incoming.h5

plots: $(STAMP)
	@for f in results/*.h5; do [ -e "$$f" ] && $(ASYMFLAT) plot "$$f" -o "$${f%.h5}"; done; true

bench: $(STAMP)
	$(PY) -m bench --repeat 3

clean:
	rm -rf results bench/report.json .pytest_cache
	find . -name __pycache__ -not -path './.venv/*' -exec rm -rf {} +
