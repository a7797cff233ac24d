//! The room page's state: signals fed by the call engine's [`CallEvent`]s, each event changing
//! one thing in one place, and the intents (join, leave, announce media) the page sends back.

use std::rc::Rc;

use confab_protocol::{
    ClientFrame, DisplayName, MediaState, Member, PeerId, Role, RoomAccess, RoomName, ServerFrame,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::MediaStream;

use super::announcer::{Announcer, News};
use super::chat_model::ChatModel;
use super::lobby_requests::WaitingList;
use super::participants::Participants;
use super::reactions::{self, Shown};
use super::room_media::Devices;
use super::session::Session;
use super::speakers::Speakers;
use crate::call::peer::ice_servers::RelayStatus;
use crate::call::status::reconnecting_notice;
use crate::call::{Call, CallEvent, Ending, JoinParams};
use crate::i18n::{api_error, Said};
use crate::{media, storage};

#[derive(Clone, PartialEq)]
pub(super) enum Phase {
    Lobby,
    Joining,
    InCall,
    /// Held in the lobby of this room (its name) until a host lets me in.
    Waiting(String),
    Ended(Said),
    /// A guest refused by a room for signed-in people.
    SignInRequired,
}

/// Everything the room page shows, as signals fed by [`CallEvent`]s.
#[derive(Clone, Copy)]
pub(super) struct RoomModel {
    pub(super) phase: RwSignal<Phase>,
    pub(super) me: RwSignal<Option<Member>>,
    /// Who may come in (locked, capacity) and whose chat history people see, as the room last
    /// said.
    pub(super) access: RwSignal<RoomAccess>,
    /// The most people a room may hold on this deployment, as the welcome said.
    pub(super) room_limit: RwSignal<u32>,
    /// On the SFU, the cameras this page pulls at once besides a pinned one, as the welcome
    /// said.
    pub(super) last_n: RwSignal<u32>,
    /// Everyone else in the call, one record each.
    pub(super) participants: Participants,
    /// Who waits in the room's lobby (told to hosts and co-hosts).
    pub(super) lobby: WaitingList,
    pub(super) local: RwSignal<Option<MediaStream>, LocalStorage>,
    /// My shared screen, while I share.
    pub(super) screen: RwSignal<Option<MediaStream>, LocalStorage>,
    pub(super) media_notice: RwSignal<Option<Said>>,
    pub(super) notice: RwSignal<Option<Said>>,
    pub(super) mic_on: RwSignal<bool>,
    /// When my hand went up (the room's clock, as the room echoed it); `None`: down.
    pub(super) my_hand: RwSignal<Option<i64>>,
    /// My reaction while it shows on my tile.
    pub(super) my_reaction: RwSignal<Option<Shown>>,
    pub(super) cam_on: RwSignal<bool>,
    /// Why the room socket is down while it reconnects (`None`: connected).
    pub(super) reconnecting: RwSignal<Option<Said>>,
    /// What the server's ICE answer says about the relay (`None` until the call starts).
    pub(super) relay: RwSignal<Option<RelayStatus>>,
    pub(super) chat: ChatModel,
    /// What a screen reader hears about the call.
    pub(super) announcer: Announcer,
    /// Cameras, microphones, speakers: lists, choices, and what is ready before joining.
    pub(super) devices: Devices,
    /// Who is speaking, the active speaker, and my hand lowered when I talk.
    pub(super) speakers: Speakers,
    /// How the tiles are laid out (chosen by the person), and whose tile is pinned large.
    pub(super) layout: RwSignal<Layout>,
    pub(super) pinned: RwSignal<Option<PeerId>>,
    /// My own preview shrunk to a corner of the stage.
    pub(super) self_small: RwSignal<bool>,
    /// The participants panel is open.
    pub(super) people_open: RwSignal<bool>,
    pub(super) call: StoredValue<Option<Call>, LocalStorage>,
    pub(super) session: Session,
}

/// The tiles on the stage: all the same size, or one large (the active speaker or a pinned
/// tile) above a strip of the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Layout {
    Grid,
    Speaker,
}

