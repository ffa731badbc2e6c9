// An associated function without `self` in an `impl`: its tool cannot call it.
use rmcp_sampling::sampling_tool;

struct Calculator;

impl Calculator {
    /// Add two integers.
    #[sampling_tool]
    fn add(a: i64, b: i64) -> i64 {
        a + b
    }
}

fn main() {}
