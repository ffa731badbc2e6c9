//! The size of a message as JSON, counted without writing the JSON.
//!
//! The loop keeps its history under a byte limit and counts every message it appends, so this
//! runs once per message. It walks the message as its `Serialize` impl writes it (the tests
//! hold the two to the same count); only floats go through serde_json's own formatting.

use std::io;

use serde_json::{Map, Value};

use super::{Content, Message, Role, ToolCall, ToolResult};

impl Message {
    /// How many bytes `serde_json::to_string(self)` would write.
    pub(crate) fn json_size(&self) -> usize {
        let role = match self.role {
            Role::User => "user",
            Role::Assistant => "assistant",
        };
        object([
            ("role", plain(role)),
            (
                "content",
                array(self.content.iter().map(Content::json_size)),
            ),
        ])
    }
}

impl Content {
    fn json_size(&self) -> usize {
        match self {
            Self::Text { text } => object([("type", plain("text")), ("text", string(text))]),
            Self::Image { data, mime_type } => media("image", data, mime_type),
            Self::Audio { data, mime_type } => media("audio", data, mime_type),
            Self::ToolCall(call) => call.json_size(),
            Self::ToolResult(result) => result.json_size(),
        }
    }
}

/// An image or audio block.
fn media(kind: &str, data: &str, mime_type: &str) -> usize {
    object([
        ("type", plain(kind)),
        ("data", string(data)),
        ("mimeType", string(mime_type)),
    ])
}

impl ToolCall {
    /// A `tool_use` block (the tag, then the call's fields).
    fn json_size(&self) -> usize {
        object([
            ("type", plain("tool_use")),
            ("id", string(&self.id)),
            ("name", string(&self.name)),
            ("input", map(&self.arguments)),
        ])
    }
}

impl ToolResult {
    /// A `tool_result` block (the tag, then the result's fields; the optional ones only when
    /// they are written).
    fn json_size(&self) -> usize {
        let fields = [
            Some(("type", plain("tool_result"))),
            Some(("toolUseId", string(&self.call_id))),
            Some((
                "content",
                array(self.content.iter().map(Content::json_size)),
            )),
            self.structured
                .as_ref()
                .map(|value| ("structuredContent", self::value(value))),
            self.is_error.then(|| ("isError", "true".len())),
        ];
        object(fields.into_iter().flatten())
    }
}

/// `{"key":value,...}`, given each key (plain ASCII) and its value's size.
fn object<'k>(fields: impl IntoIterator<Item = (&'k str, usize)>) -> usize {
    delimited(
        fields
            .into_iter()
            .map(|(key, value)| plain(key) + 1 + value),
    )
}

/// `[item,...]`, given each item's size.
fn array(items: impl Iterator<Item = usize>) -> usize {
    delimited(items)
}

/// Two brackets around items separated by commas, given each item's size.
fn delimited(items: impl Iterator<Item = usize>) -> usize {
    let (total, count) = items.fold((0, 0_usize), |(total, count), item| {
        (total + item, count + 1)
    });
    2 + total + count.saturating_sub(1)
}

/// A string that needs no escaping, quoted.
fn plain(text: &str) -> usize {
    text.len() + 2
}

/// A string, quoted and escaped as serde_json escapes it: `"` and `\` take a backslash, and
/// so do the control characters, as `\n`-style short forms or `\u00XX`.
fn string(text: &str) -> usize {
    if !needs_escaping(text.as_bytes()) {
        return text.len() + 2;
    }
    let extra: usize = text
        .bytes()
        .map(|byte| match byte {
            b'"' | b'\\' | b'\x08' | b'\t' | b'\n' | b'\x0c' | b'\r' => 1,
            0..=0x1f => 5,
            _ => 0,
        })
        .sum();
    text.len() + 2 + extra
}

/// Whether any byte is a control character, `"` or `\`, looked at eight bytes at a time:
/// most strings (ids, names, short results) have none, and are short.
fn needs_escaping(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Non-zero when a byte of `word` is below `n` (at most 0x80).
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS;
    let escapes = |word: u64| {
        below(word, 0x20)
            | below(word ^ (ONES * u64::from(b'"')), 1)
            | below(word ^ (ONES * u64::from(b'\\')), 1)
    };
    let mut chunks = bytes.chunks_exact(8);
    let any = chunks
        .by_ref()
        // `chunks_exact` gives eight bytes; the fallback (all zero) would only mean "count".
        .map(|chunk| u64::from_ne_bytes(chunk.try_into().unwrap_or([0; 8])))
        .any(|word| escapes(word) != 0);
    // The last few bytes one at a time: padding them into a word costs a `memcpy` call.
    any || chunks
        .remainder()
        .iter()
        .any(|&byte| byte < 0x20 || byte == b'"' || byte == b'\\')
}

