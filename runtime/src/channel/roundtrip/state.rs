//! What a suspended tool call keeps between two rounds, and how it is sealed into
//! `requestState`.
//!
//! The state is a journal, not a snapshot: for each sampling call of the tool body (in the order
//! the calls started) the LLM responses received so far and the results of the tool batches that
//! ran after them, and the client's answers to every other input the body awaited
//! (elicitations, roots, tool approvals) by input key. On the next round the tool body runs
//! again and each sampling call replays its journal: recorded responses answer the LLM calls,
//! recorded results stand in for tools that already ran, and the loop's own logic rebuilds the
//! history. So the state never holds the input messages or anything the body recomputes, and
//! tools never run twice.
//!
//! Sealing uses rmcp's `RequestStateCodec`: HMAC-SHA256 with a keyring (key rotation), a TTL, and
//! associated data binding the state to the tool, a digest of its arguments and, over HTTP, the
//! caller's credentials. What the codec seals is the BLAKE3 digest of the journal, not the
//! journal itself; the journal follows in base64url:
//!
//! ```text
//! <rmcp sealed envelope of blake3(form + payload)>~<form><payload in base64url>
//! ```
//!
//! where `<form>` is `j` (the payload is the journal's JSON) or `z` (the journal's JSON,
//! deflated: journals over [`COMPRESS_ABOVE`] bytes, so that a loop as long as the push era
//! allows fits the round trip; see [`DEFAULT_MAX_STATE_BYTES`]).
//!
//! so the keyring, TTL and binding are rmcp's, and the bulk is hashed with BLAKE3 (three times
//! faster than HMAC-SHA256 with SHA-NI) instead of being MACed and base64-coded by the codec
//! (issue 13: seal + open of a 64 KiB state). Opening checks the envelope first (key, expiry,
//! binding), so a forged or expired state is refused before its bulk is decoded. It protects
//! integrity, not confidentiality: everything in it (LLM responses, tool results) is what the
//! client's LLM has already seen or is about to see in the next request's history.
//!
//! Recorded LLM responses and tool results are kept as raw JSON text ([`RawValue`]): sealing
//! copies them, opening checks that they are JSON without building trees, and a response is
//! parsed only when it is replayed.

// The sealed journal stores rmcp's sampling types (deprecated by SEP-2577).
#![allow(deprecated)]

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64_simd::URL_SAFE_NO_PAD;
use rmcp::model::{JsonObject, RequestStateCodec, RequestStateError, SealOptions};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::limits::{DEFAULT_MAX_STATE_BYTES, DEFAULT_ROUND_BUDGET, DEFAULT_STATE_TTL};

/// The format version written into every sealed state; a state of another version is refused.
/// Version 2: the codec seals a digest of the journal, recorded responses are raw JSON.
/// Version 3: the payload carries its form (plain or deflated JSON).
pub(crate) const STATE_VERSION: u32 = 3;

/// Between the sealed envelope and the journal: neither in base64url nor in rmcp's format.
const SEPARATOR: char = '~';

/// The payload's form: the journal's JSON as it is.
const PLAIN: u8 = b'j';

/// The payload's form: the journal's JSON, deflated.
const DEFLATED: u8 = b'z';

/// Journals larger than this are deflated before sealing. Smaller ones are not: deflating 64
/// KiB costs several times the ~90 µs the whole seal and open take (BENCHMARKS.md), while a
/// large journal shrinks 2-8× (JSON, text) and must fit next to its request in one message.
const COMPRESS_ABOVE: usize = 256 * 1024;

/// How far a deflated payload may inflate, as a multiple of the state cap. Only a payload whose
/// digest this server sealed is inflated; the bound is a second line of defence.
const MAX_INFLATION: usize = 16;

