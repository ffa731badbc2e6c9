//! The HTTP plumbing both provider handlers share: configuration, the retry loop, model-hint
//! resolution and the mapping of transport and provider failures into [`HandlerError`]s.

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::handler::{HandlerError, HandlerErrorKind};
use crate::limits::prefix;
use crate::message::ModelPreferences;

/// Default limit on one HTTP attempt, from connecting to the last byte of the body.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
/// Default limit on establishing the connection.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A larger answer is refused rather than buffered: no chat completion comes near it.
const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;
/// How much of a provider's error text is kept in a [`HandlerError`]'s message.
const MAX_ERROR_TEXT_CHARS: usize = 2_000;

/// How a provider handler retries a request the provider could not serve right now.
///
/// A request is retried when the provider answers `429 Too Many Requests` or any `5xx`
/// status (Anthropic's `529 overloaded` included). Before retry number `n` (from 0) the
/// handler waits `initial_backoff * 2^n`, or the delay the provider asked for in a
/// `retry-after-ms` / `retry-after` (seconds) header; either way at most `max_backoff`.
/// Timeouts, connection failures and other statuses are not retried.
///
/// The default: 2 retries, 500 ms initial backoff, 30 s cap.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = never retry).
    pub max_retries: u32,
    /// The wait before the first retry, doubled for each further one.
    pub initial_backoff: Duration,
    /// The longest wait between two attempts, also for a provider's `retry-after`.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The default policy with this many retries.
    pub fn new(max_retries: u32) -> Self {
        Self {
            max_retries,
            ..Self::default()
        }
    }

    /// Never retry.
    pub fn none() -> Self {
        Self::new(0)
    }

    /// Sets the wait before the first retry.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets the longest wait between two attempts.
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The wait before retry number `retry` (from 0).
    fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let backoff = retry_after.unwrap_or_else(|| {
            self.initial_backoff
                .saturating_mul(2u32.saturating_pow(retry.min(16)))
        });
        backoff.min(self.max_backoff)
    }
}

/// The settings every provider handler has; each handler's builder exposes them through
/// [`http_builder_methods`].
#[derive(Clone)]
pub(crate) struct HttpConfig {
    pub(crate) base_url: String,
    pub(crate) api_key: Option<String>,
    pub(crate) model: String,
    pub(crate) models: Vec<String>,
    pub(crate) any_hinted_model: bool,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) headers: Vec<(String, String)>,
}

impl HttpConfig {
    pub(crate) fn new(base_url: &str, model: String) -> Self {
        Self {
            base_url: base_url.to_owned(),
            api_key: None,
            model,
            models: Vec::new(),
            any_hinted_model: false,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry: RetryPolicy::default(),
            headers: Vec::new(),
        }
    }

    /// The settings in the environment: `{prefix}_MODEL` (required), `{prefix}_BASE_URL`
    /// (default `default_base_url`) and `{prefix}_API_KEY` (optional). Empty variables count
    /// as unset. Both handlers' `from_env` builders read their variables through this.
    pub(crate) fn from_env(
        provider: &str,
        prefix: &str,
        default_base_url: &str,
    ) -> Result<Self, HandlerError> {
        Self::from_vars(provider, prefix, default_base_url, |name| {
            std::env::var(name).ok()
        })
    }

