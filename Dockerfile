# The module as an OCI image for Istio's WasmPlugin (one layer, plugin.wasm):
#   make wasm
#   docker build -t registry.example.com/platform/proxy-allowlist:0.1.0 .
FROM scratch
COPY target/wasm32-wasip1/release/proxy_allowlist.wasm ./plugin.wasm
