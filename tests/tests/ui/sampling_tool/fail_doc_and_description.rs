// A parameter described twice (doc comment and `#[arg(description)]`): keep one.
use rmcp_sampling::sampling_tool;

/// Search.
#[sampling_tool]
fn search(
    /// What to look for.
    #[arg(description = "The query.")]
    query: String,
) -> usize {
    query.len()
}

fn main() {}
