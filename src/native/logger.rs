//! The `log` crate's records, on Envoy's `dynamic_modules` logger with the
//! module's file and line. Envoy's level for that logger decides what is
//! printed (`--component-log-level dynamic_modules:debug`), asked per
//! record, since it can change at run time.

use log::{Level, LevelFilter, Log, Metadata, Record};

use super::abi::{self, LogLevel};

struct EnvoyLog;

static ENVOY_LOG: EnvoyLog = EnvoyLog;

/// Routes the `log` crate to Envoy: once, when Envoy loads the module.
pub fn install() {
    if log::set_logger(&ENVOY_LOG).is_ok() {
        log::set_max_level(LevelFilter::Trace);
    }
}

fn envoy_level(level: Level) -> LogLevel {
    match level {
        Level::Error => LogLevel::Error,
        Level::Warn => LogLevel::Warn,
        Level::Info => LogLevel::Info,
        Level::Debug => LogLevel::Debug,
        Level::Trace => LogLevel::Trace,
    }
}

impl Log for EnvoyLog {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        abi::log_enabled(envoy_level(metadata.level()))
    }

    fn log(&self, record: &Record<'_>) {
        let level = envoy_level(record.level());
        // Formats the message only when Envoy prints it.
        if abi::log_enabled(level) {
            let message = record.args().to_string();
            abi::log(
                level,
                &message,
                record.file().unwrap_or_default(),
                record.line().unwrap_or_default(),
            );
        }
    }

    fn flush(&self) {}
}
