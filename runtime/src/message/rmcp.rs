//! Conversions between this crate's messages and rmcp's sampling types, used only at the channel
//! boundary: the client push channel (`sampling/createMessage` sent to a client) and the client
//! adapter ([`SamplingClient`](crate::client::SamplingClient)) that answers one.
//!
//! rmcp marks its sampling types deprecated (SEP-2577); this module and the two boundaries are
//! the only places that name them. Reading rmcp's types is fallible: what this crate cannot hold
//! (a binary resource in a tool result, a content type it does not know) is an error naming the
//! message and block.
#![allow(deprecated)]

use std::sync::Arc;

use rmcp::model::{
    AudioContent, ContentBlock, CreateMessageRequestParams, CreateMessageResult, ImageContent,
    ModelHint, ResourceContents, SamplingMessage, SamplingMessageContentBlock, ToolChoiceMode,
    ToolResultContent, ToolUseContent,
};

use super::{
    Content, ContextInclusion, LlmRequest, LlmResponse, Message, ModelPreferences, Role,
    StopReason, ToolCall, ToolChoice, ToolResult, ToolSpec,
};

// ---- ours to rmcp ----

pub(crate) fn role_to_rmcp(role: Role) -> rmcp::model::Role {
    match role {
        Role::User => rmcp::model::Role::User,
        Role::Assistant => rmcp::model::Role::Assistant,
    }
}

/// A content block of a message.
fn block_to_rmcp(content: &Content) -> SamplingMessageContentBlock {
    match content {
        Content::Text { text } => SamplingMessageContentBlock::text(text.clone()),
        Content::Image { data, mime_type } => {
            SamplingMessageContentBlock::Image(ImageContent::new(data, mime_type))
        }
        Content::Audio { data, mime_type } => {
            SamplingMessageContentBlock::Audio(AudioContent::new(data, mime_type))
        }
        Content::ToolCall(call) => SamplingMessageContentBlock::ToolUse(ToolUseContent::new(
            call.id.clone(),
            call.name.clone(),
            call.arguments.clone(),
        )),
        Content::ToolResult(result) => {
            SamplingMessageContentBlock::ToolResult(tool_result_to_rmcp(result))
        }
    }
}

/// A content block inside a tool result (tool calls and results cannot nest: they become text).
fn result_block_to_rmcp(content: &Content) -> ContentBlock {
    match content {
        Content::Text { text } => ContentBlock::text(text.clone()),
        Content::Image { data, mime_type } => ContentBlock::image(data.clone(), mime_type.clone()),
        Content::Audio { data, mime_type } => ContentBlock::audio(data.clone(), mime_type.clone()),
        other => ContentBlock::text(serde_json::to_string(other).unwrap_or_default()),
    }
}

fn tool_result_to_rmcp(result: &ToolResult) -> ToolResultContent {
    let content = result.content.iter().map(result_block_to_rmcp).collect();
    let mut out = if result.is_error {
        ToolResultContent::error(result.call_id.clone(), content)
    } else {
        ToolResultContent::new(result.call_id.clone(), content)
    };
    out.structured_content = result.structured.clone();
    out
}

/// A message as rmcp's. One block is sent as a single content object (what peers before
/// 2025-11-25 read), several as an array.
pub(crate) fn message_to_rmcp(message: &Message) -> SamplingMessage {
    let role = role_to_rmcp(message.role);
    match message.content.as_slice() {
        [single] => SamplingMessage::new(role, block_to_rmcp(single)),
        blocks => SamplingMessage::new_multiple(role, blocks.iter().map(block_to_rmcp).collect()),
    }
}

fn tool_to_rmcp(tool: &ToolSpec) -> rmcp::model::Tool {
    let mut out = rmcp::model::Tool::new(tool.name.clone(), "", Arc::clone(&tool.input_schema));
    out.description = tool.description.clone();
    out
}

fn tool_choice_to_rmcp(choice: ToolChoice) -> rmcp::model::ToolChoice {
    match choice {
        ToolChoice::Auto => rmcp::model::ToolChoice::auto(),
        ToolChoice::Required => rmcp::model::ToolChoice::required(),
        ToolChoice::None => rmcp::model::ToolChoice::none(),
    }
}

fn preferences_to_rmcp(preferences: &ModelPreferences) -> rmcp::model::ModelPreferences {
    let mut out = rmcp::model::ModelPreferences::new();
    if !preferences.hints.is_empty() {
        out.hints = Some(preferences.hints.iter().map(ModelHint::new).collect());
    }
    out.cost_priority = preferences.cost_priority;
    out.speed_priority = preferences.speed_priority;
    out.intelligence_priority = preferences.intelligence_priority;
    out
}

