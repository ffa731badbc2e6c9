// A parameter type that is `Deserialize` but not `JsonSchema`: one error, at that parameter's
// type, saying to derive `JsonSchema`.
use rmcp_sampling::sampling_tool;

#[derive(serde::Deserialize)]
struct Point {
    x: f64,
    y: f64,
}

/// Distance from the origin.
#[sampling_tool]
fn norm(label: String, point: Vec<Point>) -> f64 {
    let _ = label;
    point.iter().map(|p| (p.x * p.x + p.y * p.y).sqrt()).sum()
}

fn main() {}
