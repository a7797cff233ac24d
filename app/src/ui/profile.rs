//! `/profile`: the signed-in person's display name and picture. After a change the session is
//! refreshed, so the next token (and everyone who sees it) carries the new name and picture.

use confab_protocol::{DisplayName, UserInfo};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::account::{AvatarImg, Initials, SignInLinks};
use super::language::LanguageSelect;
use super::session::{with_token, Session, Who};
use crate::account::{avatar_src, check_avatar_file, AVATAR_TYPES};
use crate::api::{self, ApiError};
use crate::i18n::{api_error, I18n, Said, Texts};
use crate::names::name_error;

/// A text of the table, picked when shown.
type Pick = fn(&Texts) -> &'static str;

#[derive(Clone)]
enum Status {
    Idle,
    Busy(Pick),
    Saved(Pick),
    Failed(Said),
}

#[derive(Clone, Copy, PartialEq)]
enum Visitor {
    Loading,
    SignedIn,
    Other,
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let session = Session::get();
    let i18n = I18n::get();
    // The form stays put (with its status line) while the profile behind it changes.
    let visitor = Memo::new(move |_| match session.who.get() {
        Who::Unknown => Visitor::Loading,
        Who::User(user) if !user.guest => Visitor::SignedIn,
        _ => Visitor::Other,
    });
    let body = move || match visitor.get() {
        Visitor::Loading => view! { <p role="status">{move || i18n.t().loading}</p> }.into_any(),
        Visitor::SignedIn => view! { <ProfileForm/> }.into_any(),
        Visitor::Other => view! {
            <p class="notice" data-testid="profile-signin-note">
                {move || i18n.t().profiles_need_sign_in}
            </p>
            <SignInLinks return_to="/profile"/>
        }
        .into_any(),
    };
    view! {
        <section class="profile">
            <header>
                <a href="/" class="brand">"Confab"</a> <h1>{move || i18n.t().profile}</h1> <LanguageSelect/>
            </header>
            {body}
        </section>
    }
}

#[component]
fn ProfileForm() -> impl IntoView {
    let session = Session::get();
    let i18n = I18n::get();
    let name = RwSignal::new(session.user().map(|u| u.name).unwrap_or_default());
    let status = RwSignal::new(Status::Idle);
    let busy = move || matches!(status.get(), Status::Busy(_));
    let shown = Memo::new(move |_| session.user());
    let avatar = move || shown.get().and_then(|u| avatar_src(u.avatar.as_deref()));
    let shown_name = move || shown.get().map(|u| u.name).unwrap_or_default();

    let save_name = move || {
        let display = match DisplayName::parse(&name.get_untracked()) {
            Ok(display) => display,
            Err(error) => {
                return status.set(Status::Failed(Said::new(move |t| {
                    name_error(t, &error).into()
                })))
            }
        };
        status.set(Status::Busy(|t| t.saving));
        spawn_local(async move {
            let result = with_token(session, |token| {
                let name = display.as_str().to_owned();
                async move { api::update_name(&token, &name).await }
            })
            .await;
            finish(session, status, result, |t| t.name_saved).await;
            if let Some(user) = session.user() {
                name.set(user.name);
            }
        });
    };
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        if let Err(problem) = check_avatar_file(file.size(), &file.type_()) {
            input.set_value("");
            return status.set(Status::Failed(Said::new(move |t| problem.message(t))));
        }
        status.set(Status::Busy(|t| t.uploading));
        spawn_local(async move {
            let result = with_token(session, |token| {
                let file = file.clone();
                async move { api::upload_avatar(&token, &file).await }
            })
            .await;
            input.set_value("");
            finish(session, status, result, |t| t.picture_saved).await;
        });
    };
    let status_text = move || match status.get() {
        Status::Idle => String::new(),
        Status::Busy(pick) | Status::Saved(pick) => pick(i18n.t()).to_owned(),
        Status::Failed(said) => said.in_(i18n.t()),
    };
    let failed = move || matches!(status.get(), Status::Failed(_));
    view! {
        <div class="profile-card">
            <div class="profile-picture">
                {move || match avatar() {
                    Some(src) => view! { <AvatarImg src testid="avatar-image" class="large"/> }.into_any(),
                    None => view! { <Initials name=shown_name() class="large"/> }.into_any(),
                }}
                <label class="file">
                    {move || i18n.t().picture_label}
                    <input type="file" data-testid="avatar-input" accept=AVATAR_TYPES.join(",")
                        disabled=busy on:change=on_file/>
                </label>
            </div>
            <form class="profile-name" on:submit=move |ev| { ev.prevent_default(); save_name(); }>
                <label>
                    {move || i18n.t().display_name}
                    <input data-testid="profile-name-input" maxlength="40" autocomplete="nickname" bind:value=name/>
                </label>
                <button type="submit" data-testid="profile-name-save" disabled=busy>{move || i18n.t().save}</button>
            </form>
            <p data-testid="profile-status" class="status" class:error=failed
                role=move || if failed() { "alert" } else { "status" }>{status_text}</p>
            <p><a href="/">{move || i18n.t().back_to_confab}</a></p>
        </div>
    }
}

/// Shows the outcome; on success refreshes the session so the token and the whole app carry
/// the new profile.
async fn finish(
    session: Session,
    status: RwSignal<Status>,
    result: Result<UserInfo, ApiError>,
    saved: Pick,
) {
    match result {
        Ok(_) => {
            // The server's answer is the new profile; the refresh makes the token match it.
            if let Err(error) = session.reload().await {
                status.set(Status::Failed(Said::new(move |t| {
                    (t.saved_but_stale)(&api_error(t, &error))
                })));
                return;
            }
            status.set(Status::Saved(saved));
        }
        Err(error) => status.set(Status::Failed(Said::api(error))),
    }
}
