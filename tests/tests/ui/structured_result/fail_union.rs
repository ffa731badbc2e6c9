// A union cannot be a structured result: serde cannot read or write unions.
use rmcp_sampling::structured_result;

/// Either bits or a float.
#[structured_result]
union Bits {
    int: u32,
    float: f32,
}

fn main() {}
