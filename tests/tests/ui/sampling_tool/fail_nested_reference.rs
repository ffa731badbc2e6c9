// References are rejected anywhere inside a parameter type, pointing at the reference.
use rmcp_sampling::sampling_tool;

/// Join words.
#[sampling_tool]
fn join(words: Vec<&'static [u8]>) -> usize {
    words.len()
}

fn main() {}
