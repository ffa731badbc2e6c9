//! The defaults of a sampling call and the limits that keep one loop (and one multi round-trip
//! state) small; each can be changed on the [`Sampler`](crate::Sampler) or the call.

use std::borrow::Cow;
use std::time::Duration;

/// The default `max_tokens` of each LLM request.
pub const DEFAULT_MAX_TOKENS: u32 = 512;
/// The default cap on LLM requests in one loop.
pub const DEFAULT_MAX_ITERATIONS: u32 = 100;
/// The default number of consecutive invalid `final_response` calls answered with a retry.
pub const DEFAULT_RESULT_RETRIES: u32 = 3;
/// The default number of text answers nudged towards a tool call: `final_response` in a typed
/// loop, any tool after a `tool_choice(Required)` request in a text loop.
pub const DEFAULT_TEXT_NUDGES: u32 = 3;
/// The default time limit of one LLM request: 5 minutes.
///
/// A client may show each sampling request to its user for approval before its model runs,
/// and a slow local model may take minutes over a long answer; five minutes leaves room for
/// both, while a client that never answers releases the loop (and its memory) in bounded time.
pub const DEFAULT_LLM_TIMEOUT: Duration = Duration::from_secs(300);
/// The default cap on tool calls in one LLM reply: 128.
///
/// Models that call tools in parallel make a handful of calls per reply, rarely dozens; a reply
/// with more than 128 comes from a broken or hostile model, and is refused.
pub const DEFAULT_MAX_TOOL_CALLS_PER_REPLY: usize = 128;
/// The default cap on the bytes of one tool result sent back to the LLM: 1 MiB.
///
/// About 250,000 tokens, more than most context windows hold; a longer result is cut (at a
/// character boundary) and ends with a note that says so.
pub const DEFAULT_MAX_TOOL_RESULT_BYTES: usize = 1 << 20;
/// The default cap on the bytes of a loop's whole history (as JSON): 8 MiB.
///
/// About two million tokens, beyond every model's context window, and under the 16 MiB line
/// that rmcp's stdio transport drops unread: the history is re-sent whole on each request.
pub const DEFAULT_MAX_HISTORY_BYTES: usize = 8 << 20;

/// The default lifetime of a sealed state (as in the Python and TypeScript SDKs).
pub const DEFAULT_STATE_TTL: Duration = Duration::from_secs(600);

/// The default cap on a sealed state's size: 10.7 MiB, derived from the default history limit
/// ([`DEFAULT_MAX_HISTORY_BYTES`], 8 MiB), so that a loop the push era (2025-11-25) allows
/// also fits the multi round-trip state of 2026-07-28.
///
/// The journal holds the LLM's responses and the tools' results, which are part of the
/// history, so it is no larger than the history; base64url adds a third, and 64 KiB cover the
/// envelope and the journal's own structure. Journals over 256 KiB are also deflated, which
/// usually shrinks them 2-8×.
pub const DEFAULT_MAX_STATE_BYTES: usize = DEFAULT_MAX_HISTORY_BYTES.div_ceil(3) * 4 + (64 << 10);

/// The default number of `tools/call` rounds a client drives (rmcp, the Python SDK and the
/// TypeScript SDK 2.x all stop after 10).
pub const DEFAULT_ROUND_BUDGET: u32 = 10;

/// The most characters of untrusted text (tool arguments, ids) an error message quotes.
pub(crate) const QUOTE_CHARS: usize = 200;

/// `text` as an error message may quote it: whole when short, else its first
/// [`QUOTE_CHARS`] characters and "…".
pub(crate) fn quote(text: &str) -> Cow<'_, str> {
    prefix(text, QUOTE_CHARS)
}

/// The first `max_chars` characters of `text` and "…", or `text` when it is not longer.
pub(crate) fn prefix(text: &str, max_chars: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max_chars) {
        None => Cow::Borrowed(text),
        Some((end, _)) => Cow::Owned(format!("{}…", &text[..end])),
    }
}

/// A tool result cut to at most `max` bytes of its own text (at a character boundary), with a
/// note saying so appended.
pub(crate) fn cut_tool_result(mut text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    let total = text.len();
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push_str(&format!(
        "\n[truncated: the tool's result was {total} bytes; only the first {end} are shown]"
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_short() {
        assert_eq!(quote("abc"), "abc");
        let long = "é".repeat(1000);
        let quoted = quote(&long);
        assert_eq!(quoted.chars().count(), QUOTE_CHARS + 1);
        assert!(quoted.ends_with('…'));
    }

    #[test]
    fn results_are_cut_at_a_character_boundary_with_a_note() {
        assert_eq!(cut_tool_result("short".into(), 10), "short");
        let cut = cut_tool_result("ééééé".into(), 5);
        assert!(
            cut.starts_with(
                "éé\n[truncated: the tool's result was 10 bytes; only the first 4 are shown]"
            ),
            "{cut}"
        );
    }
}
