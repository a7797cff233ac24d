//! The API operations on a session: pushing (the browser offers), pulling (the SFU offers,
//! the browser answers through `renegotiate`), choosing a layer, closing.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use str0m::change::{SdpAnswer, SdpOffer};
use str0m::media::{Direction, MediaKind, Mid, Rid};

use super::{Pulled, Pushed, Sfu};
use crate::api::{
    track_error, ApiError, CloseTracksRequest, CloseTracksResponse, Location, RenegotiateRequest,
    RenegotiateResponse, SdpType, SessionDescription, TrackObject, TracksRequest, TracksResponse,
    UpdateTracksRequest, UpdateTracksResponse,
};

impl Sfu {
    /// `tracks/new`: all `local` (a push, with the browser's offer) or all `remote` (a pull).
    /// `now` is when a pull starts, on the clock the media's times are on.
    pub fn tracks_new(
        &mut self,
        id: &str,
        request: TracksRequest,
        now: Instant,
    ) -> Result<TracksResponse, ApiError> {
        let locations: BTreeSet<_> = request
            .tracks
            .iter()
            .map(|t| t.location.map(|l| l == Location::Local))
            .collect();
        match locations.into_iter().collect::<Vec<_>>().as_slice() {
            [Some(true)] => self.push(id, request),
            [Some(false)] => self.pull(id, request.tracks, now),
            // An offer alone: the browser renegotiates what it has (an ICE restart), answered
            // as a push of nothing new.
            [] if request.session_description.is_some() => self.push(id, request),
            [] => Err(ApiError::bad_request("no tracks")),
            _ => Err(ApiError::bad_request(
                "every track must say its location, and all the same one",
            )),
        }
    }

    fn push(&mut self, id: &str, request: TracksRequest) -> Result<TracksResponse, ApiError> {
        let session = self.session(id)?;
        let offer = offer_in(request.session_description)?;
        if session.pending.is_some() {
            return Err(ApiError::session(
                "the SFU's last offer is not answered yet: renegotiate first",
            ));
        }
        let answer = session
            .rtc
            .sdp_api()
            .accept_offer(offer)
            .map_err(|e| ApiError::bad_sdp(e.to_string()))?;
        let mut tracks = Vec::new();
        for track in request.tracks {
            let found = track.mid.as_deref().map(Mid::from).and_then(|mid| {
                let media = session.rtc.media(mid)?;
                Some((mid, media.kind()))
            });
            match (found, track.track_name.clone()) {
                (Some((mid, kind)), Some(name)) if !name.is_empty() => {
                    session.pushed.insert(
                        name,
                        Pushed {
                            mid,
                            kind,
                            rids: BTreeMap::new(),
                        },
                    );
                    tracks.push(TrackObject {
                        location: None,
                        session_id: None,
                        ..track
                    });
                }
                (None, _) => tracks.push(track_error(
                    track,
                    "invalid_params",
                    "no media with that mid in the offer",
                )),
                (_, _) => tracks.push(track_error(track, "invalid_params", "a track needs a name")),
            }
        }
        Ok(TracksResponse {
            requires_immediate_renegotiation: false,
            session_description: Some(description(SdpType::Answer, answer.to_sdp_string())),
            tracks,
        })
    }

    fn pull(
        &mut self,
        id: &str,
        wanted: Vec<TrackObject>,
        now: Instant,
    ) -> Result<TracksResponse, ApiError> {
        if self.session(id)?.pending.is_some() {
            return Err(ApiError::session(
                "the SFU's last offer is not answered yet: renegotiate first",
            ));
        }
        // What each wanted track is, looked up before the puller's session is borrowed.
        let found: Vec<Option<MediaKind>> = wanted
            .iter()
            .map(|t| {
                let from = self.sessions.get(t.session_id.as_deref()?)?;
                let pushed = from.pushed.get(t.track_name.as_deref()?)?;
                Some(pushed.kind)
            })
            .collect();
        let repeat_track_ids = self.repeat_track_ids;
        let session = self.session(id)?;
        let mut api = session.rtc.sdp_api();
        let mut added = Vec::new();
        let mut tracks = Vec::new();
        for (track, kind) in wanted.into_iter().zip(found) {
            let Some(kind) = kind else {
                tracks.push(track_error(
                    track,
                    "not_found_track_error",
                    "no such session, or it pushes no track of that name",
                ));
                continue;
            };
            let from = track.session_id.clone().unwrap_or_default();
            let name = track.track_name.clone().unwrap_or_default();
            session.pulls_made += 1;
            // The pusher's session is the stream: a person's sound and camera play in sync.
            let track_id = if repeat_track_ids {
                name.clone()
            } else {
                format!("{name}-{}", session.pulls_made)
            };
            let mid = api.add_media(
                kind,
                Direction::SendOnly,
                Some(from.clone()),
                Some(track_id),
                None,
            );
            let preferred = preferred_rid(&track);
            added.push((
                mid,
                Pulled {
                    from,
                    track: name,
                    preferred,
                    forwarding: None,
                    keyframed: false,
                    keyframe_asked: None,
                    since: now,
                    unmatched_logged: false,
                    write_errors: 0,
                },
            ));
            tracks.push(TrackObject {
                location: None,
                mid: Some(mid.to_string()),
                ..track
            });
        }
        let offer = if added.is_empty() {
            None
        } else {
            let (offer, pending) = api
                .apply()
                .ok_or_else(|| ApiError::new(500, "internal_error", "no offer made"))?;
            session.pending = Some(pending);
            session.pulled.extend(added);
            Some(description(SdpType::Offer, offer.to_sdp_string()))
        };
        Ok(TracksResponse {
            requires_immediate_renegotiation: offer.is_some(),
            session_description: offer,
            tracks,
        })
    }

