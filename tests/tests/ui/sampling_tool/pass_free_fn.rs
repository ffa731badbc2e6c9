// A plain sync function: the tool is named after it, described by its doc comment, and the
// function stays callable as written.
use rmcp_sampling::sampling_tool;

/// Add two integers.
///
/// Overflow wraps.
#[sampling_tool]
fn add(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

fn main() {
    assert_eq!(add(1, 2), 3);
    let tool = add_tool();
    assert_eq!(tool.name(), "add");
    assert_eq!(tool.description(), Some("Add two integers.\n\nOverflow wraps."));
    assert!(!tool.is_sequential());
}
