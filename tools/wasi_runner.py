"""Runs a wasm32-wasip1 test binary (cargo's runner for that target).

WASI comes from wasmtime; any other import (the Proxy-Wasm host functions the
filter links against) is defined as a trap, so an engine test that reached
the host would fail loudly instead of being skipped."""

import os
import sys

import wasmtime


def trap(module, name):
    def call(*_args):
        raise RuntimeError(f"import {module}.{name} called outside a Proxy-Wasm host")

    return call


def main():
    path = sys.argv[1]
    engine = wasmtime.Engine()
    module = wasmtime.Module.from_file(engine, path)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    for imported in module.imports:
        if imported.module != "wasi_snapshot_preview1" and isinstance(imported.type, wasmtime.FuncType):
            linker.define_func(imported.module, imported.name, imported.type, trap(imported.module, imported.name))
    wasi = wasmtime.WasiConfig()
    wasi.argv = [path] + sys.argv[2:]
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    wasi.env = [(k, v) for k, v in os.environ.items() if k.startswith("RUST_")]
    wasi.preopen_dir(os.getcwd(), ".")
    store = wasmtime.Store(engine)
    store.set_wasi(wasi)
    instance = linker.instantiate(store, module)
    try:
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as exit_trap:
        sys.exit(exit_trap.code)
    sys.exit(0)


if __name__ == "__main__":
    main()
