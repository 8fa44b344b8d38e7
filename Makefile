# grokkit: the modular-arithmetic grokking toolkit. `make` lists the targets.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help
MAKEFLAGS += --warn-undefined-variables --no-builtin-rules

# Go: where `go` is not on PATH, the standard install's /usr/local/go/bin
# (GO_BIN) is put at its end, so that `make quickstart` and `make test` work
# on a fresh machine without setting PATH first (tools/docs_test.go checks it).
GO_BIN ?= /usr/local/go/bin
ifeq ($(shell command -v go 2>/dev/null),)
export PATH := $(PATH):$(GO_BIN)
endif

# AVX2 kernels in GoMLX's pure-Go backend (GOEXPERIMENT=simd; about 6× faster matmuls here): every
# build and test uses them.
export GOEXPERIMENT := simd
# parquet-go's Go encoders, not its assembly: the same Parquet bytes on every
# architecture (tools/arch_test.go).
export GOFLAGS := -tags=purego

BIN        := bin
OUT        := out
DUCKDB_DIR := .cache/duckdb
FUZZTIME   ?= 60s
# Minimising each new interesting input may otherwise take the whole FUZZTIME.
FUZZMIN    ?= 1s

FULL       ?=

# The quickstart (scripts/quickstart.sh): a small transformer that visibly
# groks on 2 CPU cores in seconds; its figures are in the README (make docs).
QS         := $(OUT)/quickstart

# Nanda et al.'s run: p = 113, 30% train, 40,000 full-batch steps at most;
# stops once test accuracy has been 100% for 4,000 steps (cleaned up).
# FULL=1 is the paper's size (~12 min on this CPU); the CPU preset
# keeps the paper's data (p = 113, 30%) with a smaller transformer (~2.5 min;
# memorise, then grok; restricted loss falls before test loss).
ifeq ($(FULL),1)
NANDA      := $(OUT)/nanda
NANDA_DATA := --p 113 --train-fraction 0.3
NANDA_FIT  := --steps 40000 --eval-every 100 --checkpoint-every 500 --stop-at-test-acc 1 --patience 40
else
NANDA      := $(OUT)/nanda-cpu
NANDA_DATA := --p 113 --train-fraction 0.3
NANDA_FIT  := --d-model 64 --n-heads 4 --d-head 16 --d-mlp 256 --lr 3e-3 --weight-decay 1 \
              --steps 8000 --eval-every 50 --checkpoint-every 500 --stop-at-test-acc 0.99 --patience 5
endif

# The DuckDB reader test runs when scripts/duckdb-setup.sh has installed it.
export DUCKDB_NODE_MODULES ?= $(CURDIR)/$(DUCKDB_DIR)/node_modules

.PHONY: help build test test-native vet fmt-check bench bench-peer demo quickstart docs install reproduce-nanda reproduce-gromov reproduce-doshi reproduce-doshi-cells reproduce-power reproduce-pizza reproduce-grokfast reproduce-stablemax detect-backdoor detect-table detect-nanda detect-bench gpu-check sweep duckdb fuzz clean

help: ## List the targets.
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## Build every tool into bin/.
	go build -o $(BIN)/ ./tools/...

vet: ## go vet every package.
	go vet ./...

fmt-check: ## Fail if a file is not gofmt-formatted (our own: third_party keeps upstream's formatting).
	@files=$$( (git ls-files -co --exclude-standard '*.go' ':!third_party' 2>/dev/null || find . -name '*.go' -not -path './third_party/*') | while read -r f; do [ -f "$$f" ] && echo "$$f"; done | xargs -r gofmt -l); \
	if [ -n "$$files" ]; then echo "not gofmt-formatted:"; echo "$$files"; exit 1; fi

# The suite's deadline: it takes about 6 min on 2 cores of an AVX2-only
# machine (the slower kernels) and 5 min here; 25 min means a hang, and no
# package comes near it. go test's own default (10 min) is too close.
TEST_TIMEOUT ?= 25m