    /// [`Self::from_env`] with the variables looked up by `lookup`.
    fn from_vars(
        provider: &str,
        prefix: &str,
        default_base_url: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, HandlerError> {
        let var = |suffix: &str| {
            lookup(&format!("{prefix}_{suffix}")).filter(|value| !value.trim().is_empty())
        };
        let model = var("MODEL").ok_or_else(|| {
            HandlerError::other(format!(
                "{provider} handler: set {prefix}_MODEL to the model to use"
            ))
        })?;
        let base_url = var("BASE_URL");
        let mut config = Self::new(base_url.as_deref().unwrap_or(default_base_url), model);
        config.api_key = var("API_KEY");
        Ok(config)
    }

    /// The model for a request: the first hint that names a model this handler may use, else
    /// the default model.
    ///
    /// The candidates are the default model followed by the configured `models`. For each hint
    /// in order, a candidate equal to it (ignoring ASCII case) wins, then the first candidate
    /// that contains it (so `"mini"` or `"claude-3"` select a model of that family); with
    /// `any_hinted_model`, a hint no candidate matches is sent to the provider as it is.
    pub(crate) fn resolve_model(&self, preferences: Option<&ModelPreferences>) -> String {
        let hints = preferences
            .map(|p| p.hints.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|hint| hint.trim())
            .filter(|name| !name.is_empty());
        let candidates = || std::iter::once(&self.model).chain(self.models.iter());
        for hint in hints {
            let wanted = hint.to_ascii_lowercase();
            if let Some(model) = candidates().find(|m| m.eq_ignore_ascii_case(hint)) {
                return model.clone();
            }
            if let Some(model) = candidates().find(|m| m.to_ascii_lowercase().contains(&wanted)) {
                return model.clone();
            }
            if self.any_hinted_model {
                return hint.to_owned();
            }
        }
        self.model.clone()
    }
}

impl std::fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("model", &self.model)
            .field("models", &self.models)
            .field("any_hinted_model", &self.any_hinted_model)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Emits the builder methods for the [`HttpConfig`] settings, on a builder with a field
/// `http: HttpConfig`, so both handlers' builders offer them with the same docs.
macro_rules! http_builder_methods {
    () => {
        /// Sets the base URL (scheme, host, optional port and path prefix) requests go to.
        pub fn base_url(mut self, url: impl Into<String>) -> Self {
            self.http.base_url = url.into();
            self
        }

        /// Sets the API key sent with each request.
        pub fn api_key(mut self, key: impl Into<String>) -> Self {
            self.http.api_key = Some(key.into());
            self
        }

        /// Sets the model used when no model hint of the request selects another one.
        pub fn model(mut self, model: impl Into<String>) -> Self {
            self.http.model = model.into();
            self
        }

        /// Other models a request's model hints may select, besides the default model.
        ///
        /// For each hint in order, a model equal to it (ignoring ASCII case) wins, then the
        /// first model containing it (the default model first, then these in order), so a
        /// hint may name a family such as `"mini"`. Hints that match nothing are ignored,
        /// unless [`Self::any_hinted_model`] is set.
        pub fn models<S: Into<String>>(mut self, models: impl IntoIterator<Item = S>) -> Self {
            self.http.models = models.into_iter().map(Into::into).collect();
            self
        }

        /// Sends the first model hint as the model name when no configured model matches it
        /// (off by default: a request cannot pick an arbitrary, maybe costly, model).
        pub fn any_hinted_model(mut self, yes: bool) -> Self {
            self.http.any_hinted_model = yes;
            self
        }

        /// Sets the limit on one attempt, from connecting to the end of the response body
        /// (default 120 s). A request that runs out of time fails with
        /// [`HandlerErrorKind::Timeout`](crate::handler::HandlerErrorKind::Timeout) and is not retried.
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.http.timeout = timeout;
            self
        }

        /// Sets the limit on establishing a connection (default 10 s).
        pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.http.connect_timeout = timeout;
            self
        }

        /// Sets how many times a `429` or `5xx` answer is retried, keeping the other settings
        /// of the [`RetryPolicy`](crate::providers::RetryPolicy) (default 2).
        pub fn max_retries(mut self, retries: u32) -> Self {
            self.http.retry.max_retries = retries;
            self
        }

        /// Sets the whole retry policy.
        pub fn retry_policy(mut self, policy: crate::providers::RetryPolicy) -> Self {
            self.http.retry = policy;
            self
        }

        /// Adds a header sent with every request (e.g. an organisation or project id).
        pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.http.headers.push((name.into(), value.into()));
            self
        }
    };
}
pub(crate) use http_builder_methods;

/// A configured HTTP client for one provider.
#[derive(Debug, Clone)]
pub(crate) struct HttpClient {
    client: reqwest::Client,
    pub(crate) config: HttpConfig,
    /// The provider's name, for messages ("OpenAI-compatible API", "Anthropic API").
    provider: &'static str,
    /// The full URL requests are posted to.
    url: reqwest::Url,
}

