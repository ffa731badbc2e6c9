// A generic function cannot be a tool: the LLM's JSON needs one concrete type per parameter.
use rmcp_sampling::sampling_tool;

/// Echo a value.
#[sampling_tool]
fn echo<T: ToString>(value: T) -> String {
    value.to_string()
}

fn main() {}
