//! `#[structured_result]` (not written yet: emits the item unchanged).

use proc_macro2::TokenStream;

pub(crate) fn expand(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}
