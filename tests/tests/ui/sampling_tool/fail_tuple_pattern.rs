// A destructuring pattern has no name to use as the JSON property.
use rmcp_sampling::sampling_tool;

/// Add a pair.
#[sampling_tool]
fn add((a, b): (i32, i32)) -> i32 {
    a + b
}

fn main() {}
