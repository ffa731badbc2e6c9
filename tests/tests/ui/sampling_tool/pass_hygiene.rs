// Generated code only names `::rmcp_sampling`, `::core` and `::std`: it compiles next to user
// items that shadow common names (a crate-local `Result` alias, modules named `serde`,
// `schemars` and `rmcp_sampling`, a function named `tool`).
mod tools {
    use std::fmt;

    #[derive(Debug)]
    pub struct Error;

    impl fmt::Display for Error {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("error")
        }
    }

    pub type Result<T> = std::result::Result<T, Error>;

    #[allow(dead_code)]
    mod serde {}
    #[allow(dead_code)]
    mod schemars {}
    #[allow(dead_code)]
    mod rmcp_sampling {}
    #[allow(dead_code)]
    fn tool() {}
    #[allow(dead_code)]
    struct Cow;
    #[allow(dead_code)]
    struct SamplingTool;

    /// Add.
    #[::rmcp_sampling::sampling_tool]
    pub fn add(a: i64, b: i64, c: Option<i64>) -> Result<i64> {
        Ok(a + b + c.unwrap_or(0))
    }
}

fn main() {
    let tool = tools::add_tool();
    assert_eq!(tool.name(), "add");
}
