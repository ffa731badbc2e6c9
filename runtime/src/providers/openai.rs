//! The OpenAI-compatible Chat Completions handler.

use futures::future::BoxFuture;
use reqwest::header::{AUTHORIZATION, HeaderMap};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::content::{
    Piece, assistant_result, refusal, tool_choice, tool_result_pieces, unsupported_content,
};
use super::http::{HttpClient, HttpConfig, http_builder_methods, invalid_request};
use crate::handler::{HandlerContext, HandlerError, HandlerErrorKind, SamplingHandler};
use crate::limits::quote;
use crate::message::{
    Content, LlmRequest, LlmResponse, Message, Role, StopReason, ToolResult, Usage,
};

const PROVIDER: &str = "OpenAI-compatible API";

/// A [`SamplingHandler`] that calls an OpenAI-compatible Chat Completions endpoint
/// (`POST {base_url}/chat/completions`): OpenAI itself, vLLM, Ollama, llama.cpp's server,
/// LM Studio, OpenRouter and the like. Feature `openai`.
///
/// ```no_run
/// use rmcp_sampling::providers::OpenAiHandler;
///
/// # fn main() -> Result<(), rmcp_sampling::HandlerError> {
/// // A local Ollama server: no API key.
/// let ollama = OpenAiHandler::builder("llama3.2")
///     .base_url("http://localhost:11434/v1")
///     .build()?;
/// // OpenAI, configured from OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_MODEL.
/// let openai = OpenAiHandler::from_env()?;
/// # Ok(()) }
/// ```
///
/// # What it maps
///
/// | MCP request | Chat Completions |
/// | --- | --- |
/// | `systemPrompt` | a first `system` message |
/// | user text / image blocks | a `user` message: a string for one text block, else `text` and `image_url` (data URL) parts |
/// | assistant text + `tool_use` blocks | an `assistant` message: `content` (texts joined by newlines, or `null`) and `tool_calls` (arguments as a JSON string) |
/// | user `tool_result` blocks | one `tool` message each, with `tool_call_id`; text only (see below) |
/// | `tools` | `tools: [{type: "function", function: {name, description, parameters}}]` |
/// | `toolChoice` auto / required / none | `tool_choice: "auto" / "required" / "none"` (only sent with tools) |
/// | `stopSequences`, `temperature` | `stop`, `temperature` |
/// | — | `parallel_tool_calls` when tools are offered, only if set: see [`OpenAiHandlerBuilder::parallel_tool_calls`] |
/// | `maxTokens` | `max_tokens` or `max_completion_tokens`, see [`OpenAiHandlerBuilder::max_tokens_field`] |
/// | `modelPreferences.hints` | `model`, see [`OpenAiHandlerBuilder::models`] |
///
/// And back: the first choice's `content` (or `refusal`) becomes a text block and each
/// `tool_calls` entry a `tool_use` block (arguments parsed; an empty string is `{}`; a call
/// without an id gets `call_<index>`); `finish_reason` `length` → `maxTokens`, `tool_calls`
/// (or any other answer with tool calls) → `toolUse`, `stop` → `endTurn`, or `stopSequence`
/// when the server reports which stop sequence matched (vLLM's `stop_reason`); other reasons
/// pass through as they are. The model is the one the server reports; `usage` becomes
/// [`Usage`] (`prompt_tokens` as input, `completion_tokens` as output,
/// `prompt_tokens_details.cached_tokens` as cached input).
///
/// An answer cut by the token limit (`length`) keeps its text and its complete tool calls
/// and says `maxTokens`, so the loop can run them and tell the LLM its reply was cut; a last
/// tool call whose arguments end mid-JSON is dropped (llama.cpp sends such calls when the
/// limit falls inside a parallel call). When nothing usable remains, the error says the
/// answer was cut by the token limit and names the request's `max_tokens`.
///
/// A tool result's text blocks (and embedded text resources) are joined by newlines; a
/// result with `isError: true` is prefixed with `Error: ` unless its text already starts with
/// "error", since the API has no error flag. Requests the API cannot take fail with
/// [`HandlerErrorKind::InvalidRequest`] before anything is sent: audio content, images in a
/// tool result or an assistant message.
#[derive(Debug, Clone)]
pub struct OpenAiHandler {
    http: HttpClient,
    strict: bool,
    max_tokens_field: MaxTokensField,
    parallel_tool_calls: Option<bool>,
}

