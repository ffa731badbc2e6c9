// The attribute on a trait method without a body: it belongs on the impl's method.
use rmcp_sampling::sampling_tool;

trait Search {
    /// Search.
    #[sampling_tool]
    fn search(&self, query: String) -> usize;
}

fn main() {}
