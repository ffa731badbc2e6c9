// A unit struct carries nothing for the LLM to fill in.
use rmcp_sampling::structured_result;

/// Done.
#[structured_result]
struct Done;

fn main() {}
