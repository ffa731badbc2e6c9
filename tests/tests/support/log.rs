//! What `tracing` prints during a test.
//!
//! `tracing` caches each call site's interest process-wide, so a test that reads the log with a
//! thread-local subscriber belongs alone in its test binary (a concurrent test hitting the same
//! call sites can make it miss an event).

use std::sync::{Arc, Mutex};

use tracing::subscriber::DefaultGuard;

/// A writer collecting what a `tracing` subscriber prints.
#[derive(Clone, Default)]
pub(crate) struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Collects everything logged at `debug` and above on this thread (without colours) until
    /// the guard drops.
    pub(crate) fn debug() -> (Self, DefaultGuard) {
        let captured = Self::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        (captured, tracing::subscriber::set_default(subscriber))
    }

    /// What was logged so far.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
