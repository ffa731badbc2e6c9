//! A line-delimited JSON-RPC transport for the client side (stdio, a child process's pipes, any
//! byte stream) that leaves no request unanswered.

use std::future::Future;
use std::io;
use std::sync::Arc;

use rmcp::model::{ErrorData, JsonRpcMessage, RequestId};
use rmcp::service::{RoleClient, RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::Mutex;

use crate::limits::quote;

/// The longest line read (16 MiB, as rmcp's own line transports); a longer one is dropped.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// A newline-delimited JSON-RPC transport for a [`SamplingClient`](super::SamplingClient) (or
/// any rmcp client) that answers every request it cannot parse under its id.
///
/// rmcp's own line transports drop a message serde cannot parse: a request whose params hold
/// a number out of range (`1e400`) or nesting deeper than 128 levels gets no answer at all, and
/// one with the wrong shape (array params) gets an error without its id, so the server waits
/// for an answer that never comes. This transport reads the `id` and `method` of such a line
/// (skipping the rest without parsing its numbers or recursing) and answers `-32602` under
/// that id with what was wrong; a response it cannot parse becomes a `-32700` error for the
/// request it answers, so that request fails instead of waiting forever. Lines that are not
/// JSON at all are ignored, as every MCP SDK does (there is no id to answer).
///
/// ```no_run
/// use rmcp::service::ServiceExt;
/// use rmcp_sampling::client::{LineTransport, SamplingClient};
/// use rmcp_sampling::{HandlerContext, HandlerError, LlmRequest, rmcp};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let llm = |_: LlmRequest, _: HandlerContext| async {
///     Ok::<_, HandlerError>("42")
/// };
/// let mut server = tokio::process::Command::new("my-mcp-server")
///     .stdin(std::process::Stdio::piped())
///     .stdout(std::process::Stdio::piped())
///     .spawn()?;
/// let (stdout, stdin) = (server.stdout.take().unwrap(), server.stdin.take().unwrap());
/// let client = SamplingClient::new(llm)
///     .serve(LineTransport::new(stdout, stdin))
///     .await?;
/// # drop(client);
/// # Ok(())
/// # }
/// ```
pub struct LineTransport<R, W> {
    read: BufReader<R>,
    write: Arc<Mutex<W>>,
    /// The line being read; kept across cancelled reads.
    line: Vec<u8>,
    /// The rest of an over-long line is being skipped.
    skipping: bool,
}

impl<R, W> std::fmt::Debug for LineTransport<R, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineTransport")
            .field("buffered", &self.line.len())
            .finish_non_exhaustive()
    }
}

impl<R, W> LineTransport<R, W>
where
    R: AsyncRead + Send + Unpin + 'static,
    W: AsyncWrite + Send + Unpin + 'static,
{
    /// Reads messages from `read`, writes them to `write`, one JSON value per line.
    pub fn new(read: R, write: W) -> Self {
        Self {
            read: BufReader::new(read),
            write: Arc::new(Mutex::new(write)),
            line: Vec::new(),
            skipping: false,
        }
    }

    /// Reads up to the end of a line; `false` at the end of the stream.
    async fn read_line(&mut self) -> io::Result<bool> {
        loop {
            // At least one byte more than the limit, to see that a line is too long.
            let room = (MAX_LINE_BYTES + 1).saturating_sub(self.line.len()).max(1);
            // `read_until` keeps what it read in `self.line` when this future is dropped.
            let read = (&mut self.read)
                .take(room as u64)
                .read_until(b'\n', &mut self.line)
                .await?;
            let complete = self.line.last() == Some(&b'\n');
            if read == 0 && !complete {
                return Ok(false);
            }
            if self.line.len() > MAX_LINE_BYTES || (self.skipping && !complete) {
                if !self.skipping {
                    tracing::warn!(
                        max = MAX_LINE_BYTES,
                        "an incoming message is longer than the line limit; it is dropped"
                    );
                }
                self.skipping = !complete;
                self.line.clear();
                continue;
            }
            if self.skipping {
                // The end of an over-long line.
                self.skipping = false;
                self.line.clear();
                continue;
            }
            return Ok(true);
        }
    }

    /// Sends a message from a task of its own, so that a cancelled `receive` cannot cut it.
    fn send_detached(&self, message: TxJsonRpcMessage<RoleClient>) {
        let write = self.write.clone();
        tokio::spawn(async move {
            if let Err(error) = write_message(&write, &message).await {
                tracing::debug!(%error, "could not answer an unparsable request");
            }
        });
    }
}

