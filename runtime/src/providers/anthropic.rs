//! The Anthropic Messages API handler.

use std::sync::Arc;

use futures::future::BoxFuture;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::content::{
    Piece, assistant_result, refusal, tool_choice, tool_result_pieces, unsupported_content,
};
use super::http::{HttpClient, HttpConfig, http_builder_methods};
use crate::handler::{HandlerContext, HandlerError, HandlerErrorKind, SamplingHandler};
use crate::limits::quote;
use crate::message::{
    Content, LlmRequest, LlmResponse, Message, Role, StopReason, ToolResult, Usage,
};

const PROVIDER: &str = "Anthropic API";

/// A [`SamplingHandler`] that calls Anthropic's Messages API (`POST {base_url}/v1/messages`).
/// Feature `anthropic`.
///
/// ```no_run
/// use rmcp_sampling::providers::AnthropicHandler;
///
/// # fn main() -> Result<(), rmcp_sampling::HandlerError> {
/// let handler = AnthropicHandler::builder("claude-sonnet-4-5")
///     .api_key(std::env::var("ANTHROPIC_API_KEY").unwrap_or_default())
///     .max_retries(3)
///     .build()?;
/// # Ok(()) }
/// ```
///
/// # What it maps
///
/// | MCP request | Messages API |
/// | --- | --- |
/// | `systemPrompt` | top-level `system` |
/// | user / assistant messages | `messages`, each with an array of content blocks |
/// | text, image blocks | `text` blocks (empty ones dropped: the API refuses them), `image` blocks with a `base64` source |
/// | assistant `tool_use` | `tool_use` blocks (`id`, `name`, `input`) |
/// | user `tool_result` | `tool_result` blocks (`tool_use_id`, text and image `content` (omitted when empty; embedded text resources and resource links as text; the structured content as JSON text when there is no other content), `is_error` when true) |
/// | `tools` | `tools: [{name, description, input_schema}]` |
/// | `toolChoice` auto / required / none | `tool_choice: {type: "auto" / "any" / "none"}` (only sent with tools) |
/// | `stopSequences`, `temperature`, `maxTokens` | `stop_sequences`, `temperature`, `max_tokens` |
/// | `modelPreferences.hints` | `model`, see [`AnthropicHandlerBuilder::models`] |
///
/// And back: `text` and `tool_use` blocks (other block types, such as `thinking`, are
/// skipped); `stop_reason` `end_turn` → `endTurn`, `max_tokens` → `maxTokens`,
/// `stop_sequence` → `stopSequence`, `tool_use` → `toolUse`, others as they are; the model
/// the API reports; `usage` as [`Usage`], its input being all the input tokens
/// (`input_tokens` plus the cache reads and writes, which Anthropic counts apart) and its
/// cached input the cache reads. An answer cut by `max_tokens` whose last block is a `tool_use` loses that
/// call (its input may be incomplete) and keeps the rest; with nothing else, the error names
/// the token limit. Headers: `x-api-key`, `anthropic-version` (default `2023-06-01`).
///
/// Requests the API cannot take fail with [`HandlerErrorKind::InvalidRequest`] before
/// anything is sent: audio content, binary resources in tool results.
#[derive(Debug, Clone)]
pub struct AnthropicHandler {
    http: HttpClient,
}

/// Builds an [`AnthropicHandler`]; see [`AnthropicHandler::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct AnthropicHandlerBuilder {
    http: HttpConfig,
    version: String,
}

impl AnthropicHandler {
    /// Anthropic's API, the default base URL.
    pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
    /// The default `anthropic-version` header.
    pub const DEFAULT_VERSION: &str = "2023-06-01";

    /// A builder for a handler whose default model is `model`.
    pub fn builder(model: impl Into<String>) -> AnthropicHandlerBuilder {
        AnthropicHandlerBuilder::with_config(HttpConfig::new(Self::DEFAULT_BASE_URL, model.into()))
    }

    /// A handler configured from the environment; see [`AnthropicHandlerBuilder::from_env`].
    pub fn from_env() -> Result<Self, HandlerError> {
        AnthropicHandlerBuilder::from_env()?.build()
    }

    /// The default model.
    pub fn model(&self) -> &str {
        &self.http.config.model
    }

    /// Maps an MCP request to the Messages API request this handler would send.
    fn to_wire(&self, params: &LlmRequest) -> Result<MessagesRequest, HandlerError> {
        let messages = params
            .messages
            .iter()
            .enumerate()
            .map(|(index, message)| to_wire_message(index, message))
            .filter(|m| !matches!(m, Ok(m) if m.content.is_empty()))
            .collect::<Result<Vec<_>, _>>()?;
        let tools: Vec<WireTool> = params
            .tools
            .iter()
            .map(|tool| WireTool {
                name: tool.name.to_string(),
                description: tool.description.as_deref().map(str::to_owned),
                input_schema: Arc::clone(&tool.input_schema),
            })
            .collect();
        let tool_choice =
            tool_choice(params, !tools.is_empty(), "any").map(|kind| WireToolChoice { kind });
        Ok(MessagesRequest {
            model: self
                .http
                .config
                .resolve_model(params.model_preferences.as_ref()),
            max_tokens: params.max_tokens,
            system: params.system_prompt.clone().filter(|s| !s.is_empty()),
            messages,
            temperature: params.temperature,
            stop_sequences: params.stop_sequences.clone(),
            tools,
            tool_choice,
        })
    }
}

