//! Where the peer SDKs are: the Python venvs and the TypeScript client's Node.
//!
//! Each finder returns `None` when peer tests are skipped (`RMCP_SAMPLING_SKIP_PEERS=1`), and
//! otherwise fails the test with how to install the peer when it is missing: CI
//! (`./run-tests.sh`) installs every peer and sets the variables, so a missing peer there is a
//! failure, never a silent pass.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::repo_root;

/// Whether peer tests are skipped (`RMCP_SAMPLING_SKIP_PEERS=1`); says so on stderr for `what`.
pub(crate) fn skipped(what: &str) -> bool {
    let skip = std::env::var("RMCP_SAMPLING_SKIP_PEERS").as_deref() == Ok("1");
    if skip {
        eprintln!("{what}: skipped (RMCP_SAMPLING_SKIP_PEERS=1)");
    }
    skip
}

/// The Python with the official MCP SDK 1.x (`mcp`, the venv of `tests/peers/setup_python.sh`):
/// `RMCP_SAMPLING_PYTHON`, else `<repo>/.venv/bin/python`; `None` when peer tests are skipped.
pub(crate) fn python_mcp1() -> Option<PathBuf> {
    if skipped("the Python SDK 1.x peer") {
        return None;
    }
    let python = std::env::var_os("RMCP_SAMPLING_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv/bin/python"));
    assert!(
        has_mcp_major(&python, "1"),
        "no Python with the `mcp` 1.x SDK at {}.\n\
         Create the venv with `tests/peers/setup_python.sh` (from the repository root), or point \
         RMCP_SAMPLING_PYTHON at a Python that has the official MCP SDK 1.x (`pip install \
         'mcp<2'`), or set RMCP_SAMPLING_SKIP_PEERS=1 to skip the peer tests.",
        python.display()
    );
    Some(python)
}

/// The Python with the official MCP SDK 2.x: `RMCP_SAMPLING_PYTHON_MCP2`, else
/// `<repo>/.venv-mcp2/bin/python`; `None` when peer tests are skipped.
pub(crate) fn python_mcp2() -> Option<PathBuf> {
    if skipped("the Python SDK 2.x peer") {
        return None;
    }
    let python = std::env::var_os("RMCP_SAMPLING_PYTHON_MCP2")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv-mcp2/bin/python"));
    assert!(
        has_mcp_major(&python, "2"),
        "no Python with the `mcp` 2.x SDK at {}.\n\
         Create the venv with `bash tests/peers/setup_python.sh .venv-mcp2 \
         tests/peers/mcp2/requirements.lock` (from the repository root), or point \
         RMCP_SAMPLING_PYTHON_MCP2 at a Python that has it, or set RMCP_SAMPLING_SKIP_PEERS=1 to \
         skip the peer tests.",
        python.display()
    );
    Some(python)
}

/// Whether `python` imports `mcp` and its major version is `major`.
fn has_mcp_major(python: &Path, major: &str) -> bool {
    Command::new(python)
        .args([
            "-c",
            &format!(
                "import sys, mcp, importlib.metadata as m; \
                 sys.exit(m.version('mcp').split('.')[0] != '{major}')"
            ),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The Node 22 the TypeScript peer's lock pins (`tests/peers/ts_client/node_modules`), or
/// `None` when peer tests are skipped.
pub(crate) fn ts_node() -> Option<PathBuf> {
    if skipped("the TypeScript SDK 2.x peer") {
        return None;
    }
    let modules = ts_client_dir().join("node_modules");
    let node = modules.join(".bin/node");
    assert!(
        node.is_file() && modules.join("@modelcontextprotocol/client").is_dir(),
        "the TypeScript MCP client SDK is not installed under {}.\n\
         Install it with `bash tests/peers/setup_node.sh` (from the repository root; needs node, \
         npm and the npm registry), or set RMCP_SAMPLING_SKIP_PEERS=1 to skip the peer tests.",
        modules.display()
    );
    Some(node)
}

/// The TypeScript peer's directory, where its scripts and `node_modules` are.
pub(crate) fn ts_client_dir() -> PathBuf {
    repo_root().join("tests/peers/ts_client")
}

/// A command that runs the TypeScript peer `script` (in [`ts_client_dir`]) with `node`.
pub(crate) fn ts_script(node: PathBuf, script: &str) -> Command {
    let dir = ts_client_dir();
    let mut command = Command::new(node);
    command.current_dir(&dir).arg(dir.join(script));
    command
}

/// A command that runs the Python peer `script` (a path below `tests/peers`) with `python`.
pub(crate) fn python_script(python: PathBuf, script: &str) -> Command {
    let mut command = Command::new(python);
    command.arg(repo_root().join("tests/peers").join(script));
    command
}