impl HttpClient {
    /// Checks the configuration and builds the client. `endpoint` is appended to the base
    /// URL; `headers` are the provider's own (authentication, version) and go with every
    /// request, after the configured extra headers.
    pub(crate) fn new(
        config: HttpConfig,
        provider: &'static str,
        endpoint: &str,
        headers: HeaderMap,
    ) -> Result<Self, HandlerError> {
        let config_error = |message: String| {
            HandlerError::new(
                HandlerErrorKind::Other,
                format!("{provider} handler: {message}"),
            )
        };
        if config.model.trim().is_empty() {
            return Err(config_error("no default model is configured".into()));
        }
        let url = format!("{}/{}", config.base_url.trim_end_matches('/'), endpoint);
        let url = reqwest::Url::parse(&url)
            .map_err(|e| config_error(format!("invalid base URL {:?}: {e}", config.base_url)))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(config_error(format!(
                "invalid base URL {:?}: the scheme must be http or https",
                config.base_url
            )));
        }
        let mut all = HeaderMap::new();
        all.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        for (name, value) in &config.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| config_error(format!("invalid header name {name:?}: {e}")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|e| config_error(format!("invalid value for header {name}: {e}")))?;
            all.append(name, value);
        }
        for (name, value) in headers {
            if let Some(name) = name {
                all.insert(name, value);
            }
        }
        let client = reqwest::Client::builder()
            .default_headers(all)
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            // No LLM API redirects; following one would send the API key and the conversation
            // to another origin.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("rmcp-sampling/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                config_error(format!(
                    "cannot build the HTTP client: {}",
                    crate::error::chain(&e)
                ))
            })?;
        Ok(Self {
            client,
            config,
            provider,
            url,
        })
    }

    /// The header value for a secret, marked sensitive so it never shows in debug output.
    pub(crate) fn secret_header(
        provider: &'static str,
        value: &str,
    ) -> Result<HeaderValue, HandlerError> {
        let mut value = HeaderValue::from_str(value).map_err(|_| {
            HandlerError::new(
                HandlerErrorKind::Other,
                format!(
                    "{provider} handler: the API key contains characters a header cannot carry"
                ),
            )
        })?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// Posts `body` as JSON, retrying as the [`RetryPolicy`] says, and decodes the successful
    /// answer as `T`. Stops as soon as `cancellation` fires.
    pub(crate) async fn post<T: DeserializeOwned>(
        &self,
        body: &impl Serialize,
        cancellation: &CancellationToken,
    ) -> Result<T, HandlerError> {
        let body = serde_json::to_vec(body).map_err(|e| {
            HandlerError::new(
                HandlerErrorKind::InvalidRequest,
                format!("{}: cannot serialise the request: {e}", self.provider),
            )
        })?;
        let retry = &self.config.retry;
        let mut attempt = 0u32;
        let bytes = loop {
            let outcome = tokio::select! {
                biased;
                () = cancellation.cancelled() => return Err(cancelled(self.provider)),
                outcome = self.attempt(body.clone()) => outcome,
            };
            match outcome {
                Ok(bytes) => break bytes,
                Err(failure) if failure.retryable && attempt < retry.max_retries => {
                    let delay = retry.delay(attempt, failure.retry_after);
                    tracing::warn!(
                        provider = self.provider,
                        attempt = attempt + 1,
                        delay_ms = delay.as_millis() as u64,
                        error = %failure.error,
                        "retrying the LLM request",
                    );
                    tokio::select! {
                        biased;
                        () = cancellation.cancelled() => return Err(cancelled(self.provider)),
                        () = tokio::time::sleep(delay) => {}
                    }
                    attempt += 1;
                }
                Err(failure) if attempt > 0 => {
                    let Failure { error, .. } = failure;
                    let message = format!(
                        "{} (gave up after {attempt} {})",
                        error.message(),
                        if attempt == 1 { "retry" } else { "retries" }
                    );
                    return Err(HandlerError::new(error.kind().clone(), message));
                }
                Err(failure) => return Err(failure.error),
            }
        };
        decode(self.provider, &bytes)
    }

    /// One attempt: the body of a successful answer, or why it failed.
    async fn attempt(&self, body: Vec<u8>) -> Result<Vec<u8>, Failure> {
        let mut response = self
            .client
            .post(self.url.clone())
            .body(body)
            .send()
            .await
            .map_err(|e| Failure::fatal(self.transport_error(&e)))?;
        let status = response.status();
        if status.is_redirection() {
            return Err(Failure::fatal(self.redirect_error(&response)));
        }
        let retry_after = retry_after(response.headers());
        let bytes = self.read_body(&mut response).await;
        if status.is_success() {
            return bytes.map_err(Failure::fatal);
        }
        let text = bytes.unwrap_or_default();
        let error = self.status_error(status.as_u16(), &text);
        let retryable = status.as_u16() == 429 || status.is_server_error();
        Err(Failure {
            error,
            retryable,
            retry_after,
        })
    }

    /// Reads the body, refusing one over [`MAX_RESPONSE_BYTES`].
    async fn read_body(&self, response: &mut reqwest::Response) -> Result<Vec<u8>, HandlerError> {
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_error(&e))?
        {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(HandlerError::new(
                    HandlerErrorKind::InvalidResponse,
                    format!(
                        "{}: the response is larger than {MAX_RESPONSE_BYTES} bytes",
                        self.provider
                    ),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn transport_error(&self, error: &reqwest::Error) -> HandlerError {
        if error.is_timeout() {
            HandlerError::new(
                HandlerErrorKind::Timeout,
                format!(
                    "{} did not answer within {:?} ({})",
                    self.provider,
                    self.config.timeout,
                    crate::error::chain(error)
                ),
            )
        } else {
            HandlerError::new(
                HandlerErrorKind::Transport,
                format!(
                    "cannot reach the {} at {}: {}",
                    self.provider,
                    self.url,
                    crate::error::chain(error)
                ),
            )
        }
    }

    /// The error for a redirect, which is never followed.
    fn redirect_error(&self, response: &reqwest::Response) -> HandlerError {
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .unwrap_or_else(|| "nowhere".to_owned());
        HandlerError::new(
            HandlerErrorKind::Provider {
                status: Some(response.status().as_u16()),
                error_type: None,
            },
            format!(
                "the {} at {} answered with a redirect (HTTP {}) to {:?}; redirects are not \
                 followed, so the API key and the conversation stay with this origin: set the \
                 base URL to the address that answers",
                self.provider,
                self.url,
                response.status().as_u16(),
                prefix(&location, MAX_ERROR_TEXT_CHARS)
            ),
        )
    }

    /// The error for a non-success status, keeping the provider's error type and message.
    fn status_error(&self, status: u16, body: &[u8]) -> HandlerError {
        let (error_type, message) = parse_error_body(body);
        let mut text = format!("{} returned HTTP {status}", self.provider);
        if let Some(error_type) = &error_type {
            text.push_str(&format!(" ({error_type})"));
        }
        if let Some(message) = message {
            text.push_str(": ");
            text.push_str(&prefix(&message, MAX_ERROR_TEXT_CHARS));
        }
        HandlerError::new(
            HandlerErrorKind::Provider {
                status: Some(status),
                error_type,
            },
            text,
        )
    }
}

/// Why an attempt failed, and whether another one may help.
struct Failure {
    error: HandlerError,
    retryable: bool,
    retry_after: Option<Duration>,
}

impl Failure {
    fn fatal(error: HandlerError) -> Self {
        Self {
            error,
            retryable: false,
            retry_after: None,
        }
    }
}

fn cancelled(provider: &str) -> HandlerError {
    HandlerError::other(format!("the request to the {provider} was cancelled"))
}

/// Decodes a successful answer, naming the JSON path that did not fit.
pub(crate) fn decode<T: DeserializeOwned>(provider: &str, bytes: &[u8]) -> Result<T, HandlerError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." {
            String::new()
        } else {
            format!(" at {path}")
        };
        HandlerError::new(
            HandlerErrorKind::InvalidResponse,
            format!(
                "the {provider}'s response cannot be read{at}: {} (body starts with {:?})",
                e.inner(),
                prefix(&String::from_utf8_lossy(bytes), 200)
            ),
        )
    })
}

