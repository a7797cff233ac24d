//! Small bits remembered in the browser: the display name (localStorage) and a one-shot
//! "join on arrival" flag from the home page (sessionStorage), and whether this browser has a
//! session (localStorage; the session cookie itself is HttpOnly and never visible here). No
//! tokens are stored.

const NAME_KEY: &str = "confab.name";
const AUTOJOIN_KEY: &str = "confab.autojoin";
const SESSION_KEY: &str = "confab.session";

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

pub fn load_name() -> Option<String> {
    local()?.get_item(NAME_KEY).ok()?
}

pub fn save_name(name: &str) {
    if let Some(storage) = local() {
        let _ = storage.set_item(NAME_KEY, name);
    }
}

pub fn request_autojoin(room: &str) {
    if let Some(storage) = session() {
        let _ = storage.set_item(AUTOJOIN_KEY, room);
    }
}

/// True once if the home page asked to join `room` right away.
pub fn take_autojoin(room: &str) -> bool {
    let Some(storage) = session() else {
        return false;
    };
    let wanted = storage.get_item(AUTOJOIN_KEY).ok().flatten();
    let _ = storage.remove_item(AUTOJOIN_KEY);
    wanted.as_deref() == Some(room)
}

/// Whether the last word from the server was "you have a session" (shows **Sign out**).
pub fn has_session() -> bool {
    local()
        .and_then(|s| s.get_item(SESSION_KEY).ok().flatten())
        .is_some()
}

pub fn set_session(present: bool) {
    if let Some(storage) = local() {
        let _ = if present {
            storage.set_item(SESSION_KEY, "1")
        } else {
            storage.remove_item(SESSION_KEY)
        };
    }
}
