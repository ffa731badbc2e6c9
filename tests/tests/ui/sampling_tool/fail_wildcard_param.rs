// `_` has no name to use as the JSON property.
use rmcp_sampling::sampling_tool;

/// Ignore a number.
#[sampling_tool]
fn ignore(_: u32) -> bool {
    true
}

fn main() {}
