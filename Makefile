# Accord — the two commands of the README, and the rest.
#   make demo    install dependencies, build, load the demo data, summarise
#   make test    install dependencies, build, run the whole test suite
# Other targets: build (the C build and, when node and npm are present, the
# web interface), web (only the interface), asan (the suite under
# ASan+UBSan), fuzz (libFuzzer harnesses, clang), bench (benchmarks),
# format, clean.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
WERROR     ?= OFF
DEMO_DIR   ?= demo-data
SHARED     ?= $(CURDIR)/../shared
ATTACK_DIR ?= $(SHARED)/data/attack
ACCORD      = $(BUILD)/accord

.PHONY: all deps build web test asan fuzz demo bench format clean

all: build

deps:
	@scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DACCORD_WERROR=$(WERROR) -DACC_SHARED_DIR=$(SHARED) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

web: build
	cmake --build $(BUILD) --target web

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug \
	  -DACCORD_SANITIZE=ON -DACCORD_WERROR=$(WERROR) \
	  -DACC_SHARED_DIR=$(SHARED) >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

fuzz: deps
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug \
	  -DACCORD_FUZZ=ON >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@echo "run e.g.: $(FUZZ_BUILD)/fuzz/fuzz_decoder -max_total_time=60 fuzz/corpus/decoder"

demo: build
	@scripts/demo "$(ACCORD)" "$(DEMO_DIR)" "$(ATTACK_DIR)"

bench: build
	bench/import "$(ACCORD)"
	bench/taxii/run "$(ACCORD)"
	bench/match "$(ACCORD)"
	bench/sensor/run "$(ACCORD)" 5000
	bench/web/run "$(ACCORD)"
	bench/pack/run "$(ACCORD)"
	bench/consult/run "$(ACCORD)"

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
