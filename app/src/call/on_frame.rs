//! What each frame from the room does to the call: a welcome sets up a peer connection to
//! everyone already there (I make the offers), a lobby holds the call at the door until a
//! welcome follows, signaling goes to its peer's session, and the rest becomes [`CallEvent`]s
//! for the page.

use confab_protocol::{ClientFrame, ErrorCode, MediaRoute, MediaState, ServerFrame};
use wasm_bindgen_futures::spawn_local;

use super::peer::negotiation::{SdpKind, SignalData};
use super::{Call, CallEvent, Ending};
use crate::i18n::Said;

/// What may go out while the lobby holds us: what keeps the socket alive (pings, fresh
/// tokens). The room answers anything else with `forbidden`.
pub(super) fn sent_while_waiting(frame: &ClientFrame) -> bool {
    matches!(frame, ClientFrame::Ping {} | ClientFrame::Auth { .. })
}

impl Call {
    pub(super) fn on_frame(&self, frame: ServerFrame) {
        match frame {
            ServerFrame::Welcome {
                peer_id,
                you,
                peers,
                history,
                access,
                room_limit,
                last_n,
                route,
                ..
            } => {
                self.inner.attempt.set(0);
                self.inner.retry.borrow_mut().take();
                self.inner.replaces.borrow_mut().take();
                self.inner.waiting.set(false);
                *self.inner.me.borrow_mut() = Some(peer_id);
                self.know_members(&peers);
                self.inner.route.set(route);
                // A new welcome is a new peer id: an SFU session of the old one is void.
                self.stop_sfu();
                if route == MediaRoute::Sfu {
                    self.emit(CallEvent::Joined {
                        me: you,
                        peers,
                        history,
                        access,
                        room_limit,
                        last_n,
                    });
                    self.start_sfu();
                    return;
                }
                let mut offerers = Vec::new();
                for member in &peers {
                    let Some((session, offer_ahead)) = self.session_for(&member.peer_id, true)
                    else {
                        continue;
                    };
                    if offer_ahead {
                        session.send_offer_made_ahead();
                    } else {
                        offerers.push(session.clone());
                        session.start_as_offerer();
                    }
                    // After the camera's two: the screen's transceivers come third.
                    if let Some(screen) = self.inner.screen.borrow().as_ref() {
                        session.send_screen(Some(screen));
                    }
                }
                // Whoever joins next offers to us: the spare must be able to answer.
                self.spare_for_answers();
                let joined = CallEvent::Joined {
                    me: you,
                    peers,
                    history,
                    access,
                    room_limit,
                    last_n,
                };
                if offerers.is_empty() {
                    self.emit(joined);
                } else {
                    self.hold_for_offers(joined, &offerers);
                }
            }
            ServerFrame::Lobby { peer_id, room } => {
                // Connected, but held at the door: keep the peer id (a reconnect names it in
                // `?replaces=`) and send nothing but pings and tokens until the welcome.
                self.inner.attempt.set(0);
                self.inner.retry.borrow_mut().take();
                self.inner.replaces.borrow_mut().take();
                self.inner.waiting.set(true);
                *self.inner.me.borrow_mut() = Some(peer_id);
                self.emit(CallEvent::Lobby { room });
            }
            ServerFrame::Waiting { waiting } => self.emit(CallEvent::Waiting(waiting)),
            ServerFrame::Trusted { peer_id, trusted } => {
                self.emit(CallEvent::Trusted(peer_id, trusted))
            }
            ServerFrame::PeerJoined { peer } => {
                self.inner.members.borrow_mut().insert(peer.peer_id.clone());
                // On the mesh, the newcomer makes the offer; the session made now (the spare,
                // or a new one with its candidate pool) gathers while that offer is on its way.
                // On the SFU, their tracks come with `sfu_tracks`.
                if !self.on_sfu_route() {
                    let _ = self.session(&peer.peer_id);
                } else if let Some(link) = self.inner.sfu.borrow().as_ref() {
                    link.joined(&peer.peer_id);
                }
                self.emit(CallEvent::PeerJoined(peer))
            }
            ServerFrame::Hand { peer_id, raised_at } => {
                self.emit(CallEvent::Hand(peer_id, raised_at))
            }
            ServerFrame::Role { peer_id, role } => self.emit(CallEvent::Role(peer_id, role)),
            ServerFrame::Muted { by } => self.emit(CallEvent::Muted(by)),
            ServerFrame::Access { access } => self.emit(CallEvent::Access(access)),
            ServerFrame::Reaction { peer_id, reaction } => {
                self.emit(CallEvent::Reaction(peer_id, reaction))
            }
            ServerFrame::PeerLeft { peer_id } => {
                if let Some(session) = self.inner.peers.borrow_mut().remove(&peer_id) {
                    session.close();
                }
                self.inner.debug_peers.delete(&peer_id.as_str().into());
                self.forget_pushes(&peer_id);
                self.emit(CallEvent::PeerLeft(peer_id));
            }
            // Signals from the mesh are stale once the room is on the SFU.
            ServerFrame::Signal { .. } if self.on_sfu_route() => {}
            ServerFrame::Signal { from, data } => {
                match serde_json::from_value::<SignalData>(data) {
                    Ok(data) => {
                        if let Some(session) = self.session(&from) {
                            // An offer while nothing from them is applied yet: a newcomer's first
                            // (their session may exist already, made when they joined).
                            let new = matches!(&data, SignalData::Description { description }
                                    if description.kind == SdpKind::Offer)
                                && session.pc.remote_description().is_none();
                            // A newcomer's first offer has the camera's two transceivers;
                            // my screen follows once that is answered, in an offer of mine.
                            let screen = self.inner.screen.borrow().clone().filter(|_| new);
                            spawn_local(async move {
                                session.clone().handle_signal(data).await;
                                if let Some(screen) = screen {
                                    session.send_screen(Some(&screen));
                                }
                            });
                        }
                    }
                    Err(error) => {
                        web_sys::console::warn_1(&format!("bad signal from {from}: {error}").into())
                    }
                }
            }
            ServerFrame::Media {
                peer_id,
                audio,
                video,
                screen,
            } => self.emit(CallEvent::PeerMedia(
                peer_id,
                MediaState {
                    audio,
                    video,
                    screen,
                },
            )),
            ServerFrame::Error {
                code: ErrorCode::SignInRequired,
                ..
            } => {
                // Final, like a full room: the 4403 close that follows must not be retried.
                self.leave();
                self.emit(CallEvent::SignInRequired);
            }
            ServerFrame::Error {
                code: code @ (ErrorCode::Removed | ErrorCode::Locked | ErrorCode::Denied),
                ..
            } => {
                // Final too: the 4411, 4423 or 4413 close that follows says the same.
                self.leave();
                self.emit(CallEvent::Ended(match code {
                    ErrorCode::Removed => Ending::Removed,
                    ErrorCode::Locked => Ending::Locked,
                    _ => Ending::Denied,
                }));
            }
            ServerFrame::Error {
                code, client_id, ..
            } => {
                // Refused chat messages and chat requests show in the chat panel; the rest here.
                let chat_only = client_id.is_some()
                    || matches!(code, ErrorCode::Unsupported | ErrorCode::InvalidField);
                if !chat_only {
                    // The page words the code; the server's English `message` is not shown.
                    self.emit(CallEvent::Notice(Said::new(move |t| {
                        (t.frame_error)(code).to_owned()
                    })));
                }
                self.emit(CallEvent::Chat(frame));
            }
            ServerFrame::Chat { .. }
            | ServerFrame::History { .. }
            | ServerFrame::SearchResults { .. } => self.emit(CallEvent::Chat(frame)),
            ServerFrame::Route { route } => self.follow_route(route),
            ServerFrame::SfuTracks { peer_id, sfu } => {
                self.pushes_changed(peer_id, sfu.map(|push| *push))
            }
            ServerFrame::Pong {} => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use confab_protocol::{ClientFrame, Reaction};

    use super::sent_while_waiting;

    #[test]
    fn only_pings_and_tokens_go_out_from_the_lobby() {
        assert!(sent_while_waiting(&ClientFrame::Ping {}));
        assert!(sent_while_waiting(&ClientFrame::Auth { token: "t".into() }));
        for frame in [
            ClientFrame::Hand { raised: true },
            ClientFrame::Media {
                audio: true,
                video: true,
                screen: false,
            },
            ClientFrame::History {
                before_seq: None,
                limit: None,
            },
            ClientFrame::React {
                reaction: Reaction::Clap,
            },
        ] {
            assert!(!sent_while_waiting(&frame), "{frame:?}");
        }
    }
}
