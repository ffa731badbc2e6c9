//! The grammar of `#[structured_result(...)]`: `name = "..."`, `description = "..."` and
//! `crate = "..."`.
//!
//! Strict, with the same helpers and wording as `#[sampling_tool]` (`crate::attr`): an unknown
//! key is an error that lists the accepted ones, a key given twice is an error at its second
//! occurrence, values must be string literals. Errors go to the `Ctxt` and parsing goes on,
//! so every mistake shows in one build.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::{LitStr, Path};

use crate::attr::{self, crate_value, set_once, string_value, unknown_key};
use crate::ctxt::Ctxt;

const ATTR: &str = "#[structured_result]";
const KEYS: &str = "`name = \"...\"`, `description = \"...\"` or `crate = \"...\"`";

/// The keys of `#[structured_result(...)]`.
#[derive(Default)]
pub(crate) struct Args {
    /// `name = "..."`: the name the LLM and error messages see, instead of the type's.
    pub(crate) name: Option<LitStr>,
    /// `description = "..."`: the result's description, instead of the doc comment.
    pub(crate) description: Option<LitStr>,
    /// `crate = "..."`: the path of `rmcp_sampling`, instead of the one found in `Cargo.toml`.
    pub(crate) krate: Option<Path>,
}

/// Parses the tokens inside `#[structured_result(...)]`.
pub(crate) fn parse(cx: &mut Ctxt, tokens: TokenStream) -> Args {
    let mut args = Args::default();
    let parser = syn::meta::parser(|meta| {
        let Some(key) = attr::key(&meta) else {
            return unknown_key(cx, &meta, ATTR, KEYS);
        };
        match key.to_string().as_str() {
            "name" => {
                let value = string_value(cx, &meta, &key, "name = \"Triage\"")?;
                set_once(cx, &mut args.name, &key, value, ATTR);
            }
            "description" => {
                let value = string_value(cx, &meta, &key, "description = \"...\"")?;
                set_once(cx, &mut args.description, &key, value, ATTR);
            }
            "crate" => {
                let value = crate_value(cx, &meta, &key)?;
                set_once(cx, &mut args.krate, &key, value, ATTR);
            }
            _ => return unknown_key(cx, &meta, ATTR, KEYS),
        }
        Ok(())
    });
    if let Err(error) = parser.parse2(tokens) {
        cx.push(error);
    }
    args
}