/// The journal of one tool call across rounds.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct Journal {
    /// Always [`STATE_VERSION`].
    pub v: u32,
    /// The round that sent this state out (1 for the first `InputRequiredResult`).
    pub round: u32,
    /// One entry per sampling call, in the order the calls started.
    pub calls: Vec<CallRecord>,
    /// The input requests of the round that sent this state out.
    pub asked: Vec<Asked>,
    /// The client's answers to every other input the body awaited (elicitations, roots, tool
    /// approvals), by input key, as the client sent them (checked when they arrived).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inputs: BTreeMap<String, Value>,
}

/// The journal of one sampling call.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct CallRecord {
    /// A digest of the call's first LLM request, to notice a body that samples differently.
    pub fingerprint: String,
    /// The LLM turns answered so far.
    pub turns: Vec<Turn>,
}

/// One answered LLM turn of a sampling call.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Turn {
    /// The LLM's response, in the MCP wire format of a `CreateMessageResult`; parsed when it
    /// is replayed.
    pub response: Box<RawValue>,
    /// Whether the request forced the answer (last affordable round).
    pub forced: bool,
    /// The tool results of the batch that ran after this response, once it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Box<RawValue>>,
}

impl PartialEq for Turn {
    /// The same JSON text (`RawValue` has no equality of its own).
    fn eq(&self, other: &Self) -> bool {
        self.response.get() == other.response.get()
            && self.forced == other.forced
            && self.tools.as_ref().map(|t| t.get()) == other.tools.as_ref().map(|t| t.get())
    }
}

/// An input request of the round that sent the state out.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Asked {
    /// The key of the input request (`inputRequests` / `inputResponses`).
    pub key: String,
    /// Whether the request forced the answer.
    pub forced: bool,
}

/// The key of the input request for turn `turn` of sampling call `call`.
pub(crate) fn input_key(call: usize, turn: usize) -> String {
    format!("sampling-{call}-{turn}")
}

/// The key of the `index`-th input the tool body itself awaited (an elicitation or the
/// roots), in the order the awaits started.
pub(crate) fn body_input_key(index: usize) -> String {
    format!("input-{index}")
}

/// The key of the approval asked for tool call `position` of the batch after turn `turn` of
/// sampling call `call`.
pub(crate) fn approval_key(call: usize, turn: usize, position: usize) -> String {
    format!("approval-{call}-{turn}-{position}")
}

/// How suspended tool calls are sealed, and how many rounds a client drives.
#[derive(Clone)]
pub(crate) struct RoundTripConfig {
    pub codec: Option<Arc<RequestStateCodec>>,
    pub ttl: Duration,
    pub max_state_bytes: usize,
    pub round_budget: u32,
}

impl Default for RoundTripConfig {
    fn default() -> Self {
        Self {
            codec: None,
            ttl: DEFAULT_STATE_TTL,
            max_state_bytes: DEFAULT_MAX_STATE_BYTES,
            round_budget: DEFAULT_ROUND_BUDGET,
        }
    }
}

impl RoundTripConfig {
    fn codec(&self) -> Result<&RequestStateCodec, StateError> {
        match &self.codec {
            Some(codec) => Ok(codec),
            None => process_codec(),
        }
    }
}

/// The codec of servers that configured no key: a random key, made once per process. A state
/// it sealed opens only in this process.
fn process_codec() -> Result<&'static RequestStateCodec, StateError> {
    static CODEC: OnceLock<Result<RequestStateCodec, String>> = OnceLock::new();
    CODEC
        .get_or_init(|| {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).map_err(|e| format!("no random key: {e}"))?;
            RequestStateCodec::try_new(key.to_vec()).map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| StateError::Sealing(e.clone()))
}

/// What a sealed state is bound to: it opens only for the same tool, arguments and caller.
#[derive(Debug, Clone)]
pub(crate) struct Binding(Vec<u8>);

impl Binding {
    /// Binds to the tool's name, a digest of its arguments (key order does not matter) and the
    /// caller's credentials when the transport knows them.
    #[cfg(any(test, feature = "__bench"))]
    pub(crate) fn new(
        tool: &str,
        arguments: Option<&JsonObject>,
        principal: Option<&[u8]>,
    ) -> Self {
        Self::for_method("tools/call", tool, arguments, principal)
    }

