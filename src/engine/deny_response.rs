//! The answer to a denied request: the product's 403 JSON error, or a bare
//! 404 for APIs that must stay hidden. For a gRPC caller, Envoy itself turns
//! the local reply into a gRPC answer (`grpc-status` 7 for 403, 12 for 404,
//! the body as `grpc-message`), so the filter need not read `content-type`.

use super::calling_site::parse_origin;
use super::decision::DenyReason;
use super::policy::Policy;
use super::request::{Attribute, Fetched, RequestValues};

/// A local reply, for the filter to send and the CLI to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalReply {
    pub status: u16,
    /// The start of Envoy's response code details (`%RESPONSE_CODE_DETAILS%`);
    /// the filter appends the decision record.
    pub details: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: &'static str,
}

impl LocalReply {
    /// The response code details Envoy logs for this reply: the reason, then
    /// the decision record (which holds no space for Envoy to rewrite).
    pub fn details_with_record(&self, record: &str) -> String {
        format!("{}:{record}", self.details)
    }
}

impl Policy {
    /// The reply to a request denied for `reason`. Reads `Origin` only when
    /// denials are exposed to browsers.
    pub fn local_reply(&self, reason: DenyReason, request: &mut impl RequestValues) -> LocalReply {
        let mut reply = self.reply(self.deny_status, reason.details(), reason.body());
        if self.cors_expose_denials {
            if let Some(origin) = readable_origin(request) {
                reply.headers.push(("access-control-allow-origin", origin));
                reply.headers.push(("vary", "Origin".to_string()));
            }
        }
        reply
    }

    /// The 503 for a request that cannot be judged (the native build: its
    /// route's own policy was loaded by another module). Fails closed, and
    /// says as little as a denial does.
    pub fn unjudgeable_reply(&self, details: &'static str) -> LocalReply {
        self.reply(503, details, UNJUDGEABLE_BODY)
    }

    /// A reply with `body`, which an API hidden behind 404 denials
    /// (`deny_status: 404`) leaves out, with its content type.
    fn reply(&self, status: u16, details: &'static str, body: &'static str) -> LocalReply {
        let hidden = self.deny_status == 404;
        let mut headers = vec![("cache-control", "no-store".to_string())];
        if !hidden {
            headers.insert(0, ("content-type", "application/json".to_string()));
        }
        LocalReply {
            status,
            details,
            headers,
            body: if hidden { "" } else { body },
        }
    }
}

const UNJUDGEABLE_BODY: &str =
    r#"{"code":"UNAVAILABLE","message":"The route's allowlist could not be read."}"#;

/// The request's `Origin`, when it is one well-formed origin a page can be told about.
fn readable_origin(request: &mut impl RequestValues) -> Option<String> {
    let Fetched::Present(raw) = request.fetch(Attribute::Origin) else {
        return None;
    };
    parse_origin(&raw).ok()?;
    String::from_utf8(raw)
        .ok()
        .map(|origin| origin.trim_matches([' ', '\t']).to_string())
}

/// A reason's message, and the whole body with it, written once.
macro_rules! message_and_body {
    ($message:literal) => {
        (
            $message,
            concat!(
                "{\"code\":\"PERMISSION_DENIED\",\"message\":\"",
                $message,
                "\"}"
            ),
        )
    };
}

impl DenyReason {
    fn texts(self) -> (&'static str, &'static str) {
        match self {
            DenyReason::Domain => message_and_body!(
                "Permission denied. Check your security settings and ensure your domain is allowlisted."
            ),
            DenyReason::SourceIp => message_and_body!(
                "Permission denied. Check your security settings and ensure your source IP is allowlisted."
            ),
            DenyReason::DomainOrSourceIp => message_and_body!(
                "Permission denied. Check your security settings and ensure your domain or source IP is allowlisted."
            ),
            DenyReason::UnknownProject => {
                message_and_body!("Permission denied. The project could not be determined from the request.")
            }
        }
    }

    /// The `message` of the error body.
    pub fn message(self) -> &'static str {
        self.texts().0
    }

    /// The whole body, `{"code":"PERMISSION_DENIED","message":...}`.
    pub fn body(self) -> &'static str {
        self.texts().1
    }

    pub fn details(self) -> &'static str {
        match self {
            DenyReason::Domain => "proxy_allowlist_denied_domain",
            DenyReason::SourceIp => "proxy_allowlist_denied_source_ip",
            DenyReason::DomainOrSourceIp => "proxy_allowlist_denied_both",
            DenyReason::UnknownProject => "proxy_allowlist_unknown_project",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_the_products_json() {
        for reason in [
            DenyReason::Domain,
            DenyReason::SourceIp,
            DenyReason::DomainOrSourceIp,
            DenyReason::UnknownProject,
        ] {
            let body: serde_json::Value = serde_json::from_str(reason.body()).unwrap();
            assert_eq!(body["code"], "PERMISSION_DENIED");
            assert_eq!(body["message"], reason.message());
            assert_eq!(body.as_object().unwrap().len(), 2);
        }
    }

    #[test]
    fn an_unjudgeable_request_gets_a_503_that_a_hidden_api_keeps_bare() {
        let policy = |config: &str| {
            crate::engine::load_policy(config.as_bytes())
                .unwrap()
                .policy
        };
        let reply = policy("{}").unjudgeable_reply("why");
        assert_eq!((reply.status, reply.details), (503, "why"));
        let body: serde_json::Value = serde_json::from_str(reply.body).unwrap();
        assert_eq!(body["code"], "UNAVAILABLE");
        assert_eq!(
            reply.headers[0],
            ("content-type", "application/json".to_string())
        );
        let hidden = policy(r#"{"deny_status": 404}"#).unjudgeable_reply("why");
        assert_eq!((hidden.status, hidden.body), (503, ""));
        assert_eq!(hidden.headers, [("cache-control", "no-store".to_string())]);
    }
}
