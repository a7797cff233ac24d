use confab_protocol::Member;
use leptos::prelude::*;
use web_sys::MediaStream;

/// A remote participant: live video (and audio) with name and mute state.
#[component]
pub fn VideoTile(
    member: Member,
    stream: Signal<Option<MediaStream>, LocalStorage>,
    muted: Signal<bool>,
    camera_off: Signal<bool>,
    connection: Signal<String>,
) -> impl IntoView {
    let video = video_showing(stream);
    view! {
        <figure class="tile" data-testid="video-tile" data-peer-id=member.peer_id.0.clone() data-name=member.name.clone()
            class:camera-off=move || camera_off.get()>
            <video node_ref=video autoplay playsinline></video>
            <figcaption>
                <span class="name">{member.name.clone()}</span>
                {move || muted.get().then(|| view! { <span class="badge" title="Microphone off">"mic off"</span> })}
                {move || {
                    let state = connection.get();
                    (state != "connected" && !state.is_empty())
                        .then(|| view! { <span class="badge state">{state}</span> })
                }}
            </figcaption>
        </figure>
    }
}

/// My own camera preview (muted so I do not hear myself).
#[component]
pub fn LocalTile(
    stream: Signal<Option<MediaStream>, LocalStorage>,
    name: Signal<String>,
) -> impl IntoView {
    let video = video_showing(stream);
    view! {
        <figure class="tile local">
            <video data-testid="local-video" node_ref=video autoplay playsinline prop:muted=true></video>
            <figcaption><span class="name">{move || format!("{} (you)", name.get())}</span></figcaption>
        </figure>
    }
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
