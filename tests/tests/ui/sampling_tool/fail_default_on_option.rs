// `default` on an `Option` parameter is redundant: it is optional already.
use rmcp_sampling::sampling_tool;

/// List items.
#[sampling_tool]
fn list(#[arg(default)] limit: Option<u32>) -> u32 {
    limit.unwrap_or(10)
}

fn main() {}
