//! Content conversions both provider handlers share.

use std::borrow::Cow;

use super::http::invalid_request;
use crate::handler::HandlerError;
use crate::message::{
    Content, LlmRequest, LlmResponse, Message, Role, StopReason, ToolChoice, ToolResult,
};

/// The error for a message whose content the provider cannot take: `what` says what message
/// `index` holds and why it cannot be sent.
pub(crate) fn unsupported_content(
    provider: &str,
    index: usize,
    message: &Message,
    what: &str,
) -> HandlerError {
    invalid_request(
        provider,
        format!("message {index} ({:?}) holds {what}", message.role),
    )
}

/// What a handler says of a content block it did not accept, for the refusals both handlers
/// share: audio (no chat API takes it), a `tool_use` block, which only assistant messages may
/// hold, a `tool_result` block, which only user messages may hold, and any other content type.
pub(crate) fn refusal(block: &Content) -> &'static str {
    match block {
        Content::Audio { .. } => "audio content, which this handler does not support",
        Content::ToolCall(_) => "a tool_use block; only assistant messages may",
        Content::ToolResult(_) => "a tool_result block; only user messages may",
        _ => "a content type this handler does not support",
    }
}

/// The request's tool choice as the provider names it: `"auto"`, `required` (which each
/// provider spells its own way) or `"none"`. `None` when the request sets no mode or offers
/// no tools: a tool choice is only sent with tools.
pub(crate) fn tool_choice(
    request: &LlmRequest,
    has_tools: bool,
    required: &'static str,
) -> Option<&'static str> {
    match request.tool_choice {
        _ if !has_tools => None,
        Some(ToolChoice::Auto) => Some("auto"),
        Some(ToolChoice::Required) => Some(required),
        Some(ToolChoice::None) => Some("none"),
        None => None,
    }
}

/// The MCP result for a provider's answer: an assistant message holding `blocks` (one empty
/// text block when there are none: a message needs content), the model the provider reported
/// (the requested one when it reported none) and the stop reason.
pub(crate) fn assistant_result(
    mut blocks: Vec<Content>,
    reported_model: Option<String>,
    requested_model: &str,
    stop_reason: StopReason,
) -> LlmResponse {
    if blocks.is_empty() {
        blocks.push(Content::text(""));
    }
    let model = reported_model
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| requested_model.to_owned());
    LlmResponse::new(Message::new(Role::Assistant, blocks), model, stop_reason)
}

/// One piece of a tool result, in the shapes providers take.
pub(crate) enum Piece<'a> {
    Text(Cow<'a, str>),
    #[cfg_attr(not(feature = "anthropic"), allow(dead_code))]
    Image {
        data: &'a str,
        mime_type: &'a str,
    },
}

/// The pieces of a tool result: text and images. With no content, the structured content as
/// JSON text. Audio is refused: no chat API takes it in a tool result.
pub(crate) fn tool_result_pieces<'a>(
    provider: &str,
    result: &'a ToolResult,
) -> Result<Vec<Piece<'a>>, HandlerError> {
    let mut pieces = Vec::with_capacity(result.content.len());
    for block in &result.content {
        let piece = match block {
            Content::Text { text } => Piece::Text(Cow::Borrowed(text)),
            Content::Image { data, mime_type } => Piece::Image { data, mime_type },
            Content::Audio { .. } => {
                return Err(invalid_request(
                    provider,
                    format!(
                        "the result of tool call {:?} holds audio, which it does not support",
                        result.call_id
                    ),
                ));
            }
            _ => {
                return Err(invalid_request(
                    provider,
                    format!(
                        "the result of tool call {:?} holds a content type it does not support",
                        result.call_id
                    ),
                ));
            }
        };
        pieces.push(piece);
    }
    if pieces.is_empty()
        && let Some(structured) = &result.structured
    {
        pieces.push(Piece::Text(Cow::Owned(structured.to_string())));
    }
    Ok(pieces)
}