fn context_to_rmcp(include: ContextInclusion) -> rmcp::model::ContextInclusion {
    match include {
        ContextInclusion::None => rmcp::model::ContextInclusion::None,
        ContextInclusion::ThisServer => rmcp::model::ContextInclusion::ThisServer,
        ContextInclusion::AllServers => rmcp::model::ContextInclusion::AllServers,
    }
}

/// A content block of a message, moved.
fn block_into_rmcp(content: Content) -> SamplingMessageContentBlock {
    match content {
        Content::Text { text } => SamplingMessageContentBlock::text(text),
        Content::Image { data, mime_type } => {
            SamplingMessageContentBlock::Image(ImageContent::new(data, mime_type))
        }
        Content::Audio { data, mime_type } => {
            SamplingMessageContentBlock::Audio(AudioContent::new(data, mime_type))
        }
        Content::ToolCall(call) => SamplingMessageContentBlock::ToolUse(ToolUseContent::new(
            call.id,
            call.name,
            call.arguments,
        )),
        Content::ToolResult(result) => {
            SamplingMessageContentBlock::ToolResult(tool_result_into_rmcp(result))
        }
    }
}

/// A content block inside a tool result, moved.
fn result_block_into_rmcp(content: Content) -> ContentBlock {
    match content {
        Content::Text { text } => ContentBlock::text(text),
        Content::Image { data, mime_type } => ContentBlock::image(data, mime_type),
        Content::Audio { data, mime_type } => ContentBlock::audio(data, mime_type),
        other => result_block_to_rmcp(&other),
    }
}

fn tool_result_into_rmcp(result: ToolResult) -> ToolResultContent {
    let content = result
        .content
        .into_iter()
        .map(result_block_into_rmcp)
        .collect();
    let mut out = if result.is_error {
        ToolResultContent::error(result.call_id, content)
    } else {
        ToolResultContent::new(result.call_id, content)
    };
    out.structured_content = result.structured;
    out
}

/// A message as rmcp's, moved (see [`message_to_rmcp`]).
fn message_into_rmcp(message: Message) -> SamplingMessage {
    let role = role_to_rmcp(message.role);
    let mut blocks = message.content;
    if blocks.len() == 1
        && let Some(single) = blocks.pop()
    {
        return SamplingMessage::new(role, block_into_rmcp(single));
    }
    SamplingMessage::new_multiple(role, blocks.into_iter().map(block_into_rmcp).collect())
}

/// A request as rmcp's `sampling/createMessage` params.
pub(crate) fn request_to_rmcp(request: &LlmRequest) -> CreateMessageRequestParams {
    params_to_rmcp(
        request.messages.iter().map(message_to_rmcp).collect(),
        request,
    )
}

/// A request as rmcp's, its messages moved out of it rather than copied: for a request that
/// is not sent again (the one a multi round-trip round asks before it suspends).
pub(crate) fn request_into_rmcp(request: &mut LlmRequest) -> CreateMessageRequestParams {
    let messages = std::mem::take(&mut request.messages);
    params_to_rmcp(
        messages.into_iter().map(message_into_rmcp).collect(),
        request,
    )
}

/// rmcp's params of `request`, with `messages` already converted.
fn params_to_rmcp(
    messages: Vec<SamplingMessage>,
    request: &LlmRequest,
) -> CreateMessageRequestParams {
    let mut params = CreateMessageRequestParams::new(messages, request.max_tokens);
    params.system_prompt = request.system_prompt.clone();
    params.temperature = request.temperature;
    params.stop_sequences =
        (!request.stop_sequences.is_empty()).then(|| request.stop_sequences.clone());
    params.model_preferences = request.model_preferences.as_ref().map(preferences_to_rmcp);
    params.include_context = request.include_context.map(context_to_rmcp);
    params.metadata = request.metadata.clone();
    params.tools =
        (!request.tools.is_empty()).then(|| request.tools.iter().map(tool_to_rmcp).collect());
    params.tool_choice = request.tool_choice.map(tool_choice_to_rmcp);
    params
}

/// A response as rmcp's `sampling/createMessage` result.
pub(crate) fn response_to_rmcp(response: &LlmResponse) -> CreateMessageResult {
    CreateMessageResult::new(message_to_rmcp(&response.message), response.model.clone())
        .with_stop_reason(response.stop_reason.as_str())
}

// ---- rmcp to ours ----

fn role_from_rmcp(role: &rmcp::model::Role) -> Role {
    match role {
        rmcp::model::Role::Assistant => Role::Assistant,
        _ => Role::User,
    }
}

