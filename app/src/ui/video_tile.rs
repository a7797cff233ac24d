use confab_protocol::PeerId;
use leptos::prelude::*;
use web_sys::MediaStream;

use super::account::{AvatarImg, Initials};
use super::participants::Participant;
use super::reactions::{ReactionBadge, Shown};
use super::room_media::Devices;
use crate::account::avatar_src;
use crate::call::peer::ice_servers::RelayStatus;
use crate::call::peer::quality::QualityReport;
use crate::call::peer::restart::{failure_text, TileState};
use crate::i18n::I18n;
use crate::media::devices::play_on;

/// A remote participant: live video (and audio) with name and mute state; their picture (or
/// initials) while their camera is off. The link's state shows as `data-connection`
/// (`connecting|connected|reconnecting|failed`); while reconnecting the picture is dimmed under
/// a "reconnecting…" label. Quality (from periodic stats; none before the first interval) sets
/// `data-quality`/`data-relayed` and the bars in the caption. A failed link says why over the
/// picture (`relay`: what the server's ICE answer said about its relay). The tile's label
/// (for screen readers) says the name and whether their microphone and camera are off.
#[component]
pub fn VideoTile(
    participant: Participant,
    relay: Signal<Option<RelayStatus>>,
    hands: Signal<Vec<PeerId>>,
    /// The tile shown large (speaker view), if any.
    spotlight: Signal<Option<PeerId>>,
    pinned: RwSignal<Option<PeerId>>,
) -> impl IntoView {
    let i18n = I18n::get();
    let Participant {
        peer_id,
        member,
        media,
        stream,
        link,
        quality,
        speaking,
        reaction,
        camera_shown,
        ..
    } = participant;
    let video = video_showing(stream.into());
    play_on_chosen_speaker(video);
    let name = move || member.with(|m| m.name.clone());
    let avatar = move || member.with(|m| avatar_src(m.avatar.as_deref()));
    let camera_off = move || !media.with(|m| m.video);
    let muted = move || !media.with(|m| m.audio);
    // A camera not pulled (last-N on the SFU) shows the person as a camera that is off does.
    let hidden = move || !camera_off() && !camera_shown.get();
    let placeholder =
        move || (camera_off() || hidden()).then(|| placeholder(avatar(), &name(), "tile-avatar"));
    let guest = move || {
        member.with(|m| m.guest).then(|| {
            view! {
                <span class="tag guest" data-testid="guest-badge" title=move || i18n.t().joined_as_guest>
                    {move || i18n.t().guest}
                </span>
            }
        })
    };
    let quality = Signal::from(quality);
    let me = peer_id.clone();
    let hand = Signal::derive(move || hands.with(|h| place_in(h, &me)));
    let me = peer_id.clone();
    let featured = move || spotlight.with(|s| s.as_ref() == Some(&me));
    let pin = view! { <PinButton peer=peer_id.clone() name=Signal::derive(name) pinned/> };
    view! {
        <figure class="tile" data-testid="video-tile" data-kind="camera" data-peer-id=peer_id.0.clone() data-name=name
            class:featured=featured data-speaking=move || speaking.get().to_string()
            data-pinned=move || pinned.with(|p| p.as_ref() == Some(&peer_id)).to_string()
            aria-label=move || (i18n.t().tile_label)(&name(), muted(), camera_off())
            data-hand=move || hand.get().map(|n| n.to_string())
            class:camera-off=camera_off class:camera-hidden=hidden
            data-camera-shown=move || camera_shown.get().to_string() data-connection=move || link.get().as_str()
            data-quality=move || quality.with(|q| q.as_ref().map(|q| q.level.as_str()))
            data-relayed=move || quality.with(|q| q.as_ref().map(|q| q.relayed.to_string()))>
            <video node_ref=video autoplay playsinline></video>
            {placeholder}
            {pin}
            <ReactionBadge shown=reaction/>
            {move || (link.get() == TileState::Reconnecting).then(|| view! {
                <p class="tile-reconnecting" data-testid="tile-reconnecting" role="status">{move || i18n.t().tile_reconnecting}</p>
            })}
            {move || (link.get() == TileState::Failed).then(|| view! {
                <p class="tile-failed" data-testid="tile-failed" role="alert">{move || failure_text(i18n.t(), &name(), relay.get())}</p>
            })}
            <figcaption>
                <span class="name" dir="auto">{name}</span>
                <HandBadge hand/>
                {guest}
                <QualityBars quality/>
                {move || muted().then(|| view! {
                    <span class="badge" title=move || i18n.t().microphone_off>{move || i18n.t().mic_off}</span>
                })}
                {move || {
                    let words = match link.get() {
                        TileState::Connecting => i18n.t().link_connecting,
                        TileState::Failed => i18n.t().link_failed,
                        TileState::Connected | TileState::Reconnecting => return None,
                    };
                    Some(view! { <span class="badge state">{words}</span> })
                }}
            </figcaption>
        </figure>
    }
}

