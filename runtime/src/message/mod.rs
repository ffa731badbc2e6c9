//! The conversation model of this crate: messages, their content, tool calls and results, and
//! the request and response of one LLM call.
//!
//! These types are what sampling calls take and return, what a [`SamplingHandler`] receives and
//! answers, and what a test script speaks. They serialise in the MCP wire format (camelCase
//! fields; content blocks tagged `text`, `image`, `audio`, `tool_use`, `tool_result`), so a
//! conversation can be stored as JSON and read back. rmcp's own sampling types appear only at
//! the channel boundary (a client's `sampling/createMessage`).
//!
//! ```
//! use rmcp_sampling::message::{Content, Conversation, Message, ToolResult};
//!
//! let mut conversation = Conversation::from("What is 2 + 3?");
//! conversation.push(Message::assistant("Let me add them."));
//! conversation.push(Message::tool_results([ToolResult::text("call_1", "5")]));
//! conversation.push_user("Thanks; and times 4?");
//! assert_eq!(conversation.len(), 4);
//! assert_eq!(conversation[1].text().as_deref(), Some("Let me add them."));
//!
//! let json = serde_json::to_value(&conversation).unwrap();
//! assert_eq!(json[2]["content"][0]["type"], "tool_result");
//! assert_eq!(json[2]["content"][0]["toolUseId"], "call_1");
//! let back: Conversation = serde_json::from_value(json).unwrap();
//! assert_eq!(back, conversation);
//! # let _ = Content::text("x");
//! ```
//!
//! [`SamplingHandler`]: crate::SamplingHandler

pub(crate) mod rmcp;
mod size;

use std::borrow::Cow;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The user: prompts, and the results of the tools the LLM called.
    User,
    /// The LLM.
    Assistant,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// Its content blocks, in order (read from a single block or an array, as MCP allows).
    #[serde(deserialize_with = "one_or_many")]
    pub content: Vec<Content>,
}

/// MCP writes a message's content as one block or an array of blocks.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Content>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<Content>),
        One(Box<Content>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::Many(blocks) => blocks,
        OneOrMany::One(block) => vec![*block],
    })
}

impl Message {
    /// A message with these blocks.
    pub fn new(role: Role, content: impl IntoIterator<Item = Content>) -> Self {
        Self {
            role,
            content: content.into_iter().collect(),
        }
    }

    /// A user message holding this text.
    pub fn user(text: impl Into<String>) -> Self {
        Self::new(Role::User, [Content::text(text)])
    }

    /// An assistant message holding this text.
    pub fn assistant(text: impl Into<String>) -> Self {
        Self::new(Role::Assistant, [Content::text(text)])
    }

    /// A user message carrying the results of tool calls (what answers an assistant message
    /// that called tools).
    pub fn tool_results(results: impl IntoIterator<Item = ToolResult>) -> Self {
        Self::new(Role::User, results.into_iter().map(Content::ToolResult))
    }

    /// The text blocks joined by newlines, or `None` when there is none.
    pub fn text(&self) -> Option<String> {
        join_texts(&self.content)
    }

    /// The tool calls, in order.
    pub fn tool_calls(&self) -> Vec<&ToolCall> {
        self.content
            .iter()
            .filter_map(Content::as_tool_call)
            .collect()
    }

    /// The tool results it carries, in order ([`Message::tool_results`] makes such a message).
    pub fn results(&self) -> Vec<&ToolResult> {
        self.content
            .iter()
            .filter_map(Content::as_tool_result)
            .collect()
    }
}

/// The text blocks of `content` joined by newlines, or `None` when there is none.
fn join_texts(content: &[Content]) -> Option<String> {
    let mut texts = content.iter().filter_map(Content::as_text).peekable();
    texts.peek()?;
    Some(texts.collect::<Vec<_>>().join("\n"))
}

/// A content block of a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Content {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// An image, base64-encoded.
    Image {
        /// The base64 data.
        data: String,
        /// Its MIME type, e.g. `image/png`.
        #[serde(rename = "mimeType")]
        mime_type: String,
    },
    /// Audio, base64-encoded.
    Audio {
        /// The base64 data.
        data: String,
        /// Its MIME type, e.g. `audio/wav`.
        #[serde(rename = "mimeType")]
        mime_type: String,
    },
    /// The LLM asks for a tool call (assistant messages only).
    #[serde(rename = "tool_use")]
    ToolCall(ToolCall),
    /// The result of a tool call (user messages only).
    ToolResult(ToolResult),
}

