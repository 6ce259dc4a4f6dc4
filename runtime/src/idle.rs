//! The header timeout of a connection, kept with one timer per connection rather than one
//! per request: a connection with no request in flight for the header timeout (a client
//! sending its headers too slowly, or a kept-alive connection left idle) is closed.
//!
//! hyper's own header timeout arms a timer for every request (a clock read, an
//! allocation, an entry put into and taken out of the timer wheel); here a request only
//! counts itself in and out, and the connection's one timer looks at the count when it
//! fires, moving itself on when the connection was busy.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Instant;

use crate::body::Outgoing;

/// What a connection's timer reads: its requests in flight and when the last one ended.
pub(crate) struct Activity {
    opened: Instant,
    in_flight: AtomicU32,
    /// When the last response was sent, in nanoseconds from `opened`.
    last_done: AtomicU64,
}

impl Activity {
    /// A connection whose first request starts now.
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            opened: Instant::now(),
            in_flight: AtomicU32::new(0),
            last_done: AtomicU64::new(0),
        })
    }

    /// Counts a request in until its response is sent (or dropped unsent).
    pub(crate) fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(Arc::clone(self))
    }

    /// Drives `connection` to its end, or drops it (closing it) once it has had no
    /// request in flight for `limit`; `None` then.
    pub(crate) async fn limit<F: Future>(
        &self,
        connection: F,
        limit: Duration,
    ) -> Option<F::Output> {
        let mut connection = std::pin::pin!(connection);
        let mut timer = std::pin::pin!(tokio::time::sleep_until(self.opened + limit));
        std::future::poll_fn(|cx| {
            if let Poll::Ready(output) = connection.as_mut().poll(cx) {
                return Poll::Ready(Some(output));
            }
            while timer.as_mut().poll(cx).is_ready() {
                match self.next_deadline(limit) {
                    Some(deadline) => timer.as_mut().reset(deadline),
                    None => return Poll::Ready(None),
                }
            }
            Poll::Pending
        })
        .await
    }

    /// When the timer should look again, or `None` if the connection is past its limit.
    fn next_deadline(&self, limit: Duration) -> Option<Instant> {
        let now = Instant::now();
        if self.in_flight.load(Ordering::Acquire) > 0 {
            // A page's own time limit covers it; look again a limit from now.
            return Some(now + limit);
        }
        let last_done = Duration::from_nanos(self.last_done.load(Ordering::Acquire));
        let deadline = self.opened + last_done + limit;
        (deadline > now).then_some(deadline)
    }
}

/// A request in flight on its connection: counted out when dropped.
pub(crate) struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let activity = &self.0;
        let since = u64::try_from(activity.opened.elapsed().as_nanos()).unwrap_or(u64::MAX);
        activity.last_done.fetch_max(since, Ordering::Release);
        activity.in_flight.fetch_sub(1, Ordering::Release);
    }
}

/// A response body that counts its request out once it is sent.
pub(crate) struct Sending {
    body: Outgoing,
    _in_flight: InFlight,
}

impl Sending {
    pub(crate) fn new(body: Outgoing, in_flight: InFlight) -> Self {
        Self {
            body,
            _in_flight: in_flight,
        }
    }
}

impl hyper::body::Body for Sending {
    type Data = bytes::Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_connection_is_closed_a_limit_after_its_last_response() {
        let limit = Duration::from_secs(10);
        let activity = Activity::new();
        let started = Instant::now();
        let request = activity.begin();
        let connection = async {
            // A request that takes 25 s: the timer fires twice meanwhile and waits.
            tokio::time::sleep(Duration::from_secs(25)).await;
            drop(request);
            std::future::pending::<()>().await;
        };
        assert_eq!(activity.limit(connection, limit).await, None);
        assert_eq!(started.elapsed(), Duration::from_secs(35));
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_that_ends_gives_its_output() {
        let activity = Activity::new();
        let served = activity.limit(async { 7 }, Duration::from_secs(1)).await;
        assert_eq!(served, Some(7));
        let started = Instant::now();
        // Never a request: closed a limit after it opened.
        assert_eq!(
            activity
                .limit(std::future::pending::<()>(), Duration::from_secs(1))
                .await,
            None
        );
        assert!(started.elapsed() <= Duration::from_secs(1));
    }
}
