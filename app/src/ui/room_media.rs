//! The room page's own camera and microphone: opened on arrival for the pre-join preview (with
//! the devices remembered in this browser), switched from the pickers, and handed to the call
//! on joining. Also what can be fetched before the click on Join (the call token and the ICE
//! servers), so joining only has to connect.

use confab_protocol::{IceResponse, RoomName};
use futures::future::{FutureExt, LocalBoxFuture, Shared};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{MediaStream, MediaStreamTrack};

use super::room_ahead::Ahead;
use super::room_model::{Phase, RoomModel};
use crate::api::{self, ApiError};
use crate::i18n::Said;
use crate::media::devices::{self, Device};
use crate::media::{self, DeviceError, Kind};

/// Camera and microphone opening (or opened): everyone who needs them awaits the same one.
pub(super) type Opening = Shared<LocalBoxFuture<'static, ()>>;

/// A call token and the ICE servers it fetched, ready before the click on Join.
#[derive(Clone)]
pub(super) struct Prepared {
    token: String,
    ice: IceResponse,
}

/// The state of this browser's devices on the room page.
#[derive(Clone, Copy)]
pub(super) struct Devices {
    /// What the browser lists (no entries before access was allowed).
    pub(super) list: RwSignal<Vec<Device>>,
    pub(super) choices: RwSignal<media::Choices>,
    /// Why camera or microphone could not be opened, for the how-to-fix help.
    pub(super) problem: RwSignal<Option<DeviceError>>,
    pub(super) opening: StoredValue<Option<Opening>, LocalStorage>,
    /// Counts the times the page let go of its devices: an opening that finishes after one
    /// belongs to nobody and closes what it opened.
    pub(super) epoch: StoredValue<u32>,
    pub(super) prepared: StoredValue<Option<Prepared>>,
    /// The room socket opened ahead of the click, once the token is ready.
    pub(super) ahead: StoredValue<Option<Ahead>, LocalStorage>,
    /// Camera and microphone are open (or known missing) and the token and ICE servers are
    /// fetched for the name on the form: a click on Join only connects.
    pub(super) ready: RwSignal<bool>,
}

impl Devices {
    pub(super) fn new() -> Devices {
        Devices {
            list: RwSignal::new(Vec::new()),
            choices: RwSignal::new(media::Choices::load()),
            problem: RwSignal::new(None),
            opening: StoredValue::new_local(None),
            epoch: StoredValue::new(0),
            prepared: StoredValue::new(None),
            ahead: StoredValue::new_local(None),
            ready: RwSignal::new(false),
        }
    }

    pub(super) fn of_untracked(self, kind: Kind) -> Vec<Device> {
        self.list
            .with_untracked(|l| l.iter().filter(|d| d.kind == kind).cloned().collect())
    }

    /// The devices of `kind` the browser lists (tracked).
    pub(super) fn of(self, kind: Kind) -> Vec<Device> {
        self.list
            .with(|l| l.iter().filter(|d| d.kind == kind).cloned().collect())
    }

    /// Keeps the lists current while the page is up: a device plugged in appears, one
    /// unplugged goes; before joining with nothing open (none was there), a new one is opened.
    pub(super) fn watch(self, model: RoomModel) {
        let Some(media_devices) =
            web_sys::window().and_then(|w| w.navigator().media_devices().ok())
        else {
            return;
        };
        let on_change = Closure::<dyn Fn()>::new(move || {
            spawn_local(async move {
                self.refresh().await;
                let idle = model.local.try_with_untracked(Option::is_none) == Some(true)
                    && model.phase.try_with_untracked(|p| *p == Phase::Lobby) == Some(true);
                if idle {
                    self.opening.set_value(None);
                    model.open_media().await;
                }
            })
        });
        let _ = media_devices
            .add_event_listener_with_callback("devicechange", on_change.as_ref().unchecked_ref());
        let on_change = StoredValue::new_local(Some(on_change));
        on_cleanup(move || {
            if let Some(on_change) = on_change.try_update_value(Option::take).flatten() {
                let _ = media_devices.remove_event_listener_with_callback(
                    "devicechange",
                    on_change.as_ref().unchecked_ref(),
                );
            }
        });
    }

    pub(super) async fn refresh(self) {
        let list = devices::list().await;
        let _ = self.list.try_set(list);
    }
}

impl RoomModel {
    /// Opens camera and microphone once (the preview's, later the call's); later calls wait
    /// for the same opening.
    pub(super) fn open_media(self) -> Opening {
        if let Some(opening) = self.devices.opening.get_value() {
            return opening;
        }
        let epoch = self.devices.epoch.get_value();
        let opening = async move {
            let choices = self.devices.choices.get_untracked();
            let media = media::acquire(&choices).await;
            let still_wanted = self.devices.epoch.try_get_value() == Some(epoch);
            if !still_wanted || self.local.try_set(media.stream.clone()).is_some() {
                if let Some(stream) = &media.stream {
                    media::stop_all(stream);
                }
                return;
            }
            if let Some(stream) = &media.stream {
                for track in stream.get_tracks().iter() {
                    self.on_unplugged(&track.unchecked_into());
                }
            }
            self.media_notice.set(media.notice);
            self.devices.problem.set(media.problem);
            self.devices.refresh().await;
        }
        .boxed_local()
        .shared();
        self.devices.opening.set_value(Some(opening.clone()));
        spawn_local(opening.clone());
        opening
    }

