//! Which LLM answers a request, and the call itself: the one seam between the loop and the
//! channels (the client's LLM through rmcp, or a server-side handler), and the requests a tool
//! body sends the client on both protocol eras.
//!
//! The loop speaks this crate's [`LlmRequest`](crate::message::LlmRequest) and
//! [`LlmResponse`](crate::message::LlmResponse); the client channels (push and multi
//! round-trip) convert them to rmcp's deprecated sampling types here, at the boundary.
//!
//! - `route`: which channel a loop's requests take;
//! - `llm`: the LLM of one loop, on that channel;
//! - `push`: server-initiated requests (2025-11-25), their time limit and cancellation;
//! - `roundtrip`: multi round-trip (2026-07-28): the round, its sealed journal, `Sampler::reply`;
//! - `ask`: the client inputs other than its LLM (elicitation, roots), on both eras.

pub(crate) mod ask;
pub(crate) mod llm;
pub(crate) mod push;
pub(crate) mod roundtrip;
pub(crate) mod route;
