// A tool name LLM APIs would refuse (here a space) is rejected at compile time.
use rmcp_sampling::sampling_tool;

/// Answer.
#[sampling_tool(name = "give answer")]
fn answer(text: String) -> String {
    text
}

fn main() {}