    /// The same for a request of another method (`prompts/get`): a state sealed for one
    /// method never opens for another.
    pub(crate) fn for_method(
        method: &str,
        tool: &str,
        arguments: Option<&JsonObject>,
        principal: Option<&[u8]>,
    ) -> Self {
        let mut canonical = String::new();
        if let Some(arguments) = arguments {
            write_canonical(&mut canonical, &Value::Object(arguments.clone()));
        }
        let mut bytes = b"rmcp-sampling/requestState/v1\0".to_vec();
        bytes.extend_from_slice(method.as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(tool.as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(&Sha256::digest(canonical.as_bytes()));
        bytes.push(0);
        if let Some(principal) = principal {
            bytes.extend_from_slice(&Sha256::digest(principal));
        }
        Self(bytes)
    }
}

/// JSON with object keys sorted, so that two clients' encodings of the same arguments agree.
fn write_canonical(out: &mut String, value: &Value) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(out, value);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(out, item);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Why a state could not be sealed or opened. The caller gets a generic -32602; the reason goes
/// to the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StateError {
    /// Larger than the configured cap.
    TooLarge { bytes: usize, cap: usize },
    /// The codec refused it: tampered, expired, sealed with a key not in the keyring, not
    /// base64, bound to another tool, other arguments or another caller.
    Rejected(String),
    /// It opened but is not a journal of this version.
    Format(String),
    /// The state could not be sealed.
    Sealing(String),
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooLarge { bytes, cap } => write!(
                f,
                "the requestState is {bytes} bytes, over the cap of {cap} bytes \
                 (`Sampler::max_state_bytes`)"
            ),
            Self::Rejected(reason) => write!(f, "the requestState was refused: {reason}"),
            Self::Format(reason) => {
                write!(f, "the requestState is not a sampling journal: {reason}")
            }
            Self::Sealing(reason) => write!(f, "the requestState could not be sealed: {reason}"),
        }
    }
}

fn rejected(error: RequestStateError) -> StateError {
    let reason = match error {
        RequestStateError::IntegrityCheckFailed => {
            "it failed integrity verification (tampered with, sealed with a key this server \
             does not hold, or sent for another tool, other arguments or another caller)"
                .to_owned()
        }
        other => other.to_string(),
    };
    StateError::Rejected(reason)
}

/// Seals `journal`, bound to `binding`.
pub(crate) fn seal(
    config: &RoundTripConfig,
    journal: &Journal,
    binding: &Binding,
) -> Result<String, StateError> {
    let json = serde_json::to_vec(journal).map_err(|e| StateError::Sealing(e.to_string()))?;
    let (form, payload) = encode(json);
    seal_payload(config, form, &payload, binding)
}

/// The payload of a journal's JSON and its form: deflated when it is large.
fn encode(json: Vec<u8>) -> (u8, Vec<u8>) {
    if json.len() > COMPRESS_ABOVE {
        // Level 1: most of the gain for a fraction of the time of the higher levels.
        (DEFLATED, miniz_oxide::deflate::compress_to_vec(&json, 1))
    } else {
        (PLAIN, json)
    }
}

/// What the codec seals: a digest of the payload and its form, so neither can be swapped.
fn digest(form: u8, payload: &[u8]) -> blake3::Hash {
    let mut hasher = blake3::Hasher::new();
    hasher.update(&[form]);
    hasher.update(payload);
    hasher.finalize()
}

/// The size of the sealed state of `journal`, without sealing it (the envelope's size is
/// bounded above). Cheap while the journal is far below `cap`: its JSON size is estimated
/// from the recorded raw JSON; only an estimate over `cap` is checked by encoding it.
pub(crate) fn state_bytes(journal: &Journal, cap: usize) -> usize {
    /// More than rmcp's envelope of a 32-byte digest, the separator and the form.
    const ENVELOPE: usize = 512;
    let estimate = ENVELOPE + URL_SAFE_NO_PAD.encoded_length(journal_bytes_bound(journal));
    if estimate <= cap {
        return estimate;
    }
    let Ok(json) = serde_json::to_vec(journal) else {
        return estimate;
    };
    ENVELOPE + URL_SAFE_NO_PAD.encoded_length(encode(json).1.len())
}

/// An upper bound of the journal's JSON size, from the sizes of its parts.
fn journal_bytes_bound(journal: &Journal) -> usize {
    const PER_CALL: usize = 64;
    const PER_TURN: usize = 64;
    const PER_ASK: usize = 64;
    let turns: usize = journal
        .calls
        .iter()
        .map(|call| {
            PER_CALL
                + call.fingerprint.len()
                + call
                    .turns
                    .iter()
                    .map(|turn| {
                        PER_TURN
                            + turn.response.get().len()
                            + turn.tools.as_ref().map_or(0, |t| t.get().len())
                    })
                    .sum::<usize>()
        })
        .sum();
    64 + turns
        + journal
            .asked
            .iter()
            .map(|asked| PER_ASK + asked.key.len())
            .sum::<usize>()
}

/// Seals a payload of the given form: the codec seals its digest, the payload follows in
/// base64url.
fn seal_payload(
    config: &RoundTripConfig,
    form: u8,
    payload: &[u8],
    binding: &Binding,
) -> Result<String, StateError> {
    let options = SealOptions::new()
        .associated_data(&binding.0)
        .ttl(config.ttl);
    let mut sealed = config
        .codec()?
        .seal_with(digest(form, payload).as_bytes(), &options);
    let bytes =
        sealed.len() + SEPARATOR.len_utf8() + 1 + URL_SAFE_NO_PAD.encoded_length(payload.len());
    if bytes > config.max_state_bytes {
        return Err(StateError::TooLarge {
            bytes,
            cap: config.max_state_bytes,
        });
    }
    sealed.reserve_exact(bytes - sealed.len());
    sealed.push(SEPARATOR);
    sealed.push(char::from(form));
    URL_SAFE_NO_PAD.encode_append(payload, &mut sealed);
    Ok(sealed)
}

