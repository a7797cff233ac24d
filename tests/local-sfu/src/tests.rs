//! The SFU driven in memory: two str0m clients (a pusher and a puller, full ICE) and the SFU,
//! datagrams passed by hand, time simulated. Every request goes through JSON, as over HTTP.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use str0m::change::{SdpAnswer, SdpOffer};
use str0m::format::Codec;
use str0m::media::{
    Direction, Frequency, KeyframeRequestKind, MediaKind, MediaTime, Mid, Simulcast, SimulcastLayer,
};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};

use crate::api::{
    CloseTracksRequest, RenegotiateRequest, SdpType, TracksRequest, TracksResponse,
    UpdateTracksRequest,
};
use crate::sfu::Sfu;

const SFU: &str = "10.0.0.1:5000";

/// A request as the worker would send it: JSON, parsed into the API's type.
fn body<T: DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("a request the API types take")
}

/// An answer as the worker would read it.
fn reply<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap()
}

struct Client {
    address: SocketAddr,
    rtc: Rtc,
    events: Vec<Event>,
}

impl Client {
    fn new(address: &str, now: Instant) -> Client {
        let address: SocketAddr = address.parse().unwrap();
        let mut rtc = Rtc::builder().build(now);
        rtc.add_local_candidate(Candidate::host(address, "udp").unwrap());
        Client {
            address,
            rtc,
            events: Vec::new(),
        }
    }
}

/// A pusher (mic, and a camera in two layers `h` and `l`), a puller, the SFU, and the wire.
struct World {
    now: Instant,
    sfu: Sfu,
    pusher: Client,
    puller: Client,
    pusher_session: String,
    puller_session: String,
    mic: Mid,
    camera: Mid,
    sent: u64,
    /// The SFU's answer to the push.
    push_answer: String,
}

impl World {
    fn new() -> World {
        World::with(Sfu::new(SFU.parse().unwrap()))
    }

    fn with(mut sfu: Sfu) -> World {
        crate::install_crypto();
        let now = Instant::now();
        let pusher_session = sfu.new_session(now).unwrap().session_id;
        let puller_session = sfu.new_session(now).unwrap().session_id;
        let mut pusher = Client::new("10.0.0.2:6000", now);
        let mut api = pusher.rtc.sdp_api();
        let mic = api.add_media(MediaKind::Audio, Direction::SendOnly, None, None, None);
        let mut layers = Simulcast::new();
        layers.add_send_layer(SimulcastLayer::new("h"));
        layers.add_send_layer(SimulcastLayer::new("l"));
        let camera = api.add_media(
            MediaKind::Video,
            Direction::SendOnly,
            None,
            None,
            Some(layers),
        );
        let (offer, pending) = api.apply().unwrap();
        let pushed: TracksResponse = sfu
            .tracks_new(
                &pusher_session,
                body(json!({
                    "sessionDescription": {"type": "offer", "sdp": offer.to_sdp_string()},
                    "tracks": [
                        {"location": "local", "mid": mic.to_string(), "trackName": "mic"},
                        {"location": "local", "mid": camera.to_string(), "trackName": "camera"},
                    ],
                })),
                now,
            )
            .unwrap();
        assert_eq!(
            reply(&pushed.tracks),
            json!([
                {"mid": mic.to_string(), "trackName": "mic"},
                {"mid": camera.to_string(), "trackName": "camera"},
            ])
        );
        assert!(!pushed.requires_immediate_renegotiation);
        let answer = pushed.session_description.unwrap();
        assert_eq!(answer.kind, SdpType::Answer);
        assert!(answer.sdp.contains("a=ice-lite"), "{}", answer.sdp);
        let push_answer = answer.sdp.clone();
        let answer = SdpAnswer::from_sdp_string(&answer.sdp).unwrap();
        pusher.rtc.sdp_api().accept_answer(pending, answer).unwrap();
        World {
            now,
            sfu,
            pusher,
            puller: Client::new("10.0.0.3:7000", now),
            pusher_session,
            puller_session,
            mic,
            camera,
            sent: 0,
            push_answer,
        }
    }

