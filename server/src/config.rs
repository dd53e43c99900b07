//! Configuration from environment variables (documented in the README).

use std::net::SocketAddr;

use leptos::config::LeptosOptions;

use crate::StartError;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/concord.db?mode=rwc";

#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://…` (default) or `postgres://…`.
    pub database_url: String,
    /// `CONCORD_ADDR` (or cargo-leptos' `LEPTOS_SITE_ADDR`): where to listen.
    pub addr: SocketAddr,
    /// `CONCORD_PUBLIC_URL`: the origin browsers use, if behind a proxy.
    pub public_url: Option<String>,
    /// `CONCORD_COOKIE_SECURE`: `true`/`false`; by default cookies are
    /// `Secure` unless Concord serves plain HTTP on a loopback address.
    pub secure_cookies: bool,
    /// `CONCORD_SESSION_IDLE_MINUTES` (default 720).
    pub session_idle: time::Duration,
    /// `CONCORD_SESSION_MAX_HOURS` (default 168).
    pub session_absolute: time::Duration,
    /// `CONCORD_LOG_FORMAT`: `json` for machine-read logs, else human text.
    pub json_logs: bool,
}

impl Config {
    pub fn from_environment() -> Result<Self, StartError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads settings through `get`, so tests need not touch the process
    /// environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, StartError> {
        let addr_text = get("CONCORD_ADDR")
            .or_else(|| get("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| "127.0.0.1:3000".to_string());
        let addr: SocketAddr = addr_text.parse().map_err(|_| {
            StartError::Config(format!("CONCORD_ADDR {addr_text:?} is not host:port"))
        })?;
        let public_url = get("CONCORD_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_string());
        let plain_http_on_loopback = addr.ip().is_loopback()
            && public_url
                .as_deref()
                .is_none_or(|u| u.starts_with("http://"));
        let secure_cookies = match get("CONCORD_COOKIE_SECURE").as_deref() {
            None | Some("") => !plain_http_on_loopback,
            Some("true" | "1") => true,
            Some("false" | "0") => false,
            Some(other) => {
                return Err(StartError::Config(format!(
                    "CONCORD_COOKIE_SECURE must be true or false, not {other:?}"
                )))
            }
        };
        let minutes = |key: &str, default: i64| -> Result<i64, StartError> {
            match get(key) {
                None => Ok(default),
                Some(v) => v.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    StartError::Config(format!("{key} must be a positive whole number"))
                }),
            }
        };
        Ok(Self {
            database_url: get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string()),
            addr,
            public_url,
            secure_cookies,
            session_idle: time::Duration::minutes(minutes("CONCORD_SESSION_IDLE_MINUTES", 720)?),
            session_absolute: time::Duration::hours(minutes("CONCORD_SESSION_MAX_HOURS", 168)?),
            json_logs: get("CONCORD_LOG_FORMAT").as_deref() == Some("json"),
        })
    }

    /// Leptos' own settings (site root, output name) from cargo-leptos'
    /// variables, with Concord's defaults when run without it.
    pub fn leptos_options(&self) -> LeptosOptions {
        let mut options = leptos::config::get_configuration(None)
            .map(|c| c.leptos_options)
            .unwrap_or_else(|_| LeptosOptions::builder().output_name("concord").build());
        if options.output_name.is_empty() {
            options.output_name = "concord".into();
        }
        options.site_addr = self.addr;
        options
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, StartError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_serve_sqlite_on_localhost_without_secure_cookies() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert!(!c.secure_cookies);
    }

    #[test]
    fn cookies_are_secure_off_loopback_or_behind_https() {
        assert!(
            config(&[("CONCORD_ADDR", "0.0.0.0:3000")])
                .unwrap()
                .secure_cookies
        );
        assert!(
            config(&[("CONCORD_PUBLIC_URL", "https://concord.example")])
                .unwrap()
                .secure_cookies
        );
        assert!(
            !config(&[
                ("CONCORD_ADDR", "0.0.0.0:3000"),
                ("CONCORD_COOKIE_SECURE", "false")
            ])
            .unwrap()
            .secure_cookies
        );
    }

    #[test]
    fn bad_values_are_refused_with_the_variable_named() {
        let err = config(&[("CONCORD_ADDR", "nowhere")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("CONCORD_ADDR"), "{err}");
        let err = config(&[("CONCORD_SESSION_IDLE_MINUTES", "-3")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("CONCORD_SESSION_IDLE_MINUTES"), "{err}");
        assert!(config(&[("CONCORD_COOKIE_SECURE", "maybe")]).is_err());
    }
}
