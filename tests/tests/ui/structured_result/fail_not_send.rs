// A result must be `Send`: the error points at the type's name.
use std::rc::Rc;

use rmcp_sampling::structured_result;

/// A verdict.
#[structured_result]
struct Verdict {
    reasons: Rc<Vec<String>>,
}

fn main() {}