/// Which request field carries the token limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MaxTokensField {
    /// `max_tokens`: what every OpenAI-compatible server understands; OpenAI rejects it for
    /// its reasoning models.
    MaxTokens,
    /// `max_completion_tokens`: OpenAI's current field, required by its reasoning models; some
    /// compatible servers ignore it.
    MaxCompletionTokens,
}

/// Builds an [`OpenAiHandler`]; see [`OpenAiHandler::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct OpenAiHandlerBuilder {
    http: HttpConfig,
    strict: bool,
    max_tokens_field: Option<MaxTokensField>,
    parallel_tool_calls: Option<bool>,
}

impl OpenAiHandler {
    /// OpenAI's API, the default base URL.
    pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

    /// A builder for a handler whose default model is `model`, for OpenAI's API until
    /// [`OpenAiHandlerBuilder::base_url`] says otherwise.
    pub fn builder(model: impl Into<String>) -> OpenAiHandlerBuilder {
        OpenAiHandlerBuilder::with_config(HttpConfig::new(Self::DEFAULT_BASE_URL, model.into()))
    }

    /// A handler configured from the environment; see [`OpenAiHandlerBuilder::from_env`].
    pub fn from_env() -> Result<Self, HandlerError> {
        OpenAiHandlerBuilder::from_env()?.build()
    }

    /// The default model.
    pub fn model(&self) -> &str {
        &self.http.config.model
    }

    /// Maps an MCP request to the Chat Completions request this handler would send.
    fn to_wire(&self, params: &LlmRequest) -> Result<ChatRequest, HandlerError> {
        let mut messages = Vec::with_capacity(params.messages.len() + 1);
        if let Some(system) = params.system_prompt.as_deref().filter(|s| !s.is_empty()) {
            messages.push(ChatMessage::System {
                content: system.to_owned(),
            });
        }
        for (index, message) in params.messages.iter().enumerate() {
            push_message(&mut messages, index, message)?;
        }
        let tools: Vec<ChatTool> = params
            .tools
            .iter()
            .map(|tool| {
                let schema = Value::Object((*tool.input_schema).clone());
                let strict_schema = self.strict.then(|| strict_schema(&schema)).flatten();
                ChatTool {
                    kind: "function",
                    function: FunctionDef {
                        name: tool.name.to_string(),
                        description: tool.description.as_deref().map(str::to_owned),
                        strict: strict_schema.is_some().then_some(true),
                        parameters: strict_schema.unwrap_or(schema),
                    },
                }
            })
            .collect();
        let tool_choice = tool_choice(params, !tools.is_empty(), "required");
        let (max_tokens, max_completion_tokens) = match self.max_tokens_field {
            MaxTokensField::MaxTokens => (Some(params.max_tokens), None),
            MaxTokensField::MaxCompletionTokens => (None, Some(params.max_tokens)),
        };
        Ok(ChatRequest {
            model: self
                .http
                .config
                .resolve_model(params.model_preferences.as_ref()),
            messages,
            max_tokens,
            max_completion_tokens,
            temperature: params.temperature,
            stop: params.stop_sequences.clone(),
            parallel_tool_calls: self.parallel_tool_calls.filter(|_| !tools.is_empty()),
            tools,
            tool_choice,
        })
    }
}

impl OpenAiHandlerBuilder {
    http_builder_methods!();

    /// A builder with these HTTP settings and the defaults for the others.
    fn with_config(http: HttpConfig) -> Self {
        Self {
            http,
            strict: false,
            max_tokens_field: None,
            parallel_tool_calls: None,
        }
    }

    /// A builder from the environment: `OPENAI_MODEL` (required), `OPENAI_BASE_URL`
    /// (default OpenAI's API; e.g. `http://localhost:11434/v1` for Ollama) and
    /// `OPENAI_API_KEY` (optional: local servers need none). Empty variables count as unset.
    pub fn from_env() -> Result<Self, HandlerError> {
        HttpConfig::from_env(PROVIDER, "OPENAI", OpenAiHandler::DEFAULT_BASE_URL)
            .map(Self::with_config)
    }