fn map(entries: &Map<String, Value>) -> usize {
    delimited(
        entries
            .iter()
            .map(|(key, value)| string(key) + 1 + self::value(value)),
    )
}

fn value(value: &Value) -> usize {
    match value {
        Value::Null => "null".len(),
        Value::Bool(true) => "true".len(),
        Value::Bool(false) => "false".len(),
        Value::Number(number) => formatted(number),
        Value::String(text) => string(text),
        Value::Array(items) => array(items.iter().map(self::value)),
        Value::Object(entries) => map(entries),
    }
}

/// A number as serde_json formats it: an integer's digits counted, a float formatted.
fn formatted(number: &serde_json::Number) -> usize {
    let digits = |n: u64| n.checked_ilog10().map_or(1, |log| log as usize + 1);
    if let Some(n) = number.as_u64() {
        return digits(n);
    }
    if let Some(n) = number.as_i64() {
        return 1 + digits(n.unsigned_abs());
    }
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
    // Writing into a counter cannot fail.
    let _ = serde_json::to_writer(&mut count, number);
    count.0
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object_of(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("an object literal"),
        }
    }

    /// Messages with every kind of block, escapes, non-ASCII text, nested values and numbers
    /// of each representation.
    fn samples() -> Vec<Message> {
        let awkward = "quote \" backslash \\ newline \n tab \t cr \r bell \u{7} nul \0 \u{1f} del \u{7f} é 漢字 🦀";
        let arguments = object_of(json!({
            "a": 1, "b": -2, "c": 0.1, "d": 1e300, "e": u64::MAX, "f": null, "g": true, "h": false,
            "i": 0, "j": i64::MIN, "k": 9, "l": 10, "m": -10, "n": 99_999, "o": 100_000, "p": -0.0,
            "nested": {"list": [1, "two", [3.5, {"x": awkward}], {}], "empty": []},
            awkward: awkward,
        }));
        vec![
            Message::user(""),
            Message::user(awkward),
            Message::assistant("done"),
            Message::new(Role::Assistant, []),
            Message::new(
                Role::Assistant,
                [
                    Content::text("calling"),
                    Content::ToolCall(ToolCall::new("call_1", "add", arguments.clone())),
                    Content::ToolCall(ToolCall::new(awkward, awkward, Map::new())),
                ],
            ),
            Message::tool_results([
                ToolResult::text("call_1", "3"),
                ToolResult::error("call_2", awkward),
                ToolResult {
                    call_id: "call_3".into(),
                    content: vec![
                        Content::Image {
                            data: "aGVsbG8=".into(),
                            mime_type: "image/png".into(),
                        },
                        Content::Audio {
                            data: String::new(),
                            mime_type: "audio/wav".into(),
                        },
                    ],
                    structured: Some(Value::Object(arguments)),
                    is_error: false,
                },
                ToolResult {
                    call_id: "call_4".into(),
                    content: Vec::new(),
                    structured: Some(json!([1, 2.5, "x"])),
                    is_error: true,
                },
            ]),
        ]
    }

    #[test]
    fn the_count_is_what_serde_json_writes() {
        for message in samples() {
            let written = serde_json::to_string(&message).expect("serialisable");
            assert_eq!(message.json_size(), written.len(), "{written}");
        }
    }

    #[test]
    fn the_eight_byte_check_finds_every_byte_to_escape_wherever_it_is() {
        for len in 1..=17 {
            for at in 0..len {
                for byte in 0..=u8::MAX {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = byte;
                    let expected = byte < 0x20 || byte == b'"' || byte == b'\\';
                    assert_eq!(
                        needs_escaping(&bytes),
                        expected,
                        "{byte:#04x} at {at} of {len}"
                    );
                }
            }
        }
        assert!(!needs_escaping(b""));
        assert!(!needs_escaping("é 漢字 🦀 \u{7f} ~ !#".as_bytes()));
    }

    #[test]
    fn every_control_character_is_counted_as_escaped() {
        for byte in 0u8..0x80 {
            let text = char::from(byte).to_string();
            let written = serde_json::to_string(&text).expect("serialisable");
            assert_eq!(string(&text), written.len(), "byte {byte:#04x}");
        }
    }
}
