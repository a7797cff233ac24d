//! The page's menus: language (a native `<select>`, which keyboards and screen readers know,
//! each language named in itself) beside the theme.

use leptos::prelude::*;

use super::theme::ThemeSelect;
use crate::i18n::{I18n, Lang};

#[component]
pub fn LanguageSelect() -> impl IntoView {
    let i18n = I18n::get();
    let on_change =
        move |ev: leptos::ev::Targeted<leptos::ev::Event, web_sys::HtmlSelectElement>| {
            if let Some(lang) = Lang::from_code(&ev.target().value()) {
                i18n.choose(lang);
            }
        };
    view! {
        <span class="menus">
        <ThemeSelect/>
        <select class="language" data-testid="language-select" aria-label=move || i18n.t().language
            prop:value=move || i18n.lang().code() on:change:target=on_change>
            <option value="ko" lang="ko">"한국어"</option>
            <option value="en" lang="en">"English"</option>
        </select>
        </span>
    }
}
