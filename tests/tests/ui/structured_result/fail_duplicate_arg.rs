// A key given twice is reported at its second occurrence.
use rmcp_sampling::structured_result;

/// A verdict.
#[structured_result(name = "Verdict", description = "a", name = "Other")]
struct Verdict {
    ok: bool,
}

fn main() {}