    /// Sends every tool with `strict: true` and a schema rewritten the way OpenAI's strict
    /// mode demands (off by default).
    ///
    /// In every object schema, recursively: all properties become required, the ones that
    /// were optional become nullable (`"null"` added to their `type`, or the schema wrapped in
    /// `anyOf` with `{"type": "null"}`), and `additionalProperties` is set to `false`;
    /// `oneOf` becomes `anyOf`, and `default`, `$schema` and numeric `format`s (which strict
    /// mode refuses) are removed. A tool whose schema has an object with free-form keys
    /// (`additionalProperties` other than `false`, e.g. a map) cannot be strict: it is sent
    /// as a normal tool.
    pub fn strict(mut self, yes: bool) -> Self {
        self.strict = yes;
        self
    }

    /// Chooses the field that carries the request's token limit. Default:
    /// [`MaxTokensField::MaxCompletionTokens`] when the base URL is OpenAI's
    /// (`https://api.openai.com/...`), [`MaxTokensField::MaxTokens`] for any other server.
    pub fn max_tokens_field(mut self, field: MaxTokensField) -> Self {
        self.max_tokens_field = Some(field);
        self
    }

    /// Sends `parallel_tool_calls` with this value on every request that offers tools (not
    /// sent unless set: the server's default applies, which is `true` for OpenAI and
    /// llama.cpp). `false` asks for at most one tool call per response, which also keeps a
    /// small model from spending its token budget on repeated calls.
    pub fn parallel_tool_calls(mut self, parallel: bool) -> Self {
        self.parallel_tool_calls = Some(parallel);
        self
    }

    /// Checks the settings and builds the handler.
    pub fn build(self) -> Result<OpenAiHandler, HandlerError> {
        let mut headers = HeaderMap::new();
        if let Some(key) = self.http.api_key.as_deref().filter(|k| !k.is_empty()) {
            headers.insert(
                AUTHORIZATION,
                HttpClient::secret_header(PROVIDER, &format!("Bearer {key}"))?,
            );
        }
        let max_tokens_field = self.max_tokens_field.unwrap_or_else(|| {
            if self.http.base_url.starts_with("https://api.openai.com") {
                MaxTokensField::MaxCompletionTokens
            } else {
                MaxTokensField::MaxTokens
            }
        });
        Ok(OpenAiHandler {
            http: HttpClient::new(self.http, PROVIDER, "chat/completions", headers)?,
            strict: self.strict,
            max_tokens_field,
            parallel_tool_calls: self.parallel_tool_calls,
        })
    }
}

impl SamplingHandler for OpenAiHandler {
    fn create_message(
        &self,
        params: LlmRequest,
        cx: HandlerContext,
    ) -> BoxFuture<'_, Result<LlmResponse, HandlerError>> {
        Box::pin(async move {
            let request = self.to_wire(&params)?;
            let response: ChatResponse = self.http.post(&request, &cx.cancellation).await?;
            from_wire(response, &request)
        })
    }
}

/// Appends the Chat Completions messages for one MCP message.
fn push_message(
    out: &mut Vec<ChatMessage>,
    index: usize,
    message: &Message,
) -> Result<(), HandlerError> {
    let unsupported = |what: &str| unsupported_content(PROVIDER, index, message, what);
    match message.role {
        Role::User => {
            let mut parts = Vec::new();
            for block in &message.content {
                match block {
                    Content::Text { text } => parts.push(Part::Text { text: text.clone() }),
                    Content::Image { data, mime_type } => parts.push(Part::ImageUrl {
                        image_url: ImageUrl {
                            url: format!("data:{mime_type};base64,{data}"),
                        },
                    }),
                    Content::ToolResult(result) => {
                        out.push(ChatMessage::Tool {
                            tool_call_id: result.call_id.clone(),
                            content: tool_result_text(result)?,
                        });
                    }
                    other => return Err(unsupported(refusal(other))),
                }
            }
            if !parts.is_empty() {
                let content = match <[Part; 1]>::try_from(parts) {
                    Ok([Part::Text { text }]) => UserContent::Text(text),
                    Ok(single) => UserContent::Parts(single.into()),
                    Err(parts) => UserContent::Parts(parts),
                };
                out.push(ChatMessage::User { content });
            }
        }
        Role::Assistant => {
            let mut texts = Vec::new();
            let mut tool_calls = Vec::new();
            for block in &message.content {
                match block {
                    Content::Text { text } => texts.push(text.as_str()),
                    Content::ToolCall(call) => tool_calls.push(ToolCall {
                        id: call.id.clone(),
                        kind: "function",
                        function: FunctionCall {
                            name: call.name.clone(),
                            arguments: Value::Object(call.arguments.clone()).to_string(),
                        },
                    }),
                    Content::Image { .. } => {
                        return Err(unsupported(
                            "an image; assistant messages of this API carry text only",
                        ));
                    }
                    other => return Err(unsupported(refusal(other))),
                }
            }
            out.push(ChatMessage::Assistant {
                content: (!texts.is_empty()).then(|| texts.join("\n")),
                tool_calls,
            });
        }
    }
    Ok(())
}

