//! Cross-site request refusal and security headers.
//!
//! Leptos server functions do no CSRF check of their own, so every
//! state-changing request must prove it comes from Concord's own pages:
//! browsers send `Sec-Fetch-Site` and/or `Origin` on such requests, and a
//! cross-site value is refused with 403 before any handler runs. Requests
//! with neither header come from non-browser clients (scripts, the CLI's
//! tests), which cannot carry a victim's cookies by accident.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{self, HeaderValue};
use http::{HeaderMap, Method, StatusCode};

/// Why a request was refused, for the log.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    CrossSiteFetch,
    ForeignOrigin,
}

/// Decides whether a request may change state. Safe methods always may.
pub fn check_origin(
    method: &Method,
    headers: &HeaderMap,
    public_origin: Option<&str>,
) -> Result<(), Refusal> {
    if matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) {
        return Ok(());
    }
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        if !matches!(site, "same-origin" | "none") {
            return Err(Refusal::CrossSiteFetch);
        }
    }
    if let Some(origin) = text("origin") {
        let origin = origin.trim_end_matches('/');
        let matches_public = public_origin.is_some_and(|p| p.eq_ignore_ascii_case(origin));
        let origin_host = origin.split_once("://").map(|(_, host)| host);
        let matches_host = match (origin_host, text("host")) {
            (Some(o), Some(h)) => o.eq_ignore_ascii_case(h),
            _ => false,
        };
        if !(matches_public || matches_host) {
            return Err(Refusal::ForeignOrigin);
        }
    }
    Ok(())
}

/// Middleware: refuses cross-site state-changing requests with 403.
pub async fn refuse_cross_site(
    State(public_origin): State<Option<String>>,
    request: Request,
    next: Next,
) -> Response {
    match check_origin(
        request.method(),
        request.headers(),
        public_origin.as_deref(),
    ) {
        Ok(()) => next.run(request).await,
        Err(why) => {
            tracing::warn!(?why, path = %request.uri().path(), "cross-site request refused");
            (
                StatusCode::FORBIDDEN,
                "Cross-site requests are not accepted.",
            )
                .into_response()
        }
    }
}

/// Middleware: the headers every response carries. Pages set their own
/// Content-Security-Policy (with a script nonce); everything else gets the
/// strict default.
pub async fn security_headers(request: Request<Body>, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(value) = HeaderValue::from_str(&app::ssr::csp::policy(None)) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn safe_methods_pass_whatever_their_origin() {
        let h = headers(&[
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ]);
        assert_eq!(check_origin(&Method::GET, &h, None), Ok(()));
        assert_eq!(check_origin(&Method::HEAD, &h, None), Ok(()));
    }

    #[test]
    fn cross_site_posts_are_refused() {
        let h = headers(&[("host", "127.0.0.1:3000"), ("sec-fetch-site", "cross-site")]);
        assert_eq!(
            check_origin(&Method::POST, &h, None),
            Err(Refusal::CrossSiteFetch)
        );
        let h = headers(&[("host", "127.0.0.1:3000"), ("sec-fetch-site", "same-site")]);
        assert_eq!(
            check_origin(&Method::POST, &h, None),
            Err(Refusal::CrossSiteFetch)
        );
        let h = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "https://evil.example"),
        ]);
        assert_eq!(
            check_origin(&Method::POST, &h, None),
            Err(Refusal::ForeignOrigin)
        );
        let h = headers(&[("host", "127.0.0.1:3000"), ("origin", "null")]);
        assert_eq!(
            check_origin(&Method::DELETE, &h, None),
            Err(Refusal::ForeignOrigin)
        );
        // Same host, other port: another origin.
        let h = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3001"),
        ]);
        assert_eq!(
            check_origin(&Method::PUT, &h, None),
            Err(Refusal::ForeignOrigin)
        );
    }

    #[test]
    fn same_origin_posts_pass() {
        let h = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert_eq!(check_origin(&Method::POST, &h, None), Ok(()));
        // Behind a proxy the Host differs; the configured public origin counts.
        let h = headers(&[
            ("host", "10.0.0.5:3000"),
            ("origin", "https://concord.example"),
        ]);
        assert_eq!(
            check_origin(&Method::POST, &h, Some("https://concord.example")),
            Ok(())
        );
        // A typed-in address or bookmark: Sec-Fetch-Site none.
        let h = headers(&[("host", "127.0.0.1:3000"), ("sec-fetch-site", "none")]);
        assert_eq!(check_origin(&Method::POST, &h, None), Ok(()));
        // Scripts without browser headers.
        assert_eq!(check_origin(&Method::POST, &HeaderMap::new(), None), Ok(()));
    }
}
