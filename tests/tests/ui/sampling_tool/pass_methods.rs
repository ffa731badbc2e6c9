// `&self` methods, sync and async (also `self: &Self`), give tools bound to the receiver,
// and tools from several receivers and free functions mix in one list.
use std::sync::atomic::{AtomicU64, Ordering};

use rmcp_sampling::{SamplingTool, sampling_tool};

struct Counter {
    hits: AtomicU64,
}

impl Counter {
    /// Count one hit.
    #[sampling_tool]
    fn hit(&self, by: u64) -> u64 {
        self.hits.fetch_add(by, Ordering::SeqCst) + by
    }

    /// Read the hits.
    #[sampling_tool]
    async fn read(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }

    /// Reset the hits.
    #[sampling_tool]
    pub fn reset(self: &Self) {
        self.hits.store(0, Ordering::SeqCst);
    }
}

/// Say hi.
#[sampling_tool]
fn hi() -> String {
    "hi".to_owned()
}

fn main() {
    let counter = Counter { hits: AtomicU64::new(0) };
    assert_eq!(counter.hit(2), 2);
    let tools: Vec<SamplingTool<'_>> =
        vec![counter.hit_tool(), counter.read_tool(), counter.reset_tool(), hi_tool()];
    let names: Vec<&str> = tools.iter().map(SamplingTool::name).collect();
    assert_eq!(names, ["hit", "read", "reset", "hi"]);
}
