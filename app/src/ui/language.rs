//! The language menu: a native `<select>` (keyboard and screen readers know it), each
//! language named in itself.

use leptos::prelude::*;

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
        <select class="language" data-testid="language-select" aria-label=move || i18n.t().language
            prop:value=move || i18n.lang().code() on:change:target=on_change>
            <option value="ko" lang="ko">"한국어"</option>
            <option value="en" lang="en">"English"</option>
        </select>
    }
}
