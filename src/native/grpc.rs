//! The denial a gRPC caller gets. For a request with gRPC's content type,
//! Envoy turns a filter's local reply into a gRPC one (HTTP 200, the body as
//! `grpc-message`) and keeps a `grpc-status` the reply carries. The Wasm
//! host lets Envoy derive that status from the HTTP status; 1.40's
//! dynamic-module `send_response` passes status 0 (OK) instead, so a denied
//! caller would read success. The module names the status itself, as Envoy
//! would have derived it.

/// The `grpc-status` a reply with `http_status` must carry, when
/// the request's `content_type` is gRPC's.
pub fn grpc_status(content_type: Option<&[u8]>, http_status: u16) -> Option<&'static str> {
    if !content_type.is_some_and(is_grpc) {
        return None;
    }
    // Envoy's httpToGrpcStatus for the statuses the filter answers with.
    Some(match http_status {
        403 => "7",  // PERMISSION_DENIED
        404 => "12", // UNIMPLEMENTED, as for a route that does not exist
        503 => "14", // UNAVAILABLE: a route's policy cannot be read
        _ => "2",    // UNKNOWN
    })
}

/// Envoy's rule (`Grpc::Common::hasGrpcContentType`): exactly
/// `application/grpc`, or it followed by `+` (`application/grpc+proto`);
/// `application/grpc-web` is not gRPC.
fn is_grpc(content_type: &[u8]) -> bool {
    content_type
        .strip_prefix(b"application/grpc")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(b"+"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_callers_get_the_status_envoy_derives() {
        assert_eq!(grpc_status(Some(b"application/grpc"), 403), Some("7"));
        assert_eq!(
            grpc_status(Some(b"application/grpc+proto"), 404),
            Some("12")
        );
        assert_eq!(grpc_status(Some(b"application/grpc"), 503), Some("14"));
    }

    #[test]
    fn other_callers_get_none() {
        for content_type in [
            &b"application/json"[..],
            b"application/grpc-web",
            b"application/grpcx",
            b"Application/grpc",
            b"",
        ] {
            assert_eq!(grpc_status(Some(content_type), 403), None);
        }
        assert_eq!(grpc_status(None, 403), None);
    }
}
