//! Rooms beyond eight: a selective forwarding unit (SFU) instead of the full mesh.
//!
//! In a mesh every camera goes to every other person, so at eight people each browser uploads
//! seven copies and the room stops there. With an SFU each browser sends its camera, microphone
//! and screen once, over one peer connection, and pulls what it shows. Production uses
//! Cloudflare's Realtime SFU (an HTTP API: sessions, then tracks pushed with `location: local`
//! and pulled with `location: remote`); development and the tests use a local stand-in that
//! speaks the same subset of that API.
//!
//! The worker is the only door to the SFU: the app never holds the SFU's app token. What is
//! decided here, in plain Rust tested on the host:
//! - [`config`]: the deployer's choice (`MEDIA_MODE`, `SFU_SWITCH_AT`, `ROOM_CAPACITY_SFU`) and
//!   the SFU's address and credentials (`SFU_APP_ID`, `SFU_APP_TOKEN`, `SFU_API_URL`);
//! - [`mode`]: when a room moves from the mesh to the SFU and back (the room decides, with
//!   hysteresis, and tells everyone);
//! - [`tracks`]: which SFU session and tracks belong to which person in which room, so that a
//!   leaked session or track id never lets anyone outside the room, or anyone who has left it,
//!   be pulled.

pub mod config;
pub mod mode;
pub mod proxy;
#[cfg(target_arch = "wasm32")]
pub mod routes;
pub mod tracks;

#[cfg(test)]
mod proxy_tests;
#[cfg(test)]
mod tests;
