//! `#[structured_result]`: makes a struct or an enum the typed result of a sampling loop.
//!
//! `args` reads the attribute's keys, `check` rejects the shapes that cannot give the LLM a
//! usable schema, `expand` adds the missing serde/schemars derives (through which the type
//! implements `StructuredResult`) and the name and description as schema attributes. Every
//! independent error is reported in one build, and the item is still emitted (with its
//! derives when its shape allows) so one mistake does not cascade.

mod args;
mod check;
mod expand;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ctxt::Ctxt;

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let args = args::parse(&mut cx, args);
    let input = match syn::parse2::<syn::DeriveInput>(item.clone()) {
        Ok(input) => input,
        Err(_) => {
            cx.push(syn::Error::new(
                proc_macro2::Span::call_site(),
                "`#[structured_result]` applies to a struct or an enum; put it on the type the LLM's answer should have",
            ));
            let errors = cx.to_compile_errors();
            return quote!(#errors #item);
        }
    };
    let shape = check::check(&mut cx, &input);
    let output = expand::expand(&args, &input, shape);
    let errors = cx.to_compile_errors();
    quote!(#errors #output)
}