async fn write_message<W: AsyncWrite + Unpin>(
    write: &Mutex<W>,
    message: &TxJsonRpcMessage<RoleClient>,
) -> io::Result<()> {
    let mut bytes = serde_json::to_vec(message).map_err(io::Error::other)?;
    bytes.push(b'\n');
    let mut write = write.lock().await;
    write.write_all(&bytes).await?;
    write.flush().await
}

/// What a line that does not parse still tells: its id and method, read without parsing the
/// rest (serde skips unknown fields without converting numbers or recursing).
#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    id: Option<RequestId>,
    #[serde(default)]
    method: Option<String>,
}

/// What to do with one line.
enum Line {
    Message(Box<RxJsonRpcMessage<RoleClient>>),
    /// Answer the sender with this, and read on.
    Answer(Box<TxJsonRpcMessage<RoleClient>>),
    Skip,
}

fn parse(line: &[u8]) -> Line {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Line::Skip;
    }
    let error = match serde_json::from_slice::<RxJsonRpcMessage<RoleClient>>(line) {
        Ok(message) => return Line::Message(Box::new(message)),
        Err(error) => error,
    };
    let Ok(Envelope {
        id: Some(id),
        method,
    }) = serde_json::from_slice::<Envelope>(line)
    else {
        tracing::debug!(%error, "ignoring an incoming line that is not a JSON-RPC message");
        return Line::Skip;
    };
    let reason = quote(&error.to_string()).into_owned();
    match method {
        Some(method) => {
            tracing::debug!(%method, %reason, "answering an unparsable request");
            Line::Answer(Box::new(JsonRpcMessage::error(
                ErrorData::invalid_params(
                    format!("invalid {} request: {reason}", quote(&method)),
                    None,
                ),
                Some(id),
            )))
        }
        // A response to one of this client's requests: fail that request rather than leave
        // it waiting.
        None => Line::Message(Box::new(JsonRpcMessage::error(
            ErrorData::new(
                rmcp::model::ErrorCode::PARSE_ERROR,
                format!("the server's response cannot be read: {reason}"),
                None,
            ),
            Some(id),
        ))),
    }
}

impl<R, W> Transport<RoleClient> for LineTransport<R, W>
where
    R: AsyncRead + Send + Unpin + 'static,
    W: AsyncWrite + Send + Unpin + 'static,
{
    type Error = io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleClient>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let write = self.write.clone();
        async move { write_message(&write, &item).await }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleClient>> {
        loop {
            match self.read_line().await {
                Ok(true) => {}
                Ok(false) => return None,
                Err(error) => {
                    tracing::debug!(%error, "the connection failed");
                    return None;
                }
            }
            let parsed = parse(&self.line);
            self.line.clear();
            match parsed {
                Line::Message(message) => return Some(*message),
                Line::Answer(answer) => self.send_detached(*answer),
                Line::Skip => {}
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.write.lock().await.shutdown().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer_of(line: &str) -> serde_json::Value {
        match parse(line.as_bytes()) {
            Line::Answer(answer) => serde_json::to_value(&answer).unwrap(),
            Line::Message(message) => panic!("parsed: {message:?}"),
            Line::Skip => panic!("skipped"),
        }
    }

    #[test]
    fn unparsable_requests_are_answered_under_their_id() {
        let deep = format!("{}1{}", "[".repeat(500), "]".repeat(500));
        let lines = [
            r#"{"jsonrpc":"2.0","id":7,"method":"sampling/createMessage","params":{"maxTokens":1e400}}"#.to_owned(),
            format!(
                r#"{{"jsonrpc":"2.0","id":"s","method":"sampling/createMessage","params":{{"x":{deep}}}}}"#
            ),
        ];
        let first = answer_of(&lines[0]);
        assert_eq!(first["id"], 7, "{first}");
        assert_eq!(first["error"]["code"], -32602, "{first}");
        let second = answer_of(&lines[1]);
        assert_eq!(second["id"], "s", "{second}");
        assert!(
            second["error"]["message"]
                .as_str()
                .unwrap()
                .contains("recursion limit"),
            "{second}"
        );
    }

    #[test]
    fn lines_without_an_id_are_skipped_and_bad_responses_fail_their_request() {
        assert!(matches!(parse(b"not json\n"), Line::Skip));
        assert!(matches!(parse(b"\r\n"), Line::Skip));
        assert!(matches!(parse(br#"{"id":1e400,"method":"x"}"#), Line::Skip));
        let Line::Message(message) = parse(br#"{"jsonrpc":"2.0","id":3,"result":{"x":1e400}}"#)
        else {
            panic!("a response becomes an error for its request");
        };
        let value = serde_json::to_value(&message).unwrap();
        assert_eq!(value["id"], 3, "{value}");
        assert_eq!(value["error"]["code"], -32700, "{value}");
    }
}
