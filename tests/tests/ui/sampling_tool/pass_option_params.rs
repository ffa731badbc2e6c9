// `Option<T>` parameters are optional: left out of `required`, missing means `None`.
use rmcp_sampling::sampling_tool;

/// Search.
#[sampling_tool]
fn search(query: String, limit: Option<u32>, tags: std::option::Option<Vec<String>>) -> usize {
    query.len() + limit.unwrap_or(0) as usize + tags.map_or(0, |t| t.len())
}

fn main() {
    let tool = search_tool();
    assert_eq!(tool.input_schema()["required"], serde_json::json!(["query"]));
}
