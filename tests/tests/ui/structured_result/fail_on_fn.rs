// The attribute goes on a struct or an enum, not on a function.
use rmcp_sampling::structured_result;

#[structured_result]
fn answer() -> u32 {
    42
}

fn main() {}