/// The delay a `retry-after-ms` or `retry-after` (seconds) header asks for.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let number = |name: &str| -> Option<f64> {
        let value = headers
            .get(name)?
            .to_str()
            .ok()?
            .trim()
            .parse::<f64>()
            .ok()?;
        (value.is_finite() && value >= 0.0).then_some(value)
    };
    if let Some(ms) = number("retry-after-ms") {
        return Some(Duration::from_secs_f64((ms / 1000.0).min(86_400.0)));
    }
    number("retry-after").map(|s| Duration::from_secs_f64(s.min(86_400.0)))
}

/// The error type and message in a provider's error body. Understands
/// `{"error": {"type"|"code", "message"}}` (OpenAI, Anthropic), `{"error": "text"}` (Ollama),
/// `{"type", "message"}` (vLLM), and falls back to the body's text.
fn parse_error_body(body: &[u8]) -> (Option<String>, Option<String>) {
    let as_text = |value: &Value| match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    if let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) {
        let inner = match object.get("error") {
            Some(Value::Object(inner)) => inner,
            Some(Value::String(message)) => return (None, Some(message.clone())),
            _ => &object,
        };
        let error_type = inner
            .get("type")
            .and_then(as_text)
            .filter(|t| t != "error")
            .or_else(|| inner.get("code").and_then(as_text));
        let message = inner.get("message").and_then(as_text);
        if error_type.is_some() || message.is_some() {
            return (error_type, message);
        }
    }
    let text = String::from_utf8_lossy(body).trim().to_owned();
    (None, (!text.is_empty()).then_some(text))
}

