// The attribute on something that is not a function.
use rmcp_sampling::sampling_tool;

/// A point.
#[sampling_tool]
struct Point {
    x: f64,
}

fn main() {}