    /// The puller pulls `tracks` of the pusher's and answers the SFU's offer.
    fn pull(&mut self, tracks: &[&str]) -> TracksResponse {
        let pulled = self.ask_pull(tracks);
        self.answer(&pulled);
        pulled
    }

    /// The puller asks for `tracks` of the pusher's, and has not answered yet.
    fn ask_pull(&mut self, tracks: &[&str]) -> TracksResponse {
        let wanted: Vec<_> = tracks
            .iter()
            .map(|name| {
                json!({"location": "remote", "sessionId": self.pusher_session, "trackName": name})
            })
            .collect();
        self.sfu
            .tracks_new(
                &self.puller_session,
                body(json!({ "tracks": wanted })),
                self.now,
            )
            .unwrap()
    }

    /// The puller answers the SFU's offer in `pulled`, if it made one.
    fn answer(&mut self, pulled: &TracksResponse) {
        if let Some(offer) = &pulled.session_description {
            assert_eq!(offer.kind, SdpType::Offer);
            let offer = SdpOffer::from_sdp_string(&offer.sdp).unwrap();
            let answer = self.puller.rtc.sdp_api().accept_offer(offer).unwrap();
            let request: RenegotiateRequest = body(json!({
                "sessionDescription": {"type": "answer", "sdp": answer.to_sdp_string()}
            }));
            self.sfu.renegotiate(&self.puller_session, request).unwrap();
        }
    }

    /// Runs the world for `span`: the pusher sends a 20 ms frame of sound and one frame per
    /// layer, each marked with its layer's name in its last byte.
    fn run(&mut self, span: Duration) {
        let end = self.now + span;
        while self.now < end {
            let mut wire = Vec::new();
            for client in [&mut self.pusher, &mut self.puller] {
                loop {
                    match client.rtc.poll_output().unwrap() {
                        Output::Timeout(_) => break,
                        Output::Transmit(t) => {
                            wire.push((client.address, t.destination, t.contents.to_vec()))
                        }
                        Output::Event(e) => client.events.push(e),
                    }
                }
            }
            let sfu: SocketAddr = SFU.parse().unwrap();
            let (datagrams, _) = self.sfu.poll();
            wire.extend(
                datagrams
                    .into_iter()
                    .map(|d| (sfu, d.destination, d.contents)),
            );
            for (source, destination, contents) in wire {
                if destination == sfu {
                    self.sfu
                        .handle_receive(self.now, source, destination, &contents);
                    continue;
                }
                let input = Input::Receive(
                    self.now,
                    Receive {
                        proto: Protocol::Udp,
                        source,
                        destination,
                        contents: contents.as_slice().try_into().unwrap(),
                    },
                );
                for client in [&mut self.pusher, &mut self.puller] {
                    if client.address == destination && client.rtc.accepts(&input) {
                        client.rtc.handle_input(input).unwrap();
                        break;
                    }
                }
            }
            if self.pusher.rtc.is_connected() {
                self.send_frame();
            }
            self.now += Duration::from_millis(20);
            self.sfu.handle_timeout(self.now);
            for client in [&mut self.pusher, &mut self.puller] {
                client.rtc.handle_input(Input::Timeout(self.now)).unwrap();
            }
        }
    }