/// The error for a request the provider cannot take, reported before anything is sent.
pub(crate) fn invalid_request(provider: &str, message: impl std::fmt::Display) -> HandlerError {
    HandlerError::new(
        HandlerErrorKind::InvalidRequest,
        format!("the {provider} cannot take this request: {message}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> HttpConfig {
        let mut config = HttpConfig::new("http://x", "gpt-4o-mini".into());
        config.models = vec!["gpt-4o".into(), "o3".into()];
        config
    }

    fn hints(names: &[&str]) -> ModelPreferences {
        ModelPreferences::hints(names.iter().copied())
    }

    #[test]
    fn hints_select_exact_then_substring_then_default() {
        let config = config();
        assert_eq!(config.resolve_model(None), "gpt-4o-mini");
        assert_eq!(config.resolve_model(Some(&hints(&["GPT-4o"]))), "gpt-4o");
        assert_eq!(config.resolve_model(Some(&hints(&["claude", "o3"]))), "o3");
        assert_eq!(config.resolve_model(Some(&hints(&["4o"]))), "gpt-4o-mini");
        assert_eq!(
            config.resolve_model(Some(&hints(&["claude"]))),
            "gpt-4o-mini"
        );
        let mut open = config;
        open.any_hinted_model = true;
        assert_eq!(
            open.resolve_model(Some(&hints(&["  ", "llama3"]))),
            "llama3"
        );
    }

    #[test]
    fn environment_settings() {
        let read = |vars: &[(&str, &str)]| {
            let lookup = |name: &str| {
                vars.iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            };
            HttpConfig::from_vars("Test API", "TEST", "https://default.example", lookup)
        };
        let config = read(&[
            ("TEST_MODEL", "m1"),
            ("TEST_BASE_URL", "http://127.0.0.1:9/v1"),
            ("TEST_API_KEY", "k"),
            ("OTHER_MODEL", "m2"),
        ])
        .unwrap();
        assert_eq!(config.model, "m1");
        assert_eq!(config.base_url, "http://127.0.0.1:9/v1");
        assert_eq!(config.api_key.as_deref(), Some("k"));

        // Blank variables count as unset: the default base URL, no key.
        let config = read(&[
            ("TEST_MODEL", "m1"),
            ("TEST_BASE_URL", " "),
            ("TEST_API_KEY", ""),
        ])
        .unwrap();
        assert_eq!(config.base_url, "https://default.example");
        assert_eq!(config.api_key, None);

        // The model is required, and the error names the variable to set.
        for vars in [&[][..], &[("TEST_MODEL", "\t")], &[("OTHER_MODEL", "m")]] {
            let err = read(vars).unwrap_err();
            assert_eq!(err.kind(), &HandlerErrorKind::Other);
            assert_eq!(
                err.message(),
                "Test API handler: set TEST_MODEL to the model to use"
            );
        }
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let policy = RetryPolicy::default().with_max_backoff(Duration::from_secs(1));
        assert_eq!(policy.delay(0, None), Duration::from_millis(500));
        assert_eq!(policy.delay(1, None), Duration::from_secs(1));
        assert_eq!(policy.delay(40, None), Duration::from_secs(1));
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(9))),
            Duration::from_secs(1)
        );
        assert_eq!(policy.delay(0, Some(Duration::ZERO)), Duration::ZERO);
    }

    #[test]
    fn retry_after_headers() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert("retry-after-ms", HeaderValue::from_static("150"));
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(150)));
        headers.insert("retry-after-ms", HeaderValue::from_static("-1"));
        headers.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn error_bodies() {
        assert_eq!(
            parse_error_body(
                br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#
            ),
            (Some("overloaded_error".into()), Some("Overloaded".into()))
        );
        assert_eq!(
            parse_error_body(
                br#"{"error":{"message":"bad","type":null,"code":"model_not_found"}}"#
            ),
            (Some("model_not_found".into()), Some("bad".into()))
        );
        assert_eq!(
            parse_error_body(br#"{"error":"no model"}"#),
            (None, Some("no model".into()))
        );
        assert_eq!(parse_error_body(b"  oops \n"), (None, Some("oops".into())));
        assert_eq!(parse_error_body(b""), (None, None));
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        use crate::limits::prefix;
        assert_eq!(prefix("héllo", 2), "hé…");
        assert_eq!(prefix("hi", 2), "hi");
    }
}
