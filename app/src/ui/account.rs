//! Sign-in links, the signed-in person's bar (picture, name, profile, sign-out), and the
//! small avatar picture used everywhere.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::session::{Session, Who};
use crate::account::{avatar_src, initials, login_href, usable};
use crate::api;
use crate::i18n::{I18n, Said};

/// One link per configured provider, coming back to `return_to` after sign-in. Shown only
/// while nobody is signed in. They are full page loads (`rel="external"` keeps the router
/// out of it): the sign-in happens on the server and the provider's pages.
#[component]
pub fn SignInLinks(#[prop(into)] return_to: String) -> impl IntoView {
    let session = Session::get();
    let i18n = I18n::get();
    let links = move || {
        if !session.known() || session.signed_in() {
            return None;
        }
        let providers = session.providers.get()?;
        let links: Vec<_> = usable(&providers)
            .map(|p| {
                let href = login_href(&p.id, &return_to);
                let provider = p.name.clone();
                view! {
                    <a class="signin button" rel="external" href=href
                        data-testid=format!("signin-{}", p.id)>{move || (i18n.t().sign_in_with)(&provider)}</a>
                }
            })
            .collect();
        (!links.is_empty())
            .then(|| view! { <nav class="signin-links" aria-label=move || i18n.t().sign_in>{links}</nav> })
    };
    view! { {links} }
}

/// A profile picture from our own server, or nothing (the caller decides what else to show).
#[component]
pub fn AvatarImg(
    src: String,
    #[prop(into)] testid: String,
    #[prop(optional, into)] class: String,
) -> impl IntoView {
    view! { <img class=format!("avatar {class}") data-testid=testid src=src alt="" loading="lazy"/> }
}

/// Initials in a circle, where there is no picture.
#[component]
pub fn Initials(
    #[prop(into)] name: String,
    #[prop(optional, into)] class: String,
) -> impl IntoView {
    view! { <span class=format!("initials {class}") aria-hidden="true">{initials(&name)}</span> }
}

/// The signed-in person's picture and name, for page headers (nothing for guests).
#[component]
pub fn AccountChip() -> impl IntoView {
    let session = Session::get();
    let i18n = I18n::get();
    move || {
        session.user().map(|user| {
            let avatar = avatar_src(user.avatar.as_deref())
                .map(|src| view! { <AvatarImg src testid="account-avatar" class="small"/> });
            view! {
                <span class="account-chip" title=move || i18n.t().signed_in>
                    {avatar}
                    <span data-testid="account-name">{user.name}</span>
                </span>
            }
        })
    }
}

/// Who is signed in, with sign-out; or, for a remembered guest, just sign-out.
#[component]
pub fn AccountBar() -> impl IntoView {
    let session = Session::get();
    let i18n = I18n::get();
    let error = RwSignal::new(None::<Said>);
    let sign_out = move |everywhere: bool| {
        spawn_local(async move {
            let result = if everywhere {
                api::logout_all().await
            } else {
                api::logout().await
            };
            match result {
                Ok(()) => {
                    error.set(None);
                    session.forget();
                }
                Err(e) => error.set(Some(Said::new(move |t| {
                    (t.could_not_sign_out)(&crate::i18n::api_error(t, &e))
                }))),
            }
        });
    };
    let bar = move || match session.who.get() {
        Who::User(user) if !user.guest => {
            let avatar = avatar_src(user.avatar.as_deref()).map(|src| {
                view! { <AvatarImg src testid="account-avatar"/> }
            });
            view! {
                <div class="account" data-testid="account">
                    {avatar}
                    <span class="who">
                        {move || i18n.t().signed_in_as.0}
                        <strong data-testid="account-name">{user.name.clone()}</strong>
                        {move || i18n.t().signed_in_as.1}
                    </span>
                    <div class="account-actions">
                        <a href="/profile" data-testid="profile-link">{move || i18n.t().profile}</a>
                        <button type="button" class="quiet" data-testid="signout-button"
                            on:click=move |_| sign_out(false)>{move || i18n.t().sign_out}</button>
                        <button type="button" class="quiet" data-testid="signout-everywhere-button"
                            title=move || i18n.t().sign_out_everywhere_hint
                            on:click=move |_| sign_out(true)>{move || i18n.t().sign_out_everywhere}</button>
                    </div>
                </div>
            }
            .into_any()
        }
        Who::User(_) => view! {
            <p class="session">
                {move || i18n.t().remembered_guest} " "
                <button type="button" class="quiet" data-testid="signout-button"
                    on:click=move |_| sign_out(false)>{move || i18n.t().sign_out}</button>
            </p>
        }
        .into_any(),
        Who::Nobody | Who::Unknown => ().into_any(),
    };
    view! {
        {bar}
        {move || error.get().map(|said| view! { <p class="error" role="alert">{move || said.in_(i18n.t())}</p> })}
    }
}