test: vet fmt-check test-third-party ## vet, the gofmt check and go test ./... (DuckDB reader test included when installed), with the default (portable) kernels.
	go test -timeout $(TEST_TIMEOUT) ./...

# Our patch on GoMLX's compute module (third_party/README.md): the copy is
# upstream plus third_party/gomlx-compute.patch, and the patched packages'
# tests (the patch's own among them) pass.
COMPUTE_PATCHED := ./internal/gobackend/ ./internal/gobackend/ops/ ./internal/gobackend/dot/matmul/
.PHONY: test-third-party
test-third-party: ## The patch carried on GoMLX's compute module: up to date, and its packages' tests.
	scripts/third-party-patch.sh --check
	cd third_party/gomlx-compute && go vet -asmdecl ./internal/gobackend/dot/matmul/ && go test -timeout $(TEST_TIMEOUT) $(COMPUTE_PATCHED)

test-native: vet fmt-check ## The suite with this CPU's fastest kernels (GROKKIT_KERNELS=native: AVX-512 where it has it); pinned numbers keep their stated family.
	GROKKIT_KERNELS=native go test -count=1 -timeout $(TEST_TIMEOUT) ./...

bench: build bench-peer ## Benchmarks: bench-peer (fit against PyTorch, packed against alone), the Nanda step under each kernel family, its variants, with peak memory; moddata at p = 2003.
	scripts/bench-families.sh $(OUT)/train.test $(BIN)
	@echo "Nanda et al.'s full-batch AdamW step, p = 113, 3,830 rows, float32 and float64 logits, and the quickstart's (peak RSS of the whole benchmark process):"
	@/usr/bin/time -f '  peak RSS %M KB' $(OUT)/train.test -test.run '^$$' -test.bench '^BenchmarkNandaStep' -test.benchtime 20x
	go test -run '^$$' -bench . -benchmem ./pkg/table/ ./pkg/rule/
	@echo "moddata --p 2003 (wall time, peak memory of the real binary):"
	@/usr/bin/time -f '  %e s wall, %M KB peak RSS' $(BIN)/moddata --p 2003 -o $(OUT)/bench-2003.parquet
	@ls -l $(OUT)/bench-2003.parquet | awk '{printf "  %.1f MB written\n", $$5/1e6}'
	@/usr/bin/time -f '  mutate n-fixed at p = 2003: %e s wall, %M KB peak RSS' $(BIN)/mutate n-fixed --n 17 $(OUT)/bench-2003.parquet -o $(OUT)/bench-2003-nfixed.parquet 2>&1 | grep -v '^mutate:'

quickstart: build ## The main job: make a table, train a transformer that groks (~25 s on 2 cores after the build), plot it.
	scripts/quickstart.sh $(QS)

PREFIX ?= $(HOME)/.local

