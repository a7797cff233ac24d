//! Korean and English. Every string a person sees comes from one [`Texts`] table per language
//! (`ko.rs`, `en.rs`): both are values of the same struct, so a key missing in either is a
//! compile error. The language is a signal ([`I18n`]): the first visit follows the browser
//! (`navigator.languages`), a choice in the language menu is remembered in this browser, and
//! `<html lang>` follows it. Views read `i18n.t()` inside reactive closures, so a switch
//! relabels the page at once; messages kept in state are [`Said`]s, rendered in whatever
//! language is current when shown.

use std::sync::Arc;

use leptos::prelude::*;

use crate::api::ApiError;

mod en;
mod ko;
mod texts;

pub use texts::Texts;

/// The languages the interface speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ko,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ko, Lang::En];

    /// The BCP 47 tag: `<html lang>`, the menu's values, what is remembered, `Intl` locales.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The browser's preference (`navigator.languages`, most wanted first): Korean when the
    /// first language we speak is Korean (`ko`, `ko-KR`, …), English otherwise.
    pub fn from_browser<'a>(languages: impl IntoIterator<Item = &'a str>) -> Lang {
        for tag in languages {
            let primary = tag.split(['-', '_']).next().unwrap_or_default();
            if primary.eq_ignore_ascii_case("ko") {
                return Lang::Ko;
            }
            if primary.eq_ignore_ascii_case("en") {
                return Lang::En;
            }
        }
        Lang::En
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Ko => &ko::KO,
            Lang::En => &en::EN,
        }
    }
}

/// A message kept in state (a notice, an error) and worded when it is shown, so it follows a
/// language switch like every label.
#[derive(Clone)]
pub struct Said(Arc<dyn Fn(&'static Texts) -> String + Send + Sync>);

impl Said {
    pub fn new(words: impl Fn(&'static Texts) -> String + Send + Sync + 'static) -> Said {
        Said(Arc::new(words))
    }

    /// A fixed text of the table.
    pub fn text(pick: fn(&'static Texts) -> &'static str) -> Said {
        Said::new(move |t| pick(t).to_owned())
    }

    pub fn in_(&self, texts: &'static Texts) -> String {
        (self.0)(texts)
    }
}

/// The same message (one `Said` cloned), for signals that skip unchanged values.
impl PartialEq for Said {
    fn eq(&self, other: &Said) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for Said {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Said({:?})", self.in_(Lang::En.texts()))
    }
}

impl Said {
    /// A failed call to the server, in the page's words ([`api_error`]).
    pub(crate) fn api(error: ApiError) -> Said {
        Said::new(move |t| api_error(t, &error))
    }
}

/// What the page says for a failed call to the server: our words for every status we know
/// (the worker's problems are `about:blank`, so the status is their code), the server's own
/// `detail` only for a status we do not.
pub(crate) fn api_error(t: &'static Texts, error: &ApiError) -> String {
    let known = match error {
        ApiError::Network(_) => t.network_error,
        ApiError::Decode(_) => t.unexpected_answer,
        ApiError::Server { status, detail } => match status {
            400 => t.http_bad_request,
            401 => t.signed_out,
            403 => t.http_forbidden,
            404 => t.http_not_found,
            413 => t.http_too_large,
            415 => t.http_unsupported_type,
            429 => t.http_too_many,
            502 => t.http_upstream,
            500..=599 => t.http_server,
            _ => return detail.clone(),
        },
    };
    known.to_owned()
}

/// The interface language of this page, shared through context.
#[derive(Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

impl I18n {
    /// Starts from what this browser remembers, else from its languages; keeps `<html lang>`
    /// in step.
    pub fn provide() -> I18n {
        let first = crate::storage::load_lang()
            .and_then(|code| Lang::from_code(&code))
            .unwrap_or_else(browser_lang);
        let i18n = I18n {
            lang: RwSignal::new(first),
        };
        Effect::new(move |_| {
            let lang = i18n.lang.get();
            if let Some(html) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
            {
                let _ = html.set_attribute("lang", lang.code());
            }
        });
        provide_context(i18n);
        i18n
    }

    pub fn get() -> I18n {
        expect_context::<I18n>()
    }

    /// The current table (tracked: read it inside a reactive closure).
    pub fn t(self) -> &'static Texts {
        self.lang.get().texts()
    }

    pub fn lang(self) -> Lang {
        self.lang.get()
    }

    /// Switches the whole page at once and remembers the choice in this browser.
    pub fn choose(self, lang: Lang) {
        crate::storage::save_lang(lang.code());
        self.lang.set(lang);
    }
}

fn browser_lang() -> Lang {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return Lang::En;
    };
    let listed: Vec<String> = navigator
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    if listed.is_empty() {
        let single = navigator.language().unwrap_or_default();
        return Lang::from_browser([single.as_str()]);
    }
    Lang::from_browser(listed.iter().map(String::as_str))
}

#[cfg(test)]
mod tests;
