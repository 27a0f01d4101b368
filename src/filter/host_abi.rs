//! The few Proxy-Wasm host calls the filter makes, declared here with raw
//! status codes. The SDK's wrappers panic on a status they do not expect, and
//! a panic traps the VM; these return every failure as a value instead.

use std::ptr::{null, null_mut};

use crate::engine::Fetched;

const STATUS_OK: u32 = 0;
const STATUS_NOT_FOUND: u32 = 1;

const MAP_HTTP_REQUEST_HEADERS: u32 = 0;
const BUFFER_PLUGIN_CONFIGURATION: u32 = 7;

#[link(wasm_import_module = "env")]
extern "C" {
    fn proxy_get_header_map_value(
        map_type: u32,
        key_data: *const u8,
        key_size: usize,
        return_value_data: *mut *mut u8,
        return_value_size: *mut usize,
    ) -> u32;
    fn proxy_get_property(
        path_data: *const u8,
        path_size: usize,
        return_value_data: *mut *mut u8,
        return_value_size: *mut usize,
    ) -> u32;
    fn proxy_get_buffer_bytes(
        buffer_type: u32,
        start: usize,
        max_size: usize,
        return_buffer_data: *mut *mut u8,
        return_buffer_size: *mut usize,
    ) -> u32;
    fn proxy_send_local_response(
        status_code: u32,
        status_code_details_data: *const u8,
        status_code_details_size: usize,
        body_data: *const u8,
        body_size: usize,
        headers_data: *const u8,
        headers_size: usize,
        grpc_status: i32,
    ) -> u32;
}

/// Takes ownership of a buffer the host filled through `proxy_on_memory_allocate`.
fn owned(status: u32, data: *mut u8, size: usize) -> Fetched {
    match status {
        STATUS_OK if data.is_null() => Fetched::Present(Vec::new()),
        // SAFETY: the host wrote `size` bytes into memory it obtained from the
        // SDK's `proxy_on_memory_allocate`, which allocates exactly `size` bytes
        // with Rust's global allocator; ownership passes to us.
        STATUS_OK => Fetched::Present(unsafe { Vec::from_raw_parts(data, size, size) }),
        STATUS_NOT_FOUND => Fetched::Absent,
        _ => Fetched::Unavailable,
    }
}

/// One request header, as Envoy presents it (several lines joined with `,`).
pub fn request_header(name: &str) -> Fetched {
    let mut data = null_mut();
    let mut size = 0;
    // SAFETY: the key is a valid slice and the out-pointers are valid locals.
    let status = unsafe {
        proxy_get_header_map_value(
            MAP_HTTP_REQUEST_HEADERS,
            name.as_ptr(),
            name.len(),
            &mut data,
            &mut size,
        )
    };
    owned(status, data, size)
}

/// One property; `path` is its segments separated by NUL bytes.
pub fn property(path: &[u8]) -> Fetched {
    let mut data = null_mut();
    let mut size = 0;
    // SAFETY: the path is a valid slice and the out-pointers are valid locals.
    let status = unsafe { proxy_get_property(path.as_ptr(), path.len(), &mut data, &mut size) };
    owned(status, data, size)
}

/// The plugin configuration, `size` bytes as `on_configure` announced.
pub fn plugin_configuration(size: usize) -> Fetched {
    let mut data = null_mut();
    let mut size_out = 0;
    // SAFETY: the out-pointers are valid locals.
    let status = unsafe {
        proxy_get_buffer_bytes(
            BUFFER_PLUGIN_CONFIGURATION,
            0,
            size,
            &mut data,
            &mut size_out,
        )
    };
    owned(status, data, size_out)
}

/// Answers the request locally; returns false when the host refused.
pub fn send_local_response(
    status: u16,
    details: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> bool {
    let headers = serialize_headers(headers);
    // SAFETY: every pointer is a valid slice that outlives the call.
    let result = unsafe {
        proxy_send_local_response(
            u32::from(status),
            details.as_ptr(),
            details.len(),
            if body.is_empty() {
                null()
            } else {
                body.as_ptr()
            },
            body.len(),
            headers.as_ptr(),
            headers.len(),
            -1,
        )
    };
    result == STATUS_OK
}

/// The Proxy-Wasm map encoding: a count, the (name, value) sizes, then each
/// name and value followed by a NUL byte.
fn serialize_headers(headers: &[(&str, &str)]) -> Vec<u8> {
    let mut bytes = Vec::new();
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes();
    bytes.extend_from_slice(&count(headers.len()));
    for (name, value) in headers {
        bytes.extend_from_slice(&count(name.len()));
        bytes.extend_from_slice(&count(value.len()));
    }
    for (name, value) in headers {
        bytes.extend_from_slice(name.as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(value.as_bytes());
        bytes.push(0);
    }
    bytes
}
