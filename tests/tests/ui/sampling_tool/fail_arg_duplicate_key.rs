// A key repeated across `#[arg]` attributes of one parameter is reported at the second one.
use rmcp_sampling::sampling_tool;

/// Search.
#[sampling_tool]
fn search(#[arg(rename = "q")] #[arg(rename = "query")] text: String) -> usize {
    text.len()
}

fn main() {}
