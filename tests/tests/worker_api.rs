//! The wire contract (DESIGN.md, "Wire contract") tested against the real worker under
//! `wrangler dev`: HTTP endpoints, the socket upgrade's checks, and room behaviour over real
//! WebSockets.
//!
//! One wrangler serves the whole file (each test uses its own random room); a second one,
//! with guests disabled and an explicit origin allow-list, starts only if its tests run. Both
//! are started lazily by the first test that needs them and stopped by `main` after the run.
//! The harness is libtest-mimic, so the output and filters are the usual `cargo test` ones.

use std::sync::Arc;
use std::time::Duration;

use confab_protocol::{
    close_code, limits, ClientFrame, ErrorCode, Health, IceResponse, MediaState, PeerId,
    ServerFrame,
};
use confab_tests::http::{self, media_type, Reply};
use confab_tests::token::{self, unix_now, Claims};
use confab_tests::wrangler::{stop_all, JwtKey, Options, Shared, Wrangler};
use confab_tests::ws_client::{
    attempt_upgrade, connect, join, join_replacing, protocols_for, random_peer_id, Client, Event,
    Welcome,
};
use libtest_mimic::Arguments;
use serde_json::{json, Value};

/// Guests allowed, default origin allow-list: the local-dev configuration.
static OPEN: Shared = Shared::new();
/// Guests disabled, only [`LOCKED_ORIGIN`] may open sockets.
static LOCKED: Shared = Shared::new();
const LOCKED_ORIGIN: &str = "https://meet.example";

/// No single test may take longer than this.
const TEST_TIMEOUT: Duration = Duration::from_secs(90);

fn main() {
    let args = Arguments::from_args();
    let trials = confab_tests::async_trials![TEST_TIMEOUT;
        http_api::health_reports_ok_and_version,
        http_api::unknown_path_is_problem_404,
        http_api::wrong_method_is_problem_405,
        http_api::bench_seed_route_does_not_exist_by_default,
        guest::issues_a_guest_token,
        guest::name_limits_count_characters,
        guest::rejects_bad_names_with_400,
        guest::rejects_bad_bodies_with_400,
        guest::requires_json_content_type,
        guest::disabled_guests_get_403,
        ice::requires_a_valid_token,
        ice::returns_servers_that_expire_later,
        upgrade::good_upgrade_selects_confab_v1_and_welcomes,
        upgrade::bad_room_names_are_400,
        upgrade::longest_room_name_is_accepted,
        upgrade::plain_get_is_426,
        upgrade::foreign_or_missing_origin_is_403,
        upgrade::trunk_serve_origin_is_allowed,
        upgrade::explicit_allow_list_replaces_the_default,
        upgrade::missing_bearer_subprotocol_is_401,
        upgrade::bad_tokens_are_401,
        room::joins_are_announced_both_ways,
        room::signal_reaches_only_the_addressee_stamped_by_server,
        room::signal_to_unknown_peer_is_an_error_and_socket_stays,
        room::rooms_are_isolated,
        room::media_state_is_broadcast_and_kept_for_newcomers,
        room::close_announces_peer_left,
        room::dropped_connection_announces_peer_left,
        room::ninth_member_is_refused_with_4409,
        room::peer_ids_are_never_reused,
        hostile::bad_frames_get_typed_errors_and_socket_stays,
        hostile::oversized_signal_data_is_refused_not_relayed,
        hostile::frame_over_64_kib_closes_with_1009,
        room::peer_closed_by_server_leaves_at_once,
        replaces::same_user_reconnect_replaces_its_ghost,
        replaces::another_users_or_unknown_peer_is_not_replaced,
        replaces::reconnect_into_a_full_room_takes_its_ghosts_place,
        replaces::malformed_replaces_is_400,
        session::expired_session_is_closed_with_4401_on_its_next_frame,
        session::fresh_token_for_the_same_user_keeps_the_socket_open,
        session::token_for_another_user_is_refused,
    ];
    let conclusion = libtest_mimic::run(&args, trials);
    if conclusion.has_failed() {
        for log in [OPEN.log_path(), LOCKED.log_path()].into_iter().flatten() {
            eprintln!("wrangler log: {}", log.display());
        }
    }
    // Statics are never dropped: stop the workers explicitly, whatever the outcome.
    stop_all(&[&OPEN, &LOCKED]);
    conclusion.exit();
}

// ---- shared fixtures -------------------------------------------------------------------------

/// The local-dev worker, started on first use.
fn open() -> Arc<Wrangler> {
    OPEN.get(Options::default).unwrap_or_else(|e| panic!("{e}"))
}

