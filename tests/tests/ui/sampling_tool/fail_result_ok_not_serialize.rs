// `Result<T, E>` whose `T` cannot become a tool result: the error points at `T`, not at
// `Result`.
use rmcp_sampling::sampling_tool;

struct Opaque;

/// Make something.
#[sampling_tool]
async fn make(seed: u64) -> Result<Opaque, String> {
    let _ = seed;
    Ok(Opaque)
}

fn main() {}
