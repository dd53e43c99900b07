//! Content-Security-Policy. Pages carry a per-response nonce for Leptos'
//! inline hydration scripts; every other response gets the strict default.

use leptos::prelude::*;

/// The policy for a response; `nonce` allows the page's own inline scripts.
pub fn policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(nonce) => format!("'self' 'wasm-unsafe-eval' 'nonce-{nonce}'"),
        None => "'self' 'wasm-unsafe-eval'".to_string(),
    };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sets the page's policy with the nonce Leptos generated for this render.
pub fn apply_page_policy() {
    let Some(options) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let nonce = leptos::nonce::use_nonce();
    let value = policy(nonce.as_ref().map(|n| n.as_inner().as_ref()));
    if let Ok(value) = http::HeaderValue::from_str(&value) {
        options.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::policy;

    #[test]
    fn policy_has_the_required_directives() {
        let p = policy(Some("abc"));
        for needle in [
            "'wasm-unsafe-eval'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "'nonce-abc'",
        ] {
            assert!(p.contains(needle), "{needle} missing from {p}");
        }
        assert!(!policy(None).contains("nonce"));
        assert!(!p.contains("'unsafe-inline'; ") || !p.contains("script-src 'unsafe-inline'"));
    }
}
