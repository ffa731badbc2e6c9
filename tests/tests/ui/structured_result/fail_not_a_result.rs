// A type without `#[structured_result]` cannot be a typed result: the error says what to add.
use rmcp_sampling::StructuredResult;

#[derive(serde::Serialize, serde::Deserialize)]
struct Plain {
    ok: bool,
}

fn typed<T: StructuredResult>() {}

fn main() {
    typed::<Plain>();
}
