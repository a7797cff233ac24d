//! Picture-in-picture of the active speaker (or the pinned tile): a small window that stays
//! on top while the person works in another tab or app, following whoever speaks. Document
//! Picture-in-Picture where the browser has it (Chromium: a window of our own), the browser's
//! `<video>` picture-in-picture otherwise (Firefox offers that from its own video controls,
//! Safari from the page too).

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlVideoElement, MediaStream};

use super::room_model::RoomModel;
use crate::i18n::I18n;

/// The window's size (16:9) when the browser lets the page choose it.
const WIDTH: u32 = 480;
const HEIGHT: u32 = 270;

fn get(target: &JsValue, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(target, &name.into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn call(target: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let method: js_sys::Function = get(target, name)
        .ok_or_else(|| JsValue::from_str(name))?
        .dyn_into()?;
    method.apply(target, &args.iter().collect::<js_sys::Array>())
}

/// Document Picture-in-Picture, where the browser has it.
fn document_pip() -> Option<JsValue> {
    get(&window(), "documentPictureInPicture")
}

/// Whether this browser can show a picture-in-picture window at all.
fn supported() -> bool {
    document_pip().is_some()
        || get(&document(), "pictureInPictureEnabled").is_some_and(|v| v.is_truthy())
}

/// The stream of the person to show: the pinned tile, else the active speaker.
fn featured_stream(model: RoomModel) -> Option<MediaStream> {
    let peer = model.pinned.get().or_else(|| model.speakers.active.get())?;
    let participant = model
        .participants
        .get()
        .into_iter()
        .find(|p| p.peer_id == peer)?;
    participant.stream.get()
}

/// The picture-in-picture button (`pip-button`, `aria-pressed`), where the browser can.
#[component]
pub(super) fn PipButton(model: RoomModel) -> impl IntoView {
    let i18n = I18n::get();
    let open = RwSignal::new(false);
    // The video in the small window, and that window (Document Picture-in-Picture only).
    let video = StoredValue::new_local(None::<HtmlVideoElement>);
    let pip_window = StoredValue::new_local(None::<JsValue>);
    Effect::new(move |_| {
        let stream = featured_stream(model);
        video.with_value(|v| {
            if let Some(v) = v {
                v.set_src_object(stream.as_ref());
            }
        });
    });
    let closed = move || {
        open.set(false);
        video.set_value(None);
        pip_window.set_value(None);
    };
    let start = move || {
        spawn_local(async move {
            match show(model, closed).await {
                Ok((shown, window)) => {
                    video.set_value(Some(shown));
                    pip_window.set_value(window);
                    open.set(true);
                }
                Err(error) => web_sys::console::warn_2(&"picture-in-picture failed".into(), &error),
            }
        })
    };
    let stop = move || {
        if let Some(window) = pip_window.get_value() {
            let _ = call(&window, "close", &[]);
        } else if get(&document(), "pictureInPictureElement").is_some() {
            let _ = call(&document(), "exitPictureInPicture", &[]);
        }
        closed();
    };
    on_cleanup(move || {
        if open.get_untracked() {
            stop();
        }
    });
    supported().then(|| {
        view! {
            <button type="button" data-testid="pip-button"
                aria-pressed=move || open.get().to_string()
                on:click=move |_| if open.get_untracked() { stop() } else { start() }>
                {move || i18n.t().picture_in_picture}
            </button>
        }
    })
}

/// Opens the small window on the featured stream; `on_close` runs when the person closes it.
async fn show(
    model: RoomModel,
    on_close: impl Fn() + 'static,
) -> Result<(HtmlVideoElement, Option<JsValue>), JsValue> {
    let stream = model_stream_untracked(model);
    let on_close = std::rc::Rc::new(on_close);
    if let Some(api) = document_pip() {
        let close = on_close.clone();
        match document_window(&api, stream.as_ref(), move || close()).await {
            Ok(shown) => return Ok(shown),
            // Refused (a browser policy, a headless browser): the video's own, below.
            Err(error) => web_sys::console::warn_2(&"document picture-in-picture".into(), &error),
        }
    }
    let video = new_video(&document(), stream.as_ref())?;
    JsFuture::from(video.play()?).await?;
    let on_leave = Closure::once_into_js(move || on_close());
    video.add_event_listener_with_callback("leavepictureinpicture", on_leave.unchecked_ref())?;
    let promise: js_sys::Promise = call(&video, "requestPictureInPicture", &[])?.dyn_into()?;
    JsFuture::from(promise).await?;
    Ok((video, None))
}

/// A Document Picture-in-Picture window of our own with the video in it.
async fn document_window(
    api: &JsValue,
    stream: Option<&MediaStream>,
    on_close: impl FnOnce() + 'static,
) -> Result<(HtmlVideoElement, Option<JsValue>), JsValue> {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"width".into(), &WIDTH.into())?;
    js_sys::Reflect::set(&options, &"height".into(), &HEIGHT.into())?;
    let promise: js_sys::Promise = call(api, "requestWindow", &[options.into()])?.dyn_into()?;
    // Unchecked: the window and what is made in it belong to another realm, whose objects are
    // not `instanceof` this page's classes.
    let pip: web_sys::Window = JsFuture::from(promise).await?.unchecked_into();
    let doc = pip.document().ok_or(JsValue::NULL)?;
    let video = new_video(&doc, stream)?;
    let body = doc.body().ok_or(JsValue::NULL)?;
    // Styles through the CSSOM: the window keeps the page's Content-Security-Policy, which
    // refuses style attributes.
    web_sys::HtmlElement::style(&body).set_css_text("margin:0;background:#000");
    body.append_child(&video)?;
    let on_pagehide = Closure::once_into_js(on_close);
    pip.add_event_listener_with_callback("pagehide", on_pagehide.unchecked_ref())?;
    Ok((video, Some(pip.into())))
}

fn model_stream_untracked(model: RoomModel) -> Option<MediaStream> {
    untrack(|| featured_stream(model))
}

/// A muted video (the sound already plays from the tile in the page) filling its window.
fn new_video(
    doc: &web_sys::Document,
    stream: Option<&MediaStream>,
) -> Result<HtmlVideoElement, JsValue> {
    let video: HtmlVideoElement = doc.create_element("video")?.unchecked_into();
    video.set_autoplay(true);
    video.set_muted(true);
    video.set_attribute("playsinline", "")?;
    video.set_attribute("data-testid", "pip-video")?;
    web_sys::HtmlElement::style(&video)
        .set_css_text("width:100%;height:100vh;object-fit:cover;display:block");
    video.set_src_object(stream);
    Ok(video)
}
