// `&mut self` is rejected (also on async methods): the loop shares the receiver.
use rmcp_sampling::sampling_tool;

struct Counter(u32);

impl Counter {
    /// Bump the counter.
    #[sampling_tool]
    async fn bump(&mut self, by: u32) -> u32 {
        self.0 += by;
        self.0
    }
}

fn main() {}
