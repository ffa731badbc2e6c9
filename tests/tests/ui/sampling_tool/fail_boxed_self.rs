// `self: Box<Self>` is rejected: the tool borrows `&self`.
use rmcp_sampling::sampling_tool;

struct Counter(u32);

impl Counter {
    /// Read the counter.
    #[sampling_tool]
    fn read(self: Box<Self>) -> u32 {
        self.0
    }
}

fn main() {}
