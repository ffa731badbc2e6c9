//! The output of `#[structured_result]`: the item with the serde/schemars derives it lacks and
//! its name and description as schema attributes; `StructuredResult` then comes from the
//! runtime's impl for every serde + schemars type. A field type that lacks a trait is reported
//! by the serde and schemars derives themselves, spanned on that field's type.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::{Data, DeriveInput};

use super::args::Args;
use super::check::Shape;
use crate::paths::Paths;

pub(crate) fn expand(args: &Args, input: &DeriveInput, shape: Shape) -> TokenStream {
    if !shape.derivable {
        return quote!(#input);
    }
    let paths = Paths::resolve(args.krate.as_ref());
    let krate = paths.krate();
    let private = paths.private();
    let serde_crate = paths.private_str("serde");
    let schemars_crate = paths.private_str("schemars");

    let mut derives = Vec::new();
    if !shape.has_serialize {
        derives.push(quote!(#private::serde::Serialize));
    }
    if !shape.has_deserialize {
        derives.push(quote!(#private::serde::Deserialize));
    }
    let adds_serde = !shape.has_serialize || !shape.has_deserialize;
    if !shape.has_json_schema {
        derives.push(quote!(#private::schemars::JsonSchema));
    }
    let mut added_attrs = TokenStream::new();
    if !derives.is_empty() {
        added_attrs.extend(quote!(#[derive(#(#derives),*)]));
    }
    if adds_serde && !shape.has_serde_crate {
        added_attrs.extend(quote!(#[serde(crate = #serde_crate)]));
    }
    if !shape.has_json_schema && !shape.has_schemars_crate {
        added_attrs.extend(quote!(#[schemars(crate = #schemars_crate)]));
    }

    // The added derives go first, so every user `#[serde]`/`#[schemars]` comes after the
    // derive that introduces it.
    let DeriveInput {
        attrs,
        vis,
        ident,
        generics,
        data,
    } = input;
    let body = match data {
        Data::Struct(data) => {
            let fields = &data.fields;
            let semi = data.semi_token;
            let token = data.struct_token;
            let where_clause = &generics.where_clause;
            match fields {
                syn::Fields::Named(_) => quote!(#token #ident #generics #where_clause #fields),
                _ => quote!(#token #ident #generics #fields #where_clause #semi),
            }
        }
        Data::Enum(data) => {
            let token = data.enum_token;
            let where_clause = &generics.where_clause;
            let variants = &data.variants;
            quote!(#token #ident #generics #where_clause { #variants })
        }
        Data::Union(_) => return quote!(#input),
    };
    // The name and the description travel in the schema (`title`, `description`), where the
    // `StructuredResult` impl of every serde + schemars type reads them; a doc comment is
    // already the schema's description. After the user's attributes, so after a
    // `#[derive(JsonSchema)]` written there.
    let mut schema_attrs = TokenStream::new();
    if let Some(name) = &args.name {
        schema_attrs.extend(quote!(#[schemars(title = #name)]));
    }
    if let Some(description) = &args.description {
        schema_attrs.extend(quote!(#[schemars(description = #description)]));
    }
    let item = quote! {
        #added_attrs
        #(#attrs)*
        #schema_attrs
        #vis #body
    };
    if !shape.implementable || !generics.params.is_empty() {
        return item;
    }
    // A non-generic type is checked here, at its name (a field that is not `Send`, say),
    // rather than where it is first sampled.
    let check = quote_spanned! {ident.span()=>
        #[allow(unused_qualifications)]
        const _: fn() -> &'static str = <#ident as #krate::StructuredResult>::type_name;
    };
    quote! {
        #item
        #check
    }
}
