//! The multi round-trip state's seal and open, for the benchmarks (`bench/benches/`), behind
//! the hidden `__bench` feature so that no build of a user's server carries it. Not an API: it
//! changes with the state format.

use crate::channel::roundtrip::state::{
    Binding, CallRecord, Journal, RoundTripConfig, STATE_VERSION, StateError, Turn, open, seal,
};

/// A journal of about `bytes` bytes of LLM text (one recorded response per KiB), its
/// binding, and the default configuration (the process key).
pub struct StateBench {
    config: RoundTripConfig,
    journal: Journal,
    binding: Binding,
}

impl StateBench {
    /// A state of about `bytes` bytes of JSON, bound to a tool `bench` with one argument.
    pub fn new(bytes: usize) -> Self {
        let turns = (0..bytes.div_ceil(1024).max(1))
            .map(|i| Turn {
                response: serde_json::value::to_raw_value(&serde_json::json!({
                    "role": "assistant",
                    "content": [{"type": "tool_use", "id": format!("toolu_{i:08}"),
                                 "name": "add", "input": {"a": i, "b": 1}},
                                {"type": "text", "text": "x".repeat(900)}],
                    "model": "scripted-llm",
                    "stopReason": "toolUse",
                }))
                .expect("a JSON value serialises"),
                forced: false,
                tools: None,
            })
            .collect();
        let journal = Journal {
            v: STATE_VERSION,
            round: 1,
            calls: vec![CallRecord {
                fingerprint: "0123456789abcdef".into(),
                turns,
            }],
            asked: Vec::new(),
            inputs: Default::default(),
        };
        let arguments = serde_json::json!({"steps": 10});
        let binding = Binding::new("bench", arguments.as_object(), None);
        Self {
            config: RoundTripConfig::default(),
            journal,
            binding,
        }
    }

    /// Seals the journal; the sealed state (base64 text).
    pub fn seal(&self) -> Result<String, String> {
        seal(&self.config, &self.journal, &self.binding).map_err(|e: StateError| e.to_string())
    }

    /// Opens a sealed state; the number of recorded turns.
    pub fn open(&self, sealed: &str) -> Result<usize, String> {
        open(&self.config, sealed, &self.binding)
            .map(|journal| journal.calls.iter().map(|c| c.turns.len()).sum())
            .map_err(|e| e.to_string())
    }
}
