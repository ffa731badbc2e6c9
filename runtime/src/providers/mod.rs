//! Built-in [`SamplingHandler`](crate::SamplingHandler)s that call an LLM provider over HTTP.
//!
//! - [`OpenAiHandler`] (feature `openai`): any OpenAI-compatible Chat Completions server:
//!   OpenAI, vLLM, Ollama (`http://localhost:11434/v1`), llama.cpp's `llama-server`
//!   (`http://localhost:8080/v1`), LM Studio, OpenRouter...
//! - [`AnthropicHandler`] (feature `anthropic`): Anthropic's Messages API.
//!
//! Both are built the same way: `Handler::builder(default_model)`, then the shared settings
//! (`base_url`, `api_key`, `models`, `timeout`, `connect_timeout`, `max_retries` /
//! `retry_policy`, `header`), then `build()`; or `Handler::from_env()`. Both share the same
//! behaviour:
//!
//! - **Retries**: `429` and `5xx` answers (Anthropic's `529 overloaded` included) are retried
//!   as the [`RetryPolicy`] says, honouring `retry-after-ms` / `retry-after`.
//! - **Model hints**: a request's `modelPreferences.hints` select the model among the default
//!   model and the configured `models` (exact name first, then a model containing the hint);
//!   a hint matching none is ignored unless `any_hinted_model(true)`. Otherwise the default
//!   model is used.
//! - **Errors** are [`HandlerError`](crate::HandlerError)s: a provider's error answer is
//!   [`HandlerErrorKind::Provider`](crate::handler::HandlerErrorKind::Provider) with the HTTP status,
//!   the provider's error type and its message; running out of time is `Timeout`; a provider
//!   that cannot be reached is `Transport`; an answer that cannot be read is
//!   `InvalidResponse`; a request the provider cannot take (e.g. audio) is `InvalidRequest`,
//!   reported before anything is sent.
//! - **Results** always have the role `assistant` and the model name the provider reported.

mod content;
mod http;

#[cfg(feature = "anthropic")]
mod anthropic;
#[cfg(feature = "openai")]
mod openai;

#[cfg(feature = "anthropic")]
#[cfg_attr(docsrs, doc(cfg(feature = "anthropic")))]
pub use anthropic::{AnthropicHandler, AnthropicHandlerBuilder};
pub use http::RetryPolicy;
#[cfg(feature = "openai")]
#[cfg_attr(docsrs, doc(cfg(feature = "openai")))]
pub use openai::{MaxTokensField, OpenAiHandler, OpenAiHandlerBuilder};
