use confab_protocol::Member;
use leptos::prelude::*;
use web_sys::MediaStream;

use super::account::{AvatarImg, Initials};
use crate::account::avatar_src;
use crate::call::peer::ice_servers::RelayStatus;
use crate::call::peer::quality::QualityReport;
use crate::call::peer::restart::failure_text;

/// A remote participant: live video (and audio) with name and mute state; their picture (or
/// initials) while their camera is off. `connection` is the link's state
/// (`connecting|connected|reconnecting|failed`, empty before the first report = connecting);
/// while reconnecting the picture is dimmed under a "reconnecting…" label. `quality` (from
/// periodic stats; `None` before the first interval) sets `data-quality`/`data-relayed` and
/// the bars in the caption. A failed link says why over the picture (`relay`: what the
/// server's ICE answer said about its relay).
#[component]
pub fn VideoTile(
    member: Member,
    stream: Signal<Option<MediaStream>, LocalStorage>,
    muted: Signal<bool>,
    camera_off: Signal<bool>,
    connection: Signal<String>,
    quality: Signal<Option<QualityReport>>,
    relay: Signal<Option<RelayStatus>>,
) -> impl IntoView {
    let video = video_showing(stream);
    let avatar = avatar_src(member.avatar.as_deref());
    let name = member.name.clone();
    let failed_name = member.name.clone();
    let state = move || match connection.get() {
        state if state.is_empty() => "connecting".to_owned(),
        state => state,
    };
    let placeholder = move || {
        camera_off
            .get()
            .then(|| placeholder(avatar.clone(), &name, "tile-avatar"))
    };
    let guest = member.guest.then(|| {
        view! { <span class="tag guest" data-testid="guest-badge" title="Joined as a guest">"guest"</span> }
    });
    view! {
        <figure class="tile" data-testid="video-tile" data-peer-id=member.peer_id.0.clone() data-name=member.name.clone()
            class:camera-off=move || camera_off.get() data-connection=state
            data-quality=move || quality.with(|q| q.as_ref().map(|q| q.level.as_str()))
            data-relayed=move || quality.with(|q| q.as_ref().map(|q| q.relayed.to_string()))>
            <video node_ref=video autoplay playsinline></video>
            {placeholder}
            {move || (state() == "reconnecting").then(|| view! {
                <p class="tile-reconnecting" data-testid="tile-reconnecting" role="status">"reconnecting…"</p>
            })}
            {move || (state() == "failed").then(|| view! {
                <p class="tile-failed" data-testid="tile-failed" role="alert">{failure_text(&failed_name, relay.get())}</p>
            })}
            <figcaption>
                <span class="name">{member.name.clone()}</span>
                {guest}
                <QualityBars quality/>
                {move || muted.get().then(|| view! { <span class="badge" title="Microphone off">"mic off"</span> })}
                {move || {
                    let state = state();
                    matches!(state.as_str(), "connecting" | "failed")
                        .then(|| view! { <span class="badge state">{state}</span> })
                }}
            </figcaption>
        </figure>
    }
}

/// Three bars (good: 3, weak: 2, bad: 1) titled with the figures, and a "relayed" tag.
#[component]
fn QualityBars(quality: Signal<Option<QualityReport>>) -> impl IntoView {
    move || {
        quality.get().map(|q| {
            let label = q.label();
            let level = q.level.as_str();
            let relayed = q.relayed.then(|| {
                view! { <span class="tag relayed" title="Media goes through the TURN relay">"relayed"</span> }
            });
            view! {
                <span class="quality" data-testid="tile-quality" data-level=level title=label.clone()
                    role="img" aria-label=label>
                    <i></i><i></i><i></i>
                </span>
                {relayed}
            }
        })
    }
}

/// My own camera preview (muted so I do not hear myself); my picture while the camera is off.
#[component]
pub fn LocalTile(
    stream: Signal<Option<MediaStream>, LocalStorage>,
    name: Signal<String>,
    avatar: Signal<Option<String>>,
    camera_off: Signal<bool>,
) -> impl IntoView {
    let video = video_showing(stream);
    let placeholder = move || {
        camera_off
            .get()
            .then(|| placeholder(avatar.get(), &name.get(), "local-avatar"))
    };
    view! {
        <figure class="tile local" class:camera-off=move || camera_off.get()>
            <video data-testid="local-video" node_ref=video autoplay playsinline prop:muted=true></video>
            {placeholder}
            <figcaption><span class="name">{move || format!("{} (you)", name.get())}</span></figcaption>
        </figure>
    }
}

/// What a tile shows instead of video: the person's picture, or their initials.
fn placeholder(avatar: Option<String>, name: &str, testid: &'static str) -> AnyView {
    let inner = match avatar {
        Some(src) => view! { <AvatarImg src testid/> }.into_any(),
        None => view! { <Initials name=name.to_owned()/> }.into_any(),
    };
    view! { <div class="tile-placeholder">{inner}</div> }.into_any()
}

/// A `<video>` node reference that always shows the current `stream`.
fn video_showing(
    stream: Signal<Option<MediaStream>, LocalStorage>,
) -> NodeRef<leptos::html::Video> {
    let video = NodeRef::<leptos::html::Video>::new();
    Effect::new(move |_| {
        let stream = stream.get();
        if let Some(element) = video.get() {
            element.set_src_object(stream.as_ref());
        }
    });
    video
}
