// An unknown key is reported on the key, with the list of accepted keys.
use rmcp_sampling::sampling_tool;

/// Add two numbers.
#[sampling_tool(nmae = "plus")]
fn add(a: i32, b: i32) -> i32 {
    a + b
}

fn main() {}
