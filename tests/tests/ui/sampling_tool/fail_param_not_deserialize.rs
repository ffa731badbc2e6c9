// A parameter type that is neither `Deserialize` nor `JsonSchema`: one error, at that
// parameter, saying to derive them.
use rmcp_sampling::sampling_tool;

struct Point {
    x: f64,
    y: f64,
}

/// Distance from the origin.
#[sampling_tool]
fn norm(label: String, point: Point) -> f64 {
    let _ = label;
    (point.x * point.x + point.y * point.y).sqrt()
}

fn main() {}
