// `sequential` is a flag: a value after it is an error.
use rmcp_sampling::sampling_tool;

/// Write a file.
#[sampling_tool(sequential = true)]
fn write(path: String) -> bool {
    !path.is_empty()
}

fn main() {}