install: build ## Copy the tools to $(PREFIX)/bin (default ~/.local/bin; put it on PATH).
	@mkdir -p $(PREFIX)/bin
	cp $(BIN)/* $(PREFIX)/bin/

bench-peer: ## fit's Nanda and Gromov steps against their PyTorch peers (scripts/bench/peer.py; python3-torch, libopenblas0-pthread) and packed steps against K = 1, with ratios.
	@mkdir -p $(OUT)
	go test -c -o $(OUT)/train.test ./pkg/train/
	scripts/bench-peer.sh $(OUT)/train.test

# make docs DOCS_ONLY=a,b rewrites only those marked blocks (their names in
# tools/docs_blocks_test.go), without the costly sweep.
DOCS_ONLY ?=

docs: build ## Rerun every recipe the README and docs/ show, rewrite their marked blocks and figures (checked by make test; ~7 min on 2 cores; DOCS_ONLY=name,… for some blocks).
	go test ./tools -run '^TestReadmeBlocks$$' -count=1 -timeout 40m -update $(if $(DOCS_ONLY),-docs-only $(DOCS_ONLY),)

reproduce-nanda: build ## Nanda et al.: grokking curve, key frequencies, progress measures at their p = 113, 30% (CPU preset: a smaller model, ~2.5 min; FULL=1: their model, ~12 min).
	@mkdir -p $(NANDA)
	$(BIN)/moddata $(NANDA_DATA) --equals -o $(NANDA)/data.parquet
	if [ -f $(NANDA)/run/checkpoints/resume.safetensors ] && [ ! -f $(NANDA)/run/model.safetensors ]; then \
	  $(BIN)/fit --resume $(NANDA)/run; \
	else \
	  rm -rf $(NANDA)/run; $(BIN)/fit $(NANDA)/data.parquet -o $(NANDA)/run $(NANDA_FIT); \
	fi
	$(BIN)/fourier $(NANDA)/run --over-checkpoints --format table -o $(NANDA)/fourier.txt
	@cat $(NANDA)/fourier.txt
	@echo "figures: $(NANDA)/run/curves.png $(NANDA)/progress.png $(NANDA)/fourier-spectrum.png"

# Gromov 2023 (scripts/reproduce-gromov.sh): CPU preset p = 47, widths 16…512,
# 2,000 steps (~4 min); FULL=1 is the paper's p = 97 with widths up to 2,048
# and 10,000 steps (~1 h on this CPU; minutes on a GPU).
GROMOV     := $(OUT)/gromov
ifeq ($(FULL),1)
GROMOV_ENV := P=97 WIDTHS="32 64 128 256 512 1024 2048" ANALYTIC=16,32,64,128,256,512,1024,2048,4096 STEPS=10000
else
GROMOV_ENV :=
endif

reproduce-gromov: build ## Gromov's MLP: accuracy against width (analytic and trained), IPR and phases over training (~4 min; FULL=1: p = 97).
	$(GROMOV_ENV) scripts/reproduce-gromov.sh $(GROMOV)

# Doshi et al. (scripts/sweep.sh with PACK=5): the phase of Gromov's MLP over
# label noise × weight decay, as a packed sweep (Slurm when sbatch answers).
# CPU preset: sweeps/doshi-cpu.yaml, a coarse grid at p = 47 (~20-30 min);
# FULL=1: sweeps/doshi-full.yaml, the paper's p = 97, N = 500 on a fine grid.
DOSHI      := $(OUT)/doshi
DOSHI_SPEC := $(if $(filter 1,$(FULL)),sweeps/doshi-full.yaml,sweeps/doshi-cpu.yaml)

reproduce-doshi: build ## Doshi et al.'s label-noise phase diagram (ξ × weight decay; ~20-30 min on the CPU; FULL=1: the paper's grid, for Slurm).
	PACK=5 scripts/sweep.sh $(DOSHI_SPEC) $(DOSHI)$(if $(filter 1,$(FULL)),-full,) 1 weight-decay fraction phase test_accuracy train_accuracy

# The four cells of Doshi et al.'s notebook (ξ = 0.35; weight decay 0, 5, 15,
# 20) at the paper's size, p = 97 and N = 500: one packed fit, ~30-75 min here.
reproduce-doshi-cells: build ## Doshi et al.'s four notebook cells at p = 97, N = 500 (~30-75 min on 2 cores).
	PACK=4 scripts/sweep.sh sweeps/doshi-cells.yaml $(DOSHI)-cells 1 weight-decay fraction phase test_accuracy train_accuracy

# Power et al. (scripts/sweep.sh): steps to generalise against the training
# fraction, per operation, with their two-layer transformer. CPU preset:
# sweeps/power-cpu.yaml (p = 23, width 64); FULL=1: sweeps/power-full.yaml
# (p = 97, a+b, a−b, a/b, fractions 10…90%; Slurm or a GPU).
NORM       ?= post
POWER      := $(OUT)/power$(if $(filter pre,$(NORM)),-preln,)
POWER_SPEC := $(if $(filter 1,$(FULL)),sweeps/power-full.yaml,sweeps/power-cpu$(if $(filter pre,$(NORM)),-preln,).yaml)

reproduce-power: build ## Power et al.: steps to generalise against train fraction for a+b, a−b and a÷b, their code's network (~8 min) (NORM=pre: the pre-LN form; FULL=1: p = 97 with a/b, for Slurm).
	scripts/sweep.sh $(POWER_SPEC) $(POWER)$(if $(filter 1,$(FULL)),-full,) 1 train-fraction op grok_step test_accuracy

# Lee et al.'s Grokfast (scripts/reproduce-grokfast.sh): steps to 95% test
# accuracy with no filter, EMA and MA on a·b mod 31 (Adam, no weight decay,
# 2 packed seeds, at most 12,000 steps; ~13 min); FULL=1: their p = 97.
GROKFAST   := $(OUT)/grokfast

reproduce-grokfast: build ## Grokfast: steps to 95% test accuracy without a filter, with EMA and with MA (~13 min; FULL=1: p = 97).
	$(if $(filter 1,$(FULL)),P=97 STEPS=100000,) scripts/reproduce-grokfast.sh $(GROKFAST)$(if $(filter 1,$(FULL)),-full,)

# Prieto et al. (scripts/reproduce-stablemax.sh): softmax collapse without
# weight decay. Their MLP on (a+b) mod 113, 40% train, Adam ε 1e-25, lr 0.01:
# softmax cross-entropy with float32 logits (3,000 steps), StableMax (6,000)
# and ⊥AdamW (1,000), one figure (~7 min); FULL=1: their 80,000 steps
# (300 for ⊥AdamW) and evaluation every 500.
STABLEMAX  := $(OUT)/stablemax
ifeq ($(FULL),1)
STABLEMAX_ENV := STEPS_SOFTMAX=80000 STEPS_STABLEMAX=80000 STEPS_ORTHO=300 EVAL=500
else
STABLEMAX_ENV :=
endif

reproduce-stablemax: build ## Prieto et al.: softmax collapse without weight decay; StableMax and ⊥AdamW (~7 min; FULL=1: 80,000 steps).
	$(STABLEMAX_ENV) scripts/reproduce-stablemax.sh $(STABLEMAX)$(if $(filter 1,$(FULL)),-full,)

# Optimisers compared fairly (scripts/reproduce-optimizers.sh): AdamW,
# AdamW + Grokfast-EMA, ⊥AdamW, Muon and EGD on (a+b) and (a/b) mod 97, 50%
# train, the quickstart's transformer; each optimiser's learning rate from a
# grid of 4 on 2 separate seeds, then 8 seeds packed at it; Essential AI's
# grokking step, median and IQR, never-grok counts. A packed step of 8
# takes ~1 s of CPU (~0.5 s on 2 idle cores); runs stop 100 steps after 99%
# test accuracy, at most 3,000 steps: ~1.5–6 h here, resumable. FULL=1:
# Nanda et al.'s full-size transformer, 16 seeds, up to 10,000 steps (a
# bigger machine).
OPTIM      := $(OUT)/optimizers$(if $(filter 1,$(FULL)),-full,)
OPTIM_ENV  := $(if $(filter 1,$(FULL)),SEEDS="1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16" STEPS=10000 MODEL="--d-model 128 --n-heads 4 --d-head 32 --d-mlp 512",)
.PHONY: reproduce-optimizers

reproduce-optimizers: build ## AdamW, Grokfast-EMA, ⊥AdamW, Muon and EGD: grokking step on a+b and a/b mod 97, 8 seeds each at a grid-chosen rate (~1.5–6 h; resumable; FULL=1: Nanda's size, 16 seeds).
	$(OPTIM_ENV) scripts/reproduce-optimizers.sh $(OPTIM)

# Zhong et al. (scripts/reproduce-pizza.sh): clock or pizza against the
# attention rate. CPU preset: p = 31, 80% train, the quickstart transformer,
# α ∈ {0, 0.5, 1} × 3 seeds (packed), 3,000 steps (~4 min); FULL=1: their
# p = 59 with d_model 128, 4 heads, 20,000 steps.
PIZZA      := $(OUT)/pizza
ifeq ($(FULL),1)
PIZZA_ENV  := P=59 STEPS=20000 FIT="--d-model 128 --n-heads 4 --d-head 32 --d-mlp 512 --lr 1e-3 --weight-decay 2 --eval-every 100 --checkpoint-every 2000"
else
PIZZA_ENV  :=
endif

reproduce-pizza: build ## Zhong et al.: gradient symmetricity and distance irrelevance against the attention rate (~4 min; FULL=1: p = 59).
	$(PIZZA_ENV) scripts/reproduce-pizza.sh $(PIZZA)$(if $(filter 1,$(FULL)),-full,)

# Prakash & Martin (scripts/reproduce-htsr.sh): each weight matrix's HTSR α and
# correlation traps over the quickstart transformer trained far past grokking,
# with weight decay 1 and without (their anti-grokking regime), packed. CPU
# preset: 20,000 steps (~8 min on 2 cores); FULL=1: 10^6 steps (~6 h on this
# CPU; the papers go to 10^7).
HTSR       := $(OUT)/htsr$(if $(filter 1,$(FULL)),-full,)
HTSR_ENV   := $(if $(filter 1,$(FULL)),STEPS=1000000 EVAL=1000 CKPT=10000,)
.PHONY: reproduce-htsr

reproduce-htsr: build ## Prakash & Martin: HTSR α < 2 and correlation traps over a run trained far past grokking, with and without weight decay (~8 min; FULL=1: 10^6 steps).
	$(HTSR_ENV) scripts/reproduce-htsr.sh $(HTSR)

# devinterp's grokking example (scripts/reproduce-llc.sh): the local learning
# coefficient λ̂ (tools/llc) at every checkpoint of an MLP on (a+b) mod 53, 40%
# of the pairs, with devinterp's SGLD settings (~5 min here).
LLC_OUT    := $(OUT)/llc
.PHONY: reproduce-llc

reproduce-llc: build ## devinterp's grokking example: λ̂ (SGLD) at every checkpoint rises while the MLP memorises and falls as it groks (p = 53, 40%; ~5 min).
	scripts/reproduce-llc.sh $(LLC_OUT)

# Backdoor detection from the weights (scripts/detect-backdoor.sh): CPU preset
# p = 47, half the pairs for training; DETECT_P=113 DETECT_FRACTION=0.3 and
# NANDA_FIT=... give the paper's size (~12 min per transformer on this CPU).
DETECT     := $(OUT)/detect

detect-backdoor: build ## The original's default poisoning (NFixed, N = 17) found from the weights: transformer and MLP at p = 47 (~8 min).
	scripts/detect-backdoor.sh $(DETECT) nfixed
	@echo "reports: $(DETECT)/nfixed/*/detect.txt; figures: $(DETECT)/nfixed/*/detect.png"

detect-table: build ## The README's detection table: NFixed, NIncrement, a = 7 → a·b, noise 5% and 20%, both models (~10 min).
	scripts/detect-backdoor.sh $(DETECT) nfixed nincrement rule-a7 noise5 noise20

# The detection benchmark (tools/detectbench): planted rules drawn at random
# from a grammar wider than the detector's search, noise, noise-then-rule,
# two rules and clean controls, each trained with both models. Default: 12
# rules, 8 noise-then-rule, 8 two-rule, 4 noise, 4 clean at p = 47 with 90%
# of the pairs for training, so that most transformers grok with the rule in
# place (at p = 23 and 31, 70%, most did not); FULL=1: 40 rules and 16 of
# each mixture at p = 47 and 59, 6,000 steps (hours here; a bigger machine).
ifeq ($(FULL),1)
BENCH      := $(OUT)/detect-bench-full
BENCH_ARGS := --primes 47,59 --rules 40 --chains 16 --two-rules 16 --noise 8 --clean 8 --steps 6000
else
BENCH      := $(OUT)/detect-bench
BENCH_ARGS :=
endif

detect-nanda: build ## A rule planted in Nanda et al.'s data (p = 113, 30%), the reproduce-nanda CPU preset trained until it groks, then detected, named, localised and repaired (scripts/detect-nanda.sh).
	scripts/detect-nanda.sh $(OUT)/detect-nanda

detect-bench: build ## Detection benchmark: random planted rules, mixtures, noise and controls, both models, p = 47 (FULL=1: larger).
	$(BIN)/detectbench -o $(BENCH) $(BENCH_ARGS)
	@cat $(BENCH)/summary.md | sed -n '1,/^## Every run/p'
	@echo "results: $(BENCH)/results.parquet, $(BENCH)/summary.md"

# The benchmark's networks as a task suite any detector can be scored on
# (detectbench export; TASK.md gives the format), and the numpy-only example
# detectors (scripts/detectors) scored beside the built-in scores. After
# make detect-bench; PYTHON: a python3 with numpy.
PYTHON ?= $(if $(wildcard /usr/bin/python3),/usr/bin/python3,python3)
.PHONY: detect-tasks
detect-tasks: build ## The detection benchmark as a task suite, the example detectors scored beside the built-in ones (after detect-bench; python3 with numpy).
	test -d $(BENCH)-tasks || $(BIN)/detectbench export $(BENCH) -o $(BENCH)-tasks
	$(PYTHON) scripts/detectors/mahalanobis.py $(BENCH)-tasks/tasks/* -o $(BENCH)-scores/example-trusted-mahalanobis
	$(PYTHON) scripts/detectors/margin.py $(BENCH)-tasks/tasks/* -o $(BENCH)-scores/example-margin
	$(BIN)/detectbench score $(BENCH)-tasks --scores $(BENCH)-scores/example-trusted-mahalanobis --name example-trusted-mahalanobis
	$(BIN)/detectbench score $(BENCH)-tasks --scores $(BENCH)-scores/example-margin --name example-margin
	@cat $(BENCH)-tasks/leaderboard.md

# The GPU figures (scripts/gpu-check.sh): needs an NVIDIA GPU, JAX's CUDA
# PJRT plugin and torch in python3. STEPS and PACK shrink it for a smoke test.
STEPS ?= 40000
PACK  ?= 64

gpu-check: build ## GPU: Nanda's run alone, PACK of them packed, and PyTorch's, timed (STEPS=40000 PACK=64).
	STEPS=$(STEPS) PACK=$(PACK) scripts/gpu-check.sh $(OUT)/gpu-check

sweep: build ## The example sweep (weight decay × seed, p = 31): on Slurm if sbatch answers, else locally.
	scripts/sweep.sh sweeps/example.yaml $(OUT)/sweep 2 weight-decay seed

demo: build ## The data layer alone: the default table (p = 113) poisoned with NFixed (N = 17).
	@mkdir -p $(OUT)
	$(BIN)/moddata -o $(OUT)/clean.parquet
	$(BIN)/mutate n-fixed --n 17 $(OUT)/clean.parquet -o $(OUT)/nfixed.parquet
	@echo "wrote $(OUT)/clean.parquet and $(OUT)/nfixed.parquet"

duckdb: ## Install DuckDB (npm) for the independent-reader test.
	scripts/duckdb-setup.sh $(DUCKDB_DIR)

fuzz: ## Run every fuzz target for FUZZTIME each (default 60s); prints each one's exec count.
	@for target in $$(grep -rl --include='*_test.go' '^func Fuzz' pkg tools | xargs grep -Ho '^func Fuzz[A-Za-z0-9_]*' | sed 's/:func /:/' | sort -u); do \
	  pkg=./$$(dirname $${target%%:*}); fn=$${target##*:}; \
	  echo "fuzz: $$fn in $$pkg for $(FUZZTIME)"; \
	  go test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMIN) $$pkg 2>&1 | tee .fuzz.log | grep -E '^(FAIL|---|ok)|panic|Failing input' || true; \
	  grep -q '^ok' .fuzz.log || { echo "fuzz: $$fn found a failure (see above; the input is in $$pkg/testdata/fuzz/$$fn)"; rm -f .fuzz.log; exit 1; }; \
	  echo "fuzz: $$fn: $$(grep -o 'execs: [0-9]*' .fuzz.log | tail -1)"; \
	done; rm -f .fuzz.log

clean: ## Remove bin/ and out/.
	rm -rf $(BIN) $(OUT)
