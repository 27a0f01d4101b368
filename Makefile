# proxy-allowlist: build, test and run. `make test` is what CI runs.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
ENVOY := $(VENV)/bin/envoy
WASM := target/wasm32-wasip1/release/proxy_allowlist.wasm
NATIVE := target/release/libproxy_allowlist.so
CLI := target/release/proxy-allowlist
VENV_READY := $(VENV)/.installed

# rustup installs the toolchain rust-toolchain.toml pins (with the Wasm
# target and the lint components) the first time cargo runs here.
export RUSTUP_AUTO_INSTALL := 1

# Engine tests compiled to wasm32-wasip1 run under wasmtime (see tools/wasi_runner.py).
export CARGO_TARGET_WASM32_WASIP1_RUNNER := $(abspath $(PY)) $(abspath tools/wasi_runner.py)

.PHONY: build wasm native cli test lint unit wasm-unit validate-configs schema chromium valgrind e2e run run-native run-projects serve bench fuzz soak clean

build: wasm native cli

$(VENV_READY): requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The Proxy-Wasm callbacks the filter implements. The SDK exports all of them
# and Envoy calls every exported one on every request; the others are removed
# from the module's exports after the build (see tools/strip_exports.py).
USED_CALLBACKS := proxy_on_memory_allocate,proxy_on_context_create,proxy_on_vm_start,proxy_on_configure,proxy_on_tick,proxy_on_request_headers,proxy_on_delete

wasm: $(VENV_READY)
	cargo build --release --target wasm32-wasip1 --lib
	$(PY) tools/strip_exports.py $(WASM) $(USED_CALLBACKS)
	@echo "module: $(WASM) ($$(stat -c %s $(WASM)) bytes)"

# Host builds (the native module and the CLI, which share one build of the
# library) are built for speed; see Cargo.toml's release profile.
HOST_RELEASE := CARGO_PROFILE_RELEASE_OPT_LEVEL=3 cargo build --release

# The native Envoy dynamic module, for Envoy 1.40.0 only (ABI v0.2.0).
native:
	$(HOST_RELEASE) --lib
	@echo "module: $(NATIVE) ($$(stat -c %s $(NATIVE)) bytes)"

cli:
	$(HOST_RELEASE) --bin proxy-allowlist

test: lint unit wasm-unit validate-configs e2e

# The native lint covers the native module's glue (built on Linux); the
# fuzz targets are linted too (with the pinned stable toolchain), so they
# cannot rot between `make fuzz` runs.
lint:
	cargo fmt --check
	cargo fmt --check --manifest-path fuzz/Cargo.toml
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-wasip1 --lib -- -D warnings
	cargo clippy --manifest-path fuzz/Cargo.toml --all-targets -- -D warnings

unit:
	cargo test

wasm-unit: $(VENV_READY)
	cargo test --target wasm32-wasip1 --lib

# Every shipped Envoy configuration must load its module and accept its policy.
validate-configs: $(VENV_READY) wasm native
	for config in envoy/envoy*.yaml; do \
	  $(ENVOY) --mode validate -c $$config --log-level error || exit 1; \
	  echo "envoy --mode validate: $$config OK"; \
	done

# The published JSON Schema of the configuration, generated from its types
# (`cargo test` fails while the committed file is out of date).
schema:
	cargo run --release --bin proxy-allowlist -- schema > schema/proxy-allowlist.schema.json

# Headless Chromium for the browser test, from Debian's packages.
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# valgrind counts the instructions of the linear-work tests.
valgrind:
	@command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }

e2e: $(VENV_READY) wasm native cli chromium valgrind
	$(PY) -m pytest tests/e2e tests/work -q

# Envoy CPU per request (both builds) next to RBAC, Lua, a no-op Wasm filter and filters
# that make one host call each; many projects in Envoy (load time, memory, a
# change under load); the engine natively. Writes BENCHMARKS.md. Not part of
# `make test`: it prints numbers, the tests check behaviour.
bench: $(VENV_READY) wasm native
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	cargo build --release --target wasm32-wasip1 --example noop_filter --example host_call_filter
	cargo build --profile release-speed --target wasm32-wasip1 --lib
	$(PY) bench/envoy_bench.py --strip-callbacks $(USED_CALLBACKS) $(if $(BENCH_ONLY),--only '$(BENCH_ONLY)')
	$(PY) bench/scale_bench.py
	$(PY) bench/native_bench.py

