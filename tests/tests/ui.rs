//! Compile-fail and compile-pass cases of the macros (trybuild).
//!
//! Each `fail_*.rs` holds one mistake and its expected compiler output in `fail_*.stderr`;
//! each `pass_*.rs` must compile and run. After changing a message, regenerate the `.stderr`
//! files with `TRYBUILD=overwrite cargo test -p rmcp-sampling-tests --test ui` and review the
//! diff. trybuild is pinned to a minor version in the workspace, since its normalisation of
//! compiler output changes between releases.

#[test]
#[cfg_attr(miri, ignore)]
fn sampling_tool() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/sampling_tool/fail_*.rs");
    cases.pass("tests/ui/sampling_tool/pass_*.rs");
}

#[test]
#[cfg_attr(miri, ignore)]
fn structured_result() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/structured_result/fail_*.rs");
    cases.pass("tests/ui/structured_result/pass_*.rs");
}

#[test]
#[cfg_attr(miri, ignore)]
fn sample_request() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/sample/fail_*.rs");
}