/// A content block inside a tool result. Embedded text resources and resource links become
/// text; binary resources have no place in a conversation.
fn result_block_from_rmcp(block: ContentBlock, call_id: &str) -> Result<Content, String> {
    Ok(match block {
        ContentBlock::Text(text) => Content::text(text.text),
        ContentBlock::Image(image) => Content::Image {
            data: image.data,
            mime_type: image.mime_type,
        },
        ContentBlock::Audio(audio) => Content::Audio {
            data: audio.data,
            mime_type: audio.mime_type,
        },
        ContentBlock::Resource(resource) => match resource.resource {
            ResourceContents::TextResourceContents { text, .. } => Content::text(text),
            _ => {
                return Err(format!(
                    "the result of tool call {call_id:?} embeds a binary resource, which a \
                     sampling conversation cannot hold"
                ));
            }
        },
        ContentBlock::ResourceLink(link) => Content::text(format!("{} <{}>", link.name, link.uri)),
        #[allow(unreachable_patterns)]
        _ => {
            return Err(format!(
                "the result of tool call {call_id:?} holds a content type this crate does not know"
            ));
        }
    })
}

fn block_from_rmcp(block: SamplingMessageContentBlock) -> Result<Content, String> {
    Ok(match block {
        SamplingMessageContentBlock::Text(text) => Content::text(text.text),
        SamplingMessageContentBlock::Image(image) => Content::Image {
            data: image.data,
            mime_type: image.mime_type,
        },
        SamplingMessageContentBlock::Audio(audio) => Content::Audio {
            data: audio.data,
            mime_type: audio.mime_type,
        },
        SamplingMessageContentBlock::ToolUse(call) => {
            Content::ToolCall(ToolCall::new(call.id, call.name, call.input))
        }
        SamplingMessageContentBlock::ToolResult(result) => {
            let call_id = result.tool_use_id;
            let content = result
                .content
                .into_iter()
                .map(|block| result_block_from_rmcp(block, &call_id))
                .collect::<Result<_, _>>()?;
            Content::ToolResult(ToolResult {
                call_id,
                content,
                structured: result.structured_content,
                is_error: result.is_error.unwrap_or(false),
            })
        }
        #[allow(unreachable_patterns)]
        _ => return Err("it holds a content type this crate does not know".into()),
    })
}

/// An rmcp message as ours; an error names the block that cannot be held.
pub(crate) fn message_from_rmcp(message: SamplingMessage) -> Result<Message, String> {
    let role = role_from_rmcp(&message.role);
    let content = message
        .content
        .into_vec()
        .into_iter()
        .enumerate()
        .map(|(index, block)| block_from_rmcp(block).map_err(|e| format!("content[{index}]: {e}")))
        .collect::<Result<_, _>>()?;
    Ok(Message { role, content })
}

