//! Small bits remembered in the browser: the display name, the interface language, the theme
//! and the chosen devices (localStorage), and a one-shot
//! "join on arrival" flag from the home page (sessionStorage). No tokens are stored; whether
//! there is a session only the server knows (its cookie is HttpOnly), so the app asks it at
//! start-up (`ui::session`).

const NAME_KEY: &str = "confab.name";
const AUTOJOIN_KEY: &str = "confab.autojoin";
/// Also read by the script in `index.html`, before the app starts.
const LANG_KEY: &str = "confab.lang";
/// Also read by the script in `index.html`, before the app starts.
const THEME_KEY: &str = "confab.theme";

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

/// The language chosen in the language menu (a code of [`crate::i18n::Lang`]).
pub fn load_lang() -> Option<String> {
    local()?.get_item(LANG_KEY).ok()?
}

pub fn save_lang(code: &str) {
    if let Some(storage) = local() {
        let _ = storage.set_item(LANG_KEY, code);
    }
}

/// The theme chosen in the theme menu (`light`, `dark`; none: the system's).
pub fn load_theme() -> Option<String> {
    local()?.get_item(THEME_KEY).ok()?
}

pub fn save_theme(theme: Option<&str>) {
    if let Some(storage) = local() {
        let _ = match theme {
            Some(theme) => storage.set_item(THEME_KEY, theme),
            None => storage.remove_item(THEME_KEY),
        };
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

/// A remembered setting by its key (e.g. a chosen device's id).
pub fn load(key: &str) -> Option<String> {
    local()?.get_item(key).ok()?
}

pub fn save(key: &str, value: &str) {
    if let Some(storage) = local() {
        let _ = storage.set_item(key, value);
    }
}
