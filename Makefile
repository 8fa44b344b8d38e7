# grokkit: the modular-arithmetic grokking toolkit. `make` lists the targets.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help
MAKEFLAGS += --warn-undefined-variables --no-builtin-rules

# AVX2 kernels in GoMLX's pure-Go backend (../shared/GOMLX-NOTES.md): every
# build and test uses them.
export GOEXPERIMENT := simd

BIN        := bin
OUT        := out
DUCKDB_DIR := .cache/duckdb
FUZZTIME   ?= 30s
TOOLS      := moddata mutate

# The DuckDB reader test runs when scripts/duckdb-setup.sh has installed it.
export DUCKDB_NODE_MODULES ?= $(CURDIR)/$(DUCKDB_DIR)/node_modules

.PHONY: help build test vet fmt-check bench demo duckdb fuzz clean

help: ## List the targets.
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## Build every tool into bin/.
	go build -o $(BIN)/ ./tools/...

vet: ## go vet every package.
	go vet ./...

fmt-check: ## Fail if a file is not gofmt-formatted.
	@files=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$files" ]; then echo "not gofmt-formatted:"; echo "$$files"; exit 1; fi

test: vet fmt-check ## vet, the gofmt check and go test ./... (DuckDB reader test included when installed).
	go test ./...

bench: build ## Benchmarks: table generation and Parquet writing at p = 2003 (4,012,009 rows).
	go test -run '^$$' -bench . -benchmem ./pkg/table/ ./pkg/rule/
	@mkdir -p $(OUT)
	@echo "moddata --p 2003 (wall time, peak memory of the real binary):"
	@/usr/bin/time -f '  %e s wall, %M KB peak RSS' $(BIN)/moddata --p 2003 -o $(OUT)/bench-2003.parquet
	@ls -l $(OUT)/bench-2003.parquet | awk '{printf "  %.1f MB written\n", $$5/1e6}'
	@/usr/bin/time -f '  mutate n-fixed at p = 2003: %e s wall, %M KB peak RSS' $(BIN)/mutate n-fixed --n 17 $(OUT)/bench-2003.parquet -o $(OUT)/bench-2003-nfixed.parquet 2>&1 | grep -v '^mutate:'

demo: build ## The main job: the default table (p = 113), NFixed poisoning (N = 17), a summary.
	@mkdir -p $(OUT)
	$(BIN)/moddata -o $(OUT)/clean.parquet
	$(BIN)/mutate n-fixed --n 17 $(OUT)/clean.parquet -o $(OUT)/nfixed.parquet
	@echo "wrote $(OUT)/clean.parquet and $(OUT)/nfixed.parquet"

duckdb: ## Install DuckDB (npm) for the independent-reader test.
	scripts/duckdb-setup.sh $(DUCKDB_DIR)

fuzz: ## Fuzz the rule expression language for FUZZTIME (default 30s).
	go test -run '^$$' -fuzz FuzzParseEval -fuzztime $(FUZZTIME) ./pkg/rule/

clean: ## Remove bin/ and out/.
	rm -rf $(BIN) $(OUT)
