//! Helpers shared by the integration tests: where the repository is, our example servers built
//! with the cargo that runs the tests, the peer SDKs ([`peers`], [`server`]), and small helpers
//! of the in-process tests ([`mcp`], [`log`]).
//!
//! Each test binary that includes `support` uses its own part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// The workspace root.
pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives inside the workspace")
        .to_path_buf()
}

/// Builds the `bench_server` example (stdio, the shared benchmark contract) and returns the
/// path of its executable.
pub(crate) fn build_bench_server() -> PathBuf {
    build_example("bench_server")
}

/// Builds the example `name` of the `rmcp-sampling-examples` package with the cargo that runs
/// the tests and returns the path of its executable.
pub(crate) fn build_example(name: &str) -> PathBuf {
    build(&["--example", name, "-p", "rmcp-sampling-examples"], name)
}

/// Builds the hand-written benchmark baseline (`bench_raw` of the `rmcp-sampling-bench-raw`
/// package) alone, as the benchmarks do, so its serde_json has no `preserve_order`, and
/// returns the path of its executable.
#[allow(dead_code)] // Only the bench contract's test binary uses it.
pub(crate) fn build_bench_raw() -> PathBuf {
    build(
        &["--bin", "bench_raw", "-p", "rmcp-sampling-bench-raw"],
        "bench_raw",
    )
}

/// Runs `cargo build` with `args` and returns the executable of the target `name`.
fn build(args: &[&str], name: &str) -> PathBuf {
    let output = Command::new(env!("CARGO"))
        .current_dir(repo_root())
        .arg("build")
        .args(args)
        .arg("--message-format=json-render-diagnostics")
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "building {name} failed");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| {
            message["reason"] == "compiler-artifact" && message["target"]["name"] == name
        })
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo reports no executable for {name}"))
}

pub(crate) mod log;
pub(crate) mod mcp;
pub(crate) mod peers;
pub(crate) mod server;