# A million requests of the bypass corpus and hostile values through real
# Envoy; checks answers, 5xx, Wasm VM health and memory. Not part of `make test`.
soak: $(VENV_READY) wasm
	$(PY) bench/soak.py

# Fuzzes each target for FUZZ_SECONDS with cargo fuzz (nightly). Seeds are in
# fuzz/corpus/<target>; what a run discovers goes to fuzz/.work/<target>, and
# a crash to fuzz/artifacts/<target> (then: make it a regression test).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := config_load calling_site x_forwarded_for evaluate differential_calling_site differential_address
fuzz:
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	for target in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/.work/$$target; \
	  cargo +nightly fuzz run $$target fuzz/.work/$$target fuzz/corpus/$$target -- \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 || exit 1; \
	done

# The README's curl lines for envoy/envoy.yaml and envoy/envoy-native.yaml.
HINTS_ONE_PROJECT := \
	  curl -i -H 'Origin: https://app.example.com' http://127.0.0.1:10000/   \# 200: listed domain, listed IP\n\
	  curl -i -H 'Origin: https://evil.example.net' http://127.0.0.1:10000/  \# 403: domain not listed\n\
	  curl -i --interface 127.0.0.2 -H 'Origin: https://app.example.com' http://127.0.0.1:10000/  \# 403: source IP not listed

# Envoy on 127.0.0.1:10000 with the example policy, in front of an echo API on :10001.
run: $(VENV_READY) wasm
	@$(MAKE) --no-print-directory serve CONFIG=envoy/envoy.yaml HINTS="$(HINTS_ONE_PROJECT)"

# The same with the native module (envoy/envoy-native.yaml).
run-native: $(VENV_READY) native
	@$(MAKE) --no-print-directory serve CONFIG=envoy/envoy-native.yaml HINTS="$(HINTS_ONE_PROJECT)"

# The same with two projects behind api_key_auth (envoy/envoy-projects.yaml).
run-projects: $(VENV_READY) wasm
	@$(MAKE) --no-print-directory serve CONFIG=envoy/envoy-projects.yaml HINTS="\
	  curl -i -H 'x-api-key: checkout-web-demo-key' -H 'Origin: https://shop.example.com' http://127.0.0.1:10000/  # 200: checkout-web lists the shop\n\
	  curl -i -H 'x-api-key: checkout-web-demo-key' -H 'Origin: https://evil.example.net' http://127.0.0.1:10000/  # 403: domain not listed\n\
	  curl -i -H 'x-api-key: partner-sync-demo-key' http://127.0.0.1:10000/  # 200: partner-sync lists 127.0.0.1\n\
	  curl -i --interface 127.0.0.2 -H 'x-api-key: partner-sync-demo-key' http://127.0.0.1:10000/  # 403: source IP not listed\n\
	  curl -i -H 'x-api-key: checkout-web-demo-key' -H 'x-project-id: partner-sync' -H 'Origin: https://evil.example.net' http://127.0.0.1:10000/  # 403: the key decides the project\n\
	  curl -i http://127.0.0.1:10000/  # 401: no API key"

serve:
	@$(PY) tools/echo_upstream.py --port 10001 & echo $$! > .echo.pid; \
	trap 'kill $$(cat .echo.pid) 2>/dev/null; rm -f .echo.pid' EXIT; \
	echo; echo "Envoy with proxy-allowlist ($(CONFIG)) on http://127.0.0.1:10000 (Ctrl-C stops it). Try:"; \
	printf "$(HINTS)\n\n"; \
	$(ENVOY) -c $(CONFIG) --concurrency 2 --log-level warn --component-log-level wasm:info,dynamic_modules:info

clean:
	cargo clean
	rm -rf $(VENV)
