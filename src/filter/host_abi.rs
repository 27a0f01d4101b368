//! The few Proxy-Wasm host calls the filter makes, declared here with the
//! SDK's types for arguments and the status returned as the host's raw
//! number. The SDK's wrappers panic on a status they do not expect, and a
//! panic traps the VM; these return every failure as a value instead.

use std::ptr::{null, null_mut};

use proxy_wasm::types::{BufferType, MapType, MetricType, Status};

use crate::engine::Fetched;

/// A status as the host returns it: any number, not only the SDK's variants.
type RawStatus = u32;

const OK: RawStatus = Status::Ok as RawStatus;
const NOT_FOUND: RawStatus = Status::NotFound as RawStatus;

#[link(wasm_import_module = "env")]
extern "C" {
    fn proxy_get_header_map_value(
        map_type: MapType,
        key_data: *const u8,
        key_size: usize,
        return_value_data: *mut *mut u8,
        return_value_size: *mut usize,
    ) -> RawStatus;
    fn proxy_get_property(
        path_data: *const u8,
        path_size: usize,
        return_value_data: *mut *mut u8,
        return_value_size: *mut usize,
    ) -> RawStatus;
    fn proxy_get_buffer_bytes(
        buffer_type: BufferType,
        start: usize,
        max_size: usize,
        return_buffer_data: *mut *mut u8,
        return_buffer_size: *mut usize,
    ) -> RawStatus;
    fn proxy_set_property(
        path_data: *const u8,
        path_size: usize,
        value_data: *const u8,
        value_size: usize,
    ) -> RawStatus;
    fn proxy_define_metric(
        metric_type: MetricType,
        name_data: *const u8,
        name_size: usize,
        return_id: *mut u32,
    ) -> RawStatus;
    fn proxy_increment_metric(metric_id: u32, offset: i64) -> RawStatus;
    fn proxy_set_tick_period_milliseconds(period: u32) -> RawStatus;
    fn proxy_get_log_level(return_level: *mut u32) -> RawStatus;
    fn proxy_send_local_response(
        status_code: u32,
        status_code_details_data: *const u8,
        status_code_details_size: usize,
        body_data: *const u8,
        body_size: usize,
        headers_data: *const u8,
        headers_size: usize,
        grpc_status: i32,
    ) -> RawStatus;
}

/// Takes ownership of a buffer the host filled through `proxy_on_memory_allocate`.
fn owned(status: RawStatus, data: *mut u8, size: usize) -> Fetched {
    match status {
        OK if data.is_null() => Fetched::Present(Vec::new()),
        // SAFETY: the host wrote `size` bytes into memory it obtained from the
        // SDK's `proxy_on_memory_allocate`, which allocates exactly `size` bytes
        // with Rust's global allocator; ownership passes to us.
        OK => Fetched::Present(unsafe { Vec::from_raw_parts(data, size, size) }),
        NOT_FOUND => Fetched::Absent,
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
            MapType::HttpRequestHeaders,
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
            BufferType::PluginConfiguration,
            0,
            size,
            &mut data,
            &mut size_out,
        )
    };
    owned(status, data, size_out)
}

/// Sets a property of the request; Envoy keeps it as filter state `wasm.<path>`.
pub fn set_property(path: &str, value: &[u8]) -> bool {
    // SAFETY: both are valid slices that outlive the call.
    let status =
        unsafe { proxy_set_property(path.as_ptr(), path.len(), value.as_ptr(), value.len()) };
    status == OK
}

/// Defines a counter; its id, or `None` when the host refused.
pub fn define_counter(name: &str) -> Option<u32> {
    let mut id = 0;
    // SAFETY: the name is a valid slice and the out-pointer a valid local.
    let status =
        unsafe { proxy_define_metric(MetricType::Counter, name.as_ptr(), name.len(), &mut id) };
    (status == OK).then_some(id)
}

pub fn increment_counter(id: u32, by: u64) -> bool {
    // SAFETY: plain values.
    unsafe { proxy_increment_metric(id, i64::try_from(by).unwrap_or(i64::MAX)) == OK }
}

pub fn set_tick_period_milliseconds(period: u32) -> bool {
    // SAFETY: a plain value.
    unsafe { proxy_set_tick_period_milliseconds(period) == OK }
}

/// Envoy's log level for this plugin, in the SDK's numbering (0 trace .. 5 critical).
pub fn log_level() -> Option<u32> {
    let mut level = 0;
    // SAFETY: the out-pointer is a valid local.
    let status = unsafe { proxy_get_log_level(&mut level) };
    (status == OK).then_some(level)
}

/// Answers the request locally; returns false when the host refused.
/// `grpc_status` -1 leaves the status to Envoy.
pub fn send_local_response(
    status: u16,
    details: &str,
    headers: &[(&str, String)],
    body: &[u8],
    grpc_status: i32,
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
            grpc_status,
        )
    };
    result == OK
}

/// The Proxy-Wasm map encoding: a count, the (name, value) sizes, then each
/// name and value followed by a NUL byte.
fn serialize_headers(headers: &[(&str, String)]) -> Vec<u8> {
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
