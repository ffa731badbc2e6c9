//! Content conversions both provider handlers share.

use std::borrow::Cow;

use rmcp::model::{ContentBlock, ResourceContents, ToolResultContent};

use super::http::invalid_request;
use crate::HandlerError;

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
