// Functions that return nothing, or `()`, sync and async.
use rmcp_sampling::sampling_tool;

/// Forget something.
#[sampling_tool]
fn forget(key: String) {
    let _ = key;
}

/// Forget later.
#[sampling_tool]
async fn forget_later(key: String) -> () {
    let _ = key;
}

fn main() {
    let _ = (forget_tool(), forget_later_tool());
}