impl Content {
    /// A text block.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text { text: text.into() }
    }

    /// The text of a text block.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text { text } => Some(text),
            _ => None,
        }
    }

    /// The tool call of a tool-call block.
    pub fn as_tool_call(&self) -> Option<&ToolCall> {
        match self {
            Self::ToolCall(call) => Some(call),
            _ => None,
        }
    }

    /// The tool result of a tool-result block.
    pub fn as_tool_result(&self) -> Option<&ToolResult> {
        match self {
            Self::ToolResult(result) => Some(result),
            _ => None,
        }
    }
}

impl From<ToolCall> for Content {
    fn from(call: ToolCall) -> Self {
        Self::ToolCall(call)
    }
}

impl From<ToolResult> for Content {
    fn from(result: ToolResult) -> Self {
        Self::ToolResult(result)
    }
}

/// A tool call the LLM asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The call's id; its result carries it back.
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// The arguments.
    #[serde(rename = "input")]
    pub arguments: Map<String, Value>,
}

impl ToolCall {
    /// A call of `name` with these arguments.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        arguments: Map<String, Value>,
    ) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            arguments,
        }
    }
}

/// The result of a tool call, sent back to the LLM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolResult {
    /// The id of the call it answers.
    #[serde(rename = "toolUseId")]
    pub call_id: String,
    /// What the tool returned (text, images...).
    pub content: Vec<Content>,
    /// A structured form of the result, when the tool gives one.
    #[serde(
        rename = "structuredContent",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub structured: Option<Value>,
    /// Whether the call failed (the content says why).
    #[serde(rename = "isError", default, skip_serializing_if = "is_false")]
    pub is_error: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl ToolResult {
    /// A successful result holding this text.
    pub fn text(call_id: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            call_id: call_id.into(),
            content: vec![Content::text(text)],
            structured: None,
            is_error: false,
        }
    }

    /// A failed result whose text says why.
    pub fn error(call_id: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            is_error: true,
            ..Self::text(call_id, text)
        }
    }

    /// The text blocks joined by newlines (empty when there is none).
    pub fn text_content(&self) -> String {
        join_texts(&self.content).unwrap_or_default()
    }
}

/// A conversation: the messages a sampling call starts from, and the history it returns.
///
/// Sampling calls take anything that converts into it: a string (one user message), a list of
/// strings (one user message each), a [`Message`] or a list of messages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Conversation(Vec<Message>);

impl Conversation {
    /// An empty conversation.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a message.
    pub fn push(&mut self, message: Message) {
        self.0.push(message);
    }

    /// Appends a user message holding this text.
    pub fn push_user(&mut self, text: impl Into<String>) {
        self.push(Message::user(text));
    }

    /// The tool calls of the last message, if it is the LLM's (empty otherwise).
    pub fn last_tool_calls(&self) -> Vec<&ToolCall> {
        match self.0.last() {
            Some(message) if message.role == Role::Assistant => message.tool_calls(),
            _ => Vec::new(),
        }
    }

    /// The messages.
    pub fn into_vec(self) -> Vec<Message> {
        self.0
    }
}

impl Deref for Conversation {
    type Target = [Message];

    fn deref(&self) -> &[Message] {
        &self.0
    }
}

impl Extend<Message> for Conversation {
    fn extend<I: IntoIterator<Item = Message>>(&mut self, messages: I) {
        self.0.extend(messages);
    }
}

impl FromIterator<Message> for Conversation {
    fn from_iter<I: IntoIterator<Item = Message>>(messages: I) -> Self {
        Self(messages.into_iter().collect())
    }
}

