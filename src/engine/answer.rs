//! What a proxy does with a request once it is judged: continue (with or
//! without a decision record for filter state) or answer it. Both builds of
//! the filter (Proxy-Wasm and the native Envoy module) act on this, so they
//! record and answer alike.

use super::decision::Decision;
use super::deny_response::LocalReply;
use super::policy::{Policy, RecordDecisions};
use super::request::RequestValues;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Let the request through and record nothing (`record_decisions: denied`).
    Continue,
    /// Let the request through; `record` goes to filter state for the access
    /// log. `dry_run_denied`: an observed list would have denied it.
    Record {
        record: String,
        dry_run_denied: bool,
    },
    /// Answer with `reply`; its response code details `details` carry the
    /// record, which saves writing filter state on the path a flood of
    /// unwanted callers takes.
    Reply { reply: LocalReply, details: String },
}

impl Policy {
    /// Judges a request and says what to do with it. The decision comes
    /// back too: the proxy counts it.
    pub fn answer(&self, request: &mut impl RequestValues) -> (Decision, Answer) {
        let decision = self.evaluate(request);
        let dry_run_denied = decision.dry_run_denied.is_some();
        let answer = match decision.denied {
            None if !dry_run_denied && self.record_decisions == RecordDecisions::Denied => {
                Answer::Continue
            }
            None => Answer::Record {
                record: decision.record(self),
                dry_run_denied,
            },
            Some(reason) => {
                let reply = self.local_reply(reason, request);
                let details = reply.details_with_record(&decision.record(self));
                Answer::Reply { reply, details }
            }
        };
        (decision, answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{load_policy, SimulatedRequest};

    fn answer(config: &str, origin: &str) -> Answer {
        let policy = load_policy(config.as_bytes()).unwrap().policy;
        let mut request = SimulatedRequest::default().with_line("origin", origin);
        request.set_source_address("127.0.0.1:4000");
        policy.answer(&mut request).1
    }

    const LISTED: &str =
        r#""domains": {"mode": "listed", "allowed": [{"domain": "app.example.com"}]}"#;

    #[test]
    fn an_allowed_request_is_recorded_unless_only_denials_are() {
        let recorded = answer(&format!("{{{LISTED}}}"), "https://app.example.com");
        assert!(
            matches!(recorded, Answer::Record { dry_run_denied: false, ref record }
            if record.starts_with(r#"{"decision":"allow""#))
        );
        let only_denials = format!(r#"{{{LISTED}, "record_decisions": "denied"}}"#);
        assert_eq!(
            answer(&only_denials, "https://app.example.com"),
            Answer::Continue
        );
    }

    #[test]
    fn a_dry_run_denial_is_recorded_even_when_only_denials_are() {
        let config = format!(r#"{{{LISTED}, "dry_run": true, "record_decisions": "denied"}}"#);
        assert!(matches!(answer(&config, "https://evil.example.net"),
            Answer::Record { dry_run_denied: true, ref record } if record.contains("dry_run_deny")));
    }

    #[test]
    fn a_denial_carries_its_record_in_the_details() {
        let Answer::Reply { reply, details } =
            answer(&format!("{{{LISTED}}}"), "https://evil.example.net")
        else {
            panic!("not denied");
        };
        assert_eq!(reply.status, 403);
        assert!(details
            .starts_with(r#"proxy_allowlist_denied_domain:{"decision":"deny","reason":"domain""#));
    }
}