/// rmcp's `sampling/createMessage` params as our request; an error names the message, block or
/// field that cannot be held.
pub(crate) fn request_from_rmcp(params: CreateMessageRequestParams) -> Result<LlmRequest, String> {
    let messages = params
        .messages
        .into_iter()
        .enumerate()
        .map(|(index, message)| {
            message_from_rmcp(message).map_err(|e| format!("messages[{index}].{e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let tool_choice = match params.tool_choice.as_ref().and_then(|c| c.mode.as_ref()) {
        None => None,
        Some(ToolChoiceMode::Auto) => Some(ToolChoice::Auto),
        Some(ToolChoiceMode::Required) => Some(ToolChoice::Required),
        Some(ToolChoiceMode::None) => Some(ToolChoice::None),
        #[allow(unreachable_patterns)]
        Some(other) => return Err(format!("toolChoice.mode {other:?} is not known")),
    };
    let include_context = match &params.include_context {
        None => None,
        Some(rmcp::model::ContextInclusion::None) => Some(ContextInclusion::None),
        Some(rmcp::model::ContextInclusion::ThisServer) => Some(ContextInclusion::ThisServer),
        Some(rmcp::model::ContextInclusion::AllServers) => Some(ContextInclusion::AllServers),
        #[allow(unreachable_patterns)]
        Some(other) => return Err(format!("includeContext {other:?} is not known")),
    };
    let model_preferences = params.model_preferences.as_ref().map(|p| ModelPreferences {
        hints: p
            .hints
            .iter()
            .flatten()
            .filter_map(|hint| hint.name.clone())
            .collect(),
        cost_priority: p.cost_priority,
        speed_priority: p.speed_priority,
        intelligence_priority: p.intelligence_priority,
    });
    let tools = params.tools.iter().flatten().map(ToolSpec::from).collect();
    Ok(LlmRequest {
        messages,
        system_prompt: params.system_prompt.clone(),
        max_tokens: params.max_tokens,
        temperature: params.temperature,
        stop_sequences: params.stop_sequences.clone().unwrap_or_default(),
        model_preferences,
        tools,
        tool_choice,
        include_context,
        metadata: params.metadata.clone(),
    })
}

/// rmcp's `sampling/createMessage` result as our response; an error names what cannot be held.
/// A missing stop reason is `toolUse` when the message calls tools, `endTurn` otherwise.
pub(crate) fn response_from_rmcp(result: CreateMessageResult) -> Result<LlmResponse, String> {
    let message = message_from_rmcp(result.message).map_err(|e| format!("the message's {e}"))?;
    let stop_reason = match &result.stop_reason {
        Some(reason) => StopReason::from(reason.as_str()),
        None if !message.tool_calls().is_empty() => StopReason::ToolUse,
        None => StopReason::EndTurn,
    };
    Ok(LlmResponse {
        message,
        model: result.model,
        stop_reason,
        usage: None,
    })
}

/// Tool results as rmcp's content blocks (the multi round-trip journal stores them so).
pub(crate) fn tool_results_to_rmcp(results: &[ToolResult]) -> Vec<SamplingMessageContentBlock> {
    results
        .iter()
        .map(|result| SamplingMessageContentBlock::ToolResult(tool_result_to_rmcp(result)))
        .collect()
}

/// rmcp's tool result blocks as ours; any other block is an error.
pub(crate) fn tool_results_from_rmcp(
    blocks: Vec<SamplingMessageContentBlock>,
) -> Result<Vec<ToolResult>, String> {
    blocks
        .into_iter()
        .map(|block| match block_from_rmcp(block)? {
            Content::ToolResult(result) => Ok(result),
            _ => Err("a recorded tool batch holds a block that is not a tool_result".into()),
        })
        .collect()
}

impl From<&rmcp::model::Tool> for ToolSpec {
    fn from(tool: &rmcp::model::Tool) -> Self {
        ToolSpec::shared(
            tool.name.clone(),
            tool.description.clone(),
            Arc::clone(&tool.input_schema),
        )
    }
}

impl From<rmcp::model::Tool> for ToolSpec {
    fn from(tool: rmcp::model::Tool) -> Self {
        Self::from(&tool)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_request_survives_the_trip_through_rmcp() {
        let mut request = LlmRequest::new(
            vec![
                Message::user("hi"),
                Message::new(
                    Role::Assistant,
                    [
                        Content::text("calling"),
                        Content::ToolCall(ToolCall::new(
                            "c1",
                            "add",
                            json!({"a": 1}).as_object().cloned().unwrap_or_default(),
                        )),
                    ],
                ),
                Message::tool_results([ToolResult::error("c1", "no")]),
            ],
            99,
        );
        request.system_prompt = Some("be brief".into());
        request.tool_choice = Some(ToolChoice::Auto);
        request.model_preferences = Some(ModelPreferences::hints(["m"]));
        request.tools = vec![ToolSpec::new(
            "add",
            Some("adds".into()),
            Default::default(),
        )];
        let back = request_from_rmcp(request_to_rmcp(&request)).unwrap();
        assert_eq!(back, request);
        // Our types read rmcp's wire JSON as it is.
        let wire = serde_json::to_value(request_to_rmcp(&request)).unwrap();
        let read: LlmRequest = serde_json::from_value(wire).unwrap();
        assert_eq!(read, request);
    }

    #[test]
    fn what_cannot_be_held_is_named() {
        let result = ToolResultContent::new(
            "c9",
            vec![ContentBlock::resource(
                ResourceContents::BlobResourceContents {
                    uri: "file:///x".into(),
                    mime_type: None,
                    blob: "AA==".into(),
                    meta: None,
                },
            )],
        );
        let params = CreateMessageRequestParams::new(
            vec![SamplingMessage::new_multiple(
                rmcp::model::Role::User,
                vec![SamplingMessageContentBlock::ToolResult(result)],
            )],
            10,
        );
        let error = request_from_rmcp(params).unwrap_err();
        assert!(error.starts_with("messages[0].content[0]"), "{error}");
        assert!(
            error.contains("\"c9\"") && error.contains("binary"),
            "{error}"
        );
    }

    #[test]
    fn a_missing_stop_reason_follows_the_content() {
        let result = CreateMessageResult::new(SamplingMessage::assistant_text("x"), "m".into());
        let response = response_from_rmcp(result).unwrap();
        assert_eq!(response.stop_reason, StopReason::EndTurn);
        assert_eq!(response.model, "m");
    }
}
