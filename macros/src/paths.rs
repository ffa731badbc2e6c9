//! The one place that spells the paths generated code uses.

use proc_macro2::TokenStream;
use quote::quote;

/// `::rmcp_sampling::__private`: everything generated code names goes through it, so a user
/// crate needs only `rmcp-sampling` as a dependency.
pub(crate) fn private() -> TokenStream {
    quote!(::rmcp_sampling::__private)
}

/// `::rmcp_sampling`.
#[allow(dead_code)]
pub(crate) fn krate() -> TokenStream {
    quote!(::rmcp_sampling)
}

/// `::rmcp_sampling::__private::<name>` as a string, for attributes that take a path in a
/// string: `#[serde(crate = "...")]`, `#[schemars(crate = "...")]`, `deserialize_with = "..."`.
pub(crate) fn private_str(name: &str) -> String {
    format!("::rmcp_sampling::__private::{name}")
}
