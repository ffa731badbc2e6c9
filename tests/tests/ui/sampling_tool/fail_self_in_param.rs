// `Self` cannot name a parameter type: the generated schema function lives outside the impl.
use rmcp_sampling::sampling_tool;

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Point {
    x: f64,
}

impl Point {
    /// Distance to another point.
    #[sampling_tool]
    fn distance(&self, other: Self) -> f64 {
        (self.x - other.x).abs()
    }
}

fn main() {}
