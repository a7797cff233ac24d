//! The theme menu: the system's theme (the default), light or dark. The choice is remembered
//! in this browser and set as `data-theme` on `<html>`, which the CSS reads (each colour is a
//! `light-dark()` pair, so "system" needs nothing but the absence of the attribute).

use leptos::prelude::*;

use crate::i18n::I18n;
use crate::storage;

const CHOICES: [&str; 2] = ["light", "dark"];

/// Applies the remembered theme; call once at start-up.
pub fn apply_remembered() {
    set_theme(
        storage::load_theme()
            .filter(|t| CHOICES.contains(&t.as_str()))
            .as_deref(),
    );
}

fn set_theme(theme: Option<&str>) {
    let Some(html) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let _ = match theme {
        Some(theme) => html.set_attribute("data-theme", theme),
        None => html.remove_attribute("data-theme"),
    };
}

#[component]
pub fn ThemeSelect() -> impl IntoView {
    let i18n = I18n::get();
    let current = storage::load_theme().unwrap_or_else(|| "system".into());
    let on_change =
        move |ev: leptos::ev::Targeted<leptos::ev::Event, web_sys::HtmlSelectElement>| {
            let value = ev.target().value();
            let theme = CHOICES.contains(&value.as_str()).then_some(value.as_str());
            storage::save_theme(theme);
            set_theme(theme);
        };
    view! {
        <select class="language" data-testid="theme-toggle" aria-label=move || i18n.t().theme
            prop:value=current on:change:target=on_change>
            <option value="system">{move || i18n.t().theme_system}</option>
            <option value="light">{move || i18n.t().theme_light}</option>
            <option value="dark">{move || i18n.t().theme_dark}</option>
        </select>
    }
}
