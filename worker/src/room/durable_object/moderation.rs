//! The Room object's side of moderation: the gate a newcomer meets (lock, bans, meetings),
//! and carrying out removals, access changes and ending the meeting, all kept in the room's
//! SQLite ([`ModerationStore`]).

use confab_protocol::{close_code, BanPeriod, ErrorCode, ServerFrame};
use worker::WebSocket;

use super::{attachment, Room};
use crate::env::now_ms;
use crate::room::admission::Gate;
use crate::room::lobby::waiting_list;
use crate::room::moderation::{changed_access, hidden_through, AccessChange, Ban, MeetingState};
use crate::room::ModerationStore;
use crate::sql::durable_object::DoSql;
use crate::sql::StoreError;

impl Room {
    /// The meeting a newcomer finds (a new one starts here if the room stood empty long
    /// enough) and the room's rules for them.
    pub(super) fn gate(
        &self,
        user_id: &str,
        nobody_present: bool,
    ) -> Result<(MeetingState, Gate), StoreError> {
        let db = DoSql::new(self.state.storage());
        self.chat(&db)?;
        let store = ModerationStore::new(&db);
        let now = now_ms();
        let stored = store.meeting()?;
        let state = stored.at_knock(nobody_present, now);
        if state != stored {
            store.set_meeting(&state)?;
        }
        let ban = store
            .ban(user_id)?
            .filter(|ban| ban.holds(state.meeting, now));
        let gate = Gate {
            locked: state.access.locked,
            ban,
            been_in: store.admitted_in(user_id, state.meeting)?,
            lobby: state.access.lobby,
            trusted: store.trusted(user_id)?,
        };
        Ok((state, gate))
    }

    /// Records a newcomer let in during `state`'s meeting (the room is no longer empty).
    /// A failure is logged: the join goes on.
    pub(super) fn note_admission(&self, user_id: &str, state: MeetingState) {
        let db = DoSql::new(self.state.storage());
        let store = ModerationStore::new(&db);
        let recorded = store
            .admit(user_id, state.meeting, now_ms())
            .and_then(|()| {
                if state.emptied_ms.is_none() {
                    return Ok(());
                }
                store.set_meeting(&MeetingState {
                    emptied_ms: None,
                    ..state
                })
            });
        if let Err(error) = recorded {
            worker::console_error!("room: recording an admission: {error}");
        }
    }

    /// After `gone` left: if nobody else is in, the room is empty from now (its meeting ends
    /// once it has stayed so for the grace).
    pub(super) fn note_departure(&self, gone: &confab_protocol::PeerId) {
        if self.members().iter().any(|a| &a.member.peer_id != gone) {
            return;
        }
        let db = DoSql::new(self.state.storage());
        let noted = self.chat(&db).and_then(|_| {
            let store = ModerationStore::new(&db);
            let state = store.meeting()?;
            store.set_meeting(&MeetingState {
                emptied_ms: Some(now_ms()),
                ..state
            })
        });
        if let Err(error) = noted {
            worker::console_error!("room: noting an empty room: {error}");
        }
    }

    /// Bans `user_id` for `period` and closes every place they hold with 4411; `ws` (the
    /// host's socket) hears of a failure.
    pub(super) fn remove(&self, ws: &WebSocket, user_id: &str, period: BanPeriod) {
        let db = DoSql::new(self.state.storage());
        let stored = self.chat(&db).and_then(|_| {
            let store = ModerationStore::new(&db);
            let ban = Ban::new(user_id, period, store.meeting()?.meeting, now_ms());
            store.put_ban(&ban)?;
            Ok(ban)
        });
        let ban = match stored {
            Ok(ban) => ban,
            Err(error) => return self.failed(ws, "the removal", error),
        };
        let told = ban.refusal().to_frame().to_json();
        for socket in self.state.get_websockets() {
            let theirs =
                attachment(&socket).is_some_and(|a| !a.closing && a.member.user_id == user_id);
            if theirs {
                let _ = socket.send_with_str(&told);
                self.close_member(&socket, close_code::REMOVED, "removed by a host");
            }
        }
    }

