//! Procedural macros of `rmcp-sampling`; use them through that crate, which re-exports them
//! and documents them.

use proc_macro::TokenStream;

mod ctxt;
mod docs;
mod paths;
mod sampling_tool;
mod structured_result;

/// Turns a function into an LLM-callable sampling tool. See `rmcp_sampling::sampling_tool`.
#[proc_macro_attribute]
pub fn sampling_tool(args: TokenStream, item: TokenStream) -> TokenStream {
    sampling_tool::expand(args.into(), item.into()).into()
}

/// Makes a type the typed result of a sampling loop. See `rmcp_sampling::structured_result`.
#[proc_macro_attribute]
pub fn structured_result(args: TokenStream, item: TokenStream) -> TokenStream {
    structured_result::expand(args.into(), item.into()).into()
}
