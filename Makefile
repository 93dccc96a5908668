# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT ?= out

.PHONY: install run test test-fast test-docker lint bench bench-cli bench-elastic bench-recommend golden notebooks reports calibration-report calibration-matrix clean

$(STAMP): pyproject.toml constraints.txt $(wildcard simulator/*/*.pyx simulator/*/*/*.pyx simulator/engine/fast/*.pxd)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,aws,docker,dask]'
	$(BIN)/python -m compileall -q simulator  # as pip does for a regular install: every command starts sooner
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## simulate the bundled quickstart example and print its summary
	$(BIN)/sagesim run scenarios/quickstart.yaml --out $(OUT)/quickstart

lint: $(STAMP)  ## ruff, and the import-linter layer contracts of pyproject.toml
	$(BIN)/ruff check simulator tests
	$(BIN)/lint-imports

test: lint  ## lint, the whole suite in parallel, then the Docker tests serially (they time a real container)
	$(BIN)/pytest -n 2 --dist loadgroup --ignore=tests/docker
	$(MAKE) --no-print-directory test-docker

test-fast: lint  ## the quick lane while developing: everything but the slow and Docker tests
	$(BIN)/pytest -n 2 --dist loadgroup --ignore=tests/docker -m "not slow"

test-docker: $(STAMP)  ## Docker calibration tests alone; skipped without an engine, except in CI (CI=true) where they fail
	$(BIN)/pytest tests/docker -rP

bench: $(STAMP)  ## fast and SimPy engines vs bare SimPy and a heap recursion; peak memory for 5 million requests; CLI start-up
	$(BIN)/python tests/benchmarks/bench_engine.py
	$(MAKE) --no-print-directory bench-cli

bench-cli: $(STAMP)  ## wall time of `sagesim --help`, `--version`, `check`, `schema`; slowest imports
	$(BIN)/python tests/benchmarks/bench_cli.py

bench-elastic: $(STAMP)  ## autoscaled diurnal traffic vs static fleet (DAYS=7 RATE=200 for the full week)
	$(BIN)/python tests/benchmarks/bench_elastic.py --days $${DAYS:-0.25} --rate $${RATE:-200}

bench-recommend: $(STAMP)  ## default recommender job wall time and candidate count; Dask 2 workers vs 1
	$(BIN)/python tests/benchmarks/bench_recommend.py

golden: $(STAMP)  ## regenerate tests/golden/*.json after an intended change of results
	$(BIN)/python tests/golden_update.py

notebooks: $(STAMP)  ## re-execute notebooks/*.ipynb in place: their saved outputs show what the code prints today
	$(BIN)/python tests/notebooks_update.py

reports: $(STAMP)  ## regenerate reports/ (self-contained report.html + summary.json per example scenario)
	mkdir -p reports
	for f in scenarios/*.yaml; do n=$$(basename $$f .yaml); case $$n in recommend-*) continue;; esac; \
	  $(BIN)/sagesim run $$f --out $(OUT)/reports/$$n --quiet || exit 1; \
	  mkdir -p reports/$$n && cp $(OUT)/reports/$$n/report.html $(OUT)/reports/$$n/summary.json reports/$$n/; done
	for n in recommend-default recommend-today recommend-advanced; do \
	  rm -rf $(OUT)/reports/$$n; $(BIN)/sagesim recommend scenarios/$$n.yaml --out $(OUT)/reports/$$n --quiet || exit 1; \
	  mkdir -p reports/$$n && cp $(OUT)/reports/$$n/report.html $(OUT)/reports/$$n/recommendations.json \
	    $(OUT)/reports/$$n/recommendations-detail.json $(OUT)/reports/$$n/recommendations.csv reports/$$n/; done
	$(BIN)/sagesim rollout scenarios/canary-rollback.yaml --out $(OUT)/reports/rollout > /dev/null && \
	  cp $(OUT)/reports/rollout/report.html reports/canary-rollback/rollout-report.html && \
	  cp $(OUT)/reports/rollout/rollout.json reports/canary-rollback/

calibration-report: $(STAMP)  ## build, calibrate and validate the example images with Docker; rewrite reports/calibration/
	$(BIN)/sagesim calibrate report --work $(OUT)/calibration --out $(OUT)/calibration-report; status=$$?; \
	  cd $(OUT)/calibration-report && cp -r README.md serve train stacks $(CURDIR)/reports/calibration/ && exit $$status

RUNS ?= 5
MATRIX_IMAGES ?= serve flask-nginx fastapi-threads gunicorn-multiworker
calibration-matrix: $(STAMP)  ## RUNS fresh calibrate+validate runs of every serving image from the CLI; table in reports/calibration/matrix.md
	mkdir -p $(OUT)/matrix && $(BIN)/sagesim calibrate digits-jsonl $(OUT)/matrix/digits.jsonl
	for kind in $(MATRIX_IMAGES); do $(BIN)/sagesim calibrate build $$kind || exit 1; done
	for run in $$(seq 1 $(RUNS)); do for kind in $(MATRIX_IMAGES); do \
	  dir=$(OUT)/matrix/run-$$run/$$kind; rm -rf $$dir; \
	  if [ $$kind = serve ]; then image=sagesim-serve-example:latest; body=; \
	  else image=sagesim-stack-$$kind:latest; body="--payload $(OUT)/matrix/digits.jsonl"; fi; \
	  $(BIN)/sagesim calibrate serve --image $$image $$body --out $$dir || exit 1; \
	  $(BIN)/sagesim validate --profile $$dir/profile.yaml --out $$dir || echo "$$dir: a target was missed (see its validation.txt)"; \
	  done; done
	{ echo "# Calibration matrix: $(RUNS) fresh calibrate + validate runs of $(MATRIX_IMAGES)"; echo; \
	  echo "Written by \`make calibration-matrix\` on $$(date -u '+%Y-%m-%d %H:%M') UTC, $$(nproc) cores (container pinned to one,"; \
	  echo "load generator on the rest); errors are predicted / measured - 1."; echo; \
	  $(BIN)/sagesim calibrate summarise $(OUT)/matrix/run-*/*/validation.json; } > reports/calibration/matrix.md

clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache
