//! What a tool body run by [`Sampler::reply`](crate::Sampler::reply) may fail with: any error,
//! so `?` works on the author's own errors as well as on sampling calls.

use std::error::Error;
use std::fmt;

use rmcp::ErrorData;

use crate::error::SampleError;

/// The error of a tool body run by [`Sampler::reply`](crate::Sampler::reply): `?` turns any
/// `std::error::Error` into one, and [`ReplyError::msg`] any `Display`.
///
/// What the caller gets depends on what failed:
///
/// - a [`SampleError`] keeps its own handling: an `isError` tool result with the reason
///   (a cancelled request becomes the JSON-RPC error `-32800`);
/// - an rmcp [`ErrorData`] becomes that JSON-RPC error, for failures the caller's LLM cannot
///   act on (e.g. `ErrorData::invalid_params`);
/// - any other error becomes an `isError` tool result carrying its message and the messages of
///   its sources, so the caller (and its LLM) can read why.
///
/// Like `anyhow::Error`, it does not implement `std::error::Error` itself: that is what lets
/// it convert from every error type.
///
/// ```
/// use rmcp_sampling::ReplyError;
///
/// fn parse(text: &str) -> Result<u8, ReplyError> {
///     let n: u8 = text.parse()?; // a std::error::Error: `?` converts it
///     if n == 0 {
///         return Err(ReplyError::msg("zero is not a severity"));
///     }
///     Ok(n)
/// }
/// assert_eq!(
///     parse("x").unwrap_err().to_string(),
///     "invalid digit found in string"
/// );
/// assert_eq!(parse("0").unwrap_err().to_string(), "zero is not a severity");
/// ```
pub struct ReplyError(Repr);

enum Repr {
    Sample(SampleError),
    Rpc(ErrorData),
    Other(Box<dyn Error + Send + Sync>),
    Message(String),
}

impl ReplyError {
    /// An error from anything `Display` (a message, an error type that does not implement
    /// `std::error::Error`): an `isError` tool result with that text.
    pub fn msg(message: impl fmt::Display) -> Self {
        Self(Repr::Message(message.to_string()))
    }

    /// The sampling error, when a sampling call is what failed.
    pub fn as_sample_error(&self) -> Option<&SampleError> {
        match &self.0 {
            Repr::Sample(error) => Some(error),
            _ => None,
        }
    }

    /// Where the error goes: the sampling error, the JSON-RPC error, or the text of an
    /// `isError` tool result.
    pub(crate) fn into_outcome(self) -> Outcome {
        match self.0 {
            Repr::Sample(error) => Outcome::Sample(error),
            Repr::Rpc(error) => Outcome::Rpc(error),
            Repr::Other(error) => Outcome::Tool(crate::error::chain(&*error)),
            Repr::Message(message) => Outcome::Tool(message),
        }
    }
}

/// See [`ReplyError::into_outcome`].
pub(crate) enum Outcome {
    Sample(SampleError),
    Rpc(ErrorData),
    Tool(String),
}

impl<E: Error + Send + Sync + 'static> From<E> for ReplyError {
    fn from(error: E) -> Self {
        // Downcast back, so that `?` on a sampling call or an rmcp error keeps its meaning.
        let boxed: Box<dyn Error + Send + Sync> = Box::new(error);
        let boxed = match boxed.downcast::<SampleError>() {
            Ok(error) => return Self(Repr::Sample(*error)),
            Err(other) => other,
        };
        match boxed.downcast::<ErrorData>() {
            Ok(error) => Self(Repr::Rpc(*error)),
            Err(other) => Self(Repr::Other(other)),
        }
    }
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Sample(error) => error.fmt(f),
            Repr::Rpc(error) => error.fmt(f),
            Repr::Other(error) => error.fmt(f),
            Repr::Message(message) => f.write_str(message),
        }
    }
}

impl fmt::Debug for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Sample(error) => f.debug_tuple("Sample").field(error).finish(),
            Repr::Rpc(error) => f.debug_tuple("Rpc").field(error).finish(),
            Repr::Other(error) => f.debug_tuple("Other").field(error).finish(),
            Repr::Message(message) => f.debug_tuple("Message").field(message).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::SampleErrorKind;

    #[test]
    fn question_mark_keeps_sampling_and_rmcp_errors_apart_from_the_rest() {
        let sample: ReplyError = SampleError::new(SampleErrorKind::Cancelled).into();
        assert!(matches!(sample.into_outcome(), Outcome::Sample(e) if e.is_cancelled()));
        let rpc: ReplyError = ErrorData::invalid_params("bad", None).into();
        assert!(matches!(rpc.into_outcome(), Outcome::Rpc(e) if e.message == "bad"));
        let io: ReplyError = std::io::Error::other("disk full").into();
        assert!(matches!(io.into_outcome(), Outcome::Tool(m) if m == "disk full"));
    }

    #[test]
    fn a_tool_error_message_names_its_sources_once() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("could not save the ticket")
            }
        }
        impl Error for Outer {
            fn source(&self) -> Option<&(dyn Error + 'static)> {
                Some(&self.0)
            }
        }
        let error: ReplyError = Outer(std::io::Error::other("disk full")).into();
        assert!(
            matches!(error.into_outcome(), Outcome::Tool(m) if m == "could not save the ticket: disk full")
        );
    }
}