    fn send_frame(&mut self) {
        self.sent += 1;
        let n = self.sent;
        let rtc = &mut self.pusher.rtc;
        let writer = rtc.writer(self.mic).unwrap();
        let pt = pt_of(&writer, Codec::Opus);
        let time = MediaTime::new(n * 960, Frequency::FORTY_EIGHT_KHZ);
        writer
            .audio_level(-20, true)
            .write(pt, self.now, time, vec![0xf8; 80])
            .unwrap();
        for layer in ["h", "l"] {
            let writer = rtc.writer(self.camera).unwrap();
            let pt = pt_of(&writer, Codec::Vp8);
            let mut frame = vec![0u8; 1800];
            frame[0] = if n % 25 == 1 { 0x00 } else { 0x01 }; // VP8: a keyframe each 25
            *frame.last_mut().unwrap() = layer.as_bytes()[0];
            let time = MediaTime::new(n * 1800, Frequency::NINETY_KHZ);
            writer
                .rid(layer.into())
                .write(pt, self.now, time, frame)
                .unwrap();
        }
    }

    /// What reached the puller since the last call: the audio level of each sound frame, and
    /// the layer of each video frame.
    fn received(&mut self) -> (Vec<Option<i8>>, Vec<u8>) {
        let mut sound = Vec::new();
        let mut video = Vec::new();
        for event in std::mem::take(&mut self.puller.events) {
            if let Event::MediaData(data) = event {
                match data.params.spec().codec {
                    Codec::Opus => sound.push(data.ext_vals.audio_level),
                    _ => video.push(*data.data.last().unwrap()),
                }
            }
        }
        (sound, video)
    }
}

fn pt_of(writer: &str0m::media::Writer, codec: Codec) -> str0m::media::Pt {
    writer
        .payload_params()
        .find(|p| p.spec().codec == codec)
        .unwrap()
        .pt()
}

#[test]
fn a_pulled_track_carries_the_pusher_s_media_in_the_best_layer_until_another_is_asked_for() {
    let mut world = World::new();
    let pulled = world.pull(&["camera", "mic"]);
    assert!(pulled.requires_immediate_renegotiation);
    let mids: Vec<_> = pulled
        .tracks
        .iter()
        .map(|t| t.mid.clone().unwrap())
        .collect();
    assert_eq!(
        reply(&pulled.tracks),
        json!([
            {"mid": mids[0], "sessionId": world.pusher_session, "trackName": "camera"},
            {"mid": mids[1], "sessionId": world.pusher_session, "trackName": "mic"},
        ])
    );
    world.run(Duration::from_secs(3));
    let (sound, video) = world.received();
    assert!(sound.len() > 50, "{} sound frames in 3 s", sound.len());
    // Browsers read who speaks from the level each packet carries (`audioLevel`).
    assert!(sound.iter().all(|l| *l == Some(-20)), "{sound:?}");
    assert!(video.len() > 50, "{} video frames in 3 s", video.len());
    assert!(
        video.iter().all(|l| *l == b'h'),
        "only the best layer: {video:?}"
    );

    let update: UpdateTracksRequest = body(json!({"tracks": [{
        "location": "remote", "sessionId": world.pusher_session, "trackName": "camera",
        "mid": mids[0], "simulcast": {"preferredRid": "l"},
    }]}));
    let updated = world
        .sfu
        .tracks_update(&world.puller_session, update)
        .unwrap();
    assert!(updated.tracks[0].error_code.is_none(), "{updated:?}");
    world.run(Duration::from_secs(2));
    let (_, video) = world.received();
    let low = video.iter().skip_while(|l| **l == b'h').collect::<Vec<_>>();
    assert!(low.len() > 40, "the low layer after the switch: {video:?}");
    assert!(low.iter().all(|l| **l == b'l'), "{video:?}");
}

#[test]
fn a_keyframe_request_from_the_puller_reaches_the_pusher_for_the_forwarded_layer() {
    let mut world = World::new();
    let pulled = world.pull(&["camera"]);
    world.run(Duration::from_secs(2));
    world.pusher.events.clear();
    let mid = Mid::from(pulled.tracks[0].mid.as_deref().unwrap());
    let mut writer = world.puller.rtc.writer(mid).unwrap();
    writer
        .request_keyframe(None, KeyframeRequestKind::Pli)
        .unwrap();
    world.run(Duration::from_millis(500));
    let asked: Vec<_> = world
        .pusher
        .events
        .iter()
        .filter_map(|e| match e {
            Event::KeyframeRequest(r) => Some(r.rid.map(|r| r.to_string())),
            _ => None,
        })
        .collect();
    assert!(asked.contains(&Some("h".into())), "{asked:?}");
}

