//! The one place that spells the paths generated code uses.
//!
//! Generated code reaches everything through the runtime crate, under the name the user's
//! crate gives it:
//!
//! 1. `crate = "path"` on the attribute, when given (a facade crate that re-exports
//!    `rmcp_sampling`, or a build without a `Cargo.toml`);
//! 2. otherwise the name under which the user's `Cargo.toml` lists the `rmcp-sampling` package
//!    (`sampling = { package = "rmcp-sampling", .. }` gives `::sampling`), found with
//!    `proc-macro-crate`, which also follows `workspace = true` dependencies;
//! 3. otherwise `::rmcp_sampling` (no manifest, or the package is not a direct dependency).
//!
//! Inside the runtime package itself (its doctests and examples) the crate is reached as
//! `::rmcp_sampling` too; the runtime's own library code would need
//! `extern crate self as rmcp_sampling;` to use the macros.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::Path;

/// The package generated code depends on.
const PACKAGE: &str = "rmcp-sampling";

/// The path of the runtime crate for one expansion.
pub(crate) struct Paths {
    krate: TokenStream,
}

impl Paths {
    /// The explicit `crate = "..."` path, or the crate as the user's `Cargo.toml` names it.
    pub(crate) fn resolve(explicit: Option<&Path>) -> Self {
        let krate = match explicit {
            Some(path) => path.to_token_stream(),
            None => {
                let name = match proc_macro_crate::crate_name(PACKAGE) {
                    Ok(proc_macro_crate::FoundCrate::Name(name)) => name,
                    // Itself: a doctest or an example of the runtime package, where the
                    // library is an extern crate under its own name.
                    Ok(proc_macro_crate::FoundCrate::Itself) | Err(_) => "rmcp_sampling".to_owned(),
                };
                // Cargo only accepts identifiers as dependency names; anything else falls
                // back rather than panicking in `Ident::new`.
                let ident = syn::parse_str::<syn::Ident>(&name)
                    .unwrap_or_else(|_| syn::Ident::new("rmcp_sampling", Span::call_site()));
                quote!(::#ident)
            }
        };
        Self { krate }
    }

    /// The runtime crate: `::rmcp_sampling`, `::sampling`, or the `crate = "..."` path.
    pub(crate) fn krate(&self) -> &TokenStream {
        &self.krate
    }

    /// `<crate>::__private`: everything generated code names goes through it, so a user crate
    /// needs only `rmcp-sampling` as a dependency.
    pub(crate) fn private(&self) -> TokenStream {
        let krate = &self.krate;
        quote!(#krate::__private)
    }

    /// `<crate>::__private::<name>` as a string, for attributes that take a path in a string:
    /// `#[serde(crate = "...")]`, `#[schemars(crate = "...")]`.
    pub(crate) fn private_str(&self, name: &str) -> String {
        format!("{}::{name}", self.private()).replace(' ', "")
    }
}

#[cfg(test)]
mod tests {
    use super::Paths;

    #[test]
    fn explicit_crate_path_wins() {
        let path: syn::Path = syn::parse_quote!(crate::facade::inner);
        let paths = Paths::resolve(Some(&path));
        assert_eq!(
            paths.krate().to_string().replace(' ', ""),
            "crate::facade::inner"
        );
        assert_eq!(
            paths.private_str("serde"),
            "crate::facade::inner::__private::serde"
        );
    }

    #[test]
    fn cargo_toml_name_is_found() {
        // This package's Cargo.toml lists `rmcp-sampling` (as a dev-dependency) unrenamed.
        let paths = Paths::resolve(None);
        assert_eq!(
            paths.private_str("serde"),
            "::rmcp_sampling::__private::serde"
        );
    }
}
