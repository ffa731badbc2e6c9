// An empty tool name is rejected.
use rmcp_sampling::sampling_tool;

/// Answer.
#[sampling_tool(name = "")]
fn answer(text: String) -> String {
    text
}

fn main() {}
