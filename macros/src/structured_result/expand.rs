//! The output of `#[structured_result]`: the item with the serde/schemars derives it lacks,
//! and the `StructuredResult` impl. A field type that lacks a trait is reported by the serde
//! and schemars derives themselves, spanned on that field's type.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput};

use super::args::Args;
use super::check::Shape;
use crate::docs;
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
    let item = quote! {
        #added_attrs
        #(#attrs)*
        #vis #body
    };
    if !shape.implementable {
        return item;
    }

    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let is_generic = !generics.params.is_empty();
    let type_name = match &args.name {
        Some(name) => quote!(#name),
        None if is_generic => quote!(#private::result_type_name::<Self>()),
        None => {
            let name = ident.to_string();
            quote!(#name)
        }
    };
    let description = match &args.description {
        Some(description) => quote!(::core::option::Option::Some(#description)),
        None => match docs::description(attrs) {
            Some(doc) => quote!(::core::option::Option::Some(#doc)),
            None => quote!(::core::option::Option::None),
        },
    };
    let mut predicates = where_clause
        .map(|w| w.predicates.iter().map(|p| quote!(#p)).collect::<Vec<_>>())
        .unwrap_or_default();
    if is_generic {
        predicates.push(quote! {
            Self: #private::serde::Serialize
                + #private::serde::de::DeserializeOwned
                + #private::schemars::JsonSchema
                + ::core::marker::Send
                + 'static
        });
    }
    let where_tokens = if predicates.is_empty() {
        quote!()
    } else {
        quote!(where #(#predicates),*)
    };

    quote! {
        #item

        #[automatically_derived]
        impl #impl_generics #krate::StructuredResult for #ident #ty_generics #where_tokens {
            fn type_name() -> &'static str {
                #type_name
            }

            fn final_response_tool() -> #private::rmcp::model::Tool {
                #private::result_tool::<Self>(<Self as #krate::StructuredResult>::type_name(), #description)
            }

            fn parse_final_response(
                input: #private::rmcp::model::JsonObject,
            ) -> ::core::result::Result<Self, ::std::vec::Vec<::std::string::String>> {
                #private::parse_result::<Self>(input)
            }

            fn to_text(&self) -> ::std::string::String {
                #private::result_text(self)
            }
        }
    }
}
