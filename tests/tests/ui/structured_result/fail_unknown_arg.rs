// Unknown keys are refused with the list of accepted ones; parsing goes on after each error.
use rmcp_sampling::structured_result;

/// A verdict.
#[structured_result(title = "Verdict", strict)]
struct Verdict {
    ok: bool,
}

fn main() {}
