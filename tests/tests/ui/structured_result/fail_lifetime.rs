// A structured result must own its data: a lifetime parameter is refused with the fix.
use rmcp_sampling::structured_result;

/// A borrowed answer.
#[structured_result]
struct Answer<'a> {
    text: &'a str,
}

fn main() {}
