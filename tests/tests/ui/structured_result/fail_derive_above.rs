// A serde derive written above `#[structured_result]` has run before the macro sees the type,
// so the macro derives it again.
use rmcp_sampling::structured_result;

/// A verdict.
#[derive(serde::Serialize)]
#[structured_result]
struct Verdict {
    ok: bool,
}

fn main() {}