    /// Lets go of camera and microphone (leaving, or the page going).
    pub(super) fn close_media(self) {
        self.devices.epoch.update_value(|e| *e += 1);
        self.devices.opening.set_value(None);
        self.devices.ready.set(false);
        if let Some(local) = self.local.get_untracked() {
            media::stop_all(&local);
        }
        self.local.set(None);
    }

    /// Switches to the device `id` of `kind`, remembers it, and (in a call) sends it instead
    /// of the old one. A camera or microphone that will not open leaves the old one in place
    /// and says why.
    pub(super) fn choose_device(self, kind: Kind, id: String) {
        self.devices.choices.update(|c| c.choose(kind, id.clone()));
        if kind == Kind::Speaker {
            return;
        }
        spawn_local(async move {
            let Some(stream) = self.local.get_untracked() else {
                // Nothing open yet (denied or no device before): try again with this one.
                self.devices.opening.set_value(None);
                self.open_media().await;
                return;
            };
            if let Err(error) = self.switch_to(&stream, kind, &id).await {
                let why = error.clone();
                self.devices.problem.set(Some(error));
                self.notice.set(Some(Said::new(move |t| {
                    (t.device_not_switched)(why.words(t))
                })));
            }
            self.devices.refresh().await;
        });
    }

    /// Puts the device `id` of `kind` in `stream` and sends it to everyone in the call.
    async fn switch_to(
        self,
        stream: &MediaStream,
        kind: Kind,
        id: &str,
    ) -> Result<(), DeviceError> {
        let track = media::switch(stream, kind, id).await?;
        self.on_unplugged(&track);
        self.call.with_value(|call| {
            if let Some(call) = call {
                call.replace_track(&track);
            }
        });
        self.devices.problem.set(None);
        // The same stream with a new track: the preview and the meter start over.
        self.local.update(|_| {});
        Ok(())
    }

    /// When `track`'s device goes (unplugged, or taken by the system), switches to another of
    /// its kind and says so. The choice remembered stays: that device may come back.
    fn on_unplugged(self, track: &MediaStreamTrack) {
        let kind = if track.kind() == "video" {
            Kind::Camera
        } else {
            Kind::Mic
        };
        let lost = track.get_settings().get_device_id();
        let on_ended = Closure::once_into_js(move || {
            spawn_local(async move {
                let Some(Some(stream)) = self.local.try_get_untracked() else {
                    return;
                };
                self.devices.refresh().await;
                let next = self
                    .devices
                    .of_untracked(kind)
                    .into_iter()
                    .find(|d| Some(&d.id) != lost.as_ref());
                let said = match next {
                    Some(device) => match self.switch_to(&stream, kind, &device.id).await {
                        Ok(()) => {
                            let name = device.label;
                            Said::new(move |t| (t.device_lost)(kind.word(t), &name))
                        }
                        Err(error) => Said::new(move |t| (t.device_not_switched)(error.words(t))),
                    },
                    None => Said::new(move |t| (t.device_lost_none)(kind.word(t))),
                };
                self.notice.set(Some(said));
            })
        });
        track.set_onended(Some(on_ended.unchecked_ref()));
    }

    /// The call token for `name` and the ICE servers, fetched now (before the click), and
    /// the room socket opened ahead with it, so joining only has to say so; reused by
    /// [`RoomModel::call_auth`] and [`RoomModel::take_ahead`].
    pub(super) fn prepare(self, room: RoomName, name: String) {
        spawn_local(async move {
            if let Ok((token, ice)) = self.call_auth(&name).await {
                // Not once Join was clicked meanwhile: that call connects by itself.
                if self.phase.get_untracked() == Phase::Lobby
                    && self.call.with_value(Option::is_none)
                {
                    self.open_ahead(&room, &token, &ice);
                }
                self.open_media().await;
                self.offer_ahead();
                let _ = self.devices.ready.try_set(true);
            }
        });
    }

    /// A call token for `name` and ICE servers: the prepared ones when still good, else
    /// fetched (with one new token if the first is refused).
    pub(super) async fn call_auth(self, name: &str) -> Result<(String, IceResponse), ApiError> {
        let session = self.session;
        let token = session.join_token(name).await?.access_token;
        let prepared = self.devices.prepared.try_with_value(|p| {
            p.as_ref()
                .filter(|p| p.token == token)
                .map(|p| p.ice.clone())
        });
        if let Some(Some(ice)) = prepared {
            return Ok((token, ice));
        }
        let (token, ice) = crate::session::retry_once_on_401(
            token,
            |token| async move { api::ice_servers(&token).await },
            || async {
                let fresh = session.fresh_join_token(name).await?;
                Ok(fresh.access_token)
            },
        )
        .await?;
        let _ = self.devices.prepared.try_set_value(Some(Prepared {
            token: token.clone(),
            ice: ice.clone(),
        }));
        Ok((token, ice))
    }
}
