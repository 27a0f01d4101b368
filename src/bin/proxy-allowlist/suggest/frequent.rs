//! Counting the values a log holds in bounded memory, however many distinct
//! values an attacker writes into it (a forged `Origin` per request): the
//! Misra-Gries "frequent items" summary. It keeps at most `capacity`
//! values; when a new value finds it full, every count drops by one and the
//! values at zero leave. So a count is never above the truth and at most
//! `undercount()` below it, any value seen more than `n / (capacity + 1)`
//! times of `n` is kept, and the work over the whole log is linear (the
//! drops never outnumber the additions).

use std::collections::HashMap;
use std::hash::Hash;

use super::time::Millis;

/// What is known of one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen<T> {
    /// A lower bound of the requests that carried it.
    pub count: u64,
    pub first: Option<Millis>,
    pub last: Option<Millis>,
    /// What else is kept per value (the addresses a network was seen from).
    pub extra: T,
}

pub struct Frequent<K, T> {
    capacity: usize,
    values: HashMap<K, Seen<T>>,
    undercount: u64,
}

impl<K: Hash + Eq, T: Default> Frequent<K, T> {
    pub fn new(capacity: usize) -> Self {
        Frequent {
            capacity,
            values: HashMap::new(),
            undercount: 0,
        }
    }

    /// Counts `key` once, at `time`; `update` records what else is kept.
    pub fn add(&mut self, key: K, time: Option<Millis>, update: impl FnOnce(&mut T)) {
        if let Some(seen) = self.values.get_mut(&key) {
            seen.count += 1;
            seen.first = earliest(seen.first, time);
            seen.last = latest(seen.last, time);
            update(&mut seen.extra);
            return;
        }
        if self.values.len() < self.capacity {
            let mut extra = T::default();
            update(&mut extra);
            self.values.insert(
                key,
                Seen {
                    count: 1,
                    first: time,
                    last: time,
                    extra,
                },
            );
            return;
        }
        // Full: this value and one count of every kept one cancel out.
        self.undercount += 1;
        self.values.retain(|_, seen| {
            seen.count -= 1;
            seen.count > 0
        });
    }

    /// How far below the truth any count may be: 0 while the summary never
    /// filled up (every count exact).
    pub fn undercount(&self) -> u64 {
        self.undercount
    }

    pub fn into_values(self) -> impl Iterator<Item = (K, Seen<T>)> {
        self.values.into_iter()
    }
}

pub fn earliest(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

pub fn latest(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_until_full() {
        let mut f = Frequent::new(3);
        for (key, time) in [("a", 5), ("b", 1), ("a", 2), ("a", 9)] {
            f.add(key, Some(time), |_: &mut ()| {});
        }
        assert_eq!(f.undercount(), 0);
        let seen: HashMap<_, _> = f.into_values().collect();
        assert_eq!(
            (seen["a"].count, seen["a"].first, seen["a"].last),
            (3, Some(2), Some(9))
        );
    }

    #[test]
    fn a_flood_of_distinct_values_cannot_push_out_a_frequent_one() {
        let mut f: Frequent<String, ()> = Frequent::new(100);
        let app = "https://app.example.com";
        for i in 0..100_000 {
            f.add(format!("https://f{i}.example"), None, |_| {});
            if i % 50 == 0 {
                f.add(app.to_string(), None, |_| {});
            }
        }
        let undercount = f.undercount();
        let kept: Vec<(String, u64)> = f.into_values().map(|(k, s)| (k, s.count)).collect();
        let (_, count) = kept.iter().find(|(k, _)| k == app).unwrap();
        // 2,000 true requests, at most `undercount` (<= n / 101) fewer.
        assert!(
            *count <= 2000 && count + undercount >= 2000,
            "{count} {undercount}"
        );
        assert!(undercount <= 102_000 / 101);
        assert!(kept.iter().filter(|(k, _)| k != app).all(|(_, c)| *c == 1));
        assert!(kept.len() <= 100);
    }
}