#[test]
fn a_closed_pull_stops_and_unknown_tracks_and_sessions_are_refused() {
    let mut world = World::new();
    let pulled = world.pull(&["camera", "screen"]);
    assert_eq!(
        pulled.tracks[1].error_code.as_deref(),
        Some("not_found_track_error")
    );
    world.run(Duration::from_secs(2));
    assert!(!world.received().1.is_empty());
    let close: CloseTracksRequest = body(json!({
        "tracks": [{"mid": pulled.tracks[0].mid}], "force": true
    }));
    let closed = world
        .sfu
        .tracks_close(&world.puller_session, close)
        .unwrap();
    assert!(closed.tracks[0].error_code.is_none(), "{closed:?}");
    world.run(Duration::from_millis(200));
    world.received();
    world.run(Duration::from_secs(1));
    assert_eq!(world.received().1, Vec::<u8>::new());

    // Pulled again (a camera shown again): a new section with a track id of its own, beside
    // the closed one (Chromium refuses an offer that repeats an `a=msid`).
    let again = world.ask_pull(&["camera"]);
    let sdp = &again.session_description.as_ref().unwrap().sdp;
    let msids: Vec<&str> = sdp.lines().filter(|l| l.starts_with("a=msid:")).collect();
    let distinct: std::collections::HashSet<&&str> = msids.iter().collect();
    assert_eq!(distinct.len(), msids.len(), "{sdp}");
    world.answer(&again);
    world.run(Duration::from_secs(2));
    assert!(!world.received().1.is_empty());

    let nobody: TracksRequest =
        body(json!({"tracks": [{"location": "remote", "sessionId": "x", "trackName": "mic"}]}));
    assert_eq!(
        world
            .sfu
            .tracks_new("no-such-session", nobody, world.now)
            .unwrap_err()
            .status,
        404
    );
    let mixed: TracksRequest = body(json!({"tracks": [
        {"location": "remote", "sessionId": world.pusher_session, "trackName": "mic"},
        {"location": "local", "mid": "0", "trackName": "mine"},
    ]}));
    let error = world
        .sfu
        .tracks_new(&world.puller_session, mixed, world.now)
        .unwrap_err();
    assert_eq!((error.status, error.error_code), (400, "invalid_params"));
    let stray: RenegotiateRequest =
        body(json!({"sessionDescription": {"type": "answer", "sdp": "v=0"}}));
    let error = world
        .sfu
        .renegotiate(&world.puller_session, stray)
        .unwrap_err();
    assert_eq!((error.status, error.error_code), (406, "session_error"));
    let garbage: TracksRequest = body(json!({
        "sessionDescription": {"type": "offer", "sdp": "not sdp"},
        "tracks": [{"location": "local", "mid": "0", "trackName": "mine"}],
    }));
    let error = world
        .sfu
        .tracks_new(&world.puller_session, garbage, world.now)
        .unwrap_err();
    assert_eq!(error.error_code, "invalid_session_description");
}

#[test]
fn a_new_puller_gets_video_from_a_keyframe_on_and_the_pusher_is_asked_for_one() {
    let mut world = World::new();
    world.run(Duration::from_millis(300));
    world.pusher.events.clear();
    world.pull(&["camera"]);
    world.run(Duration::from_secs(2));
    assert_starts_at_a_keyframe(&world);
    let asked = world
        .pusher
        .events
        .iter()
        .filter(|e| matches!(e, Event::KeyframeRequest(_)))
        .count();
    assert!(asked >= 1, "no keyframe asked for the new puller");
}

