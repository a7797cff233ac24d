//! Confab browser app, by layer. The engine layers know nothing about views; `ui` reads their
//! events as signals and sends intents back.
//!
//! - `api`: HTTP calls to the worker, with typed errors.
//! - `signaling`: the room socket, and when and how soon to reconnect it (`reconnect`).
//! - `session`: access tokens — the one renewal path, the one 401 rule, every token timing.
//! - `call`: the call engine — the socket's life (`liveness`), what it reports (`events`,
//!   `status`), TURN refresh (`ice_refresh`), and one peer connection per remote person
//!   (`call::peer`: negotiation, ICE servers, ICE restart and health, relay watch, quality and
//!   stats).
//! - `media`: camera and microphone.
//! - `chat`: the chat store (outbox, paging and gap repair, search) and text rules.
//! - `account`: sign-in links, avatar paths and files, initials; `names`: room and display
//!   names; `storage`: what this browser remembers.
//! - `i18n`: Korean and English — one table of every string per language, the language signal.
//! - `menu`: where keys move in a menu (the emoji picker).
//! - `layout`: how many columns make the call's tiles largest.
//! - `ui`: Leptos components and the view-models they read (`room_model`, `participants`,
//!   `chat_model`, and `session`: who this browser is).

pub mod account;
pub mod chat;
pub mod i18n;
pub mod layout;
pub mod menu;
pub mod names;
pub mod pulling;
pub mod shortcuts;
pub mod speaking;

mod api;
mod call;
mod media;
mod session;
mod signaling;
mod storage;
mod ui;

pub use ui::App;
