// An `async fn` tool, called on JSON arguments.
use rmcp_sampling::sampling_tool;

/// Double a number after a pause.
#[sampling_tool]
async fn double(n: u32) -> u32 {
    tokio::task::yield_now().await;
    n * 2
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    assert_eq!(double(2).await, 4);
    let args = serde_json::json!({"n": 21});
    let output = double_tool().call(args.as_object().unwrap()).await.unwrap();
    assert_eq!(output.as_text(), "42");
}