impl RoomModel {
    pub(super) fn new() -> Self {
        let call = StoredValue::new_local(None::<Call>);
        let send = Callback::new(move |frames: Vec<ClientFrame>| {
            call.with_value(|call| {
                if let Some(call) = call {
                    for frame in &frames {
                        call.send(frame);
                    }
                }
            })
        });
        RoomModel {
            phase: RwSignal::new(Phase::Lobby),
            me: RwSignal::new(None),
            access: RwSignal::new(RoomAccess::default()),
            room_limit: RwSignal::new(confab_protocol::limits::ROOM_CAPACITY as u32),
            last_n: RwSignal::new(confab_protocol::limits::LAST_N),
            participants: Participants::new(),
            lobby: WaitingList::new(),
            local: RwSignal::new_local(None),
            screen: RwSignal::new_local(None),
            media_notice: RwSignal::new(None),
            notice: RwSignal::new(None),
            mic_on: RwSignal::new(true),
            my_hand: RwSignal::new(None),
            my_reaction: RwSignal::new(None),
            cam_on: RwSignal::new(true),
            reconnecting: RwSignal::new(None),
            relay: RwSignal::new(None),
            chat: ChatModel::new(send),
            announcer: Announcer::new(),
            devices: Devices::new(),
            speakers: Speakers::new(),
            layout: RwSignal::new(Layout::Grid),
            pinned: RwSignal::new(None),
            self_small: RwSignal::new(false),
            people_open: RwSignal::new(false),
            call,
            session: Session::get(),
        }
    }

    fn on_event(self, event: CallEvent) {
        match event {
            CallEvent::Joined {
                me,
                peers,
                history,
                access,
                room_limit,
                last_n,
            } => {
                let user_id = me.user_id.clone();
                self.chat.know_members(std::iter::once(&me).chain(&peers));
                self.my_hand.set(me.hand);
                self.me.set(Some(me));
                self.access.set(access);
                self.room_limit.set(room_limit);
                self.last_n.set(last_n);
                self.participants.welcome(peers);
                self.announce_welcome();
                self.reconnecting.set(None);
                self.phase.set(Phase::InCall);
                self.speakers.start(self);
                self.announce_media();
                self.chat.act(|s| s.on_welcome(&user_id, history));
            }
            CallEvent::Reconnecting { attempt, delay_ms } => {
                if self.reconnecting.get_untracked().is_none() {
                    self.announcer.say(News::Reconnecting);
                }
                self.participants.clear();
                self.chat.act(|s| {
                    s.on_disconnect();
                    Vec::new()
                });
                self.reconnecting.set(Some(Said::new(move |t| {
                    reconnecting_notice(t, attempt, delay_ms)
                })));
            }
            CallEvent::Chat(frame) => {
                self.hear_message(&frame);
                self.chat.act(|s| s.on_frame(frame))
            }
            CallEvent::Lobby { room } => self.wait_in_lobby(room),
            CallEvent::Waiting(waiting) => self.waiting_changed(waiting),
            CallEvent::Trusted(peer, trusted) => self.trusted(&peer, trusted),
            CallEvent::PeerJoined(member) => {
                self.chat.know_members([&member]);
                if self.participants.name_of(&member.peer_id).is_none() {
                    self.announcer.say(News::Joined(member.name.clone()));
                }
                self.participants.joined(member);
            }
            CallEvent::PeerLeft(peer) => {
                if let Some(name) = self.participants.name_of(&peer) {
                    self.announcer.say(News::Left(name));
                }
                if self.pinned.with_untracked(|p| p.as_ref() == Some(&peer)) {
                    self.pinned.set(None);
                }
                self.participants.left(&peer)
            }
            CallEvent::RemoteStream(peer, stream) => self
                .participants
                .update(&peer, |p| p.stream.set(Some(stream))),
            CallEvent::RemoteScreen(peer, stream) => self
                .participants
                .update(&peer, |p| p.screen.set(Some(stream))),
            CallEvent::PeerMedia(peer, media) => self.participants.update(&peer, |p| {
                let announced = p.media_announced.get_value();
                p.media_announced.set_value(true);
                if announced && p.media.with_untracked(|m| m.audio) != media.audio {
                    let name = p.member.with_untracked(|m| m.name.clone());
                    self.announcer.say(News::Mic {
                        name,
                        on: media.audio,
                    });
                }
                p.media.set(media)
            }),
            CallEvent::Reaction(peer, reaction) => {
                if self.is_me(&peer) {
                    reactions::show(self.my_reaction, reaction);
                } else {
                    self.participants
                        .update(&peer, |p| reactions::show(p.reaction, reaction));
                }
            }
            CallEvent::Role(peer, role) => {
                if self.is_me(&peer) {
                    self.me.update(|me| {
                        if let Some(me) = me {
                            me.role = role;
                        }
                    });
                    if !role.moderates() {
                        self.lobby.clear();
                    }
                } else {
                    self.participants
                        .update(&peer, |p| p.member.update(|m| m.role = role));
                }
            }
            CallEvent::Muted(by) => {
                // As if I had pressed the mic button: the room and the others hear of it, and
                // I can turn it on again myself.
                if self.mic_on.get_untracked() {
                    self.mic_on.set(false);
                    self.announce_media();
                }
                let name = self.participants.name_of(&by);
                self.announcer.say(News::MutedBy(name.clone()));
                self.notice
                    .set(Some(Said::new(move |t| (t.muted_by)(name.as_deref()))));
            }
            CallEvent::Access(access) => {
                let was = self.access.get_untracked();
                if was.locked != access.locked {
                    self.announcer.say(News::Locked(access.locked));
                }
                if was.lobby != access.lobby {
                    self.announcer.say(News::Lobby(access.lobby));
                }
                if was.history != access.history {
                    self.announcer.say(News::History(access.history));
                }
                self.access.set(access);
            }
            CallEvent::Hand(peer, raised_at) => {
                if self.is_me(&peer) {
                    self.my_hand.set(raised_at);
                    return;
                }
                self.participants.update(&peer, |p| {
                    if raised_at.is_some() && p.hand.get_untracked().is_none() {
                        let name = p.member.with_untracked(|m| m.name.clone());
                        self.announcer.say(News::Hand(name));
                    }
                    p.hand.set(raised_at)
                })
            }
            CallEvent::PeerLink(peer, link) => {
                self.participants.update(&peer, |p| p.link.set(link))
            }
            CallEvent::PeerQuality(peer, quality) => self
                .participants
                .update(&peer, |p| p.quality.set(Some(quality))),
            CallEvent::Relay(relay) => self.relay.set(Some(relay)),
            CallEvent::Notice(message) => self.notice.set(Some(message)),
            CallEvent::Ended(ending) => {
                // Refused before ever getting in, as a guest: the room is for signed-in people
                // (in case the explanation frame did not arrive before the close). Removed or
                // locked out are endings of their own, with their own words and no retry.
                let turned_away = ending == Ending::Refused
                    && self.me.with_untracked(Option::is_none)
                    && !self.session.signed_in();
                self.end_call();
                self.phase.set(if turned_away {
                    Phase::SignInRequired
                } else {
                    Phase::Ended(Said::new(move |t| ending.message(t)))
                });
            }
            CallEvent::SignInRequired => {
                self.end_call();
                self.phase.set(Phase::SignInRequired);
            }
        }
    }

