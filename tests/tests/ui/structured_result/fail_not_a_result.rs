// A type without `JsonSchema` cannot be a typed result: one error, saying what to add.
use rmcp_sampling::Sampler;

#[derive(serde::Serialize, serde::Deserialize)]
struct Plain {
    ok: bool,
}

async fn run(sampler: &Sampler) {
    let _ = sampler.standalone().sample::<Plain>("is it ok?").await;
}

fn main() {
    let _ = run;
}
