// `name`, `description`, `sequential` and `approval` in any order; an explicit description wins over the
// doc comment, which stays the function's rustdoc.
use rmcp_sampling::sampling_tool;

/// Rustdoc for the function.
#[sampling_tool(sequential, description = "Write a line to the log.", name = "log-write")]
fn write_log(line: String) -> bool {
    !line.is_empty()
}

/// Undocumented for the LLM? No: this doc comment is the description.
#[sampling_tool(name = "ping", approval)]
fn ping_impl() -> &'static str {
    "pong"
}

#[sampling_tool]
fn no_docs() {}

fn main() {
    let tool = write_log_tool();
    assert_eq!(tool.name(), "log-write");
    assert_eq!(tool.description(), Some("Write a line to the log."));
    assert!(tool.is_sequential());
    assert!(!tool.requires_approval());
    assert!(ping_impl_tool().requires_approval());
    assert_eq!(ping_impl_tool().name(), "ping");
    assert_eq!(no_docs_tool().description(), None);
}
