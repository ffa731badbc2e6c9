// `final_response` is reserved for the typed result of `sample::<T>()`.
use rmcp_sampling::sampling_tool;

/// Answer.
#[sampling_tool(name = "final_response")]
fn answer(text: String) -> String {
    text
}

fn main() {}
