# make demo: apply the example inventory's snapshot policy against the local simulator, twice.
# make test: every check, from a fresh clone (creates its own virtualenv).
# make units / sanity / integration / lint: one step of make test alone, ansible-core 2.19 on Python 3.11.
# make bench: the performance benchmark against the simulator.
PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python

.PHONY: all demo test units sanity integration lint bench sim venv clean

all: test

venv: $(VENV)/.installed

$(VENV)/.installed: tools/requirements-dev.txt requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install -q --disable-pip-version-check -r tools/requirements-dev.txt -r requirements.txt
	@touch $@

demo: venv
	@tools/demo.sh

test: venv
	@tools/test.sh

units sanity integration lint: venv
	@tools/test.sh $@

bench: venv
	@tools/bench.sh

# make sim: the simulator on the demo seed, fresh each time; make sim KEEP_STATE=1 goes on from the last run's state
sim: venv
	@KEEP_STATE=$(KEEP_STATE) tools/sim.sh foreground

clean:
	rm -rf $(VENV) $(VENV)-gates $(VENV)-2.21 .build .sim tests/output tests/integration/integration_config.yml snapkeep-nasha-*.tar.gz
