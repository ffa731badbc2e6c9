//! Content conversions both provider handlers share.

use std::borrow::Cow;

use rmcp::model::{
    ContentBlock, CreateMessageRequestParams, CreateMessageResult, ResourceContents, Role,
    SamplingMessage, SamplingMessageContentBlock, ToolChoiceMode, ToolResultContent,
};

use super::http::invalid_request;
use crate::HandlerError;

/// The error for a message whose content the provider cannot take: `what` says what message
/// `index` holds and why it cannot be sent.
pub(crate) fn unsupported_content(
    provider: &str,
    index: usize,
    message: &SamplingMessage,
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
pub(crate) fn refusal(block: &SamplingMessageContentBlock) -> &'static str {
    match block {
        SamplingMessageContentBlock::Audio(_) => {
            "audio content, which this handler does not support"
        }
        SamplingMessageContentBlock::ToolUse(_) => "a tool_use block; only assistant messages may",
        SamplingMessageContentBlock::ToolResult(_) => "a tool_result block; only user messages may",
        _ => "a content type this handler does not support",
    }
}

/// The request's tool choice as the provider names it: `"auto"`, `required` (which each
/// provider spells its own way) or `"none"`. `None` when the request sets no mode or offers
/// no tools: a tool choice is only sent with tools.
pub(crate) fn tool_choice(
    provider: &str,
    params: &CreateMessageRequestParams,
    has_tools: bool,
    required: &'static str,
) -> Result<Option<&'static str>, HandlerError> {
    match params.tool_choice.as_ref().and_then(|c| c.mode.as_ref()) {
        _ if !has_tools => Ok(None),
        Some(ToolChoiceMode::Auto) => Ok(Some("auto")),
        Some(ToolChoiceMode::Required) => Ok(Some(required)),
        Some(ToolChoiceMode::None) => Ok(Some("none")),
        Some(other) => Err(invalid_request(
            provider,
            format!("unknown tool choice mode {other:?}"),
        )),
        None => Ok(None),
    }
}

/// The MCP result for a provider's answer: an assistant message holding `blocks` (one empty
/// text block when there are none: a message needs content), the model the provider reported
/// (the requested one when it reported none) and the stop reason.
pub(crate) fn assistant_result(
    mut blocks: Vec<SamplingMessageContentBlock>,
    reported_model: Option<String>,
    requested_model: &str,
    stop_reason: String,
) -> CreateMessageResult {
    if blocks.is_empty() {
        blocks.push(SamplingMessageContentBlock::text(""));
    }
    let model = reported_model
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| requested_model.to_owned());
    CreateMessageResult::new(
        SamplingMessage::new_multiple(Role::Assistant, blocks),
        model,
    )
    .with_stop_reason(stop_reason)
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

/// The pieces of a tool result: text, embedded text resources and resource links as text,
/// images as images. With no content, the structured content as JSON text. Audio and binary
/// resources are refused: no chat API takes them in a tool result.
pub(crate) fn tool_result_pieces<'a>(
    provider: &str,
    result: &'a ToolResultContent,
) -> Result<Vec<Piece<'a>>, HandlerError> {
    let mut pieces = Vec::with_capacity(result.content.len());
    for block in &result.content {
        let piece = match block {
            ContentBlock::Text(text) => Piece::Text(Cow::Borrowed(&text.text)),
            ContentBlock::Image(image) => Piece::Image {
                data: &image.data,
                mime_type: &image.mime_type,
            },
            ContentBlock::Resource(resource) => match &resource.resource {
                ResourceContents::TextResourceContents { text, .. } => {
                    Piece::Text(Cow::Borrowed(text))
                }
                _ => {
                    return Err(invalid_request(
                        provider,
                        format!(
                            "the result of tool call {:?} embeds a binary resource, which it does not support",
                            result.tool_use_id
                        ),
                    ));
                }
            },
            ContentBlock::ResourceLink(link) => {
                Piece::Text(Cow::Owned(format!("{} <{}>", link.name, link.uri)))
            }
            ContentBlock::Audio(_) => {
                return Err(invalid_request(
                    provider,
                    format!(
                        "the result of tool call {:?} holds audio, which it does not support",
                        result.tool_use_id
                    ),
                ));
            }
            _ => {
                return Err(invalid_request(
                    provider,
                    format!(
                        "the result of tool call {:?} holds a content type it does not support",
                        result.tool_use_id
                    ),
                ));
            }
        };
        pieces.push(piece);
    }
    if pieces.is_empty()
        && let Some(structured) = &result.structured_content
    {
        pieces.push(Piece::Text(Cow::Owned(structured.to_string())));
    }
    Ok(pieces)
}
