// A tuple struct with several fields would be a positional JSON array: refused, name the fields.
use rmcp_sampling::structured_result;

/// A point.
#[structured_result]
struct Point(i32, i32);

fn main() {}