    /// `renegotiate`: the browser's answer to the SFU's offer.
    pub fn renegotiate(
        &mut self,
        id: &str,
        request: RenegotiateRequest,
    ) -> Result<RenegotiateResponse, ApiError> {
        let session = self.session(id)?;
        let description = request.session_description;
        if description.kind != SdpType::Answer {
            return Err(ApiError::bad_sdp("renegotiate takes an answer"));
        }
        let pending = session
            .pending
            .take()
            .ok_or_else(|| ApiError::session("no offer of the SFU's is waiting for an answer"))?;
        let answer = SdpAnswer::from_sdp_string(&description.sdp)
            .map_err(|e| ApiError::bad_sdp(e.to_string()));
        let answer = match answer {
            Ok(answer) => answer,
            Err(e) => {
                session.pending = Some(pending);
                return Err(e);
            }
        };
        session
            .rtc
            .sdp_api()
            .accept_answer(pending, answer)
            .map_err(|e| ApiError::bad_sdp(e.to_string()))?;
        Ok(RenegotiateResponse {})
    }

    /// `tracks/update`: the layer a pulled track should carry.
    pub fn tracks_update(
        &mut self,
        id: &str,
        request: UpdateTracksRequest,
    ) -> Result<UpdateTracksResponse, ApiError> {
        let session = self.session(id)?;
        let mut tracks = Vec::new();
        for track in request.tracks {
            let pulled = track
                .mid
                .as_deref()
                .and_then(|mid| session.pulled.get_mut(&Mid::from(mid)));
            match pulled {
                Some(pulled) => {
                    pulled.preferred = preferred_rid(&track);
                    tracks.push(track);
                }
                None => tracks.push(track_error(
                    track,
                    "update_track_error",
                    "this session pulls nothing on that mid",
                )),
            }
        }
        Ok(UpdateTracksResponse {
            requires_immediate_renegotiation: false,
            tracks,
        })
    }

    /// `tracks/close`: tracks pushed or pulled on these mids stop. With `force: false` the
    /// browser's offer (its transceivers stopped) is answered.
    pub fn tracks_close(
        &mut self,
        id: &str,
        request: CloseTracksRequest,
    ) -> Result<CloseTracksResponse, ApiError> {
        let session = self.session(id)?;
        if request.tracks.is_empty() {
            return Err(ApiError::bad_request("no tracks"));
        }
        let answer = match (request.force, request.session_description) {
            (true, _) => None,
            (false, description) => {
                if session.pending.is_some() {
                    return Err(ApiError::session(
                        "the SFU's last offer is not answered yet: renegotiate first",
                    ));
                }
                let offer = offer_in(description)?;
                let answer = session
                    .rtc
                    .sdp_api()
                    .accept_offer(offer)
                    .map_err(|e| ApiError::bad_sdp(e.to_string()))?;
                Some(description_of(answer))
            }
        };
        let mut tracks = Vec::new();
        for close in request.tracks {
            let mid = Mid::from(close.mid.as_str());
            let pushed = session.track_at(mid).map(str::to_owned);
            let known = pushed.is_some() || session.pulled.contains_key(&mid);
            if let Some(name) = pushed {
                session.pushed.remove(&name);
            }
            session.pulled.remove(&mid);
            let track = TrackObject {
                mid: Some(close.mid),
                ..TrackObject::default()
            };
            tracks.push(if known {
                track
            } else {
                track_error(track, "close_track_error", "no track on that mid")
            });
        }
        Ok(CloseTracksResponse {
            requires_immediate_renegotiation: false,
            session_description: answer,
            tracks,
        })
    }
}

fn preferred_rid(track: &TrackObject) -> Option<Rid> {
    let rid = track.simulcast.as_ref()?.preferred_rid.as_deref()?;
    (!rid.is_empty()).then(|| Rid::from(rid))
}

fn offer_in(description: Option<SessionDescription>) -> Result<SdpOffer, ApiError> {
    match description {
        Some(SessionDescription {
            kind: SdpType::Offer,
            sdp,
        }) => SdpOffer::from_sdp_string(&sdp).map_err(|e| ApiError::bad_sdp(e.to_string())),
        Some(_) => Err(ApiError::bad_sdp("expected an offer")),
        None => Err(ApiError::bad_sdp(
            "pushing tracks needs the browser's offer",
        )),
    }
}

fn description(kind: SdpType, sdp: String) -> SessionDescription {
    SessionDescription { kind, sdp }
}

fn description_of(answer: SdpAnswer) -> SessionDescription {
    description(SdpType::Answer, answer.to_sdp_string())
}
