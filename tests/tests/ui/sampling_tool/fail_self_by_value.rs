// A tool method must borrow its receiver: `self` by value is rejected.
use rmcp_sampling::sampling_tool;

struct Counter(u32);

impl Counter {
    /// Read the counter.
    #[sampling_tool]
    fn read(self) -> u32 {
        self.0
    }
}

fn main() {}
