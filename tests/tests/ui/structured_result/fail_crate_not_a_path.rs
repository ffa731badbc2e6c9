// The string given to `crate` must be a path (`::my_facade::sampling`, `sampling`).
use rmcp_sampling::structured_result;

/// A verdict.
#[structured_result(crate = "rmcp sampling")]
struct Verdict {
    ok: bool,
}

/// A score.
#[structured_result(crate = "")]
struct Score {
    value: u8,
}

fn main() {}