/// The locked-down worker, started on first use.
fn locked() -> Arc<Wrangler> {
    LOCKED
        .get(|| Options {
            allow_guests: false,
            allowed_origins: vec![LOCKED_ORIGIN.to_owned()],
            ..Options::default()
        })
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A fresh room name, so tests never share a Durable Object.
fn new_room() -> String {
    format!("t-{}", uuid::Uuid::new_v4().simple())
}

/// A guest token from the worker itself.
fn guest_token(w: &Wrangler, name: &str) -> String {
    http::guest(w.base_url(), name).access_token
}

/// A new guest joins `room`.
async fn join_as(w: &Wrangler, room: &str, name: &str) -> (Client, Welcome) {
    join(w, room, &guest_token(w, name), name).await
}

fn url(w: &Wrangler, path: &str) -> String {
    format!("{}{path}", w.base_url())
}

fn is_peer_id(id: &PeerId) -> bool {
    id.0.len() == 32
        && id
            .0
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A well-formed token signed with a key the worker does not have, under the worker's `kid`.
fn forged_token(w: &Wrangler) -> String {
    let impostor = JwtKey {
        kid: w.jwt_key().kid.clone(),
        ..JwtKey::random("x")
    };
    token::mint(&impostor, &Claims::guest("Mallory"))
}

/// Expects the next frame to be `peer_joined` for `peer`.
async fn expect_peer_joined(client: &mut Client, peer: &PeerId) -> confab_protocol::Member {
    match client.expect_frame().await {
        ServerFrame::PeerJoined { peer: member } if &member.peer_id == peer => member,
        other => panic!(
            "{}: expected peer_joined for {peer}, got {other:?}",
            client.label
        ),
    }
}

// ---- HTTP basics ----------------------------------------------------------------------------

mod http_api {
    use super::*;

    pub async fn health_reports_ok_and_version() {
        let w = open();
        let reply = http::get(&url(&w, "/api/health"), &[]);
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(media_type(&reply.content_type), "application/json");
        let health: Health = reply.json();
        assert!(health.ok, "{}", reply.body);
        assert!(
            !health.version.trim().is_empty(),
            "version is empty: {}",
            reply.body
        );
        // Exactly the two documented fields.
        let raw: Value = reply.json();
        assert_eq!(raw.as_object().map(|o| o.len()), Some(2), "{}", reply.body);
    }

    pub async fn unknown_path_is_problem_404() {
        let w = open();
        for path in [
            "/api/nope",
            "/api/rooms/lobby",
            "/auth/nope",
            "/api/health/extra",
        ] {
            let problem = http::get(&url(&w, path), &[]).expect_problem(404);
            assert_eq!(problem.title, "Not Found", "{path}");
        }
    }

    /// The bulk-insert route exists only for `cargo xtask bench chat` (ALLOW_BENCH_SEED=true).
    pub async fn bench_seed_route_does_not_exist_by_default() {
        let w = open();
        let token = guest_token(&w, "Ann");
        let auth = format!("Bearer {token}");
        let reply = http::request(
            "POST",
            &url(&w, &format!("/api/rooms/{}/seed", new_room())),
            &[
                ("content-type", "application/json"),
                ("authorization", &auth),
            ],
            Some(r#"{"texts":["planted"]}"#),
        );
        reply.expect_problem(404);
    }

    pub async fn wrong_method_is_problem_405() {
        let w = open();
        let room = new_room();
        let ws_path = format!("/api/rooms/{room}/ws");
        let cases = [
            ("POST", "/api/health"),
            ("DELETE", "/api/health"),
            ("GET", "/auth/guest"),
            ("PUT", "/auth/guest"),
            ("POST", "/api/ice"),
            ("POST", ws_path.as_str()),
        ];
        for (method, path) in cases {
            let body = (method != "GET" && method != "DELETE").then_some("{}");
            let reply = http::request(
                method,
                &url(&w, path),
                &[("content-type", "application/json")],
                body,
            );
            let problem = reply.expect_problem(405);
            assert_eq!(problem.title, "Method Not Allowed", "{method} {path}");
        }
    }
}

// ---- POST /auth/guest -----------------------------------------------------------------------

mod guest {
    use super::*;

    pub async fn issues_a_guest_token() {
        let w = open();
        let reply = http::guest_reply(w.base_url(), "  Mina  ");
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(media_type(&reply.content_type), "application/json");
        let body: confab_protocol::GuestResponse = reply.json();
        assert_eq!(body.token_type, "Bearer");
        assert_eq!(body.expires_in, 600);
        assert!(body.user.guest);
        assert_eq!(body.user.name, "Mina", "the name is trimmed");
        let suffix = body
            .user
            .id
            .strip_prefix("guest:")
            .unwrap_or_else(|| panic!("id {:?}", body.user.id));
        assert!(!suffix.is_empty(), "guest id has nothing after the prefix");
        assert_eq!(
            body.access_token.split('.').count(),
            3,
            "a JWT: {}",
            body.access_token
        );

        // Every guest is somebody new.
        let again = http::guest(w.base_url(), "Mina");
        assert_ne!(again.user.id, body.user.id);
        assert_ne!(again.access_token, body.access_token);
    }

    pub async fn name_limits_count_characters() {
        let w = open();
        let ascii_40 = "a".repeat(40);
        let hangul_40 = "가".repeat(40); // 120 bytes, 40 characters
        for name in [
            "M",
            ascii_40.as_str(),
            hangul_40.as_str(),
            "Mina Kim-Lee",
            "민아 🙂",
        ] {
            let body = http::guest(w.base_url(), name);
            assert_eq!(body.user.name, name);
        }
    }

    pub async fn rejects_bad_names_with_400() {
        let w = open();
        let ascii_41 = "a".repeat(41);
        let hangul_41 = "가".repeat(41);
        let padded_41 = format!("  {ascii_41}  ");
        let bad = [
            "",
            "   ",
            "\t\n",
            ascii_41.as_str(),
            hangul_41.as_str(),
            padded_41.as_str(),
            "Mi\u{0}na",
            "Mi\nna",
            "tab\there",
            "\u{7}bell",
            "del\u{7f}",
            "c\u{85}1",
        ];
        for name in bad {
            let reply = http::guest_reply(w.base_url(), name);
            let problem = reply.expect_problem(400);
            assert_eq!(problem.title, "Bad Request", "name {name:?}");
        }
    }

    pub async fn rejects_bad_bodies_with_400() {
        let w = open();
        let endpoint = url(&w, "/auth/guest");
        for body in [
            "",
            "{",
            "{}",
            "[]",
            "\"Mina\"",
            "{\"name\":5}",
            "{\"name\":null}",
            "{\"nom\":\"Mina\"}",
        ] {
            http::post(&endpoint, Some("application/json"), body).expect_problem(400);
        }
    }

    pub async fn requires_json_content_type() {
        let w = open();
        let endpoint = url(&w, "/auth/guest");
        let body = r#"{"name":"Mina"}"#;
        for content_type in [
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            None,
        ] {
            let problem = http::post(&endpoint, content_type, body).expect_problem(415);
            assert_eq!(problem.title, "Unsupported Media Type", "{content_type:?}");
        }
        // Parameters on the JSON media type are fine.
        let reply = http::post(&endpoint, Some("application/json; charset=utf-8"), body);
        assert_eq!(reply.status, 200, "{}", reply.body);
    }

    pub async fn disabled_guests_get_403() {
        let w = locked();
        let problem = http::guest_reply(w.base_url(), "Mina").expect_problem(403);
        assert_eq!(problem.title, "Forbidden");
    }
}

// ---- GET /api/ice ---------------------------------------------------------------------------

mod ice {
    use super::*;

    pub async fn requires_a_valid_token() {
        let w = open();
        let endpoint = url(&w, "/api/ice");
        http::get(&endpoint, &[]).expect_problem(401);
        let forged = format!("Bearer {}", forged_token(&w));
        let valid = guest_token(&w, "Mina");
        let basic = format!("Basic {valid}");
        for authorization in [
            "Bearer",
            "Bearer ",
            "Bearer not.a.jwt",
            forged.as_str(),
            basic.as_str(),
        ] {
            http::get(&endpoint, &[("authorization", authorization)]).expect_problem(401);
        }
    }

    pub async fn returns_servers_that_expire_later() {
        let w = open();
        let token = guest_token(&w, "Mina");
        let reply = http::get(
            &url(&w, "/api/ice"),
            &[("authorization", &format!("Bearer {token}"))],
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(media_type(&reply.content_type), "application/json");
        let ice: IceResponse = reply.json();
        assert!(
            !ice.ice_servers.is_empty(),
            "no ICE servers: {}",
            reply.body
        );
        for server in &ice.ice_servers {
            assert!(
                !server.urls.is_empty(),
                "a server without urls: {}",
                reply.body
            );
            for u in &server.urls {
                assert!(
                    u.starts_with("stun:") || u.starts_with("turn:") || u.starts_with("turns:"),
                    "not an ICE url: {u}"
                );
                if !u.starts_with("stun:") {
                    assert!(
                        server.username.is_some() && server.credential.is_some(),
                        "TURN without credentials"
                    );
                }
            }
        }
        assert!(
            ice.expires_at > unix_now(),
            "expires_at {} is not in the future",
            ice.expires_at
        );
        // A minted token from the same key works too (the tests' tokens match the worker's).
        let minted = token::mint(w.jwt_key(), &Claims::guest("Minted"));
        let reply = http::get(
            &url(&w, "/api/ice"),
            &[("authorization", &format!("Bearer {minted}"))],
        );
        assert_eq!(
            reply.status, 200,
            "a correctly minted token was refused: {}",
            reply.body
        );
    }
}

// ---- GET /api/rooms/{room}/ws: the upgrade's checks -----------------------------------------

mod upgrade {
    use super::*;

    /// Attempts an upgrade that must be refused; returns the whole refusal.
    async fn refused(url: &str, origin: Option<&str>, protocols: Option<&str>) -> Reply {
        let reply = attempt_upgrade(url, origin, protocols).await;
        assert_ne!(
            reply.status, 101,
            "upgrade to {url} (origin {origin:?}, protocols {protocols:?}) was accepted"
        );
        reply
    }

    pub async fn good_upgrade_selects_confab_v1_and_welcomes() {
        let w = open();
        let room = new_room();
        let guest = http::guest(w.base_url(), "Mina");
        let protocols = protocols_for(&guest.access_token);
        let mut client = connect(&w.room_ws_url(&room), Some(w.origin()), Some(&protocols))
            .await
            .unwrap_or_else(|e| panic!("upgrade failed: {e:?}"));
        assert_eq!(
            client.subprotocol.as_deref(),
            Some("confab.v1"),
            "the server must select confab.v1 only"
        );
        let welcome = client.expect_welcome().await;
        assert!(
            is_peer_id(&welcome.peer_id),
            "peer id {:?} is not 32 lowercase hex",
            welcome.peer_id
        );
        assert_eq!(welcome.room, room);
        assert_eq!(welcome.you.peer_id, welcome.peer_id);
        assert_eq!(welcome.you.user_id, guest.user.id);
        assert_eq!(welcome.you.name, "Mina");
        assert!(welcome.you.guest);
        assert_eq!(welcome.you.media, MediaState::default());
        assert!(
            welcome.peers.is_empty(),
            "first in the room, yet peers: {:?}",
            welcome.peers
        );
        assert!(
            welcome.history.is_empty(),
            "new room, yet history: {:?}",
            welcome.history
        );
        client.ping().await;
        client.close().await;
    }

    pub async fn bad_room_names_are_400() {
        let w = open();
        let token = guest_token(&w, "Mina");
        let protocols = protocols_for(&token);
        let too_long = "a".repeat(65);
        for room in [
            "bad.room",
            too_long.as_str(),
            "a%20b",
            "caf%C3%A9",
            "a~b",
            "a+b",
            "a:b",
        ] {
            let reply = refused(&w.room_ws_url(room), Some(w.origin()), Some(&protocols)).await;
            let problem = reply.expect_problem(400);
            assert_eq!(problem.title, "Bad Request", "room {room:?}");
        }
    }

    pub async fn longest_room_name_is_accepted() {
        let w = open();
        let room = format!(
            "{}-_Z9",
            &uuid::Uuid::new_v4().simple().to_string().repeat(2)[..60]
        );
        assert_eq!(room.len(), 64);
        let (client, welcome) = join_as(&w, &room, "Mina").await;
        assert_eq!(welcome.room, room);
        client.close().await;
    }

    pub async fn plain_get_is_426() {
        let w = open();
        let token = guest_token(&w, "Mina");
        let protocols = protocols_for(&token);
        let path = format!("/api/rooms/{}/ws", new_room());
        let reply = http::get(
            &url(&w, &path),
            &[
                ("origin", w.origin()),
                ("sec-websocket-protocol", &protocols),
            ],
        );
        let problem = reply.expect_problem(426);
        assert_eq!(problem.title, "Upgrade Required");
    }

    pub async fn foreign_or_missing_origin_is_403() {
        let w = open();
        let token = guest_token(&w, "Mina");
        let protocols = protocols_for(&token);
        let ws = w.room_ws_url(&new_room());
        let lookalike = format!("{}.evil.example", w.origin());
        let other_port = format!("http://127.0.0.1:{}", w.port().wrapping_add(1));
        for origin in [
            Some("https://evil.example"),
            Some(lookalike.as_str()),
            Some(other_port.as_str()),
            Some("null"),
            None,
        ] {
            let problem = refused(&ws, origin, Some(&protocols))
                .await
                .expect_problem(403);
            assert_eq!(problem.title, "Forbidden", "origin {origin:?}");
        }
    }

    pub async fn trunk_serve_origin_is_allowed() {
        let w = open();
        let token = guest_token(&w, "Mina");
        for origin in ["http://localhost:8080", "http://127.0.0.1:8080"] {
            let mut client = connect(
                &w.room_ws_url(&new_room()),
                Some(origin),
                Some(&protocols_for(&token)),
            )
            .await
            .unwrap_or_else(|e| panic!("origin {origin} refused: {e:?}"));
            client.expect_welcome().await;
            client.close().await;
        }
    }

    /// With `ALLOWED_ORIGINS` set, only the listed origins may connect (not even the worker's own).
    pub async fn explicit_allow_list_replaces_the_default() {
        let w = locked();
        // Guests are off here: mint a token with the worker's key.
        let token = token::mint(w.jwt_key(), &Claims::guest("Mina"));
        let protocols = protocols_for(&token);
        let ws = w.room_ws_url(&new_room());
        let mut client = connect(&ws, Some(LOCKED_ORIGIN), Some(&protocols))
            .await
            .unwrap_or_else(|e| panic!("listed origin refused: {e:?}"));
        let welcome = client.expect_welcome().await;
        assert_eq!(welcome.you.name, "Mina");
        client.close().await;
        for origin in [w.origin(), "http://localhost:8080"] {
            refused(&ws, Some(origin), Some(&protocols))
                .await
                .expect_problem(403);
        }
    }

    pub async fn missing_bearer_subprotocol_is_401() {
        let w = open();
        let ws = w.room_ws_url(&new_room());
        for protocols in [
            None,
            Some("confab.v1"),
            Some("confab.v1, bearer."),
            Some("confab.v1, token.abc"),
        ] {
            let problem = refused(&ws, Some(w.origin()), protocols)
                .await
                .expect_problem(401);
            assert_eq!(problem.title, "Unauthorized", "protocols {protocols:?}");
        }
    }

    pub async fn bad_tokens_are_401() {
        let w = open();
        let ws = w.room_ws_url(&new_room());
        let key = w.jwt_key();
        let now = unix_now();
        let expired = Claims {
            iat: now - 7200,
            nbf: now - 7200,
            exp: now - 3600,
            ..Claims::guest("Old")
        };
        let future = Claims {
            iat: now + 3600,
            nbf: now + 3600,
            exp: now + 4200,
            ..Claims::guest("Early")
        };
        let wrong_aud = Claims {
            aud: "someone-else".into(),
            ..Claims::guest("Aud")
        };
        let wrong_iss = Claims {
            iss: "someone-else".into(),
            ..Claims::guest("Iss")
        };
        let unknown_kid = JwtKey {
            kid: "no-such-kid".into(),
            ..key.clone()
        };
        let wrong_typ = token::sign(
            &key.secret,
            &json!({ "alg": "HS256", "kid": key.kid, "typ": "JWT" }),
            &Claims::guest("Typ").to_json(),
        );
        let cases = [
            ("garbage", "not-a-jwt".to_owned()),
            ("signed with another key", forged_token(&w)),
            (
                "alg none",
                token::unsigned(&key.kid, &Claims::guest("None")),
            ),
            (
                "unknown kid",
                token::mint(&unknown_kid, &Claims::guest("Kid")),
            ),
            ("expired", token::mint(key, &expired)),
            ("not yet valid", token::mint(key, &future)),
            ("wrong audience", token::mint(key, &wrong_aud)),
            ("wrong issuer", token::mint(key, &wrong_iss)),
            ("wrong typ", wrong_typ),
        ];
        for (what, token) in &cases {
            let reply = refused(&ws, Some(w.origin()), Some(&protocols_for(token))).await;
            assert_eq!(reply.status, 401, "{what}: {}", reply.body);
            reply.expect_problem(401);
        }
        // Control: the same minting with the right key and fields is accepted.
        let (client, welcome) = join(
            &w,
            &new_room(),
            &token::mint(key, &Claims::guest("Good")),
            "good",
        )
        .await;
        assert_eq!(welcome.you.name, "Good");
        client.close().await;
    }
}

// ---- Rooms: presence, signaling, media, capacity --------------------------------------------

mod room {
    use super::*;

    pub async fn joins_are_announced_both_ways() {
        let w = open();
        let room = new_room();
        let (mut a, wa) = join_as(&w, &room, "Ann").await;
        let (mut b, wb) = join_as(&w, &room, "Ben").await;
        assert_ne!(wa.peer_id, wb.peer_id);
        assert_eq!(
            wb.peers,
            vec![wa.you.clone()],
            "B's welcome must list exactly A"
        );
        let announced = expect_peer_joined(&mut a, &wb.peer_id).await;
        assert_eq!(announced, wb.you, "A must see B as B sees itself");
        assert_eq!(announced.name, "Ben");
        assert!(announced.guest);
        // Nothing else is pending for either.
        a.barrier().await;
        b.barrier().await;
        a.close().await;
        b.close().await;
    }

    pub async fn signal_reaches_only_the_addressee_stamped_by_server() {
        let w = open();
        let room = new_room();
        let (mut a, wa) = join_as(&w, &room, "Ann").await;
        let (mut b, wb) = join_as(&w, &room, "Ben").await;
        let (mut c, wc) = join_as(&w, &room, "Cat").await;
        expect_peer_joined(&mut a, &wb.peer_id).await;
        expect_peer_joined(&mut a, &wc.peer_id).await;
        expect_peer_joined(&mut b, &wc.peer_id).await;

        let data = json!({
            "description": { "type": "offer", "sdp": "v=0\r\no=- 46117 2 IN IP4 127.0.0.1\r\ns=-\r\n" },
            "candidate": null,
            "nested": [1, -2, 3.5, "ü🙂", { "deep": [true, false, null] }],
            "empty": {},
        });
        a.send(&ClientFrame::Signal {
            to: wb.peer_id.clone(),
            data: data.clone(),
        })
        .await;
        match b.expect_frame().await {
            ServerFrame::Signal { from, data: got } => {
                assert_eq!(from, wa.peer_id, "from must be the sender's peer id");
                assert_eq!(got, data, "data must be relayed unchanged");
            }
            other => panic!("B expected a signal, got {other:?}"),
        }

        // A client cannot name itself: a forged `from` is replaced by the real sender.
        let spoof =
            json!({ "type": "signal", "to": wb.peer_id, "from": wc.peer_id, "data": { "n": 2 } });
        a.send_json(&spoof).await;
        match b.expect_frame().await {
            ServerFrame::Signal { from, data } => {
                assert_eq!(
                    from, wa.peer_id,
                    "a client-supplied `from` must not survive"
                );
                assert_eq!(data, json!({ "n": 2 }));
            }
            other => panic!("B expected a signal, got {other:?}"),
        }

        // Neither the sender nor the bystander got any of it.
        a.barrier().await;
        c.barrier().await;
        for client in [a, b, c] {
            client.close().await;
        }
    }

    pub async fn signal_to_unknown_peer_is_an_error_and_socket_stays() {
        let w = open();
        let room = new_room();
        let (mut a, wa) = join_as(&w, &room, "Ann").await;
        a.send(&ClientFrame::Signal {
            to: random_peer_id(),
            data: json!({ "x": 1 }),
        })
        .await;
        let message = a.expect_error(ErrorCode::UnknownPeer).await;
        assert!(!message.is_empty());
        a.ping().await;
        // Signaling oneself is not a thing either.
        a.send(&ClientFrame::Signal {
            to: wa.peer_id.clone(),
            data: json!({}),
        })
        .await;
        a.expect_error(ErrorCode::UnknownPeer).await;
        a.ping().await;
        // And a peer that left is unknown from then on.
        let (b, wb) = join_as(&w, &room, "Ben").await;
        expect_peer_joined(&mut a, &wb.peer_id).await;
        b.close().await;
        match a.expect_frame().await {
            ServerFrame::PeerLeft { peer_id } => assert_eq!(peer_id, wb.peer_id),
            other => panic!("expected peer_left, got {other:?}"),
        }
        a.send(&ClientFrame::Signal {
            to: wb.peer_id.clone(),
            data: json!({}),
        })
        .await;
        a.expect_error(ErrorCode::UnknownPeer).await;
        a.ping().await;
        a.close().await;
    }

    pub async fn rooms_are_isolated() {
        let w = open();
        let (room_x, room_y) = (new_room(), new_room());
        let (mut a, _) = join_as(&w, &room_x, "Ann").await;
        let (mut b, wb) = join_as(&w, &room_y, "Ben").await;
        assert!(
            wb.peers.is_empty(),
            "a member of another room shows up: {:?}",
            wb.peers
        );
        // A peer id from another room is unknown here, and nothing reaches it.
        a.send(&ClientFrame::Signal {
            to: wb.peer_id.clone(),
            data: json!({ "leak": true }),
        })
        .await;
        a.expect_error(ErrorCode::UnknownPeer).await;
        b.barrier().await;
        a.close().await;
        b.close().await;
    }

    pub async fn media_state_is_broadcast_and_kept_for_newcomers() {
        let w = open();
        let room = new_room();
        let (mut a, wa) = join_as(&w, &room, "Ann").await;
        let (mut b, wb) = join_as(&w, &room, "Ben").await;
        expect_peer_joined(&mut a, &wb.peer_id).await;

        a.send(&ClientFrame::Media {
            audio: true,
            video: false,
            screen: true,
        })
        .await;
        match b.expect_frame().await {
            ServerFrame::Media {
                peer_id,
                audio,
                video,
                screen,
            } => {
                assert_eq!(peer_id, wa.peer_id);
                assert_eq!((audio, video, screen), (true, false, true));
            }
            other => panic!("B expected media, got {other:?}"),
        }
        a.barrier().await; // not echoed to the sender

        let (c, wc) = join_as(&w, &room, "Cat").await;
        let seen_a = wc
            .peers
            .iter()
            .find(|m| m.peer_id == wa.peer_id)
            .expect("C's welcome lists A");
        assert_eq!(
            seen_a.media,
            MediaState {
                audio: true,
                video: false,
                screen: true
            }
        );
        let seen_b = wc
            .peers
            .iter()
            .find(|m| m.peer_id == wb.peer_id)
            .expect("C's welcome lists B");
        assert_eq!(seen_b.media, MediaState::default());
        assert_eq!(wc.peers.len(), 2, "{:?}", wc.peers);
        // The announcement of C to the others reports C's own (default) media.
        let c_at_a = expect_peer_joined(&mut a, &wc.peer_id).await;
        assert_eq!(c_at_a.media, MediaState::default());
        expect_peer_joined(&mut b, &wc.peer_id).await;
        for client in [a, b, c] {
            client.close().await;
        }
    }

    pub async fn close_announces_peer_left() {
        let w = open();
        let room = new_room();
        let (mut a, _) = join_as(&w, &room, "Ann").await;
        let (b, wb) = join_as(&w, &room, "Ben").await;
        expect_peer_joined(&mut a, &wb.peer_id).await;
        b.close().await;
        match a.expect_frame_within(Duration::from_secs(2)).await {
            ServerFrame::PeerLeft { peer_id } => assert_eq!(peer_id, wb.peer_id),
            other => panic!("expected peer_left for B, got {other:?}"),
        }
        // A newcomer no longer sees B.
        let (c, wc) = join_as(&w, &room, "Cat").await;
        assert_eq!(
            wc.peers.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
            ["Ann"]
        );
        c.close().await;
        a.close().await;
    }

    pub async fn dropped_connection_announces_peer_left() {
        let w = open();
        let room = new_room();
        let (mut a, _) = join_as(&w, &room, "Ann").await;
        let (b, wb) = join_as(&w, &room, "Ben").await;
        expect_peer_joined(&mut a, &wb.peer_id).await;
        b.drop_connection();
        match a.expect_frame_within(Duration::from_secs(5)).await {
            ServerFrame::PeerLeft { peer_id } => assert_eq!(peer_id, wb.peer_id),
            other => panic!("expected peer_left for B, got {other:?}"),
        }
        a.close().await;
    }

    pub async fn ninth_member_is_refused_with_4409() {
        let w = open();
        let room = new_room();
        let mut members = Vec::new();
        for i in 0..limits::ROOM_CAPACITY {
            let (client, welcome) = join_as(&w, &room, &format!("P{i}")).await;
            assert_eq!(
                welcome.peers.len(),
                i,
                "member {i} sees the wrong number of peers"
            );
            members.push(client);
        }
        // Each member saw everyone after it arrive.
        for (i, member) in members.iter_mut().enumerate() {
            for _ in i + 1..limits::ROOM_CAPACITY {
                match member.expect_frame().await {
                    ServerFrame::PeerJoined { .. } => {}
                    other => panic!("member {i}: expected peer_joined, got {other:?}"),
                }
            }
        }

        let token = guest_token(&w, "Ninth");
        let mut ninth = connect(
            &w.room_ws_url(&room),
            Some(w.origin()),
            Some(&protocols_for(&token)),
        )
        .await
        .unwrap_or_else(|e| panic!("the ninth upgrade should complete and then be refused: {e:?}"));
        ninth.label = "ninth".into();
        ninth.expect_error(ErrorCode::RoomFull).await;
        assert_eq!(ninth.expect_close().await, Some(close_code::ROOM_FULL));
        // The refused one was never announced.
        for member in members.iter_mut() {
            member.barrier().await;
        }

        // One leaves; once the others know, there is room again.
        let leaver = members.pop().expect("eight members");
        leaver.close().await;
        for member in members.iter_mut() {
            match member.expect_frame_within(Duration::from_secs(2)).await {
                ServerFrame::PeerLeft { .. } => {}
                other => panic!("expected peer_left, got {other:?}"),
            }
        }
        let (late, welcome) = join_as(&w, &room, "Late").await;
        assert_eq!(welcome.peers.len(), limits::ROOM_CAPACITY - 1);
        late.close().await;
        for member in members {
            member.close().await;
        }
    }

    /// When the server itself closes a socket (here 1009 for a frame over 64 KiB), that peer
    /// has left: the others are told at once and newcomers no longer see it, even if its
    /// client never answers the close (otherwise it would hold one of the room's 8 places).
    pub async fn peer_closed_by_server_leaves_at_once() {
        let w = open();
        let room = new_room();
        let (mut a, _) = join_as(&w, &room, "Ann").await;
        let (mut b, wb) = join_as(&w, &room, "Ben").await;
        expect_peer_joined(&mut a, &wb.peer_id).await;
        let huge =
            json!({ "type": "ping", "pad": "z".repeat(limits::MAX_FRAME_BYTES) }).to_string();
        b.send_text(&huge).await;
        // B now reads nothing, so it never answers the server's close.
        match a.expect_frame_within(Duration::from_secs(2)).await {
            ServerFrame::PeerLeft { peer_id } => assert_eq!(peer_id, wb.peer_id),
            other => panic!("expected peer_left for B, got {other:?}"),
        }
        let (c, wc) = join_as(&w, &room, "Cat").await;
        assert!(
            wc.peers.iter().all(|m| m.peer_id != wb.peer_id),
            "a newcomer still sees the peer the server closed: {:?}",
            wc.peers
        );
        b.drop_connection();
        c.close().await;
        a.close().await;
    }

    pub async fn peer_ids_are_never_reused() {
        let w = open();
        let room = new_room();
        let token = guest_token(&w, "Ann");
        let mut seen = Vec::new();
        for round in 0..3 {
            let (client, welcome) = join(&w, &room, &token, &format!("round {round}")).await;
            assert!(is_peer_id(&welcome.peer_id));
            seen.push(welcome.peer_id);
            client.close().await;
        }
        // The same user twice at once: two peers.
        let (mut first, w1) = join(&w, &room, &token, "first").await;
        let (second, w2) = join(&w, &room, &token, "second").await;
        assert_eq!(
            w2.peers.len(),
            1,
            "the first connection is listed: {:?}",
            w2.peers
        );
        assert_eq!(w1.you.user_id, w2.you.user_id);
        expect_peer_joined(&mut first, &w2.peer_id).await;
        seen.push(w1.peer_id);
        seen.push(w2.peer_id);
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "peer ids repeat: {seen:?}");
        first.close().await;
        second.close().await;
    }
}

// ---- Reconnects: `?replaces=<old peer id>` ---------------------------------------------------

mod replaces {
    use super::*;

    /// Expects the next event to be the server's close with 4410 (replaced).
    async fn expect_replaced(client: &mut Client) {
        match client.next_event().await {
            Event::Closed(Some((code, reason))) => {
                assert_eq!(
                    code,
                    close_code::REPLACED,
                    "{}: reason {reason:?}",
                    client.label
                );
                assert_eq!(reason, "replaced by a new connection");
            }
            other => panic!(
                "{}: expected close 4410 (replaced), got {other:?}",
                client.label
            ),
        }
    }

    /// Expects the next frame to be `peer_left` for `peer`.
    async fn expect_peer_left(client: &mut Client, peer: &PeerId) {
        match client.expect_frame().await {
            ServerFrame::PeerLeft { peer_id } if &peer_id == peer => {}
            other => panic!(
                "{}: expected peer_left for {peer}, got {other:?}",
                client.label
            ),
        }
    }

    /// A's page reconnects (A', same user) naming A's peer id: A is closed with 4410, B sees
    /// A leave before A' joins, and A' is welcomed with B but not its own ghost.
    pub async fn same_user_reconnect_replaces_its_ghost() {
        let w = open();
        let room = new_room();
        let token = guest_token(&w, "Ann");
        let (mut a, wa) = join(&w, &room, &token, "Ann").await;
        let (mut b, wb) = join_as(&w, &room, "Ben").await;
        expect_peer_joined(&mut a, &wb.peer_id).await;

        let (mut a2, wa2) = join_replacing(&w, &room, &token, &wa.peer_id, "Ann again").await;
        assert_ne!(wa2.peer_id, wa.peer_id, "a reconnect gets a new peer id");
        assert_eq!(wa2.you.user_id, wa.you.user_id);
        assert_eq!(
            wa2.peers,
            vec![wb.you.clone()],
            "the reconnect's welcome must list B and not its ghost"
        );
        expect_replaced(&mut a).await;
        expect_peer_left(&mut b, &wa.peer_id).await;
        expect_peer_joined(&mut b, &wa2.peer_id).await;
        b.barrier().await;
        a2.barrier().await;

        // A newcomer sees only B and A'.
        let (c, wc) = join_as(&w, &room, "Cat").await;
        let mut seen: Vec<PeerId> = wc.peers.iter().map(|m| m.peer_id.clone()).collect();
        seen.sort();
        let mut expected = vec![wb.peer_id.clone(), wa2.peer_id.clone()];
        expected.sort();
        assert_eq!(seen, expected, "the ghost is still listed: {:?}", wc.peers);
        c.close().await;
        a2.close().await;
        b.close().await;
    }

    /// `replaces` naming another user's peer, or a peer id nobody has, evicts no one: the
    /// join goes on as a plain one.
    pub async fn another_users_or_unknown_peer_is_not_replaced() {
        let w = open();
        let room = new_room();
        let token = guest_token(&w, "Ann");
        let (mut a, wa) = join(&w, &room, &token, "Ann").await;
        let (mut b, wb) = join_as(&w, &room, "Ben").await;
        expect_peer_joined(&mut a, &wb.peer_id).await;

        // Mallory (another user) names A's peer id.
        let mallory = guest_token(&w, "Mallory");
        let (mut m, wm) = join_replacing(&w, &room, &mallory, &wa.peer_id, "Mallory").await;
        assert_eq!(wm.peers.len(), 2, "A and B are listed: {:?}", wm.peers);
        expect_peer_joined(&mut a, &wm.peer_id).await;
        expect_peer_joined(&mut b, &wm.peer_id).await;
        // A still gets frames; B saw no peer_left.
        a.ping().await;
        a.barrier().await;
        b.barrier().await;

        // A's own user naming a peer id nobody has: a plain second connection.
        let (mut a2, wa2) = join_replacing(&w, &room, &token, &random_peer_id(), "Ann 2").await;
        assert_eq!(wa2.peers.len(), 3, "A, B and Mallory: {:?}", wa2.peers);
        for client in [&mut a, &mut b, &mut m] {
            expect_peer_joined(client, &wa2.peer_id).await;
            client.barrier().await;
        }
        a.ping().await;
        a2.barrier().await;
        for client in [a, a2, b, m] {
            client.close().await;
        }
    }

    /// In a full room, a member's own reconnect is admitted (its ghost's place is freed), and
    /// the room is still full afterwards.
    pub async fn reconnect_into_a_full_room_takes_its_ghosts_place() {
        let w = open();
        let room = new_room();
        let mut members = Vec::new();
        let mut welcomes = Vec::new();
        let first_token = guest_token(&w, "P0");
        for i in 0..limits::ROOM_CAPACITY {
            let token = if i == 0 {
                first_token.clone()
            } else {
                guest_token(&w, &format!("P{i}"))
            };
            let (client, welcome) = join(&w, &room, &token, &format!("P{i}")).await;
            members.push(client);
            welcomes.push(welcome);
        }
        for (i, member) in members.iter_mut().enumerate() {
            for welcome in &welcomes[i + 1..] {
                expect_peer_joined(member, &welcome.peer_id).await;
            }
        }

        let ghost = welcomes[0].peer_id.clone();
        let (mut again, welcome) =
            join_replacing(&w, &room, &first_token, &ghost, "P0 again").await;
        assert_eq!(
            welcome.peers.len(),
            limits::ROOM_CAPACITY - 1,
            "everyone but the ghost: {:?}",
            welcome.peers
        );
        assert!(welcome.peers.iter().all(|m| m.peer_id != ghost));
        let mut old = members.remove(0);
        expect_replaced(&mut old).await;
        for member in members.iter_mut() {
            expect_peer_left(member, &ghost).await;
            expect_peer_joined(member, &welcome.peer_id).await;
        }

        // Still eight: a ninth person is refused.
        let token = guest_token(&w, "Ninth");
        let mut ninth = connect(
            &w.room_ws_url(&room),
            Some(w.origin()),
            Some(&protocols_for(&token)),
        )
        .await
        .unwrap_or_else(|e| panic!("the ninth upgrade should complete and then be refused: {e:?}"));
        ninth.label = "ninth".into();
        ninth.expect_error(ErrorCode::RoomFull).await;
        assert_eq!(ninth.expect_close().await, Some(close_code::ROOM_FULL));
        again.barrier().await;
        again.close().await;
        for member in members {
            member.close().await;
        }
    }

    /// A `replaces` that is not exactly one well-formed peer id is refused before the upgrade.
    pub async fn malformed_replaces_is_400() {
        let w = open();
        let room = new_room();
        let token = guest_token(&w, "Ann");
        let protocols = protocols_for(&token);
        let good = random_peer_id();
        let queries = [
            "replaces=not-a-peer-id".to_owned(),
            format!("replaces={}", &good.as_str()[..31]),
            format!("replaces={good}0"),
            format!("replaces={}", good.as_str().to_uppercase()),
            "replaces=".to_owned(),
            "replaces".to_owned(),
            format!("replaces={good}&replaces={good}"),
        ];
        for query in queries {
            let url = format!("{}?{query}", w.room_ws_url(&room));
            let reply = attempt_upgrade(&url, Some(w.origin()), Some(&protocols)).await;
            let problem = reply.expect_problem(400);
            assert!(
                problem.detail.contains("replaces"),
                "?{query}: the problem must name the parameter: {}",
                problem.detail
            );
        }
        // The room was never touched: the first real join is alone.
        let (client, welcome) = join(&w, &room, &token, "Ann").await;
        assert!(welcome.peers.is_empty(), "{:?}", welcome.peers);
        client.close().await;
    }
}

// ---- Hostile input --------------------------------------------------------------------------

mod hostile {
    use super::*;

    pub async fn bad_frames_get_typed_errors_and_socket_stays() {
        let w = open();
        let room = new_room();
        let (mut a, wa) = join_as(&w, &room, "Ann").await;
        let (mut b, wb) = join_as(&w, &room, "Ben").await;
        expect_peer_joined(&mut a, &wb.peer_id).await;

        let cases: &[(&str, ErrorCode)] = &[
            ("{not json", ErrorCode::BadJson),
            ("", ErrorCode::BadJson),
            (r#"{"type":"ping""#, ErrorCode::BadJson),
            (r#"{"type":"teleport"}"#, ErrorCode::UnknownType),
            (
                r#"{"type":"welcome","peer_id":"x"}"#,
                ErrorCode::UnknownType,
            ),
            (
                r#"{"type":"media","audio":"yes","video":false,"screen":false}"#,
                ErrorCode::InvalidField,
            ),
            (r#"{"type":"media","audio":true}"#, ErrorCode::InvalidField),
            (
                r#"{"type":"signal","to":123,"data":{}}"#,
                ErrorCode::InvalidField,
            ),
            (
                r#"{"type":"signal","to":"not-a-peer-id","data":{}}"#,
                ErrorCode::InvalidField,
            ),
            (r#"{"type":"signal","data":{}}"#, ErrorCode::InvalidField),
        ];
        for (text, code) in cases {
            a.send_text(text).await;
            match a.expect_frame().await {
                ServerFrame::Error { code: got, .. } if got == *code => {}
                other => panic!("frame {text:?}: expected error {code:?}, got {other:?}"),
            }
            a.ping().await;
        }
        a.send_binary(b"\x00\x01binary".to_vec()).await;
        a.expect_error(ErrorCode::BinaryFrame).await;
        a.ping().await;

        // None of it reached B, and both still relay in both directions.
        b.barrier().await;
        a.send(&ClientFrame::Signal {
            to: wb.peer_id.clone(),
            data: json!("after garbage"),
        })
        .await;
        match b.expect_frame().await {
            ServerFrame::Signal { from, data } => {
                assert_eq!((from, data), (wa.peer_id.clone(), json!("after garbage")))
            }
            other => panic!("B expected a signal, got {other:?}"),
        }
        b.send(&ClientFrame::Signal {
            to: wa.peer_id.clone(),
            data: json!("still here"),
        })
        .await;
        match a.expect_frame().await {
            ServerFrame::Signal { from, data } => {
                assert_eq!((from, data), (wb.peer_id.clone(), json!("still here")))
            }
            other => panic!("A expected a signal, got {other:?}"),
        }
        a.close().await;
        b.close().await;
    }

    pub async fn oversized_signal_data_is_refused_not_relayed() {
        let w = open();
        let room = new_room();
        let (mut a, wa) = join_as(&w, &room, "Ann").await;
        let (mut b, wb) = join_as(&w, &room, "Ben").await;
        expect_peer_joined(&mut a, &wb.peer_id).await;

        let big = json!({ "sdp": "x".repeat(limits::MAX_SIGNAL_DATA_BYTES + 1) });
        a.send(&ClientFrame::Signal {
            to: wb.peer_id.clone(),
            data: big,
        })
        .await;
        a.expect_error(ErrorCode::TooLarge).await;
        a.ping().await;
        b.barrier().await; // B got nothing

        // Just under the limit is relayed whole.
        let fits = json!("y".repeat(limits::MAX_SIGNAL_DATA_BYTES - 2)); // quotes make it exactly the limit
        a.send(&ClientFrame::Signal {
            to: wb.peer_id.clone(),
            data: fits.clone(),
        })
        .await;
        match b.expect_frame().await {
            ServerFrame::Signal { from, data } => {
                assert_eq!(from, wa.peer_id);
                assert_eq!(data, fits);
            }
            other => panic!("B expected the signal at the size limit, got {other:?}"),
        }
        a.close().await;
        b.close().await;
    }

    pub async fn frame_over_64_kib_closes_with_1009() {
        let w = open();
        let room = new_room();
        let (mut a, _) = join_as(&w, &room, "Ann").await;
        let (mut b, wb) = join_as(&w, &room, "Ben").await;
        expect_peer_joined(&mut a, &wb.peer_id).await;

        let huge =
            json!({ "type": "ping", "pad": "z".repeat(limits::MAX_FRAME_BYTES) }).to_string();
        assert!(huge.len() > limits::MAX_FRAME_BYTES);
        b.send_text(&huge).await;
        // An `error` (too_large) may precede the close; nothing else may.
        let code = loop {
            match b.next_event().await {
                Event::Frame(ServerFrame::Error {
                    code: ErrorCode::TooLarge,
                    ..
                }) => continue,
                Event::Frame(other) => panic!("expected a 1009 close, got {other:?}"),
                Event::Closed(close) => break close.map(|(code, _)| code),
            }
        };
        assert_eq!(code, Some(close_code::TOO_BIG));
        // The room lives on for the others, and knows B is gone.
        match a.expect_frame_within(Duration::from_secs(2)).await {
            ServerFrame::PeerLeft { peer_id } => assert_eq!(peer_id, wb.peer_id),
            other => panic!("expected peer_left for B, got {other:?}"),
        }
        a.ping().await;
        a.close().await;
    }
}

/// Sessions outlive a 10-minute access token only when the client presents a fresh one.
mod session {
    use super::*;

    /// A token for `claims.sub` from the worker's own key, expiring `seconds` from now.
    fn token_expiring_in(w: &Wrangler, claims: &Claims, seconds: i64) -> String {
        let mut claims = claims.clone();
        claims.exp = unix_now() + seconds;
        token::mint(w.jwt_key(), &claims)
    }

    /// Waits (on the clock, not on a guess) until unix time `t` has passed.
    async fn wait_past(t: i64) {
        while unix_now() <= t {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A frame the DO must handle itself (pings are answered by the runtime without it).
    async fn probe(client: &mut Client) {
        client
            .send(&ClientFrame::Signal {
                to: random_peer_id(),
                data: json!({}),
            })
            .await;
    }

    pub async fn expired_session_is_closed_with_4401_on_its_next_frame() {
        let w = open();
        let claims = Claims::guest("Eve");
        let short = token_expiring_in(&w, &claims, 2);
        let (mut a, _) = join(&w, &new_room(), &short, "Eve").await;
        wait_past(unix_now() + 2).await;
        probe(&mut a).await;
        a.expect_error(ErrorCode::Unauthorized).await;
        assert_eq!(a.expect_close().await, Some(close_code::TOKEN_EXPIRED));
    }

    pub async fn fresh_token_for_the_same_user_keeps_the_socket_open() {
        let w = open();
        let claims = Claims::guest("Ann");
        let short = token_expiring_in(&w, &claims, 2);
        let (mut a, _) = join(&w, &new_room(), &short, "Ann").await;
        a.send(&ClientFrame::Auth {
            token: token_expiring_in(&w, &claims, 600),
        })
        .await;
        wait_past(unix_now() + 2).await;
        probe(&mut a).await;
        // Still a member: the probe is judged on its own merits, not refused for expiry.
        a.expect_error(ErrorCode::UnknownPeer).await;
    }

    pub async fn token_for_another_user_is_refused() {
        let w = open();
        let (mut a, _) = join_as(&w, &new_room(), "Ann").await;
        let someone_else = token::mint(w.jwt_key(), &Claims::guest("Mallory"));
        a.send(&ClientFrame::Auth {
            token: someone_else,
        })
        .await;
        a.expect_error(ErrorCode::Unauthorized).await;
        a.send(&ClientFrame::Auth {
            token: "not.a.token".into(),
        })
        .await;
        a.expect_error(ErrorCode::Unauthorized).await;
        probe(&mut a).await;
        a.expect_error(ErrorCode::UnknownPeer).await;
    }
}
