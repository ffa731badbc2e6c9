//! The macros' generated code compiles in a crate that depends on `rmcp-sampling` under
//! another name (`sampling = { package = "rmcp-sampling", .. }`) and has no `serde` or
//! `schemars` of its own: `tests/fixtures/renamed`, a crate outside this workspace, checked
//! here with `cargo check`.
//!
//! The fixture gets a copy of the workspace's `Cargo.lock` (so `--offline` resolves to the
//! versions already fetched) and a target directory of its own under `target/tmp`; both are
//! ignored by git. The first run builds the runtime's dependencies once more (a minute or two);
//! later runs are incremental.

use std::path::Path;
use std::process::Command;

#[test]
#[cfg_attr(miri, ignore)]
fn macros_compile_under_a_renamed_dependency() {
    let tests_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixture = tests_dir.join("fixtures").join("renamed");
    let lock = tests_dir.join("..").join("Cargo.lock");
    std::fs::copy(&lock, fixture.join("Cargo.lock"))
        .unwrap_or_else(|e| panic!("cannot copy {} into the fixture: {e}", lock.display()));
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dependency_rename");

    let output = Command::new(env!("CARGO"))
        .args(["check", "--offline", "--quiet", "--manifest-path"])
        .arg(fixture.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target_dir)
        .output()
        .expect("cannot run cargo");

    assert!(
        output.status.success(),
        "`cargo check` of {} failed ({}); if a crate is missing offline, run `cargo fetch` in the \
         workspace first.\n--- stderr ---\n{}\n--- stdout ---\n{}",
        fixture.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout),
    );
}