    /// Sends `frame` to the room, if connected. Hosts' and co-hosts' controls only ask: the
    /// room checks, and its frames change what shows.
    pub(super) fn send(self, frame: ClientFrame) {
        self.call.with_value(|call| {
            if let Some(call) = call {
                call.send(&frame);
            }
        });
    }

    /// Raises or lowers my hand; the room's echo sets [`RoomModel::my_hand`].
    pub(super) fn raise_hand(self, raised: bool) {
        self.send(ClientFrame::Hand { raised });
    }

    /// Asks the room to give `peer` a role (the host's controls).
    pub(super) fn set_role(self, peer_id: PeerId, role: Role) {
        self.send(ClientFrame::SetRole { peer_id, role });
    }

    /// Whether `peer` is this place of mine (untracked).
    fn is_me(self, peer: &PeerId) -> bool {
        self.me
            .with_untracked(|me| me.as_ref().is_some_and(|me| &me.peer_id == peer))
    }

    /// Raised hands in the order they go, mine included (tracked).
    pub(super) fn hand_queue(self) -> Vec<PeerId> {
        let me = self.me.with(|me| me.as_ref().map(|me| me.peer_id.clone()));
        let mine = me.zip(self.my_hand.get());
        self.participants.hand_queue(mine)
    }

    /// A new message from someone else is heard (mine and history are not).
    fn hear_message(self, frame: &ServerFrame) {
        let ServerFrame::Chat { message } = frame else {
            return;
        };
        let mine = self
            .me
            .with_untracked(|me| me.as_ref().is_some_and(|me| me.user_id == message.user_id));
        if !mine {
            self.announcer.say(News::Message {
                author: message.name.clone(),
                text: message.text.clone(),
            });
        }
    }

