//! A sampling call: the server-wide [`Sampler`](crate::Sampler), the per-call request builder,
//! and the loop that runs it.

pub(crate) mod engine;
pub(crate) mod request;
pub(crate) mod sampler;
