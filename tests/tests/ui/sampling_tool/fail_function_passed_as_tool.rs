// The function itself passed where its tool is expected: the error says to pass `add_tool()`.
use rmcp_sampling::{Sampler, sampling_tool};

/// Add two integers.
#[sampling_tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

async fn run(sampler: &Sampler) {
    let _ = sampler.standalone().tools([add]).sample_text("1 + 2?").await;
    let _ = sampler.standalone().tool(add).sample_text("1 + 2?").await;
}

fn main() {
    let _ = run;
}
