//! The part of Cloudflare Realtime's SFU API (`https://rtc.live.cloudflare.com/v1`, paths under
//! `/apps/{app id}/`) that Confab uses, as serde types. Field names and shapes are Cloudflare's
//! (its published OpenAPI description, `realtime-api-2024-05-21`); everything it marks optional
//! is optional here, and absent fields are left out rather than sent as `null`.
//!
//! - `POST sessions/new` (no body) → 201 [`NewSessionResponse`].
//! - `POST sessions/{id}/tracks/new` [`TracksRequest`] → [`TracksResponse`]: push (`local`
//!   tracks with the client's offer, answered) or pull (`remote` tracks, no offer; the SFU
//!   answers with its own offer and `requiresImmediateRenegotiation`).
//! - `PUT sessions/{id}/renegotiate` [`RenegotiateRequest`] (the client's answer) →
//!   [`RenegotiateResponse`].
//! - `PUT sessions/{id}/tracks/update` [`UpdateTracksRequest`] (a pulled track's simulcast
//!   layer) → [`UpdateTracksResponse`].
//! - `PUT sessions/{id}/tracks/close` [`CloseTracksRequest`] → [`CloseTracksResponse`].
//!
//! Errors: `errorCode` and `errorDescription` at the top level, or on one item of `tracks` in
//! an answer that is otherwise a success.

use serde::{Deserialize, Serialize};

/// Confab's own: the app calls these through the worker at `/api/rooms/{room}/sfu/...` (the
/// same paths after `/apps/{app id}/`), with its access token and this header naming its peer
/// id in the room (the room checks the peer is the caller's).
pub const PEER_HEADER: &str = "confab-peer";

/// An SDP offer or answer, as the browser's `RTCSessionDescription` serialises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionDescription {
    #[serde(rename = "type")]
    pub kind: SdpType,
    pub sdp: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SdpType {
    Offer,
    Answer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// Pushed by this session.
    Local,
    /// Pulled from another session.
    Remote,
}

/// Which simulcast layer a pulled track should carry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimulcastPreference {
    /// A layer's RID; empty or absent lets the SFU choose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_rid: Option<String>,
    /// `asciibetical`: when the connection cannot carry the preferred layer, the SFU sends the
    /// next in a-z order (`f`, `h`, `q`: smaller); `none` (Cloudflare's default) keeps sending it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_ordering: Option<String>,
    /// `asciibetical`: when the publisher stops sending the layer (or never sent it), the SFU
    /// sends the next one there is; `none` (Cloudflare's default) does nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rid_not_available: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackObject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The transceiver's mid in this session's peer connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mid: Option<String>,
    /// The pushing session, for a pulled track.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub simulcast: Option<SimulcastPreference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSessionResponse {
    pub session_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TracksRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_description: Option<SessionDescription>,
    #[serde(default)]
    pub tracks: Vec<TrackObject>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TracksResponse {
    #[serde(default)]
    pub requires_immediate_renegotiation: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_description: Option<SessionDescription>,
    #[serde(default)]
    pub tracks: Vec<TrackObject>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenegotiateRequest {
    pub session_description: SessionDescription,
}

/// Cloudflare answers a renegotiation with an empty object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenegotiateResponse {}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTracksRequest {
    #[serde(default)]
    pub tracks: Vec<TrackObject>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTracksResponse {
    #[serde(default)]
    pub requires_immediate_renegotiation: bool,
    #[serde(default)]
    pub tracks: Vec<TrackObject>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloseTrackObject {
    pub mid: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloseTracksRequest {
    pub tracks: Vec<CloseTrackObject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_description: Option<SessionDescription>,
    pub force: bool,
}

/// The same fields as a `tracks/new` answer: the SFU's answer to a negotiated close, and one
/// result per mid (`mid` and any error).
pub type CloseTracksResponse = TracksResponse;

/// A refusal, as the SFU's API words it: at the top level of an answer, or on one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SfuError {
    pub error_code: String,
    #[serde(default)]
    pub error_description: String,
}

/// The error on one item of `tracks` (the rest of the answer stands).
pub fn track_error(mut track: TrackObject, code: &str, description: &str) -> TrackObject {
    track.error_code = Some(code.to_owned());
    track.error_description = Some(description.to_owned());
    track
}

#[cfg(test)]
mod contract;
