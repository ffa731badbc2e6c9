// `#[arg]` on `self` is rejected: `self` is not a tool parameter.
use rmcp_sampling::sampling_tool;

struct Index;

impl Index {
    /// Search.
    #[sampling_tool]
    fn search(#[arg(description = "the index")] &self, query: String) -> usize {
        query.len()
    }
}

fn main() {}
