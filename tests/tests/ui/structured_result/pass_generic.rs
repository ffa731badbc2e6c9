// Generic types are accepted: the impl requires `Self: Serialize + DeserializeOwned +
// JsonSchema + Send + 'static`, which holds for the instantiations that can be results.
use rmcp_sampling::{StructuredResult, structured_result};

/// A page of items.
#[structured_result]
struct Page<T> {
    items: Vec<T>,
    next: Option<String>,
}

/// A labelled value with a const parameter and a where clause.
#[structured_result]
struct Labelled<T, const N: usize>
where
    T: Clone,
{
    value: T,
    labels: Vec<String>,
}

fn typed<T: StructuredResult>() -> &'static str {
    T::type_name()
}

fn main() {
    assert_eq!(typed::<Page<u32>>(), "Page<u32>");
    assert_eq!(typed::<Labelled<String, 3>>(), "Labelled<String, 3>");
}
