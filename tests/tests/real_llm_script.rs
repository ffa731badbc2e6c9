//! `scripts/real-llm.sh` without a model: where it finds the example it runs, and that the model
//! server runs under `nice`. (Building llama.cpp and serving a model needs the network once and
//! minutes of CPU; that part is run by hand.)

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh directory under the system's temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("real-llm-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the script with `args` from `cwd`, `CARGO_TARGET_DIR` set to `target` (or unset).
fn script(cwd: &Path, target: Option<&str>, envs: &[(&str, &Path)], args: &[&str]) -> Output {
    let mut command = Command::new("bash");
    command
        .arg(support::repo_root().join("scripts/real-llm.sh"))
        .args(args)
        .current_dir(cwd);
    match target {
        Some(target) => command.env("CARGO_TARGET_DIR", target),
        None => command.env_remove("CARGO_TARGET_DIR"),
    };
    for (key, value) in envs {
        command.env(key, value);
    }
    command.output().expect("bash runs")
}

/// The path of the example binary, as `paths` prints it.
fn example_path(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    stdout
        .lines()
        .find_map(|line| line.strip_prefix("example: "))
        .unwrap_or_else(|| panic!("no example path in {stdout}"))
        .to_owned()
}

#[test]
fn the_example_is_run_from_cargos_target_dir() {
    let root = support::repo_root();
    let elsewhere = scratch("cwd");
    // An absolute CARGO_TARGET_DIR, and a relative one, read from where the script was started.
    let absolute = elsewhere.join("abs-target");
    let output = script(&root, absolute.to_str(), &[], &["paths"]);
    assert_eq!(
        example_path(&output),
        format!("{}/debug/examples/real_llm", absolute.display())
    );
    let output = script(&elsewhere, Some("rel-target"), &[], &["paths"]);
    assert_eq!(
        example_path(&output),
        format!("{}/rel-target/debug/examples/real_llm", elsewhere.display())
    );
    // Unset: cargo's own default (or a target-dir from a cargo config), not a fixed `target/`
    // that another setting would make wrong.
    let output = script(&root, None, &[], &["paths"]);
    let metadata = Command::new(env!("CARGO"))
        .current_dir(&root)
        .env_remove("CARGO_TARGET_DIR")
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .unwrap();
    let metadata: serde_json::Value = serde_json::from_slice(&metadata.stdout).unwrap();
    let target = metadata["target_directory"].as_str().unwrap();
    assert_eq!(
        example_path(&output),
        format!("{target}/debug/examples/real_llm")
    );
    let _ = std::fs::remove_dir_all(&elsewhere);
}

#[test]
fn the_model_server_runs_under_nice() {
    let niceness = |output: &Output| -> i32 {
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .unwrap()
    };
    let ours = niceness(&Command::new("nice").output().unwrap());
    if ours >= 19 {
        // Already at the lowest priority: `nice -n 19` could not be told apart.
        eprintln!("skipped: the test itself runs at niceness {ours}");
        return;
    }
    // A stand-in `llama-server` that records its niceness and exits, and a stand-in model file:
    // the script starts the server, sees it exit and fails before it builds anything.
    let dir = scratch("nice");
    let bin = dir.join("build/bin");
    std::fs::create_dir_all(&bin).unwrap();
    let server = bin.join("llama-server");
    std::fs::write(
        &server,
        format!(
            "#!/bin/sh\nnice > '{}'\nexit 1\n",
            dir.join("niceness").display()
        ),
    )
    .unwrap();
    let chmod = Command::new("chmod")
        .arg("+x")
        .arg(&server)
        .status()
        .unwrap();
    assert!(chmod.success());
    std::fs::write(dir.join("gemma-3-270m-q4_k_m.gguf"), b"").unwrap();

    let output = script(
        &support::repo_root(),
        None,
        &[("REAL_LLM_DIR", dir.as_path())],
        &["run"],
    );
    assert!(!output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("server exited"), "{stderr}");
    let recorded: i32 = std::fs::read_to_string(dir.join("niceness"))
        .unwrap_or_else(|e| panic!("the stand-in server did not run ({e}): {stderr}"))
        .trim()
        .parse()
        .unwrap();
    assert_eq!(recorded, 19, "the server ran at niceness {recorded}");
    let _ = std::fs::remove_dir_all(&dir);
}