impl IntoIterator for Conversation {
    type Item = Message;
    type IntoIter = std::vec::IntoIter<Message>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Conversation {
    type Item = &'a Message;
    type IntoIter = std::slice::Iter<'a, Message>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl From<Conversation> for Vec<Message> {
    fn from(conversation: Conversation) -> Self {
        conversation.0
    }
}

impl From<&str> for Conversation {
    fn from(text: &str) -> Self {
        Self(vec![Message::user(text)])
    }
}

impl From<String> for Conversation {
    fn from(text: String) -> Self {
        Self(vec![Message::user(text)])
    }
}

impl From<&String> for Conversation {
    fn from(text: &String) -> Self {
        text.as_str().into()
    }
}

impl From<Vec<String>> for Conversation {
    fn from(texts: Vec<String>) -> Self {
        texts.into_iter().map(Message::user).collect()
    }
}

impl From<Vec<&str>> for Conversation {
    fn from(texts: Vec<&str>) -> Self {
        texts.into_iter().map(Message::user).collect()
    }
}

impl<const N: usize> From<[&str; N]> for Conversation {
    fn from(texts: [&str; N]) -> Self {
        texts.into_iter().map(Message::user).collect()
    }
}

impl From<Message> for Conversation {
    fn from(message: Message) -> Self {
        Self(vec![message])
    }
}

impl From<Vec<Message>> for Conversation {
    fn from(messages: Vec<Message>) -> Self {
        Self(messages)
    }
}

impl<const N: usize> From<[Message; N]> for Conversation {
    fn from(messages: [Message; N]) -> Self {
        messages.into_iter().collect()
    }
}

/// Which model the requester would like, as hints and priorities (MCP's `modelPreferences`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ModelPreferences {
    /// Model names or name fragments, most preferred first.
    #[serde(default, with = "hint_names", skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
    /// How much cost matters, 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_priority: Option<f32>,
    /// How much speed matters, 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_priority: Option<f32>,
    /// How much capability matters, 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intelligence_priority: Option<f32>,
}

impl ModelPreferences {
    /// Preferences holding these hints.
    pub fn hints<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        Self {
            hints: names.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// Sets the cost priority (0 to 1).
    pub fn with_cost_priority(mut self, priority: f32) -> Self {
        self.cost_priority = Some(priority);
        self
    }

    /// Sets the speed priority (0 to 1).
    pub fn with_speed_priority(mut self, priority: f32) -> Self {
        self.speed_priority = Some(priority);
        self
    }

    /// Sets the intelligence priority (0 to 1).
    pub fn with_intelligence_priority(mut self, priority: f32) -> Self {
        self.intelligence_priority = Some(priority);
        self
    }
}

/// MCP writes each hint as `{"name": "..."}`.
mod hint_names {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Hint {
        #[serde(default)]
        name: Option<String>,
    }

    pub(super) fn serialize<S: Serializer>(names: &[String], s: S) -> Result<S::Ok, S::Error> {
        let hints: Vec<Hint> = names
            .iter()
            .map(|name| Hint {
                name: Some(name.clone()),
            })
            .collect();
        hints.serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        let hints = Vec::<Hint>::deserialize(d)?;
        Ok(hints.into_iter().filter_map(|hint| hint.name).collect())
    }
}

/// MCP writes a tool choice as `{"mode": "..."}`.
mod tool_choice_mode {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::ToolChoice;

    #[derive(Serialize, Deserialize)]
    struct Wire {
        #[serde(default)]
        mode: Option<ToolChoice>,
    }

    pub(super) fn serialize<S: Serializer>(
        choice: &Option<ToolChoice>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        Wire { mode: *choice }.serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<ToolChoice>, D::Error> {
        Ok(Option::<Wire>::deserialize(d)?.and_then(|wire| wire.mode))
    }
}

/// Model preferences from one hint name, a list of names, or full [`ModelPreferences`].
#[derive(Debug, Clone)]
pub struct ModelHints(pub ModelPreferences);

impl ModelHints {
    fn from_names<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        Self(ModelPreferences::hints(names))
    }
}

impl From<&str> for ModelHints {
    fn from(name: &str) -> Self {
        Self::from_names([name])
    }
}

impl From<String> for ModelHints {
    fn from(name: String) -> Self {
        Self::from_names([name])
    }
}

impl From<Vec<&str>> for ModelHints {
    fn from(names: Vec<&str>) -> Self {
        Self::from_names(names)
    }
}

impl From<Vec<String>> for ModelHints {
    fn from(names: Vec<String>) -> Self {
        Self::from_names(names)
    }
}

impl<const N: usize> From<[&str; N]> for ModelHints {
    fn from(names: [&str; N]) -> Self {
        Self::from_names(names)
    }
}

impl From<ModelPreferences> for ModelHints {
    fn from(preferences: ModelPreferences) -> Self {
        Self(preferences)
    }
}

/// A tool offered to the LLM.
///
/// Cheap to clone: a loop sends the same tools with every request, so the texts of tools
/// defined in code are borrowed (`&'static str`) and the schema is shared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ToolSpec {
    /// Its name.
    pub name: Cow<'static, str>,
    /// What it does, for the LLM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Cow<'static, str>>,
    /// The JSON schema of its arguments (an object schema). Shared, not copied: the same
    /// schema goes out with every request of a loop.
    pub input_schema: Arc<Map<String, Value>>,
}

