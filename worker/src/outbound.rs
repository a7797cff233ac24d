//! Calls from the worker to other services (sign-in providers, Cloudflare's TURN API) with a
//! deadline: the whole exchange, answer body included, is aborted when it runs out, and an
//! answer larger than the caller's cap is not read on.

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;

/// `work`'s output, or `None` when `timer` finishes first.
pub async fn first_of<T>(
    work: impl Future<Output = T>,
    timer: impl Future<Output = ()>,
) -> Option<T> {
    let mut work = pin!(work);
    let mut timer = pin!(timer);
    poll_fn(|cx| {
        if let Poll::Ready(output) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        if timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await
}

#[cfg(target_arch = "wasm32")]
pub use fetch::{fetch_within, Answer, FetchFailure};

#[cfg(target_arch = "wasm32")]
mod fetch {
    use std::time::Duration;

    use worker::{AbortController, Delay, Fetch, Request};

    use crate::http::{collect_capped, BodyError};

    use super::first_of;

    /// A whole answer.
    pub struct Answer {
        pub status: u16,
        /// Empty when the answer was larger than the cap (parsing it then fails).
        pub body: Vec<u8>,
    }

    /// Why no answer came.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum FetchFailure {
        Unreachable,
        Timeout,
    }

    /// Sends `request` and reads the answer; aborts both after `timeout`.
    pub async fn fetch_within(
        request: Request,
        timeout: Duration,
        max_body_bytes: usize,
    ) -> Result<Answer, FetchFailure> {
        let controller = AbortController::default();
        let signal = controller.signal();
        let exchange = async {
            let mut response = Fetch::Request(request)
                .send_with_signal(&signal)
                .await
                .map_err(|_| FetchFailure::Unreachable)?;
            let status = response.status_code();
            let declared = response.headers().get("content-length").ok().flatten();
            let Ok(mut stream) = response.stream() else {
                return Ok((status, Some(Vec::new())));
            };
            // Read no further than the cap: an answer announced or found larger is cut off
            // (and the exchange aborted below) with what came of it dropped.
            let body = match collect_capped(&mut stream, declared.as_deref(), max_body_bytes).await
            {
                Ok(body) => Some(body),
                Err(BodyError::TooLarge(_)) => None,
                Err(BodyError::Unreadable) => return Err(FetchFailure::Unreachable),
            };
            Ok((status, body))
        };
        match first_of(exchange, Delay::from(timeout)).await {
            Some(Ok((status, Some(body)))) => Ok(Answer { status, body }),
            Some(Ok((status, None))) => {
                controller.abort();
                Ok(Answer {
                    status,
                    body: Vec::new(),
                })
            }
            Some(Err(failure)) => Err(failure),
            None => {
                controller.abort();
                Err(FetchFailure::Timeout)
            }
        }
    }
}

/// Host tests: runs a future whose awaits are all ready at once (fake transports answer
/// synchronously); panics if it would wait.
#[cfg(test)]
pub(crate) fn run_ready<F: Future>(future: F) -> F::Output {
    use std::task::{Context, Waker};
    match pin!(future)
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("a fake transport or API never waits"),
    }
}

#[cfg(test)]
mod tests {
    use std::future::{pending, ready};
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use super::*;

    fn poll_once<F: Future>(future: F) -> Poll<F::Output> {
        pin!(future)
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn work_that_is_done_wins_even_when_the_timer_is_done_too() {
        assert_eq!(
            poll_once(first_of(ready(7), ready(()))),
            Poll::Ready(Some(7))
        );
    }

    #[test]
    fn a_finished_timer_ends_unfinished_work() {
        assert_eq!(
            poll_once(first_of(pending::<u8>(), ready(()))),
            Poll::Ready(None)
        );
    }

    #[test]
    fn neither_done_keeps_waiting() {
        assert_eq!(
            poll_once(first_of(pending::<u8>(), pending())),
            Poll::Pending
        );
    }
}
