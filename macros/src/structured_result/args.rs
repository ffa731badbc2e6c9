//! The grammar of `#[structured_result(...)]`: `name = "..."` and `description = "..."`.
//!
//! Strict: an unknown key is an error that lists the accepted ones, a key given twice is an
//! error at its second occurrence, values must be string literals. Errors go to the `Ctxt`
//! and parsing goes on, so every mistake shows in one build.

use proc_macro2::TokenStream;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Ident, LitStr};

use crate::ctxt::Ctxt;

const KEYS: &str = "`name = \"...\"` or `description = \"...\"`";

/// The keys of `#[structured_result(...)]`.
#[derive(Default)]
pub(crate) struct Args {
    /// `name = "..."`: the name the LLM and error messages see, instead of the type's.
    pub(crate) name: Option<LitStr>,
    /// `description = "..."`: the result's description, instead of the doc comment.
    pub(crate) description: Option<LitStr>,
}

/// Parses the tokens inside `#[structured_result(...)]`.
pub(crate) fn parse(cx: &mut Ctxt, tokens: TokenStream) -> Args {
    let mut args = Args::default();
    let parser = syn::meta::parser(|meta| {
        let (slot, key) = match meta.path.get_ident() {
            Some(key) if key == "name" => (&mut args.name, key.clone()),
            Some(key) if key == "description" => (&mut args.description, key.clone()),
            _ => {
                cx.error_spanned_by(
                    &meta.path,
                    format!(
                        "unknown `#[structured_result]` argument `{}`; expected {KEYS}",
                        path_text(&meta)
                    ),
                );
                return skip_value(&meta);
            }
        };
        let value = match string_value(&meta, &key) {
            Ok(value) => value,
            Err(error) => {
                cx.push(error);
                return skip_value(&meta);
            }
        };
        if slot.is_some() {
            cx.error_spanned_by(
                &key,
                format!("duplicate `#[structured_result]` argument `{key}`; give it once"),
            );
        } else {
            *slot = Some(value);
        }
        Ok(())
    });
    if let Err(error) = parser.parse2(tokens) {
        cx.push(error);
    }
    args
}

fn path_text(meta: &ParseNestedMeta<'_>) -> String {
    let path = &meta.path;
    quote::quote!(#path).to_string().replace(' ', "")
}

/// `key = "literal"`, with an error that shows the expected form.
fn string_value(meta: &ParseNestedMeta<'_>, key: &Ident) -> syn::Result<LitStr> {
    let example = format!("{key} = \"...\"");
    if !meta.input.peek(syn::Token![=]) {
        return Err(meta.error(format!("`{key}` takes a string: write `{example}`")));
    }
    let value = meta.value()?;
    let expr: syn::Expr = value.parse()?;
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(lit),
            ..
        }) => Ok(lit),
        other => Err(syn::Error::new_spanned(
            other,
            format!("`{key}` takes a string literal: write `{example}`"),
        )),
    }
}

/// Consumes whatever follows a rejected key (`= value` or `(...)`), so parsing goes on.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        let value = meta.value()?;
        let _: syn::Expr = value.parse()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _group: proc_macro2::Group = meta.input.parse()?;
    }
    Ok(())
}
