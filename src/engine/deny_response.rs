//! The answer to a denied request: the product's 403 JSON error.

use super::decision::DenyReason;

pub const DENY_STATUS: u16 = 403;

/// Headers of every denial; the body changes with the reason only.
pub const DENY_HEADERS: [(&str, &str); 2] = [
    ("content-type", "application/json"),
    ("cache-control", "no-store"),
];

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
        ] {
            let body: serde_json::Value = serde_json::from_str(&reason.body()).unwrap();
            assert_eq!(body["code"], "PERMISSION_DENIED");
            assert_eq!(body["message"], reason.message());
            assert_eq!(body.as_object().unwrap().len(), 2);
        }
    }
}