#[test]
fn a_keyframe_sent_before_the_puller_answers_does_not_count_as_its_start() {
    let mut world = World::new();
    // The puller's connection is up (it pulls the sound) when it asks for the picture.
    world.pull(&["mic"]);
    world.run(Duration::from_millis(500));
    let pulled = world.ask_pull(&["camera"]);
    // Two of the pusher's keyframes pass while the SFU's offer waits for its answer.
    world.run(Duration::from_secs(1));
    world.answer(&pulled);
    world.run(Duration::from_secs(2));
    assert_starts_at_a_keyframe(&world);
}

fn assert_starts_at_a_keyframe(world: &World) {
    let frames: Vec<bool> = world
        .puller
        .events
        .iter()
        .filter_map(|e| match e {
            Event::MediaData(data) if data.params.spec().codec.is_video() => {
                Some(data.is_keyframe())
            }
            _ => None,
        })
        .collect();
    assert!(frames.len() > 40, "{} frames in 2 s", frames.len());
    assert_eq!(frames.first(), Some(&true), "the first frame: {frames:?}");
}

#[test]
fn an_offer_alone_restarts_ice_and_the_media_goes_on() {
    let mut world = World::new();
    world.pull(&["camera", "mic"]);
    world.run(Duration::from_secs(1));
    assert!(!world.received().0.is_empty());
    let ufrag = |sdp: &str| {
        sdp.lines()
            .find_map(|l| l.strip_prefix("a=ice-ufrag:"))
            .map(str::to_owned)
    };
    let mut api = world.pusher.rtc.sdp_api();
    api.ice_restart(true);
    let (offer, pending) = api.apply().unwrap();
    let answered: TracksResponse = world
        .sfu
        .tracks_new(
            &world.pusher_session,
            body(json!({
                "sessionDescription": {"type": "offer", "sdp": offer.to_sdp_string()},
                "tracks": [],
            })),
            world.now,
        )
        .unwrap();
    assert!(answered.tracks.is_empty());
    let answer = answered.session_description.unwrap();
    assert_eq!(answer.kind, SdpType::Answer);
    // New ICE credentials from the SFU: the checks start over on both sides.
    assert!(ufrag(&answer.sdp).is_some());
    assert_ne!(ufrag(&answer.sdp), ufrag(&world.push_answer));
    let answer = SdpAnswer::from_sdp_string(&answer.sdp).unwrap();
    world
        .pusher
        .rtc
        .sdp_api()
        .accept_answer(pending, answer)
        .unwrap();
    world.run(Duration::from_secs(1));
    world.received();
    world.run(Duration::from_secs(2));
    let (sound, video) = world.received();
    assert!(
        sound.len() > 50 && video.len() > 50,
        "{} sound, {} video",
        sound.len(),
        video.len()
    );
    let nothing: TracksRequest = body(json!({"tracks": []}));
    let error = world
        .sfu
        .tracks_new(&world.pusher_session, nothing, world.now)
        .unwrap_err();
    assert_eq!((error.status, error.error_code), (400, "invalid_params"));
}

#[test]
fn with_repeated_track_ids_a_camera_pulled_again_repeats_its_msid() {
    let mut world = World::with(Sfu::new(SFU.parse().unwrap()).repeating_track_ids());
    let pulled = world.ask_pull(&["camera"]);
    world.answer(&pulled);
    let close: CloseTracksRequest = body(json!({
        "tracks": [{"mid": pulled.tracks[0].mid}], "force": true
    }));
    world
        .sfu
        .tracks_close(&world.puller_session, close)
        .unwrap();
    let again = world.ask_pull(&["camera"]);
    let sdp = &again.session_description.as_ref().unwrap().sdp;
    let msids: Vec<&str> = sdp.lines().filter(|l| l.starts_with("a=msid:")).collect();
    let distinct: std::collections::HashSet<&&str> = msids.iter().collect();
    assert!(distinct.len() < msids.len(), "{sdp}");
}