impl AnthropicHandlerBuilder {
    http_builder_methods!();

    /// A builder with these HTTP settings and the defaults for the others.
    fn with_config(http: HttpConfig) -> Self {
        Self {
            http,
            version: AnthropicHandler::DEFAULT_VERSION.to_owned(),
        }
    }

    /// A builder from the environment: `ANTHROPIC_MODEL` (required), `ANTHROPIC_API_KEY`
    /// (required by Anthropic's API, optional here for proxies) and `ANTHROPIC_BASE_URL`
    /// (default `https://api.anthropic.com`). Empty variables count as unset.
    pub fn from_env() -> Result<Self, HandlerError> {
        HttpConfig::from_env(PROVIDER, "ANTHROPIC", AnthropicHandler::DEFAULT_BASE_URL)
            .map(Self::with_config)
    }

    /// Sets the `anthropic-version` header (default `2023-06-01`).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// Checks the settings and builds the handler.
    pub fn build(self) -> Result<AnthropicHandler, HandlerError> {
        let mut headers = HeaderMap::new();
        if let Some(key) = self.http.api_key.as_deref().filter(|k| !k.is_empty()) {
            headers.insert(
                HeaderName::from_static("x-api-key"),
                HttpClient::secret_header(PROVIDER, key)?,
            );
        }
        let version = HeaderValue::from_str(&self.version).map_err(|_| {
            HandlerError::other(format!(
                "Anthropic handler: invalid anthropic-version {:?}",
                self.version
            ))
        })?;
        headers.insert(HeaderName::from_static("anthropic-version"), version);
        Ok(AnthropicHandler {
            http: HttpClient::new(self.http, PROVIDER, "v1/messages", headers)?,
        })
    }
}

impl SamplingHandler for AnthropicHandler {
    fn create_message(
        &self,
        params: LlmRequest,
        cx: HandlerContext,
    ) -> BoxFuture<'_, Result<LlmResponse, HandlerError>> {
        Box::pin(async move {
            let request = self.to_wire(&params)?;
            let response: MessagesResponse = self.http.post(&request, &cx.cancellation).await?;
            from_wire(response, &request)
        })
    }
}

/// One MCP message as a Messages API message.
fn to_wire_message(index: usize, message: &Message) -> Result<WireMessage, HandlerError> {
    let unsupported = |what: &str| unsupported_content(PROVIDER, index, message, what);
    let user = message.role == Role::User;
    let mut content = Vec::with_capacity(message.content.len());
    for block in &message.content {
        let block = match block {
            Content::Text { text } if text.is_empty() => continue,
            Content::Text { text } => WireBlock::Text { text: text.clone() },
            Content::Image { data, mime_type } => image_block(data, mime_type),
            Content::ToolCall(call) if !user => WireBlock::ToolUse {
                id: call.id.clone(),
                name: call.name.clone(),
                input: call.arguments.clone(),
            },
            Content::ToolResult(result) if user => tool_result_block(result)?,
            other => return Err(unsupported(refusal(other))),
        };
        content.push(block);
    }
    Ok(WireMessage {
        role: if user { "user" } else { "assistant" },
        content,
    })
}

fn image_block(data: &str, mime_type: &str) -> WireBlock {
    WireBlock::Image {
        source: ImageSource {
            kind: "base64",
            media_type: mime_type.to_owned(),
            data: data.to_owned(),
        },
    }
}

fn tool_result_block(result: &ToolResult) -> Result<WireBlock, HandlerError> {
    let content = tool_result_pieces(PROVIDER, result)?
        .into_iter()
        .filter_map(|piece| match piece {
            Piece::Text(text) if text.is_empty() => None,
            Piece::Text(text) => Some(WireBlock::Text {
                text: text.into_owned(),
            }),
            Piece::Image { data, mime_type } => Some(image_block(data, mime_type)),
        })
        .collect();
    Ok(WireBlock::ToolResult {
        tool_use_id: result.call_id.clone(),
        content,
        is_error: result.is_error.then_some(true),
    })
}

