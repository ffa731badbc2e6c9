// Parameter doc comments and `#[arg(description, default, rename)]`, including a raw
// identifier, are consumed by the macro (rustc would reject doc comments on parameters).
use rmcp_sampling::sampling_tool;

/// Find things.
#[sampling_tool]
fn find(
    /// What to look for.
    query: String,
    #[arg(description = "How many results.", default)] limit: u32,
    #[arg(rename = "kind")] r#type: String,
    /// Sort order.
    #[arg(rename = "order", default)]
    sort: String,
) -> String {
    format!("{query} {limit} {type} {sort}", type = r#type)
}

fn main() {
    let tool = find_tool();
    let properties = tool.input_schema()["properties"].as_object().unwrap();
    let names: Vec<&String> = properties.keys().collect();
    assert_eq!(names, ["query", "limit", "kind", "order"]);
    assert_eq!(properties["query"]["description"], "What to look for.");
    assert_eq!(properties["limit"]["description"], "How many results.");
    assert_eq!(tool.input_schema()["required"], serde_json::json!(["query", "kind"]));
}
