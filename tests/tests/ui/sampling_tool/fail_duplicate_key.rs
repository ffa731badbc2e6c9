// A key given twice is reported at its second occurrence.
use rmcp_sampling::sampling_tool;

/// Add two numbers.
#[sampling_tool(name = "plus", name = "sum")]
fn add(a: i32, b: i32) -> i32 {
    a + b
}

fn main() {}