/// Maps a Messages API response back to an MCP result.
///
/// A response cut by the token limit (`stop_reason: "max_tokens"`) whose last block is a
/// `tool_use` loses that block: its input may be incomplete (Anthropic says to retry such a
/// call with more tokens). When nothing else remains, the error names the token limit.
fn from_wire(
    response: MessagesResponse,
    request: &MessagesRequest,
) -> Result<LlmResponse, HandlerError> {
    let mut content = response.content;
    let cut = response.stop_reason.as_deref() == Some("max_tokens");
    if cut && let Some(ResponseBlock::ToolUse { name, .. }) = content.last() {
        let name = name.clone();
        content.pop();
        let usable = content.iter().any(|b| {
            matches!(
                b,
                ResponseBlock::ToolUse { .. } | ResponseBlock::Text { .. }
            )
        });
        if !usable {
            return Err(HandlerError::new(
                HandlerErrorKind::InvalidResponse,
                format!(
                    "the {PROVIDER}'s response was cut off by the token limit (max_tokens = {}, \
                     stop_reason \"max_tokens\") in the middle of a call to tool {:?}, and \
                     holds nothing else: raise the request's max_tokens",
                    request.max_tokens,
                    quote(&name)
                ),
            ));
        }
        tracing::debug!(tool = %quote(&name), "dropped a tool call cut off by the token limit");
    }
    let mut blocks = Vec::with_capacity(content.len());
    for block in content {
        match block {
            ResponseBlock::Text { text } => blocks.push(Content::text(text)),
            ResponseBlock::ToolUse { id, name, input } => {
                let Value::Object(input) = input else {
                    return Err(HandlerError::new(
                        HandlerErrorKind::InvalidResponse,
                        format!(
                            "the {PROVIDER}'s response calls tool {:?} with an input that is not \
                             a JSON object: {}",
                            quote(&name),
                            quote(&input.to_string())
                        ),
                    ));
                };
                if id.is_empty() {
                    return Err(HandlerError::new(
                        HandlerErrorKind::InvalidResponse,
                        format!(
                            "the {PROVIDER}'s response calls tool {:?} without an id",
                            quote(&name)
                        ),
                    ));
                }
                blocks.push(Content::ToolCall(crate::message::ToolCall::new(
                    id, name, input,
                )));
            }
            ResponseBlock::Other => {}
        }
    }
    let has_calls = blocks.iter().any(|b| b.as_tool_call().is_some());
    let stop_reason = match response.stop_reason.as_deref() {
        Some("end_turn") => StopReason::EndTurn,
        Some("max_tokens") => StopReason::MaxTokens,
        Some("stop_sequence") => StopReason::StopSequence,
        Some("tool_use") => StopReason::ToolUse,
        Some(other) => StopReason::from(other),
        None if has_calls => StopReason::ToolUse,
        None => StopReason::EndTurn,
    };
    let mut answer = assistant_result(blocks, response.model, &request.model, stop_reason);
    answer.usage = response.usage.map(Usage::from);
    Ok(answer)
}

// ---- Wire types ------------------------------------------------------------------------

#[derive(Debug, Serialize)]
struct MessagesRequest {
    model: String,
    max_tokens: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<String>,
    messages: Vec<WireMessage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    stop_sequences: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<WireTool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<WireToolChoice>,
}

#[derive(Debug, Serialize)]
struct WireMessage {
    role: &'static str,
    content: Vec<WireBlock>,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum WireBlock {
    Text {
        text: String,
    },
    Image {
        source: ImageSource,
    },
    ToolUse {
        id: String,
        name: String,
        input: serde_json::Map<String, Value>,
    },
    ToolResult {
        tool_use_id: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        content: Vec<WireBlock>,
        #[serde(skip_serializing_if = "Option::is_none")]
        is_error: Option<bool>,
    },
}

#[derive(Debug, Serialize)]
struct ImageSource {
    #[serde(rename = "type")]
    kind: &'static str,
    media_type: String,
    data: String,
}

#[derive(Debug, Serialize)]
struct WireTool {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    /// Shared with the request's tool, not copied.
    input_schema: Arc<Map<String, Value>>,
}

#[derive(Debug, Serialize)]
struct WireToolChoice {
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Debug, Deserialize)]
struct MessagesResponse {
    #[serde(default)]
    model: Option<String>,
    content: Vec<ResponseBlock>,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

/// `usage`: `input_tokens` count only the uncached input; the cache reads and writes are
/// counted apart.
#[derive(Debug, Deserialize)]
struct WireUsage {
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    output_tokens: u64,
    #[serde(default)]
    cache_creation_input_tokens: Option<u64>,
    #[serde(default)]
    cache_read_input_tokens: Option<u64>,
}

impl From<WireUsage> for Usage {
    fn from(wire: WireUsage) -> Self {
        let read = wire.cache_read_input_tokens.unwrap_or(0);
        let written = wire.cache_creation_input_tokens.unwrap_or(0);
        let input = wire
            .input_tokens
            .saturating_add(read)
            .saturating_add(written);
        let mut usage = Usage::new(input, wire.output_tokens);
        usage.cached_input_tokens = wire.cache_read_input_tokens;
        usage
    }
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ResponseBlock {
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
    #[serde(other)]
    Other,
}