/// A tool result as the text of a `tool` message.
fn tool_result_text(result: &ToolResult) -> Result<String, HandlerError> {
    let mut texts = Vec::new();
    for piece in tool_result_pieces(PROVIDER, result)? {
        match piece {
            Piece::Text(text) => texts.push(text),
            Piece::Image { .. } => {
                return Err(invalid_request(
                    PROVIDER,
                    format!(
                        "the result of tool call {:?} holds an image; tool messages of this API carry text only",
                        result.call_id
                    ),
                ));
            }
        }
    }
    let text = texts.join("\n");
    if result.is_error
        && !text
            .get(..5)
            .is_some_and(|head| head.eq_ignore_ascii_case("error"))
    {
        return Ok(format!("Error: {text}"));
    }
    Ok(text)
}

/// Maps a Chat Completions response back to an MCP result.
///
/// A response cut by the token limit (`finish_reason: "length"`) keeps its text and its
/// complete tool calls, and reports `maxTokens`; a last tool call whose arguments were cut
/// mid-JSON is dropped. When nothing usable remains, the error names the token limit.
fn from_wire(response: ChatResponse, request: &ChatRequest) -> Result<LlmResponse, HandlerError> {
    let invalid = |message: String| {
        HandlerError::new(
            HandlerErrorKind::InvalidResponse,
            format!("the {PROVIDER}'s response {message}"),
        )
    };
    let Some(choice) = response.choices.into_iter().next() else {
        return Err(invalid("has no choices".into()));
    };
    let cut = choice.finish_reason.as_deref() == Some("length");
    let mut blocks = Vec::new();
    let text = match choice.message.content {
        Some(Value::String(text)) => text,
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|part| part.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(""),
        Some(Value::Null) | None => String::new(),
        Some(other) => {
            return Err(invalid(format!(
                "has a content that is neither text nor parts: {}",
                quote(&other.to_string())
            )));
        }
    };
    let text = if text.is_empty() {
        choice.message.refusal.unwrap_or_default()
    } else {
        text
    };
    if !text.is_empty() {
        blocks.push(Content::text(text));
    }
    let calls = choice.message.tool_calls.unwrap_or_default();
    let count = calls.len();
    for (index, call) in calls.into_iter().enumerate() {
        let name = call.function.name;
        match call_arguments(call.function.arguments) {
            Ok(input) => {
                let id = call
                    .id
                    .filter(|id| !id.is_empty())
                    .unwrap_or_else(|| format!("call_{index}"));
                blocks.push(Content::ToolCall(crate::message::ToolCall::new(
                    id, name, input,
                )));
            }
            Err(problem) if cut && index + 1 == count => {
                if blocks.is_empty() {
                    return Err(invalid(format!(
                        "was cut off by the token limit ({} = {}, finish_reason \"length\") in \
                         the middle of a call to tool {:?}, and holds nothing else: raise \
                         the request's max_tokens ({problem})",
                        request.max_tokens_field_name(),
                        request.token_limit(),
                        quote(&name),
                    )));
                }
                tracing::debug!(
                    tool = %quote(&name),
                    %problem,
                    "dropped a tool call cut off by the token limit"
                );
            }
            Err(problem) => {
                let cause = if cut {
                    " (the response was cut off by the token limit: finish_reason \"length\")"
                } else {
                    ""
                };
                return Err(invalid(format!(
                    "calls tool {:?} {problem}{cause}",
                    quote(&name)
                )));
            }
        }
    }
    let has_calls = blocks.iter().any(|b| b.as_tool_call().is_some());
    let stop_reason = match choice.finish_reason.as_deref() {
        Some("length") => StopReason::MaxTokens,
        _ if has_calls => StopReason::ToolUse,
        Some("tool_calls" | "function_call") => StopReason::ToolUse,
        Some("stop") | None => match &choice.stop_reason {
            Some(Value::String(matched)) if request.stop.contains(matched) => {
                StopReason::StopSequence
            }
            _ => StopReason::EndTurn,
        },
        Some(other) => StopReason::from(other),
    };
    let mut answer = assistant_result(blocks, response.model, &request.model, stop_reason);
    answer.usage = response.usage.map(Usage::from);
    Ok(answer)
}