impl ToolSpec {
    /// A tool with this name, description and argument schema.
    pub fn new(
        name: impl Into<Cow<'static, str>>,
        description: Option<String>,
        input_schema: Map<String, Value>,
    ) -> Self {
        Self::shared(name, description.map(Cow::Owned), Arc::new(input_schema))
    }

    /// A tool whose texts may be borrowed and whose schema is shared with other requests.
    pub fn shared(
        name: impl Into<Cow<'static, str>>,
        description: Option<Cow<'static, str>>,
        input_schema: Arc<Map<String, Value>>,
    ) -> Self {
        Self {
            name: name.into(),
            description,
            input_schema,
        }
    }
}

/// How the LLM must use the tools offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolChoice {
    /// It may call tools or answer.
    Auto,
    /// It must call a tool.
    Required,
    /// It must not call tools.
    None,
}

/// How much MCP context the client should add to a request (soft-deprecated by MCP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ContextInclusion {
    /// None.
    None,
    /// The context of this server.
    ThisServer,
    /// The context of every server the client is connected to.
    AllServers,
}

/// One LLM call: what a [`SamplingHandler`](crate::SamplingHandler) receives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LlmRequest {
    /// The conversation so far.
    pub messages: Vec<Message>,
    /// The system prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    /// The most tokens the answer may have.
    pub max_tokens: u32,
    /// The sampling temperature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    /// Sequences that stop generation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stop_sequences: Vec<String>,
    /// Which model the requester would like.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_preferences: Option<ModelPreferences>,
    /// The tools the LLM may call (empty: none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolSpec>,
    /// How it must use them (`{"mode": "auto"}` on the wire).
    #[serde(
        default,
        with = "tool_choice_mode",
        skip_serializing_if = "Option::is_none"
    )]
    pub tool_choice: Option<ToolChoice>,
    /// How much MCP context the client should add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_context: Option<ContextInclusion>,
    /// Metadata for the provider, as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

impl LlmRequest {
    /// A request for this conversation, with no other option set.
    pub fn new(messages: impl Into<Conversation>, max_tokens: u32) -> Self {
        Self {
            messages: messages.into().into_vec(),
            system_prompt: None,
            max_tokens,
            temperature: None,
            stop_sequences: Vec::new(),
            model_preferences: None,
            tools: Vec::new(),
            tool_choice: None,
            include_context: None,
            metadata: None,
        }
    }