/// Pins a tile large (speaker view) or unpins it; one tile at a time.
#[component]
fn PinButton(
    peer: PeerId,
    name: Signal<String>,
    pinned: RwSignal<Option<PeerId>>,
) -> impl IntoView {
    let i18n = I18n::get();
    let peer = StoredValue::new(peer);
    let on = move || pinned.with(|p| peer.with_value(|me| p.as_ref() == Some(me)));
    let label = move || (if on() { i18n.t().unpin } else { i18n.t().pin })(&name.get());
    view! {
        <button type="button" class="tile-button pin" data-testid="pin-button"
            aria-pressed=move || on().to_string() aria-label=label title=label
            on:click=move |_| pinned.set((!on()).then(|| peer.get_value()))>"📌"</button>
    }
}

/// A tile's place in the queue of raised hands (from 1), if its hand is up.
pub fn place_in(queue: &[PeerId], peer: &PeerId) -> Option<usize> {
    queue.iter().position(|p| p == peer).map(|i| i + 1)
}

/// ✋ and the place in the queue, while the hand is up.
#[component]
fn HandBadge(hand: Signal<Option<usize>>) -> impl IntoView {
    let i18n = I18n::get();
    move || {
        hand.get().map(|n| {
            view! {
                <span class="badge hand" data-testid="hand-badge" role="img"
                    aria-label=move || (i18n.t().hand_number)(n)>{format!("✋ {n}")}</span>
            }
        })
    }
}

/// Three bars (good: 3, weak: 2, bad: 1) titled with the figures, and a "relayed" tag.
#[component]
fn QualityBars(quality: Signal<Option<QualityReport>>) -> impl IntoView {
    let i18n = I18n::get();
    move || {
        quality.get().map(|q| {
            let label = q.label(i18n.t());
            let level = q.level.as_str();
            let relayed = q.relayed.then(|| {
                view! {
                    <span class="tag relayed" title=move || i18n.t().relayed_hint>{move || i18n.t().relayed}</span>
                }
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
/// Labelled, like the others' tiles, with the name and what is off.
#[component]
pub fn LocalTile(
    stream: Signal<Option<MediaStream>, LocalStorage>,
    name: Signal<String>,
    avatar: Signal<Option<String>>,
    mic_off: Signal<bool>,
    camera_off: Signal<bool>,
    hand: Signal<Option<usize>>,
    /// My peer id once in the room (for pinning), whether I am speaking, and the tile shown
    /// large; `small`: shrunk to a corner of the stage.
    me: Signal<Option<PeerId>>,
    speaking: Signal<bool>,
    spotlight: Signal<Option<PeerId>>,
    pinned: RwSignal<Option<PeerId>>,
    small: RwSignal<bool>,
    reaction: RwSignal<Option<Shown>>,
) -> impl IntoView {
    let i18n = I18n::get();
    let video = video_showing(stream);
    let placeholder = move || {
        camera_off
            .get()
            .then(|| placeholder(avatar.get(), &name.get(), "local-avatar"))
    };
    let shown_name = move || format!("{}{}", name.get(), i18n.t().you_suffix);
    let label = move || (i18n.t().tile_label)(&shown_name(), mic_off.get(), camera_off.get());
    let featured = move || me.with(|me| me.is_some() && spotlight.with(|s| s == me));
    let is_pinned = move || me.with(|me| me.is_some() && pinned.with(|p| p == me));
    let pin = move || {
        me.get()
            .map(|peer| view! { <PinButton peer name=Signal::derive(shown_name) pinned/> })
    };
    view! {
        <figure class="tile local" data-testid="local-tile" class:camera-off=move || camera_off.get() aria-label=label
            data-hand=move || hand.get().map(|n| n.to_string())
            class:featured=featured class:corner=move || small.get() && !featured()
            data-speaking=move || speaking.get().to_string() data-pinned=move || is_pinned().to_string()>
            <video data-testid="local-video" node_ref=video autoplay playsinline prop:muted=true></video>
            {placeholder}
            {pin}
            <ReactionBadge shown=reaction/>
            <button type="button" class="tile-button shrink" data-testid="self-view-button"
                aria-pressed=move || small.get().to_string() aria-label=move || i18n.t().shrink_self
                title=move || i18n.t().shrink_self on:click=move |_| small.update(|s| *s = !*s)>"↘"</button>
            <figcaption><span class="name" dir="auto">{shown_name}</span><HandBadge hand/></figcaption>
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

/// Plays the tile's sound on the speaker chosen on the room page (where the browser lets a page
/// choose; see [`Devices`]).
pub(super) fn play_on_chosen_speaker(video: NodeRef<leptos::html::Video>) {
    let Some(devices) = use_context::<Devices>() else {
        return;
    };
    Effect::new(move |_| {
        let speaker = devices.choices.with(|c| c.speaker.clone());
        if let (Some(id), Some(element)) = (speaker, video.get()) {
            play_on(&element, &id);
        }
    });
}

/// A `<video>` node reference that always shows the current `stream`.
pub(super) fn video_showing(
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
