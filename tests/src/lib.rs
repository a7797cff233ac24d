//! Test support for Confab: run the real worker under `wrangler dev` and talk to it over HTTP
//! and WebSocket the way the app does. Test binaries live in `tests/tests/`.

pub mod axe;
pub mod bench_args;
pub mod bench_socket;
pub mod browser;
pub mod coturn;
pub mod fake_camera;
pub mod fake_microphone;
pub mod firefox;
pub mod http;
pub mod lab_cert;
pub mod local_sfu;
pub mod media_probe;
pub mod nat;
pub mod nat_routers;
pub mod netns;
pub mod oauth_flow;
pub mod percentile;
pub mod process;
pub mod providers;
#[cfg(test)]
mod providers_selftest;
pub mod room_page;
pub mod signin_page;
pub mod stage;
pub mod suite;
pub mod token;
pub mod wrangler;
pub mod ws_client;
