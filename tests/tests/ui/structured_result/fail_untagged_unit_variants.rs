// In an untagged enum every unit variant is `null`: the second one cannot be told apart.
use rmcp_sampling::structured_result;

/// An answer.
#[structured_result]
#[serde(untagged)]
enum Answer {
    Yes,
    No,
    Count(u32),
}

fn main() {}
