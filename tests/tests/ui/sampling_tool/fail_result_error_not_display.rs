// `Result<T, E>` needs `E: Display`; the error points at the return type.
use rmcp_sampling::sampling_tool;

#[derive(Debug)]
struct Failure;

/// Try something.
#[sampling_tool]
fn attempt(seed: u64) -> Result<u64, Failure> {
    if seed > 0 { Ok(seed) } else { Err(Failure) }
}

fn main() {}
