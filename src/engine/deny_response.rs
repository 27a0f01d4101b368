//! The answer to a denied request: the product's 403 JSON error, a gRPC
//! status for gRPC callers, or a bare 404 for APIs that must stay hidden.

use super::calling_site::parse_origin;
use super::decision::DenyReason;
use super::policy::Policy;
use super::request::{Attribute, Fetched, RequestValues};

/// gRPC's PERMISSION_DENIED, and UNIMPLEMENTED (what a missing route answers).
const GRPC_PERMISSION_DENIED: i32 = 7;
const GRPC_UNIMPLEMENTED: i32 = 12;

/// A local reply, for the filter to send and the CLI to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalReply {
    pub status: u16,
    /// Envoy's response code details (`%RESPONSE_CODE_DETAILS%`).
    pub details: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    /// Set for gRPC callers: Envoy answers with this `grpc-status` and the
    /// body as `grpc-message`.
    pub grpc_status: Option<i32>,
}

impl Policy {
    /// The reply to a request denied for `reason`. Reads `content-type`, and
    /// `Origin` when denials are exposed to browsers: denials only.
    pub fn local_reply(&self, reason: DenyReason, request: &mut impl RequestValues) -> LocalReply {
        let hidden = self.deny_status == 404;
        let details = reason.details();
        if is_grpc(request) {
            return LocalReply {
                status: self.deny_status,
                details,
                headers: Vec::new(),
                body: if hidden {
                    String::new()
                } else {
                    reason.message().to_string()
                },
                grpc_status: Some(if hidden {
                    GRPC_UNIMPLEMENTED
                } else {
                    GRPC_PERMISSION_DENIED
                }),
            };
        }
        let mut headers = vec![("cache-control", "no-store".to_string())];
        let body = if hidden {
            String::new()
        } else {
            headers.insert(0, ("content-type", "application/json".to_string()));
            reason.body()
        };
        if self.cors_expose_denials {
            if let Some(origin) = readable_origin(request) {
                headers.push(("access-control-allow-origin", origin));
                headers.push(("vary", "Origin".to_string()));
            }
        }
        LocalReply {
            status: self.deny_status,
            details,
            headers,
            body,
            grpc_status: None,
        }
    }
}

fn is_grpc(request: &mut impl RequestValues) -> bool {
    match request.fetch(Attribute::ContentType) {
        Fetched::Present(value) => value
            .get(..16)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"application/grpc")),
        Fetched::Absent | Fetched::Unavailable => false,
    }
}

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

impl DenyReason {
    /// The `message` of the error body.
    pub fn message(self) -> &'static str {
        match self {
            DenyReason::Domain => {
                "Permission denied. Check your security settings and ensure your domain is allowlisted."
            }
            DenyReason::SourceIp => {
                "Permission denied. Check your security settings and ensure your source IP is allowlisted."
            }
            DenyReason::DomainAndSourceIp => {
                "Permission denied. Check your security settings and ensure your domain and source IP are allowlisted."
            }
            DenyReason::DomainOrSourceIp => {
                "Permission denied. Check your security settings and ensure your domain or source IP is allowlisted."
            }
            DenyReason::UnknownProject => {
                "Permission denied. The project could not be determined from the request."
            }
        }
    }

    /// The whole body, `{"code":"PERMISSION_DENIED","message":...}`. The
    /// messages hold no character that JSON escapes.
    pub fn body(self) -> String {
        format!(
            "{{\"code\":\"PERMISSION_DENIED\",\"message\":\"{}\"}}",
            self.message()
        )
    }

    fn details(self) -> &'static str {
        match self {
            DenyReason::Domain => "proxy_allowlist_denied_domain",
            DenyReason::SourceIp => "proxy_allowlist_denied_source_ip",
            DenyReason::DomainAndSourceIp | DenyReason::DomainOrSourceIp => {
                "proxy_allowlist_denied_both"
            }
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
            DenyReason::DomainAndSourceIp,
            DenyReason::DomainOrSourceIp,
            DenyReason::UnknownProject,
        ] {
            let body: serde_json::Value = serde_json::from_str(&reason.body()).unwrap();
            assert_eq!(body["code"], "PERMISSION_DENIED");
            assert_eq!(body["message"], reason.message());
            assert_eq!(body.as_object().unwrap().len(), 2);
        }
    }
}