    /// Sets the system prompt.
    pub fn with_system_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.system_prompt = Some(prompt.into());
        self
    }

    /// Sets the temperature.
    pub fn with_temperature(mut self, temperature: f32) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// Sets the stop sequences.
    pub fn with_stop_sequences<S: Into<String>>(
        mut self,
        stops: impl IntoIterator<Item = S>,
    ) -> Self {
        self.stop_sequences = stops.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the model preferences.
    pub fn with_model_preferences(mut self, preferences: ModelPreferences) -> Self {
        self.model_preferences = Some(preferences);
        self
    }

    /// Sets the tools offered.
    pub fn with_tools(mut self, tools: impl IntoIterator<Item = ToolSpec>) -> Self {
        self.tools = tools.into_iter().collect();
        self
    }

    /// Sets the tool choice.
    pub fn with_tool_choice(mut self, choice: ToolChoice) -> Self {
        self.tool_choice = Some(choice);
        self
    }

    /// The names of the tools offered, in order.
    pub fn tool_names(&self) -> Vec<String> {
        self.tools
            .iter()
            .map(|tool| tool.name.to_string())
            .collect()
    }

    /// The tool results of the last message, in order (owned copies, for assertions).
    pub fn tool_results(&self) -> Vec<ToolResult> {
        self.messages
            .last()
            .map(|message| message.results().into_iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Every tool call of the conversation, in order (owned copies, for assertions).
    pub fn tool_calls(&self) -> Vec<ToolCall> {
        self.messages
            .iter()
            .flat_map(Message::tool_calls)
            .cloned()
            .collect()
    }

    /// The text of the last message (its text blocks joined; empty when it has none).
    pub fn last_text(&self) -> String {
        self.messages
            .last()
            .and_then(Message::text)
            .unwrap_or_default()
    }

    /// The model hints, most preferred first (empty when there are none).
    pub fn model_hints(&self) -> &[String] {
        self.model_preferences
            .as_ref()
            .map_or(&[], |preferences| &preferences.hints)
    }
}

/// Why the LLM stopped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum StopReason {
    /// It finished its answer (`endTurn`).
    EndTurn,
    /// It asks for tool calls (`toolUse`).
    ToolUse,
    /// It ran out of tokens (`maxTokens`).
    MaxTokens,
    /// It produced a stop sequence (`stopSequence`).
    StopSequence,
    /// Another reason, as the provider named it.
    Other(String),
}

impl StopReason {
    /// The MCP name (`endTurn`, `toolUse`, ...).
    pub fn as_str(&self) -> &str {
        match self {
            Self::EndTurn => "endTurn",
            Self::ToolUse => "toolUse",
            Self::MaxTokens => "maxTokens",
            Self::StopSequence => "stopSequence",
            Self::Other(other) => other,
        }
    }
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<String> for StopReason {
    fn from(name: String) -> Self {
        match name.as_str() {
            "endTurn" => Self::EndTurn,
            "toolUse" => Self::ToolUse,
            "maxTokens" => Self::MaxTokens,
            "stopSequence" => Self::StopSequence,
            _ => Self::Other(name),
        }
    }
}

impl From<&str> for StopReason {
    fn from(name: &str) -> Self {
        name.to_owned().into()
    }
}

impl From<StopReason> for String {
    fn from(reason: StopReason) -> Self {
        match reason {
            StopReason::Other(other) => other,
            known => known.as_str().to_owned(),
        }
    }
}

/// The tokens one LLM call used, when the LLM reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Usage {
    /// Tokens read (the prompt).
    pub input_tokens: u64,
    /// Tokens written (the answer).
    pub output_tokens: u64,
    /// Of the input tokens, those served from a prompt cache, when reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_input_tokens: Option<u64>,
}

impl Usage {
    /// Usage with these counts.
    pub fn new(input_tokens: u64, output_tokens: u64) -> Self {
        Self {
            input_tokens,
            output_tokens,
            cached_input_tokens: None,
        }
    }
}

/// The model name of an answer built from plain text ([`LlmResponse::text`]).
pub const DEFAULT_MODEL_NAME: &str = "sampling-handler";

/// The answer to one LLM call: what a [`SamplingHandler`](crate::SamplingHandler) returns.
///
/// A handler closure may return anything that converts into it: a string is an `endTurn` text
/// answer from model `"sampling-handler"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LlmResponse {
    /// The LLM's message (role assistant); flattened on the wire, as MCP's
    /// `CreateMessageResult` has it.
    #[serde(flatten)]
    pub message: Message,
    /// The model that answered.
    pub model: String,
    /// Why it stopped.
    pub stop_reason: StopReason,
    /// The tokens it used, when reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
}

impl LlmResponse {
    /// A response holding this message, from this model, stopped for this reason.
    pub fn new(message: Message, model: impl Into<String>, stop_reason: StopReason) -> Self {
        Self {
            message,
            model: model.into(),
            stop_reason,
            usage: None,
        }
    }

    /// An `endTurn` text answer from model `"sampling-handler"` (change it with
    /// [`with_model`](Self::with_model)).
    pub fn text(text: impl Into<String>) -> Self {
        Self::new(
            Message::assistant(text),
            DEFAULT_MODEL_NAME,
            StopReason::EndTurn,
        )
    }

