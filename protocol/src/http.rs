//! JSON bodies of the HTTP endpoints.

use serde::{Deserialize, Serialize};

/// `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub ok: bool,
    pub version: String,
}

/// One sign-in provider the server offers: its id (a path segment of `/auth/{id}/login`) and
/// the name shown on its button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderInfo {
    pub id: String,
    pub name: String,
}

/// `GET /auth/providers` response: the configured providers in offering order, and whether
/// guests may join. Missing fields read as the [`Default`]: no providers, guests welcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvidersResponse {
    #[serde(default)]
    pub providers: Vec<ProviderInfo>,
    #[serde(default = "yes")]
    pub guests: bool,
}

fn yes() -> bool {
    true
}

impl Default for ProvidersResponse {
    /// No providers, guests welcome: what a server without sign-in providers (or one older than
    /// the route) means.
    fn default() -> Self {
        ProvidersResponse {
            providers: Vec::new(),
            guests: true,
        }
    }
}

/// `POST /auth/guest` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestRequest {
    pub name: String,
}

/// `POST /auth/refresh` body: `{}`, or a guest's new display name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Who a token belongs to, as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub id: String,
    pub name: String,
    pub guest: bool,
    /// Path of the profile image (`/api/avatars/...`), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
}

/// `PATCH /api/me` request: the signed-in user's new display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileUpdate {
    pub name: String,
}

/// `POST /api/rooms` request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateRoomRequest {
    /// Only signed-in people may join (guests are refused with `sign_in_required`).
    #[serde(default)]
    pub require_sign_in: bool,
    /// Whose chat history people see (absent: everyone's). Hosts may change it later.
    #[serde(default)]
    pub history: crate::HistoryVisibility,
}

/// `POST /api/rooms` response (201): the new room's random name and its settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateRoomResponse {
    pub room: String,
    pub require_sign_in: bool,
}

/// `POST /auth/guest` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: u64,
    pub user: UserInfo,
}

/// One entry of `RTCConfiguration.iceServers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServer {
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// `GET /api/ice` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceResponse {
    pub ice_servers: Vec<IceServer>,
    /// Unix seconds after which the credentials stop working (ask again before then).
    pub expires_at: i64,
    /// Whether a TURN relay is among the servers. `false`: STUN only (no relay configured, or
    /// the relay service failed just now), so calls across strict NATs cannot connect.
    #[serde(default)]
    pub relay: bool,
    /// The deployer's `ICE_TRANSPORT_POLICY`, for `RTCConfiguration.iceTransportPolicy`. A
    /// body from before it existed reads as [`IceTransportPolicy::All`].
    #[serde(default)]
    pub transport_policy: IceTransportPolicy,
}

/// Which ICE candidates a peer connection may use (`RTCIceTransportPolicy`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IceTransportPolicy {
    /// Any path: direct, through a NAT's public address, or through the relay.
    #[default]
    All,
    /// Only through the TURN relay: peers never learn each other's IP address.
    Relay,
}

impl IceTransportPolicy {
    /// The value `RTCConfiguration.iceTransportPolicy` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            IceTransportPolicy::All => "all",
            IceTransportPolicy::Relay => "relay",
        }
    }
}

/// RFC 9457 problem details, the body of every HTTP error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
}
