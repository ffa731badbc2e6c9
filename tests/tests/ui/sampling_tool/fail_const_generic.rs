// Const generic parameters are rejected like type parameters.
use rmcp_sampling::sampling_tool;

/// Repeat a word N times.
#[sampling_tool]
fn repeat<const N: usize>(word: String) -> String {
    word.repeat(N)
}

fn main() {}
