//! The client side: any `SamplingHandler` as an rmcp `ClientHandler` (not written yet).
