// A `&str` parameter cannot be decoded from JSON; the message says to take `String`.
use rmcp_sampling::sampling_tool;

/// Shout a word.
#[sampling_tool]
fn shout(word: &str) -> String {
    word.to_uppercase()
}

fn main() {}
