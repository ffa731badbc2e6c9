// An enum without variants has no value the LLM could give.
use rmcp_sampling::structured_result;

/// Nothing.
#[structured_result]
enum Never {}

fn main() {}
