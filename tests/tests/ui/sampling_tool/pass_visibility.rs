// The tool constructor has the function's visibility, and is documented, so a crate that
// denies `missing_docs` accepts it.
#![deny(missing_docs)]
//! A crate with tools in a module.

mod tools {
    use rmcp_sampling::sampling_tool;

    /// Visible in the crate.
    #[sampling_tool]
    pub(crate) fn shared(x: i32) -> i32 {
        x
    }

    /// A type with a public tool method.
    pub struct Api;

    impl Api {
        /// Visible everywhere.
        #[sampling_tool]
        pub async fn get(&self, id: u64) -> u64 {
            id
        }
    }
}

/// Public tool at the crate root.
#[rmcp_sampling::sampling_tool]
pub fn public_tool(x: i32) -> i32 {
    x
}

fn main() {
    let api = tools::Api;
    let _ = (tools::shared_tool(), api.get_tool(), public_tool_tool());
}
