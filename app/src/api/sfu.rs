//! The SFU's API as the app reaches it: through the worker (`/api/rooms/{room}/sfu/...`), which
//! holds the app token and lets a person act only on their own session and pull only what
//! their room offers. Bodies are Cloudflare Realtime's (`confab_protocol::sfu_api`).

use confab_protocol::sfu_api::{
    NewSessionResponse, RenegotiateRequest, RenegotiateResponse, TracksRequest, TracksResponse,
    PEER_HEADER,
};
use confab_protocol::PeerId;
use web_sys::{Request, RequestInit};

use super::retry::{next_delay, outcome};
use super::{bearer, fetch_text, js_error, to_json, ApiError};

/// Who calls, in which room: every call carries the token and the peer id. Room names and
/// session ids are path-safe (the worker checks both: a room's name on every request, a
/// session id before the room records it).
pub struct SfuCaller<'a> {
    pub room: &'a str,
    pub peer: &'a PeerId,
    pub token: &'a str,
}

impl SfuCaller<'_> {
    /// `POST sessions/new`: a session of mine, recorded by the room as mine.
    pub async fn new_session(&self) -> Result<NewSessionResponse, ApiError> {
        self.call("POST", "sessions/new", None).await
    }

    /// `POST sessions/{id}/tracks/new`: push (my offer, answered) or pull (the SFU's offer).
    pub async fn tracks_new(
        &self,
        session: &str,
        request: &TracksRequest,
    ) -> Result<TracksResponse, ApiError> {
        let path = format!("sessions/{session}/tracks/new");
        self.call("POST", &path, Some(to_json(request)?)).await
    }

    /// `PUT sessions/{id}/renegotiate`: my answer to the SFU's offer.
    pub async fn renegotiate(
        &self,
        session: &str,
        request: &RenegotiateRequest,
    ) -> Result<RenegotiateResponse, ApiError> {
        let path = format!("sessions/{session}/renegotiate");
        self.call("PUT", &path, Some(to_json(request)?)).await
    }

    /// `PUT sessions/{id}/tracks/update`: the simulcast layer my pulled tracks carry. Its
    /// request and answer have the JSON of `tracks/new`'s without a session description
    /// (`UpdateTracksRequest`, `UpdateTracksResponse`), so the page reuses those types' code
    /// rather than carry two more (each serde type costs the page about a kilobyte).
    pub async fn tracks_update(
        &self,
        session: &str,
        request: &TracksRequest,
    ) -> Result<TracksResponse, ApiError> {
        let path = format!("sessions/{session}/tracks/update");
        self.call("PUT", &path, Some(to_json(request)?)).await
    }

    /// `PUT sessions/{id}/tracks/close`: the tracks on `request`'s mids stop, negotiated with
    /// its offer (their transceivers stopped). Sent as [`close_body`]; the answer has
    /// `tracks/new`'s JSON.
    pub async fn tracks_close(
        &self,
        session: &str,
        request: &TracksRequest,
    ) -> Result<TracksResponse, ApiError> {
        let path = format!("sessions/{session}/tracks/close");
        let body = close_body(&to_json(request)?);
        self.call("PUT", &path, Some(body)).await
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<T, ApiError> {
        let text = self
            .call_again_if_lost(method, path, body.as_deref())
            .await?;
        serde_json::from_str(&text).map_err(|e| ApiError::Decode(e.to_string()))
    }

    /// The call, sent again when it fails on the way ([`next_delay`]): under load a proxy, the
    /// worker's deadline or the SFU may drop one that moments later succeeds.
    async fn call_again_if_lost(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<String, ApiError> {
        let mut failed = 0;
        let mut lost = None;
        loop {
            let error = match self.call_once(method, path, body).await {
                Ok(text) => return Ok(text),
                Err(error) => error,
            };
            failed += 1;
            let Some(delay) = next_delay(failed, &error) else {
                return Err(outcome(lost, error));
            };
            web_sys::console::warn_1(&format!("sfu: {path}: {error}; again in {delay} ms").into());
            lost = Some(error);
            wait_ms(delay).await;
        }
    }

    async fn call_once(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<String, ApiError> {
        let init = RequestInit::new();
        init.set_method(method);
        if let Some(body) = body {
            init.set_body(&body.into());
        }
        let url = format!("/api/rooms/{}/sfu/{path}", self.room);
        let request = Request::new_with_str_and_init(&url, &init).map_err(js_error)?;
        bearer(&request, self.token)?;
        let headers = request.headers();
        headers
            .set(PEER_HEADER, self.peer.as_str())
            .map_err(js_error)?;
        if body.is_some() {
            headers
                .set("content-type", "application/json")
                .map_err(js_error)?;
        }
        fetch_text(request).await
    }
}

/// Resolves after `ms` (a promise on `setTimeout`: the app's other waits are callbacks, and
/// this keeps a future-based timer out of the page's size).
/// A `tracks/close` body (`CloseTracksRequest`: the mids, my offer, `force: false`) from the
/// JSON of a `tracks/new` request that holds those: the page then carries no serializer of
/// its own for it (about 2 KB).
fn close_body(tracks_request: &str) -> String {
    let fields = tracks_request.strip_prefix('{').unwrap_or(tracks_request);
    format!("{{\"force\":false,{fields}")
}

pub async fn wait_ms(ms: u32) {
    let wait = js_sys::Promise::new(&mut |resolve, _| {
        let timer = web_sys::window().map(|window| {
            window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32)
        });
        if !matches!(timer, Some(Ok(_))) {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL); // no timer: no wait
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(wait).await;
}

#[cfg(test)]
mod tests {
    use confab_protocol::sfu_api::{
        CloseTrackObject, CloseTracksRequest, SdpType, SessionDescription, TrackObject,
        TracksRequest,
    };

    use super::close_body;

    #[test]
    fn a_close_is_sent_as_the_api_s_close_request() {
        let offer = SessionDescription {
            kind: SdpType::Offer,
            sdp: "v=0\r\n".into(),
        };
        let request = TracksRequest {
            session_description: Some(offer.clone()),
            tracks: ["3", "4"]
                .map(|mid| TrackObject {
                    mid: Some(mid.into()),
                    ..TrackObject::default()
                })
                .into(),
        };
        let body = close_body(&serde_json::to_string(&request).unwrap());
        let read: CloseTracksRequest = serde_json::from_str(&body).unwrap();
        assert_eq!(
            read,
            CloseTracksRequest {
                tracks: vec![
                    CloseTrackObject { mid: "3".into() },
                    CloseTrackObject { mid: "4".into() },
                ],
                session_description: Some(offer),
                force: false,
            }
        );
    }
}