/// A tool call's arguments as a JSON object (an empty or missing string is `{}`), or what is
/// wrong with them.
fn call_arguments(arguments: Option<Value>) -> Result<Map<String, Value>, String> {
    match arguments {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(object)) => Ok(object),
        Some(Value::String(text)) if text.trim().is_empty() => Ok(Map::new()),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(object)) => Ok(object),
            Ok(other) => Err(format!(
                "with arguments that are not a JSON object: {}",
                quote(&other.to_string())
            )),
            Err(e) => Err(format!(
                "with arguments that are not valid JSON ({e}): {:?}",
                quote(&text)
            )),
        },
        Some(other) => Err(format!(
            "with arguments that are not a JSON object: {}",
            quote(&other.to_string())
        )),
    }
}

/// The schema rewritten for OpenAI's strict mode, or `None` when it cannot be strict.
fn strict_schema(schema: &Value) -> Option<Value> {
    let mut schema = schema.clone();
    if let Value::Object(root) = &mut schema {
        root.remove("$schema");
    }
    make_strict(&mut schema).then_some(schema)
}

/// Rewrites one schema in place; false when it has an object with free-form keys.
fn make_strict(schema: &mut Value) -> bool {
    let Value::Object(node) = schema else {
        return true;
    };
    node.remove("default");
    if let Some(one_of) = node.remove("oneOf") {
        node.insert("anyOf".into(), one_of);
    }
    let numeric = matches!(
        node.get("type").and_then(Value::as_str),
        Some("integer" | "number")
    );
    if numeric {
        node.remove("format");
    }
    let is_object = node.get("type").is_some_and(|t| {
        t == "object"
            || t.as_array()
                .is_some_and(|ts| ts.iter().any(|t| t == "object"))
    }) || node.contains_key("properties");
    if is_object {
        match node.get("additionalProperties") {
            None | Some(Value::Bool(false)) => {}
            Some(_) => return false,
        }
        node.insert("additionalProperties".into(), Value::Bool(false));
        let required: Vec<String> = node
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let mut all = Vec::new();
        if let Some(Value::Object(properties)) = node.get_mut("properties") {
            for (name, property) in properties.iter_mut() {
                if !make_strict(property) {
                    return false;
                }
                if !required.contains(name) {
                    make_nullable(property);
                }
                all.push(Value::String(name.clone()));
            }
        }
        node.insert("required".into(), Value::Array(all));
    }
    for key in ["items", "not", "if", "then", "else", "contains"] {
        if let Some(sub) = node.get_mut(key)
            && !make_strict(sub)
        {
            return false;
        }
    }
    for key in ["anyOf", "allOf", "prefixItems"] {
        if let Some(Value::Array(subs)) = node.get_mut(key) {
            for sub in subs {
                if !make_strict(sub) {
                    return false;
                }
            }
        }
    }
    for key in ["$defs", "definitions"] {
        if let Some(Value::Object(defs)) = node.get_mut(key) {
            for sub in defs.values_mut() {
                if !make_strict(sub) {
                    return false;
                }
            }
        }
    }
    true
}

