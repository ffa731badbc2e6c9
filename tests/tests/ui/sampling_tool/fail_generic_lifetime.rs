// Lifetime parameters are rejected too: arguments are decoded into owned values.
use rmcp_sampling::sampling_tool;

/// Count characters.
#[sampling_tool]
fn count<'a>(text: String) -> usize {
    text.len()
}

fn main() {}
