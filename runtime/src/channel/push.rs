//! Server-initiated requests (protocol 2025-11-25 and earlier): sent, awaited within a time
//! limit, and cancelled on the client when the loop stops waiting.

use std::time::Duration;

use rmcp::RoleServer;
use rmcp::model::{CancelledNotificationParam, ClientResult, RequestId, ServerRequest};
use rmcp::service::{Peer, PeerRequestOptions};
use tokio::time::Instant;
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::error::{SampleError, SampleErrorKind};

/// One request pushed to the client (protocol 2025-11-25 and earlier), stopped by
/// `cancellation` or `stop`; when it is stopped before its answer, the client is sent
/// `notifications/cancelled`.
pub(crate) async fn push(
    peer: &Peer<RoleServer>,
    request: ServerRequest,
    cancellation: &CancellationToken,
    stop: &Stop,
) -> Result<ClientResult, SampleErrorKind> {
    // One timer for both waits: the send's and the answer's.
    let stopped = stopped(cancellation, stop);
    tokio::pin!(stopped);
    let mut handle = tokio::select! {
        biased;
        reason = &mut stopped => return Err(reason),
        sent = peer.send_request_with_option(request, PeerRequestOptions::no_options()) => {
            sent.map_err(SampleErrorKind::Client)?
        }
    };
    let mut outstanding = Outstanding::new(peer, handle.id.clone());
    let answer = tokio::select! {
        biased;
        reason = &mut stopped => {
            outstanding.cancel(&reason).await;
            return Err(reason);
        }
        answer = &mut handle.rx => answer,
    };
    outstanding.answered();
    match answer {
        Err(_) => Err(SampleErrorKind::Client(rmcp::ServiceError::TransportClosed)),
        Ok(Err(error)) => Err(SampleErrorKind::Client(error)),
        Ok(Ok(result)) => Ok(result),
    }
}

/// Resolves when a call must stop, with the reason.
pub(crate) async fn stopped(cancellation: &CancellationToken, stop: &Stop) -> SampleErrorKind {
    let expired = async {
        match stop.at {
            Some(at) => tokio::time::sleep_until(at).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        biased;
        () = cancellation.cancelled() => SampleErrorKind::Cancelled,
        () = expired => stop.reason(),
    }
}

/// The time limits of one LLM call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallLimit {
    /// The time limit of the request.
    pub timeout: Duration,
    /// The loop's deadline.
    pub deadline: Option<Instant>,
}

impl CallLimit {
    pub(crate) fn stop_at(self) -> Stop {
        let timeout_at = Instant::now().checked_add(self.timeout);
        let (at, by_deadline) = match (timeout_at, self.deadline) {
            (Some(t), Some(d)) if d <= t => (Some(d), true),
            (None, Some(d)) => (Some(d), true),
            (t, _) => (t, false),
        };
        Stop {
            at,
            by_deadline,
            timeout: self.timeout,
        }
    }
}

/// When a call stops waiting, and why.
pub(crate) struct Stop {
    at: Option<Instant>,
    by_deadline: bool,
    timeout: Duration,
}

impl Stop {
    fn reason(&self) -> SampleErrorKind {
        if self.by_deadline {
            SampleErrorKind::DeadlineExceeded
        } else {
            SampleErrorKind::LlmTimeout(self.timeout)
        }
    }
}

/// A request sent to the client and not answered yet. Unless it is answered or cancelled
/// explicitly, dropping it (the loop's future dropped mid-request) still sends the client
/// `notifications/cancelled`, from a task.
struct Outstanding {
    peer: Option<Peer<RoleServer>>,
    id: RequestId,
}

/// How long telling the client that a request is cancelled may take.
const CANCEL_NOTICE_TIMEOUT: Duration = Duration::from_secs(5);

impl Outstanding {
    fn new(peer: &Peer<RoleServer>, id: RequestId) -> Self {
        Self {
            peer: Some(peer.clone()),
            id,
        }
    }

    fn answered(&mut self) {
        self.peer = None;
    }

    async fn cancel(&mut self, reason: &SampleErrorKind) {
        if let Some(peer) = self.peer.take() {
            let reason = SampleError::new(reason_copy(reason)).to_string();
            notify_cancelled(peer, self.id.clone(), reason).await;
        }
    }
}

impl Drop for Outstanding {
    fn drop(&mut self) {
        if let Some(peer) = self.peer.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let reason = "the sampling loop stopped before this request was answered".to_owned();
            runtime.spawn(notify_cancelled(peer, self.id.clone(), reason));
        }
    }
}

async fn notify_cancelled(peer: Peer<RoleServer>, id: RequestId, reason: String) {
    let notice = peer.notify_cancelled(CancelledNotificationParam::new(Some(id), Some(reason)));
    match tokio::time::timeout(CANCEL_NOTICE_TIMEOUT, notice).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::debug!(%error, "could not cancel a sampling request"),
        Err(_) => tracing::debug!("cancelling a sampling request took too long; given up"),
    }
}

/// The stop reasons again, for the notice (the kinds are not `Clone`).
fn reason_copy(reason: &SampleErrorKind) -> SampleErrorKind {
    match reason {
        SampleErrorKind::LlmTimeout(limit) => SampleErrorKind::LlmTimeout(*limit),
        SampleErrorKind::DeadlineExceeded => SampleErrorKind::DeadlineExceeded,
        _ => SampleErrorKind::Cancelled,
    }
}

/// One token cancelled when either of the given ones is. Linking two needs a task; dropping
/// the returned guard (with the loop) ends it.
pub(crate) fn linked_cancellation(
    a: Option<&CancellationToken>,
    b: Option<&CancellationToken>,
) -> (CancellationToken, Option<DropGuard>) {
    match (a, b) {
        (Some(a), None) => (a.clone(), None),
        (None, Some(b)) => (b.clone(), None),
        (None, None) => (CancellationToken::new(), None),
        (Some(a), Some(b)) => {
            let linked = a.child_token();
            let (b, child) = (b.clone(), linked.clone());
            tokio::spawn(async move {
                tokio::select! {
                    () = b.cancelled() => child.cancel(),
                    () = child.cancelled() => {}
                }
            });
            (linked.clone(), Some(linked.drop_guard()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_extra_token_is_linked_for_the_loops_lifetime_only() {
        let (request, extra) = (CancellationToken::new(), CancellationToken::new());
        let (linked, guard) = linked_cancellation(Some(&request), Some(&extra));
        extra.cancel();
        tokio::time::timeout(std::time::Duration::from_secs(10), linked.cancelled())
            .await
            .expect("cancelling the extra token cancels the loop");
        assert!(
            !request.is_cancelled(),
            "the MCP request's token is left alone"
        );
        drop(guard);

        let (request, extra) = (CancellationToken::new(), CancellationToken::new());
        let (linked, guard) = linked_cancellation(Some(&request), Some(&extra));
        request.cancel();
        assert!(linked.is_cancelled());
        drop(guard);
        let (linked, guard) = linked_cancellation(None, Some(&extra));
        assert!(guard.is_none() && !linked.is_cancelled());
    }
}
