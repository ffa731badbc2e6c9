//! What keeps one loop small: short quotes in error messages, cut tool results, and the size
//! of a history.

use std::borrow::Cow;
use std::io;

use serde::Serialize;

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

/// The size of `value` as JSON, without building the JSON.
pub(crate) fn json_size(value: &impl Serialize) -> usize {
    struct Count(usize);
    impl io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Serializing into a counter fails only if the value cannot be serialized at all; then it
    // could not be sent either, and counts as nothing here.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
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

    #[test]
    fn json_size_counts_the_serialized_bytes() {
        let value = serde_json::json!({"a": [1, 2, "x"]});
        assert_eq!(json_size(&value), value.to_string().len());
    }
}
