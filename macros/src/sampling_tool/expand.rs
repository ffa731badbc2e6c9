//! The generated code: the cleaned function, then its tool constructor `<fn>_tool()`.
//!
//! The constructor holds a hidden `Deserialize + JsonSchema` arguments struct (local to its
//! body, so it also works for methods, where only associated items may be added) and hands a
//! closure over it to `__private::tool`. Sync functions are called inside the async block, so
//! a panic surfaces where the loop polls the call.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Ident, LitStr, ReturnType};

use super::model::{Tool, last_segment_named};
use crate::paths::Paths;

/// The function and its tool constructor.
pub(crate) fn tool(tool: &Tool) -> TokenStream {
    let paths = Paths::resolve(tool.args.krate.as_ref());
    let private = paths.private();
    let func = &tool.func;
    let sig = &func.sig;
    let fn_ident = &sig.ident;
    let (name, _) = tool.name();
    let description = match tool.description() {
        Some(description) => quote! {
            ::core::option::Option::Some(::std::borrow::Cow::Borrowed(#description))
        },
        None => quote!(::core::option::Option::None),
    };
    let sequential = tool.args.sequential.is_some();

    let args_struct = Ident::new("__SamplingToolArgs", Span::mixed_site());
    let args_var = Ident::new("__args", Span::mixed_site());
    let serde_crate = paths.private_str("serde");
    let schemars_crate = paths.private_str("schemars");

    let mut fields = Vec::new();
    let mut values = Vec::new();
    let mut defaults = Vec::new();
    for param in &tool.params {
        let (Some(ident), ty) = (&param.ident, &param.ty) else {
            continue;
        };
        let docs: &[syn::Attribute] = match param.arg.description {
            Some(_) => &[],
            None => &param.docs,
        };
        let description = param
            .arg
            .description
            .as_ref()
            .map(|description| quote!(#[schemars(description = #description)]));
        let rename = param
            .arg
            .rename
            .as_ref()
            .map(|rename| quote!(#[serde(rename = #rename)]));
        // `#[serde(default = ..)]` through a local function whose body is spanned at the type:
        // a type without `Default` gets one error there, not several inside the derives.
        let default = param.arg.default.as_ref().map(|_| {
            let default_fn = Ident::new(
                &format!("__sampling_tool_default_{}", ident.unraw()),
                Span::call_site(),
            );
            let default_fn_str = default_fn.to_string();
            defaults.push(quote_spanned! {ty.span()=>
                fn #default_fn() -> #ty {
                    ::core::default::Default::default()
                }
            });
            quote!(#[serde(default = #default_fn_str)])
        });
        // Decoding goes through `__private::deserialize_arg`, whose path serde respans at the
        // string's span: a type that is not `Deserialize` gets one error, at the parameter.
        let deserialize_with = LitStr::new(&paths.private_str("deserialize_arg"), ty.span());
        // An `Option` is optional through `default` (with `deserialize_with`, serde no longer
        // treats a missing `Option` as `None`); `skip_serializing_if` keeps `"default": null`
        // out of the schema (the struct is never serialized).
        let optional = param.is_option().then(
            || quote!(#[serde(default, skip_serializing_if = "::core::option::Option::is_none")]),
        );
        fields.push(quote! {
            #(#docs)*
            #description
            #rename
            #default
            #optional
            #[serde(deserialize_with = #deserialize_with)]
            #ident: #ty
        });
        values.push(quote!(#args_var.#ident));
    }

    let call = match &tool.receiver {
        Some(_) => quote!(Self::#fn_ident(self, #(#values),*)),
        None => quote!(#fn_ident(#(#values),*)),
    };
    let call = match sig.asyncness {
        Some(_) => quote!(#call.await),
        None => call,
    };
    let ret = Ident::new("__ret", Span::mixed_site());
    let output = match &sig.output {
        ReturnType::Type(_, ty) => {
            let span = ty.span();
            let ret = Ident::new("__ret", Span::mixed_site().located_at(span));
            if last_segment_named(ty, "Result").is_some() {
                quote_spanned!(span=> #private::result_output(#ret))
            } else {
                quote_spanned!(span=> #private::value_output(#ret))
            }
        }
        ReturnType::Default => quote!(#private::value_output(#ret)),
    };

    let head = constructor_head(tool, &paths);
    quote! {
        #func

        #head {
            #(#defaults)*

            #[derive(#private::serde::Deserialize, #private::schemars::JsonSchema)]
            #[serde(crate = #serde_crate, deny_unknown_fields)]
            #[schemars(crate = #schemars_crate)]
            #[allow(non_camel_case_types)]
            struct #args_struct {
                #(#fields,)*
            }

            #private::tool(
                #name,
                #description,
                #sequential,
                move |#args_var: #args_struct| async move {
                    let #ret = #call;
                    #output
                },
            )
        }
    }
}

/// On error: the cleaned function, a stub constructor (so that code naming it does not add
/// "cannot find" errors), and the errors.
pub(crate) fn fallback(tool: &Tool, errors: &syn::Error) -> TokenStream {
    let func = &tool.func;
    let head = constructor_head(tool, &Paths::resolve(tool.args.krate.as_ref()));
    let errors = errors.to_compile_error();
    quote! {
        #func

        #[allow(dead_code, unused_variables)]
        #head {
            ::core::unreachable!()
        }

        #errors
    }
}

/// `#[doc = ...] <vis> fn <fn>_tool(&self) -> <crate>::SamplingTool<'_>`, or for a free
/// function `fn <fn>_tool<'__tool>() -> <crate>::SamplingTool<'__tool>`: it borrows
/// nothing, and `SamplingTool` is invariant in its lifetime, so a free tool must be able to
/// take the lifetime of the method tools it is listed with.
fn constructor_head(tool: &Tool, paths: &Paths) -> TokenStream {
    let krate = paths.krate();
    let func = &tool.func;
    let vis = &func.vis;
    let fn_name = func.sig.ident.to_string();
    let tool_ident = tool.tool_fn_ident();
    let (name, _) = tool.name();
    let cfgs = func.attrs.iter().filter(|attr| attr.path().is_ident("cfg"));
    match &tool.receiver {
        Some(recv) => {
            // A valid receiver (`&self`, `&'a self`, `self: &Self`) is kept as written; an
            // invalid one (already reported) gets a stub that borrows.
            let receiver = if recv.is_shared_ref() {
                let receiver = &recv.receiver;
                quote!(#receiver)
            } else {
                quote!(&self)
            };
            let doc = format!(
                "The sampling tool `{name}`, made by `#[sampling_tool]` from the method `{fn_name}` and bound to `self`: give it to a sampling request's `tools`."
            );
            quote! {
                #(#cfgs)*
                #[doc = #doc]
                #vis fn #tool_ident(#receiver) -> #krate::SamplingTool<'_>
            }
        }
        None => {
            let doc = format!(
                "The sampling tool `{name}`, made by `#[sampling_tool]` from the function `{fn_name}`: give it to a sampling request's `tools`."
            );
            quote! {
                #(#cfgs)*
                #[doc = #doc]
                #vis fn #tool_ident<'__tool>() -> #krate::SamplingTool<'__tool>
            }
        }
    }
}
