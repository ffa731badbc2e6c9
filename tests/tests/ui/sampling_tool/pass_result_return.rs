// `Result<T, E>` returns: any path ending in `Result`, any `E: Display + 'static`.
use std::fmt;

use rmcp_sampling::{ToolError, sampling_tool};

/// Checked division.
#[sampling_tool]
fn divide(a: i64, b: i64) -> Result<i64, ToolError> {
    a.checked_div(b).ok_or(ToolError::new("division by zero"))
}

/// Read a file.
#[sampling_tool]
fn read(path: String) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

/// Parse a number.
#[sampling_tool]
async fn parse(text: String) -> Result<u8, Box<dyn std::error::Error + Send + Sync>> {
    Ok(text.parse()?)
}

struct Refused;

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("refused")
    }
}

/// Always refuses.
#[sampling_tool]
fn refuse() -> core::result::Result<(), Refused> {
    Err(Refused)
}

fn main() {
    let _ = (divide_tool(), read_tool(), parse_tool(), refuse_tool());
}
