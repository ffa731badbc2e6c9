// Values must be string literals: constants and macros are not expanded in the attribute.
use rmcp_sampling::sampling_tool;

const NAME: &str = "plus";

/// Add two numbers.
#[sampling_tool(name = NAME)]
fn add(a: i32, b: i32) -> i32 {
    a + b
}

fn main() {}
