// `name` and `description` take string literals.
use rmcp_sampling::structured_result;

/// A verdict.
#[structured_result(name = Verdict, description)]
struct Verdict {
    ok: bool,
}

fn main() {}
