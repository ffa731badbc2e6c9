//! Procedural macros of `rmcp-sampling`; use them through that crate.

use proc_macro::TokenStream;

/// Turns a function into an LLM-callable sampling tool. Documented in `rmcp-sampling`.
#[proc_macro_attribute]
pub fn sampling_tool(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// Makes a type the typed result of a sampling loop. Documented in `rmcp-sampling`.
#[proc_macro_attribute]
pub fn structured_result(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}
