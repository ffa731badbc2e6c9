// Independent mistakes are all reported in one build, and the function and its `_tool()`
// stub are still emitted: using them adds no "cannot find" error.
use rmcp_sampling::sampling_tool;

/// Mixed bag.
#[sampling_tool(colour = "red", sequential)]
fn mixed(word: &str, (a, b): (u8, u8), #[arg(dfault)] count: u32) -> usize {
    word.len() + usize::from(a + b) + count as usize
}

fn main() {
    let _ = mixed("x", (1, 2), 3);
    let _ = mixed_tool();
}