    /// Locks, unlocks or resizes the room and tells everyone (nothing when nothing changes).
    pub(super) fn change_access(&self, ws: &WebSocket, change: AccessChange) {
        let db = DoSql::new(self.state.storage());
        let changed = self.chat(&db).and_then(|_| {
            let store = ModerationStore::new(&db);
            let state = store.meeting()?;
            let Some(access) = changed_access(state.access, change, self.room_limit()) else {
                return Ok(None);
            };
            store.set_meeting(&MeetingState { access, ..state })?;
            Ok(Some(access))
        });
        match changed {
            Ok(Some(access)) => {
                self.broadcast(&ServerFrame::Access {
                    access: self.limited(access),
                });
                if !access.lobby && !access.locked {
                    // Nobody waits in an open room without a lobby: everyone who fits comes in,
                    // oldest first; the rest stay on the hosts' list. A locked room lets
                    // nobody in on its own.
                    let everyone: Vec<_> = waiting_list(self.waiters())
                        .into_iter()
                        .map(|w| w.peer_id)
                        .collect();
                    if !everyone.is_empty() {
                        self.admit(ws, &everyone);
                    }
                }
            }
            Ok(None) => {}
            Err(error) => self.failed(ws, "the change", error),
        }
    }

    /// Ends the meeting: the next one starts (unlocked, "this meeting" bans lifted) and every
    /// socket closes with 4412, with no `peer_left` between them (everyone is leaving).
    pub(super) fn end_for_all(&self, ws: &WebSocket) {
        let db = DoSql::new(self.state.storage());
        let ended = self.chat(&db).and_then(|_| {
            let store = ModerationStore::new(&db);
            store.set_meeting(&MeetingState {
                emptied_ms: Some(now_ms()),
                ..store.meeting()?.next_meeting()
            })
        });
        if let Err(error) = ended {
            return self.failed(ws, "ending the meeting", error);
        }
        let sockets = self.state.get_websockets();
        for socket in &sockets {
            if let Some(mut held) = attachment(socket) {
                held.closing = true;
                let _ = socket.serialize_attachment(&held);
            }
        }
        self.guards.borrow_mut().clear();
        for socket in &sockets {
            let _ = socket.close(Some(close_code::ENDED), Some("the host ended the meeting"));
        }
    }

    /// The last message `user_id` may not see under the room's history visibility. A storage
    /// failure hides everything (logged): never show what the room's hosts chose to hide.
    pub(super) fn hidden_through(&self, user_id: &str) -> u64 {
        let db = DoSql::new(self.state.storage());
        let seen = self.chat(&db).and_then(|_| {
            let store = ModerationStore::new(&db);
            let history = store.meeting()?.access.history;
            Ok(match history {
                confab_protocol::HistoryVisibility::Everyone => 0,
                _ => hidden_through(history, store.first_seq(user_id)?),
            })
        });
        seen.unwrap_or_else(|error| {
            worker::console_error!("room: reading history visibility: {error}");
            u64::MAX
        })
    }

    /// The history visibility a new room was made with (a failure is logged; the room keeps
    /// everyone's history, which its hosts can change).
    pub(super) fn choose_history(&self, history: confab_protocol::HistoryVisibility) {
        let db = DoSql::new(self.state.storage());
        let chosen = self.chat(&db).and_then(|_| {
            let store = ModerationStore::new(&db);
            let mut state = store.meeting()?;
            state.access.history = history;
            store.set_meeting(&state)
        });
        if let Err(error) = chosen {
            worker::console_error!("room: storing history visibility: {error}");
        }
    }

    pub(super) fn failed(&self, ws: &WebSocket, what: &str, error: StoreError) {
        worker::console_error!("room: storing {what}: {error}");
        let frame = ServerFrame::error(
            ErrorCode::Internal,
            format!("{what} could not be saved; try again"),
        );
        let _ = ws.send_with_str(frame.to_json());
    }
}