/// Opens a state the client sent back.
pub(crate) fn open(
    config: &RoundTripConfig,
    sealed: &str,
    binding: &Binding,
) -> Result<Journal, StateError> {
    // Refused before any decoding: the cap bounds the work an attacker can cause.
    if sealed.len() > config.max_state_bytes {
        return Err(StateError::TooLarge {
            bytes: sealed.len(),
            cap: config.max_state_bytes,
        });
    }
    let (envelope, payload) = sealed
        .split_once(SEPARATOR)
        .ok_or_else(|| rejected(RequestStateError::MalformedFormat))?;
    // The envelope first (key, expiry, binding): a forged or expired state costs one small MAC.
    let opened = config
        .codec()?
        .open_with(envelope, &binding.0)
        .map_err(rejected)?;
    let sealed_digest = blake3::Hash::from_slice(&opened)
        .map_err(|_| rejected(RequestStateError::MalformedFormat))?;
    let (&form, payload) = payload
        .as_bytes()
        .split_first()
        .ok_or_else(|| rejected(RequestStateError::MalformedFormat))?;
    let payload = URL_SAFE_NO_PAD
        .decode_to_vec(payload)
        .map_err(|_| rejected(RequestStateError::InvalidEncoding))?;
    // `blake3::Hash` compares in constant time.
    if digest(form, &payload) != sealed_digest {
        return Err(rejected(RequestStateError::IntegrityCheckFailed));
    }
    let json = match form {
        PLAIN => payload,
        DEFLATED => miniz_oxide::inflate::decompress_to_vec_with_limit(
            &payload,
            config.max_state_bytes.saturating_mul(MAX_INFLATION),
        )
        .map_err(|e| StateError::Format(format!("the deflated journal does not inflate: {e}")))?,
        _ => {
            return Err(StateError::Format(format!(
                "unknown payload form {form:#04x}"
            )));
        }
    };
    let journal: Journal =
        serde_json::from_slice(&json).map_err(|e| StateError::Format(e.to_string()))?;
    if journal.v != STATE_VERSION {
        return Err(StateError::Format(format!(
            "format version {} (this server reads version {STATE_VERSION})",
            journal.v
        )));
    }
    Ok(journal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config(codec: RequestStateCodec) -> RoundTripConfig {
        RoundTripConfig {
            codec: Some(Arc::new(codec)),
            ..RoundTripConfig::default()
        }
    }

    fn journal() -> Journal {
        Journal {
            v: STATE_VERSION,
            round: 1,
            calls: vec![CallRecord {
                fingerprint: "abc".into(),
                turns: vec![Turn {
                    response: raw(
                        json!({"role": "assistant", "content": {"type": "text", "text": "hi"}, "model": "m"}),
                    ),
                    forced: false,
                    tools: Some(raw(
                        json!([{"type": "tool_result", "toolUseId": "t1", "content": []}]),
                    )),
                }],
            }],
            asked: vec![Asked {
                key: input_key(0, 1),
                forced: false,
            }],
            inputs: BTreeMap::from([(approval_key(0, 0, 1), json!({"action": "decline"}))]),
        }
    }

    fn raw(value: Value) -> Box<RawValue> {
        serde_json::value::to_raw_value(&value).unwrap()
    }

    fn args(value: Value) -> JsonObject {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_state_opens_for_the_same_tool_arguments_and_caller_only() {
        let config = config(RequestStateCodec::new([7u8; 32].to_vec()));
        let a = args(json!({"x": 1, "y": [1, {"b": 2, "a": 1}]}));
        let binding = Binding::new("triage", Some(&a), Some(b"Bearer alice"));
        let sealed = seal(&config, &journal(), &binding).unwrap();
        assert_eq!(open(&config, &sealed, &binding).unwrap(), journal());

        // Key order does not matter.
        let reordered = args(json!({"y": [1, {"a": 1, "b": 2}], "x": 1}));
        let same = Binding::new("triage", Some(&reordered), Some(b"Bearer alice"));
        assert!(open(&config, &sealed, &same).is_ok());

        let other_args = args(json!({"x": 2, "y": [1, {"b": 2, "a": 1}]}));
        for other in [
            Binding::new("other_tool", Some(&a), Some(b"Bearer alice")),
            Binding::new("triage", Some(&other_args), Some(b"Bearer alice")),
            Binding::new("triage", Some(&a), Some(b"Bearer mallory")),
            Binding::new("triage", Some(&a), None),
            // The same name and arguments, but a prompt.
            Binding::for_method("prompts/get", "triage", Some(&a), Some(b"Bearer alice")),
        ] {
            let error = open(&config, &sealed, &other).unwrap_err();
            assert!(
                matches!(&error, StateError::Rejected(r) if r.contains("integrity")),
                "{error}"
            );
        }
    }

    #[test]
    fn tampered_truncated_foreign_and_oversized_states_are_refused() {
        let config = config(RequestStateCodec::new([7u8; 32].to_vec()));
        let binding = Binding::new("t", None, None);
        let sealed = seal(&config, &journal(), &binding).unwrap();
        for bad in [
            format!("{sealed}-TAMPERED"),
            sealed[..sealed.len() / 2].to_owned(),
            "not base64 at all!".to_owned(),
            String::new(),
        ] {
            assert!(
                matches!(open(&config, &bad, &binding), Err(StateError::Rejected(_))),
                "{bad:?} opened"
            );
        }
        let other_key = self::config(RequestStateCodec::new([8u8; 32].to_vec()));
        assert!(matches!(
            open(&other_key, &sealed, &binding),
            Err(StateError::Rejected(_))
        ));
        let small = RoundTripConfig {
            max_state_bytes: 16,
            ..config.clone()
        };
        assert!(matches!(
            open(&small, &sealed, &binding),
            Err(StateError::TooLarge { .. })
        ));
        assert!(matches!(
            seal(&small, &journal(), &binding),
            Err(StateError::TooLarge { .. })
        ));
    }

    #[test]
    fn a_tampered_swapped_or_headless_payload_is_refused() {
        let config = config(RequestStateCodec::new([7u8; 32].to_vec()));
        let binding = Binding::new("t", None, None);
        let sealed = seal(&config, &journal(), &binding).unwrap();
        let (envelope, payload) = sealed.split_once(SEPARATOR).unwrap();

        // One base64url character of the journal changed: still base64, another digest.
        let mut tampered = payload.to_owned().into_bytes();
        tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
        let tampered = format!("{envelope}~{}", String::from_utf8(tampered).unwrap());
        // The journal of another state under this state's envelope.
        let other = Journal {
            round: 2,
            ..journal()
        };
        let other = seal(&config, &other, &binding).unwrap();
        let swapped = format!("{envelope}~{}", other.split_once(SEPARATOR).unwrap().1);
        for bad in [tampered, swapped] {
            let error = open(&config, &bad, &binding).unwrap_err();
            assert!(
                matches!(&error, StateError::Rejected(r) if r.contains("integrity")),
                "{error}"
            );
        }

        // No envelope, the envelope alone, a journal that is not base64url, and an envelope
        // that holds something other than a digest.
        let not_a_digest = config
            .codec()
            .unwrap()
            .seal_with(b"short", &SealOptions::new().associated_data(&binding.0));
        for (bad, reason) in [
            (payload.to_owned(), "malformed"),
            (envelope.to_owned(), "malformed"),
            (format!("{envelope}~{payload}~"), "base64"),
            (format!("{envelope}~{payload}!"), "base64"),
            (format!("{not_a_digest}~{payload}"), "malformed"),
        ] {
            let error = open(&config, &bad, &binding).unwrap_err();
            assert!(
                matches!(&error, StateError::Rejected(r) if r.contains(reason)),
                "{bad:?}: {error}"
            );
        }
    }

    #[test]
    fn a_sealed_journal_that_is_not_valid_json_is_refused() {
        let config = config(RequestStateCodec::new([7u8; 32].to_vec()));
        let binding = Binding::new("t", None, None);
        let turn = |response: &str| {
            format!(
                r#"{{"v":{STATE_VERSION},"round":1,"asked":[],"calls":[{{"fingerprint":"f","turns":[{{"response":{response},"forced":false}}]}}]}}"#
            )
        };
        // Correctly sealed, so only the journal's own checks stand between it and a replay.
        let fine = seal_payload(
            &config,
            PLAIN,
            turn(r#"{"role":"assistant"}"#).as_bytes(),
            &binding,
        );
        assert!(open(&config, &fine.unwrap(), &binding).is_ok());
        // A response string that is not UTF-8.
        let mut not_utf8 = turn(r#""@""#).into_bytes();
        if let Some(at) = not_utf8.iter().position(|&b| b == b'@') {
            not_utf8[at] = 0xff;
        }
        for payload in [
            turn(r#"{"role":}"#).into_bytes(),
            turn(r#"{"role":"assistant""#).into_bytes(),
            not_utf8,
            b"\"text\xff\"".to_vec(),
            b"not json".to_vec(),
            Vec::new(),
        ] {
            let sealed = seal_payload(&config, PLAIN, &payload, &binding).unwrap();
            assert!(
                matches!(open(&config, &sealed, &binding), Err(StateError::Format(_))),
                "{:?} opened",
                String::from_utf8_lossy(&payload)
            );
        }
    }

    /// A journal whose one recorded response holds `text`.
    fn journal_with(text: &str) -> Journal {
        let mut journal = journal();
        journal.calls[0].turns[0].response = raw(
            json!({"role": "assistant", "content": {"type": "text", "text": text}, "model": "m"}),
        );
        journal
    }

    #[test]
    fn a_large_journal_is_deflated_and_a_swapped_or_unknown_form_is_refused() {
        let config = config(RequestStateCodec::new([7u8; 32].to_vec()));
        let binding = Binding::new("t", None, None);
        let large = journal_with(&"the same words again, ".repeat(20_000));
        let plain_bytes = serde_json::to_vec(&large).unwrap().len();
        let sealed = seal(&config, &large, &binding).unwrap();
        let (envelope, payload) = sealed.split_once(SEPARATOR).unwrap();
        assert!(
            payload.starts_with('z'),
            "deflated above {COMPRESS_ABOVE} bytes"
        );
        assert!(sealed.len() < plain_bytes / 10, "{} bytes", sealed.len());
        assert_eq!(open(&config, &sealed, &binding).unwrap(), large);
        assert!(state_bytes(&large, usize::MAX) >= sealed.len());
        assert!(state_bytes(&large, 0) >= sealed.len(), "the exact path");

        let small = seal(&config, &journal(), &binding).unwrap();
        assert!(small.split_once(SEPARATOR).unwrap().1.starts_with('j'));
        assert!(state_bytes(&journal(), usize::MAX) >= small.len());

        // The form is under the digest: flipping it is tampering.
        let flipped = format!("{envelope}~j{}", &payload[1..]);
        let error = open(&config, &flipped, &binding).unwrap_err();
        assert!(
            matches!(&error, StateError::Rejected(r) if r.contains("integrity")),
            "{error}"
        );
        // Correctly sealed, but an unknown form, or a deflated payload that does not inflate.
        for (form, payload) in [(b'q', &b"{}"[..]), (DEFLATED, b"not deflate")] {
            let sealed = seal_payload(&config, form, payload, &binding).unwrap();
            let error = open(&config, &sealed, &binding).unwrap_err();
            assert!(matches!(error, StateError::Format(_)), "{error}");
        }
    }

    #[test]
    fn key_rotation_opens_states_of_a_retired_signing_key_until_it_is_dropped() {
        let old = config(
            RequestStateCodec::new_with_keyring("k1", [("k1", [1u8; 32].to_vec())]).unwrap(),
        );
        let binding = Binding::new("t", None, None);
        let sealed = seal(&old, &journal(), &binding).unwrap();
        let rotated = config(
            RequestStateCodec::new_with_keyring(
                "k2",
                [("k2", [2u8; 32].to_vec()), ("k1", [1u8; 32].to_vec())],
            )
            .unwrap(),
        );
        assert!(open(&rotated, &sealed, &binding).is_ok());
        let retired = config(
            RequestStateCodec::new_with_keyring("k2", [("k2", [2u8; 32].to_vec())]).unwrap(),
        );
        assert!(matches!(
            open(&retired, &sealed, &binding),
            Err(StateError::Rejected(_))
        ));
    }

    #[test]
    fn an_expired_state_is_refused() {
        let config = RoundTripConfig {
            ttl: Duration::from_secs(1),
            ..config(RequestStateCodec::new([7u8; 32].to_vec()))
        };
        let binding = Binding::new("t", None, None);
        let sealed = seal(&config, &journal(), &binding).unwrap();
        std::thread::sleep(Duration::from_millis(2100));
        let error = open(&config, &sealed, &binding).unwrap_err();
        assert!(
            matches!(&error, StateError::Rejected(r) if r.contains("expired")),
            "{error}"
        );
    }

    #[test]
    fn a_state_of_another_version_is_refused() {
        let config = config(RequestStateCodec::new([7u8; 32].to_vec()));
        let binding = Binding::new("t", None, None);
        let future = Journal {
            v: STATE_VERSION + 1,
            ..journal()
        };
        let sealed = seal(&config, &future, &binding).unwrap();
        assert!(matches!(
            open(&config, &sealed, &binding),
            Err(StateError::Format(_))
        ));
    }

    #[test]
    fn without_a_configured_key_the_process_key_seals_and_opens() {
        let config = RoundTripConfig::default();
        let binding = Binding::new("t", None, None);
        let sealed = seal(&config, &journal(), &binding).unwrap();
        assert_eq!(open(&config, &sealed, &binding).unwrap(), journal());
    }
}
