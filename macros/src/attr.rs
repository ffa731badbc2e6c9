//! The argument grammar shared by `#[sampling_tool(...)]`, its `#[arg(...)]` helper and
//! `#[structured_result(...)]`, so that the three speak with one voice.
//!
//! Every helper records its error in the `Ctxt` and lets parsing go on, so that all the
//! mistakes of one attribute show in one build. The wording is:
//!
//! - unknown key: "unknown key `K` in `#[attr]`; expected KEYS" (the accepted keys)
//! - duplicate key: "`K` is given twice in `#[attr]`; keep one" (at the second occurrence)
//! - missing value: "`K` needs a string literal value: `K = \"...\"`"
//! - non-literal value: "`K` takes a string literal (macros and constants are not expanded
//!   here): `K = \"...\"`"
//! - value on a flag: "`K` is a flag and takes no value: write `#[attr(K)]`"
//! - `crate` value that is not a path: "`crate` takes the path under which this crate reaches
//!   `rmcp_sampling`, such as `crate = \"::my_facade::sampling\"`; \"V\" is not a path"

use proc_macro2::Group;
use syn::meta::ParseNestedMeta;
use syn::{Expr, ExprLit, Ident, Lit, LitStr, Path, Token};

use crate::ctxt::Ctxt;

/// The example shown for the `crate` key.
pub(crate) const CRATE_EXAMPLE: &str = "crate = \"::my_facade::sampling\"";

/// The key of a nested-meta item, when it is a single identifier (`name`, `crate`, ...).
pub(crate) fn key(meta: &ParseNestedMeta<'_>) -> Option<Ident> {
    meta.path.get_ident().cloned()
}

/// Records `value` in `slot`, or a duplicate-key error at this (second) occurrence. A `None`
/// value (already reported as invalid) changes nothing.
pub(crate) fn set_once<T>(
    cx: &mut Ctxt,
    slot: &mut Option<T>,
    key: &Ident,
    value: Option<T>,
    attr: &str,
) {
    let Some(value) = value else { return };
    if slot.is_some() {
        cx.error_spanned_by(key, format!("`{key}` is given twice in `{attr}`; keep one"));
    } else {
        *slot = Some(value);
    }
}

/// An unknown key: records the error, naming the accepted `keys`, and skips its value so that
/// parsing can go on.
pub(crate) fn unknown_key(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta<'_>,
    attr: &str,
    keys: &str,
) -> syn::Result<()> {
    let path = &meta.path;
    let shown = quote::quote!(#path).to_string().replace(' ', "");
    cx.error_spanned_by(
        path,
        format!("unknown key `{shown}` in `{attr}`; expected {keys}"),
    );
    skip_value(meta)
}

/// Consumes `= <expr>` or `(...)` after a key, if present.
pub(crate) fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.input.parse::<Group>()?;
    }
    Ok(())
}

/// The string literal after `key =`; a missing or non-literal value is recorded as an error
/// and yields `None`. `example` is the whole fix, such as `name = "find_customer"`.
pub(crate) fn string_value(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta<'_>,
    key: &Ident,
    example: &str,
) -> syn::Result<Option<LitStr>> {
    if !meta.input.peek(Token![=]) {
        cx.error_spanned_by(
            key,
            format!("`{key}` needs a string literal value: `{example}`"),
        );
        skip_value(meta)?;
        return Ok(None);
    }
    let value: Expr = meta.value()?.parse()?;
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Ok(Some(lit)),
        other => {
            cx.error_spanned_by(
                &other,
                format!("`{key}` takes a string literal (macros and constants are not expanded here): `{example}`"),
            );
            Ok(None)
        }
    }
}

/// `crate = "path"`: the path under which the user's crate reaches `rmcp_sampling`, parsed
/// with the string's span (so a wrong path is reported at the string). Errors are recorded
/// and yield `None`.
pub(crate) fn crate_value(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta<'_>,
    key: &Ident,
) -> syn::Result<Option<Path>> {
    let Some(lit) = string_value(cx, meta, key, CRATE_EXAMPLE)? else {
        return Ok(None);
    };
    match lit.parse_with(Path::parse_mod_style) {
        Ok(path) => Ok(Some(path)),
        Err(_) => {
            cx.error_spanned_by(
                &lit,
                format!(
                    "`crate` takes the path under which this crate reaches `rmcp_sampling`, such as `{CRATE_EXAMPLE}`; {} is not a path",
                    lit.token()
                ),
            );
            Ok(None)
        }
    }
}

/// A flag key: records an error if a value follows it, and skips that value. `example` is the
/// attribute written correctly, such as `#[sampling_tool(sequential)]`.
pub(crate) fn flag(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta<'_>,
    key: &Ident,
    example: &str,
) -> syn::Result<()> {
    if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
        cx.error_spanned_by(
            key,
            format!("`{key}` is a flag and takes no value: write `{example}`"),
        );
        skip_value(meta)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use quote::quote;
    use syn::parse::Parser;

    use super::*;

    /// Parses `tokens` as attribute arguments that accept only `crate`, and returns the path
    /// and the recorded messages.
    fn parse_crate(tokens: proc_macro2::TokenStream) -> (Option<Path>, Vec<String>) {
        let mut cx = Ctxt::default();
        let mut krate = None;
        let parser = syn::meta::parser(|meta| match key(&meta) {
            Some(k) if k == "crate" => {
                let value = crate_value(&mut cx, &meta, &k)?;
                set_once(&mut cx, &mut krate, &k, value, "#[test]");
                Ok(())
            }
            _ => unknown_key(&mut cx, &meta, "#[test]", "`crate = \"...\"`"),
        });
        parser.parse2(tokens).unwrap();
        let messages = match cx.check() {
            Ok(()) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.to_string()).collect(),
        };
        (krate, messages)
    }

    #[test]
    fn crate_takes_a_path_in_a_string() {
        let (krate, messages) = parse_crate(quote!(crate = "::my_facade::sampling"));
        assert!(messages.is_empty(), "{messages:?}");
        let krate = krate.unwrap();
        assert_eq!(
            quote!(#krate).to_string().replace(' ', ""),
            "::my_facade::sampling"
        );
    }

    #[test]
    fn bad_crate_values_are_reported_and_parsing_goes_on() {
        let (krate, messages) = parse_crate(quote!(
            crate = "not a path",
            crate = sampling,
            crate = "ok",
            crate = "again",
            krate = "x"
        ));
        assert_eq!(quote!(#krate).to_string(), "ok");
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(
            messages[0].ends_with("\"not a path\" is not a path"),
            "{}",
            messages[0]
        );
        assert!(
            messages[1].starts_with("`crate` takes a string literal"),
            "{}",
            messages[1]
        );
        assert_eq!(messages[2], "`crate` is given twice in `#[test]`; keep one");
        assert_eq!(
            messages[3],
            "unknown key `krate` in `#[test]`; expected `crate = \"...\"`"
        );
    }
}
