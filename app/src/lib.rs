//! Confab browser app. Engine layers (`api`, `signaling`, `call`, `media`, `chat`) know nothing
//! about views; `ui` holds the Leptos components that read their events as signals.

pub mod account;
pub mod chat;
pub mod names;

mod api;
mod call;
mod media;
mod session;
mod signaling;
mod storage;
mod ui;

pub use ui::App;
