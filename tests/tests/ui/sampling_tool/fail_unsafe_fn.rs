// An `unsafe fn` cannot be a tool: the LLM decides when it runs.
use rmcp_sampling::sampling_tool;

/// Peek.
#[sampling_tool]
unsafe fn peek(address: usize) -> usize {
    address
}

fn main() {}
