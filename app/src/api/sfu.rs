//! The SFU's API as the app reaches it: through the worker (`/api/rooms/{room}/sfu/...`), which
//! holds the app token and lets a person act only on their own session and pull only what
//! their room offers. Bodies are Cloudflare Realtime's (`confab_protocol::sfu_api`).

use confab_protocol::sfu_api::{
    NewSessionResponse, RenegotiateRequest, RenegotiateResponse, TracksRequest, TracksResponse,
    PEER_HEADER,
};
use confab_protocol::PeerId;
use web_sys::{Request, RequestInit};

use super::{bearer, js_error, send, to_json, ApiError};

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

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<T, ApiError> {
        let init = RequestInit::new();
        init.set_method(method);
        if let Some(body) = &body {
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
        send(request).await
    }
}
