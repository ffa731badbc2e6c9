// An empty `description` is rejected: remove it to use the doc comment.
use rmcp_sampling::sampling_tool;

/// Add.
#[sampling_tool(description = "")]
fn add(a: i32, b: i32) -> i32 {
    a + b
}

fn main() {}
