// `crate` takes the path of `rmcp_sampling` as a string literal: a bare path and a missing
// value are refused, each with the expected form.
use rmcp_sampling::sampling_tool;

/// Add two numbers.
#[sampling_tool(crate = rmcp_sampling)]
fn add(a: i32, b: i32) -> i32 {
    a + b
}

/// Subtract two numbers.
#[sampling_tool(crate)]
fn sub(a: i32, b: i32) -> i32 {
    a - b
}

fn main() {}
