// An unknown key in `#[arg(...)]` is reported on the key, with the accepted keys.
use rmcp_sampling::sampling_tool;

/// Search.
#[sampling_tool]
fn search(#[arg(descr = "What to look for.")] query: String) -> usize {
    query.len()
}

fn main() {}
