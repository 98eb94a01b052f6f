# The two commands of the README, plus a few for developers.
PYTHON ?= python3
DEVENV = $(PYTHON) tests/tooling/devenv.py

.PHONY: run test test-fast stop-db zoho-server bench

run:  ## Odoo with both addons and demo data at http://localhost:8069 (admin / admin)
	$(DEVENV) run

test:  ## every test tier on throwaway databases
	$(DEVENV) test

test-fast:  ## the same without the static checks and Odoo's own tests
	$(DEVENV) test --skip-static --skip-upstream

stop-db:  ## stop the private PostgreSQL cluster that run and test start
	$(DEVENV) stop-db

zoho-server:  ## the local Zoho-compatible server: make zoho-server DATASET=file.json PORT=8079
	$(PYTHON) -m tests.zoho_server --dataset $(or $(DATASET),tests/zoho_server/datasets/demo.json) --port $(or $(PORT),8079)

bench:  ## the benchmarks under bench/
	$(PYTHON) bench/bench_portal_invite.py
	$(PYTHON) bench/bench_zoho_sync.py