/// Lets a schema also accept `null`.
fn make_nullable(schema: &mut Value) {
    let null = Value::String("null".into());
    if let Value::Object(node) = schema {
        let enum_too = |node: &mut Map<String, Value>| {
            if let Some(Value::Array(values)) = node.get_mut("enum")
                && !values.contains(&Value::Null)
            {
                values.push(Value::Null);
            }
        };
        match node.get_mut("type") {
            Some(Value::String(single)) if *single == "null" => return,
            Some(Value::String(single)) => {
                let single = std::mem::take(single);
                node.insert(
                    "type".into(),
                    Value::Array(vec![Value::String(single), null]),
                );
                enum_too(node);
                return;
            }
            Some(Value::Array(types)) => {
                if !types.contains(&null) {
                    types.push(null);
                }
                enum_too(node);
                return;
            }
            _ => {}
        }
        if let Some(Value::Array(options)) = node.get_mut("anyOf") {
            let nullable = options
                .iter()
                .any(|o| o.get("type").is_some_and(|t| *t == "null"));
            if !nullable {
                options.push(serde_json::json!({"type": "null"}));
            }
            return;
        }
    }
    let inner = std::mem::take(schema);
    *schema = serde_json::json!({"anyOf": [inner, {"type": "null"}]});
}

// ---- Wire types ------------------------------------------------------------------------

#[derive(Debug, Serialize)]
struct ChatRequest {
    model: String,
    messages: Vec<ChatMessage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_completion_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    stop: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<ChatTool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parallel_tool_calls: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<&'static str>,
}

impl ChatRequest {
    /// The field that carries the token limit.
    fn max_tokens_field_name(&self) -> &'static str {
        if self.max_completion_tokens.is_some() {
            "max_completion_tokens"
        } else {
            "max_tokens"
        }
    }

    /// The token limit sent.
    fn token_limit(&self) -> u32 {
        self.max_tokens.or(self.max_completion_tokens).unwrap_or(0)
    }
}

#[derive(Debug, Serialize)]
#[serde(tag = "role", rename_all = "lowercase")]
enum ChatMessage {
    System {
        content: String,
    },
    User {
        content: UserContent,
    },
    Assistant {
        content: Option<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<ToolCall>,
    },
    Tool {
        tool_call_id: String,
        content: String,
    },
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum UserContent {
    Text(String),
    Parts(Vec<Part>),
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Part {
    Text { text: String },
    ImageUrl { image_url: ImageUrl },
}

#[derive(Debug, Serialize)]
struct ImageUrl {
    url: String,
}

#[derive(Debug, Serialize)]
struct ToolCall {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    function: FunctionCall,
}

#[derive(Debug, Serialize)]
struct FunctionCall {
    name: String,
    arguments: String,
}

#[derive(Debug, Serialize)]
struct ChatTool {
    #[serde(rename = "type")]
    kind: &'static str,
    function: FunctionDef,
}

#[derive(Debug, Serialize)]
struct FunctionDef {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    parameters: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    strict: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct ChatResponse {
    #[serde(default)]
    model: Option<String>,
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

/// `usage`: `prompt_tokens` include the cached ones (`prompt_tokens_details.cached_tokens`).
#[derive(Debug, Deserialize)]
struct WireUsage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
    #[serde(default)]
    prompt_tokens_details: Option<PromptTokensDetails>,
}

#[derive(Debug, Deserialize)]
struct PromptTokensDetails {
    #[serde(default)]
    cached_tokens: Option<u64>,
}

impl From<WireUsage> for Usage {
    fn from(wire: WireUsage) -> Self {
        let mut usage = Usage::new(wire.prompt_tokens, wire.completion_tokens);
        usage.cached_input_tokens = wire.prompt_tokens_details.and_then(|d| d.cached_tokens);
        usage
    }
}

#[derive(Debug, Deserialize)]
struct Choice {
    message: ResponseMessage,
    #[serde(default)]
    finish_reason: Option<String>,
    /// vLLM: the stop string (or token id) that ended the answer.
    #[serde(default)]
    stop_reason: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct ResponseMessage {
    #[serde(default)]
    content: Option<Value>,
    #[serde(default)]
    refusal: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<ResponseToolCall>>,
}

#[derive(Debug, Deserialize)]
struct ResponseToolCall {
    #[serde(default)]
    id: Option<String>,
    function: ResponseFunction,
}

#[derive(Debug, Deserialize)]
struct ResponseFunction {
    name: String,
    #[serde(default)]
    arguments: Option<Value>,
}
