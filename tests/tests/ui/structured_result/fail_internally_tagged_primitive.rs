// An internally tagged enum writes its tag into the variant's object: a `u32` has no object.
use rmcp_sampling::structured_result;

/// A measure.
#[structured_result]
#[serde(tag = "kind")]
enum Measure {
    Count(u32),
    Label(String),
    Both { count: u32 },
}

fn main() {}
