// Two parameters sent under one JSON name.
use rmcp_sampling::sampling_tool;

/// Move.
#[sampling_tool]
fn step(x: i32, #[arg(rename = "x")] y: i32) -> i32 {
    x + y
}

fn main() {}