    /// What I am sending, after a toggle or on joining.
    pub(super) fn announce_media(self) {
        let local = self.local.get_untracked();
        let sends = |kind: &str| {
            local
                .as_ref()
                .is_some_and(|s| !media::tracks_of_kind(s, kind).is_empty())
        };
        let audio = self.mic_on.get_untracked() && sends("audio");
        let video = self.cam_on.get_untracked() && sends("video");
        if let Some(local) = &local {
            media::set_enabled(local, "audio", audio);
            media::set_enabled(local, "video", video);
        }
        self.call.with_value(|call| {
            if let Some(call) = call {
                call.announce_media(MediaState {
                    audio,
                    video,
                    screen: self.screen.with_untracked(Option::is_some),
                });
            }
        });
    }

    pub(super) fn end_call(self) {
        if let Some(screen) = self.screen.get_untracked() {
            media::stop_all(&screen);
            self.screen.set(None);
        }
        self.call.update_value(|call| {
            if let Some(call) = call.take() {
                call.leave();
            }
        });
        self.speakers.stop();
        self.pinned.set(None);
        self.close_media();
        // A socket and peer connection opened ahead that no call took.
        self.devices.ahead.set_value(None);
        self.me.set(None);
        self.access.set(RoomAccess::default());
        self.my_hand.set(None);
        self.participants.clear();
        self.lobby.clear();
        self.reconnecting.set(None);
        self.chat.act(|s| {
            s.on_disconnect();
            Vec::new()
        });
    }

    /// Whether one tile is shown large: speaker view chosen, or a tile pinned.
    pub(super) fn speaker_view(self) -> bool {
        self.layout.get() == Layout::Speaker || self.pinned.with(Option::is_some)
    }

    /// The tile shown large in speaker view: the pinned one, else the active speaker, else
    /// mine (alone in the room).
    pub(super) fn featured(self) -> Option<PeerId> {
        self.pinned
            .get()
            .or_else(|| self.speakers.active.get())
            .or_else(|| self.me.with(|m| m.as_ref().map(|m| m.peer_id.clone())))
    }

    /// The user's own Leave.
    pub(super) fn leave(self) {
        self.end_call();
        self.phase
            .set(Phase::Ended(Said::new(|t| Ending::Left.message(t))));
    }

    pub(super) fn join(self, room: RoomName, name: DisplayName) {
        if matches!(
            self.phase.get_untracked(),
            Phase::Joining | Phase::InCall | Phase::Waiting(_)
        ) {
            return;
        }
        storage::save_name(name.as_str());
        self.notice.set(None);
        // Prepared on the pre-join page: the socket opens first and the page changes while it
        // does (the change takes the main thread for a few ms). Otherwise say so at once.
        if !self.devices.ready.get_untracked() {
            self.phase.set(Phase::Joining);
        }
        spawn_local(async move {
            // Usually all ready from the pre-join page: then this only waits for nothing.
            let (_, auth) = futures::join!(self.open_media(), self.call_auth(name.as_str()));
            let (token, ice) = match auth {
                Ok(ok) => ok,
                Err(error) => {
                    self.close_media();
                    self.devices.ahead.set_value(None);
                    self.phase.set(Phase::Ended(Said::new(move |t| {
                        (t.could_not_join)(&api_error(t, &error))
                    })));
                    return;
                }
            };
            let local = self.local.get_untracked();
            let (ahead, spare, spare_offer) = self.take_ahead(&token);
            let params = JoinParams {
                room: room.as_str().to_owned(),
                name: name.as_str().to_owned(),
                token,
                ice,
                local,
                ahead,
                spare,
                spare_offer,
            };
            match Call::start(params, Rc::new(move |event| self.on_event(event))) {
                Ok(call) => {
                    self.call.set_value(Some(call));
                    if self.phase.get_untracked() != Phase::InCall {
                        self.phase.set(Phase::Joining);
                    }
                }
                Err(error) => {
                    self.end_call();
                    self.phase.set(Phase::Ended(Said::new(move |t| {
                        (t.could_not_connect)(&error)
                    })));
                }
            }
        });
    }
}
