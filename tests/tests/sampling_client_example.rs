//! `examples/sampling_client.rs` against a server that sends requests no rmcp transport can
//! parse: the example answers each under its id and goes on (rmcp's `TokioChildProcess` would
//! drop them, and both sides would wait forever).

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

#[test]
fn the_example_client_answers_every_unparsable_request_under_its_id() {
    let example = support::build_example("sampling_client");
    let server = support::repo_root().join("tests/peers/unparsable_requests_server.py");
    let answers = std::env::temp_dir().join(format!(
        "sampling-client-answers-{}.json",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&answers);
    let mut client = Command::new(&example)
        .args(["--initialize", "--", "python3"])
        .arg(&server)
        .arg(&answers)
        // The LLM is never asked: the requests do not parse.
        .env("OPENAI_MODEL", "unused")
        .env("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example starts");
    // A guard against the hang this test is about, not a timing assertion.
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = client.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = client.kill();
            let output = client.wait_with_output().unwrap();
            panic!(
                "the example never finished listing the tools: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = client.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(status.success(), "{status}: {stderr}");

    let text = std::fs::read_to_string(&answers).unwrap();
    let _ = std::fs::remove_file(&answers);
    let answers: Value = serde_json::from_str(&text).unwrap();
    for id in [101, 102, 103] {
        let answer = &answers[id.to_string()];
        assert_eq!(answer["id"], id, "{answers}");
        assert_eq!(answer["error"]["code"], -32602, "{answers}");
    }
}
