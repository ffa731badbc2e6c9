// An `impl Trait` parameter has no single type to decode JSON into.
use rmcp_sampling::sampling_tool;

/// Print something.
#[sampling_tool]
fn show(value: impl std::fmt::Display) -> String {
    value.to_string()
}

fn main() {}
