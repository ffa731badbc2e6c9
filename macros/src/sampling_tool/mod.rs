//! `#[sampling_tool]`: a function becomes a tool that the LLM may call during a sampling loop.
//!
//! `args` parses the attribute, `model` takes the function apart (and cleans it of parameter
//! docs and `#[arg]` helpers), `check` records every problem, `expand` writes the tool
//! constructor, or on error the cleaned function and a stub constructor beside the errors.

mod args;
mod check;
mod expand;
mod model;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ctxt::Ctxt;

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let func = match syn::parse2::<model::ItemFn>(item.clone()) {
        Ok(func) => func,
        Err(_) => return not_a_function(item),
    };
    let mut cx = Ctxt::default();
    let tool = model::Tool::from_fn(&mut cx, args, func);
    check::check(&mut cx, &tool);
    match cx.check() {
        Ok(()) => expand::tool(&tool),
        Err(errors) => expand::fallback(&tool, &errors),
    }
}

/// The item unchanged, with an error saying where the attribute belongs.
fn not_a_function(item: TokenStream) -> TokenStream {
    let message = if syn::parse2::<syn::TraitItemFn>(item.clone()).is_ok() {
        "`#[sampling_tool]` needs the function's body: put it on the method in the `impl` block, not on the trait's declaration"
    } else {
        "`#[sampling_tool]` goes on a `fn`, an `async fn`, or a `&self` method in an `impl` block"
    };
    let error = syn::Error::new_spanned(first_tokens(&item), message).into_compile_error();
    quote!(#item #error)
}

/// The item's head to point at: its tokens after the outer attributes, up to the first braced
/// group or `;` (`struct Point`, `fn search(&self) -> usize`).
fn first_tokens(item: &TokenStream) -> TokenStream {
    use proc_macro2::{Delimiter, TokenTree};
    let mut tokens = item.clone().into_iter().peekable();
    // Outer attributes: `#` followed by `[...]`.
    while matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '#') {
        tokens.next();
        tokens.next();
    }
    tokens
        .take_while(|tt| match tt {
            TokenTree::Group(group) => group.delimiter() != Delimiter::Brace,
            TokenTree::Punct(punct) => punct.as_char() != ';',
            _ => true,
        })
        .collect()
}
