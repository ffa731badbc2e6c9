// A return type that cannot become a tool result: the error points at the return type.
use rmcp_sampling::sampling_tool;

struct Opaque;

/// Make something.
#[sampling_tool]
fn make(seed: u64) -> Opaque {
    let _ = seed;
    Opaque
}

fn main() {}
