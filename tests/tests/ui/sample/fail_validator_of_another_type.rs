// A validator checks the loop's result: one written for another type than the one sampled would
// never run, so it does not compile.
use rmcp_sampling::Sampler;

/// A reading.
#[rmcp_sampling::structured_result]
struct Reading {
    celsius: i32,
}

/// A forecast.
#[rmcp_sampling::structured_result]
struct Forecast {
    high_c: i32,
}

async fn forecast(sampler: &Sampler) {
    let _ = sampler
        .standalone()
        .validate(|reading: &Reading| match reading.celsius {
            -90..=60 => Ok(()),
            _ => Err("implausible".to_owned()),
        })
        .sample::<Forecast>("Tomorrow in Oslo?")
        .await;
}

fn main() {
    let _ = forecast;
}
