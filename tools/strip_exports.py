"""Removes the Proxy-Wasm callbacks a module does not use from its exports.

The Rust SDK exports every `proxy_on_*` callback, and Envoy calls each one
that is exported, on every request (response headers, body, log, done...),
each call a crossing into the VM. Envoy skips a callback that is not
exported, so removing the ones whose SDK default does nothing saves those
crossings. Everything else (code, memory, other exports) is left untouched.

usage: strip_exports.py MODULE.wasm KEEP[,KEEP...]
Only exports named `proxy_on_*` are candidates; those not in KEEP go.

The result is checked before it replaces the module: wasmtime parses and
validates it, and its exports must be exactly the old ones minus the
removed callbacks, with every KEEP callback still there.
"""

import os
import sys

import wasmtime

EXPORT_SECTION = 7


def read_leb(data, offset):
    result = shift = 0
    while True:
        byte = data[offset]
        offset += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, offset


def write_leb(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def strip(data, keep):
    if data[:4] != b"\0asm":
        raise ValueError("not a WebAssembly module")
    out = bytearray(data[:8])
    removed = []
    offset = 8
    while offset < len(data):
        section_id = data[offset]
        size, body_start = read_leb(data, offset + 1)
        body = data[body_start : body_start + size]
        offset = body_start + size
        if section_id == EXPORT_SECTION:
            body, removed = filter_exports(body, keep)
        out.append(section_id)
        out += write_leb(len(body))
        out += body
    return bytes(out), removed


def filter_exports(body, keep):
    count, offset = read_leb(body, 0)
    kept = []
    removed = []
    for _ in range(count):
        start = offset
        name_len, offset = read_leb(body, offset)
        name = body[offset : offset + name_len].decode()
        offset += name_len + 1  # the export kind
        _, offset = read_leb(body, offset)  # the index
        if name.startswith("proxy_on_") and name not in keep:
            removed.append(name)
        else:
            kept.append(body[start:offset])
    return write_leb(len(kept)) + b"".join(kept), removed


def export_names(data):
    """The module's export names, from wasmtime, which also validates it."""
    try:
        module = wasmtime.Module(wasmtime.Engine(), data)
    except wasmtime.WasmtimeError as error:
        raise SystemExit(f"strip_exports: the result is not a valid module: {error}") from None
    return {export.name for export in module.exports}


def check(original, stripped, removed, keep):
    before, after = export_names(original), export_names(stripped)
    if after != before - set(removed):
        raise SystemExit(f"strip_exports: unexpected exports after stripping: {sorted(after ^ (before - set(removed)))}")
    missing = keep - after
    if missing:
        raise SystemExit(f"strip_exports: callbacks to keep are not exported: {sorted(missing)}")


def main():
    path, keep = sys.argv[1], set(sys.argv[2].split(","))
    with open(path, "rb") as module:
        data = module.read()
    stripped, removed = strip(data, keep)
    check(data, stripped, removed, keep)
    temporary = path + ".stripping"
    with open(temporary, "wb") as module:
        module.write(stripped)
    # A new file, not a rewrite: cargo hard-links its outputs.
    os.replace(temporary, path)
    print(f"{path}: removed {len(removed)} unused callback exports")


if __name__ == "__main__":
    main()