    /// A `toolUse` answer asking for these calls.
    pub fn tool_calls(calls: impl IntoIterator<Item = ToolCall>) -> Self {
        Self::new(
            Message::new(Role::Assistant, calls.into_iter().map(Content::ToolCall)),
            DEFAULT_MODEL_NAME,
            StopReason::ToolUse,
        )
    }

    /// Sets the model name.
    pub fn with_model(mut self, model: impl Into<String>) -> Self {
        self.model = model.into();
        self
    }

    /// Sets the stop reason.
    pub fn with_stop_reason(mut self, reason: impl Into<StopReason>) -> Self {
        self.stop_reason = reason.into();
        self
    }

    /// Sets the usage.
    pub fn with_usage(mut self, usage: Usage) -> Self {
        self.usage = Some(usage);
        self
    }
}

impl From<String> for LlmResponse {
    fn from(text: String) -> Self {
        Self::text(text)
    }
}

impl From<&str> for LlmResponse {
    fn from(text: &str) -> Self {
        Self::text(text)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn content_uses_the_mcp_wire_format() {
        let message = Message::new(
            Role::Assistant,
            [
                Content::text("hi"),
                Content::ToolCall(ToolCall::new(
                    "c1",
                    "add",
                    json!({"a": 1}).as_object().cloned().unwrap_or_default(),
                )),
                Content::Image {
                    data: "AAAA".into(),
                    mime_type: "image/png".into(),
                },
            ],
        );
        assert_eq!(
            serde_json::to_value(&message).unwrap(),
            json!({"role": "assistant", "content": [
                {"type": "text", "text": "hi"},
                {"type": "tool_use", "id": "c1", "name": "add", "input": {"a": 1}},
                {"type": "image", "data": "AAAA", "mimeType": "image/png"},
            ]})
        );
        let results = Message::tool_results([ToolResult::error("c1", "boom")]);
        assert_eq!(
            serde_json::to_value(&results).unwrap(),
            json!({"role": "user", "content": [{"type": "tool_result", "toolUseId": "c1",
                "content": [{"type": "text", "text": "boom"}], "isError": true}]})
        );
    }

    #[test]
    fn requests_and_responses_round_trip_through_json() {
        let mut request = LlmRequest::new(["one", "two"], 64);
        request.model_preferences =
            Some(ModelPreferences::hints(["small"]).with_cost_priority(0.5));
        request.tool_choice = Some(ToolChoice::Required);
        request.stop_sequences = vec!["END".into()];
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(
            json["modelPreferences"]["hints"],
            json!([{"name": "small"}])
        );
        assert_eq!(json["toolChoice"], json!({"mode": "required"}));
        assert_eq!(json["maxTokens"], 64);
        let back: LlmRequest = serde_json::from_value(json).unwrap();
        assert_eq!(back, request);

        let response = LlmResponse::text("ok").with_usage(Usage::new(3, 4));
        let json = serde_json::to_value(&response).unwrap();
        assert_eq!(json["stopReason"], "endTurn");
        assert_eq!(
            json["role"], "assistant",
            "the message is flattened: {json}"
        );
        assert_eq!(json["content"][0]["text"], "ok");
        assert_eq!(json["usage"]["outputTokens"], 4);
        let back: LlmResponse = serde_json::from_value(json).unwrap();
        assert_eq!(back, response);
        let other: StopReason = serde_json::from_value(json!("refusal")).unwrap();
        assert_eq!(other, StopReason::Other("refusal".into()));
    }

    #[test]
    fn readers_join_texts_and_find_calls() {
        let mut conversation = Conversation::from(vec!["a", "b"]);
        assert!(conversation.last_tool_calls().is_empty());
        conversation.push(LlmResponse::tool_calls([ToolCall::new("c1", "t", Map::new())]).message);
        assert_eq!(conversation.last_tool_calls()[0].name, "t");
        conversation.push(Message::tool_results([ToolResult::text("c1", "x")]));
        assert!(conversation.last_tool_calls().is_empty());
        let message = Message::new(Role::User, [Content::text("x"), Content::text("y")]);
        assert_eq!(message.text().as_deref(), Some("x\ny"));
        assert_eq!(Message::tool_results([]).text(), None);
    }
}
