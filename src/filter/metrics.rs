//! The filter's counters in Envoy's stats. Requests add to counts held in the
//! VM, and the root context hands them to Envoy once a second (on its tick),
//! so a request pays no host call for its metrics.

use std::cell::Cell;

use super::host_abi;
use crate::engine::Counter;

/// How often pending counts reach Envoy's stats.
pub const FLUSH_PERIOD_MS: u32 = 1000;

pub struct Metrics {
    ids: [Option<u32>; Counter::ALL.len()],
    pending: [Cell<u64>; Counter::ALL.len()],
}

impl Metrics {
    /// Defines every counter under the plugin's name. A counter the host
    /// refuses is skipped: metrics never stop the filter from working.
    pub fn define(plugin: &str) -> Metrics {
        Metrics {
            ids: Counter::ALL.map(|counter| host_abi::define_counter(&counter.stat_name(plugin))),
            pending: Default::default(),
        }
    }

    /// Counts one, to be flushed on the next tick.
    pub fn add(&self, counter: Counter) {
        if let Some(cell) = self.pending.get(counter.index()) {
            cell.set(cell.get().saturating_add(1));
        }
    }

    /// Counts one and hands it to Envoy at once: for configuration events,
    /// which may not live to see a tick.
    pub fn count_now(&self, counter: Counter) {
        self.add(counter);
        self.flush();
    }

    /// Hands the pending counts to Envoy.
    pub fn flush(&self) {
        for (id, cell) in self.ids.iter().zip(&self.pending) {
            if let (Some(id), count @ 1..) = (id, cell.get()) {
                if host_abi::increment_counter(*id, count) {
                    cell.set(0);
                }
            }
        }
    }
}
