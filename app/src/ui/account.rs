//! Sign-in links, the signed-in person's bar (picture, name, profile, sign-out), and the
//! small avatar picture used everywhere.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::session::{Session, Who};
use crate::account::{avatar_src, initials, login_href, usable};
use crate::api;

/// One link per configured provider, coming back to `return_to` after sign-in. Shown only
/// while nobody is signed in. They are full page loads (`rel="external"` keeps the router
/// out of it): the sign-in happens on the server and the provider's pages.
#[component]
pub fn SignInLinks(#[prop(into)] return_to: String) -> impl IntoView {
    let session = Session::get();
    let links = move || {
        if !session.known() || session.signed_in() {
            return None;
        }
        let providers = session.providers.get()?;
        let links: Vec<_> = usable(&providers)
            .map(|p| {
                let href = login_href(&p.id, &return_to);
                view! {
                    <a class="signin button" rel="external" href=href
                        data-testid=format!("signin-{}", p.id)>{format!("Sign in with {}", p.name)}</a>
                }
            })
            .collect();
        (!links.is_empty())
            .then(|| view! { <nav class="signin-links" aria-label="Sign in">{links}</nav> })
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
    move || {
        session.user().map(|user| {
            let avatar = avatar_src(user.avatar.as_deref())
                .map(|src| view! { <AvatarImg src testid="account-avatar" class="small"/> });
            view! {
                <span class="account-chip" title="Signed in">
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
    let error = RwSignal::new(None::<String>);
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
                Err(e) => error.set(Some(format!("Could not sign out: {e}"))),
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
                        "Signed in as " <strong data-testid="account-name">{user.name.clone()}</strong>
                    </span>
                    <div class="account-actions">
                        <a href="/profile" data-testid="profile-link">"Profile"</a>
                        <button type="button" class="quiet" data-testid="signout-button"
                            on:click=move |_| sign_out(false)>"Sign out"</button>
                        <button type="button" class="quiet" data-testid="signout-everywhere-button"
                            title="End this account's sessions on every device"
                            on:click=move |_| sign_out(true)>"Sign out everywhere"</button>
                    </div>
                </div>
            }
            .into_any()
        }
        Who::User(_) => view! {
            <p class="session">
                "This browser remembers you as a guest. "
                <button type="button" class="quiet" data-testid="signout-button"
                    on:click=move |_| sign_out(false)>"Sign out"</button>
            </p>
        }
        .into_any(),
        Who::Nobody | Who::Unknown => ().into_any(),
    };
    view! {
        {bar}
        {move || error.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
    }
}
