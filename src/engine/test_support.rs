//! Test support: a simulated request that records what the engine read (so
//! tests can prove what a decision did not read) and can make the host fail
//! a read, and the errors of a configuration as text.

use super::config::load_policy;
use super::request::{Attribute, Fetched, HostRead, RequestValues};
use super::simulated_request::SimulatedRequest;

/// Every error of a configuration that must be refused, as users see them.
pub fn load_errors(json: &str) -> Vec<String> {
    match load_policy(json.as_bytes()) {
        Ok(_) => panic!("accepted: {json}"),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

#[derive(Default)]
pub struct RecordingRequest {
    request: SimulatedRequest,
    failing: Vec<String>,
    /// Header names, or `source.address`, in the order they were read.
    pub asked: Vec<String>,
}

fn key(read: HostRead<'_>) -> &str {
    match read {
        HostRead::Header(name) | HostRead::EveryLine(name) => name,
        HostRead::SourceAddress => "source.address",
        HostRead::Metadata { key, .. } => key,
    }
}

impl RecordingRequest {
    /// One line of the header that carries `attribute` (or the source address).
    pub fn with(mut self, attribute: Attribute<'_>, value: impl AsRef<[u8]>) -> Self {
        match attribute.host_read() {
            HostRead::SourceAddress => self.request.set_source_address(value),
            HostRead::Metadata { namespace, key } => {
                self.request.set_metadata(namespace, key, value)
            }
            read => self.request.add_line(key(read), value),
        }
        self
    }

    /// The host fails to hand `attribute` over.
    pub fn failing(mut self, attribute: Attribute<'_>) -> Self {
        self.failing.push(key(attribute.host_read()).to_string());
        self
    }

    pub fn origin(self, value: &str) -> Self {
        self.with(Attribute::Origin, value)
    }

    pub fn from(self, address: &str) -> Self {
        self.with(Attribute::SourceAddress, address)
    }

    pub fn forwarded_for(self, value: &str) -> Self {
        self.with(Attribute::XForwardedFor, value)
    }
}

impl RequestValues for RecordingRequest {
    fn read(&mut self, read: HostRead<'_>) -> Fetched {
        let key = key(read).to_string();
        let fetched = if self.failing.contains(&key) {
            Fetched::Unavailable
        } else {
            self.request.read(read)
        };
        self.asked.push(key);
        fetched
    }
}
