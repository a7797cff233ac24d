//! The stand-in as the worker meets it: the binary on loopback, called over HTTP with
//! Cloudflare's paths, bearer token and error shapes.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use str0m::media::{Direction, MediaKind};
use str0m::Rtc;

const APP: &str = "local-app";
const TOKEN: &str = "a-test-app-token";

/// The running binary; killed when dropped.
struct LocalSfu {
    child: Child,
    api: String,
    udp_port: u16,
}

impl Drop for LocalSfu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> LocalSfu {
    let mut child = Command::new(env!("CARGO_BIN_EXE_confab-local-sfu"))
        .args([
            "--http",
            "127.0.0.1:0",
            "--udp",
            "127.0.0.1:0",
            "--app-id",
            APP,
        ])
        .env("SFU_APP_TOKEN", TOKEN)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // `confab-local-sfu http=127.0.0.1:PORT udp=127.0.0.1:PORT`
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} in {line:?}"))
            .to_owned()
    };
    let udp_port = field("udp=").rsplit(':').next().unwrap().parse().unwrap();
    LocalSfu {
        api: format!("http://{}/v1/apps/{APP}", field("http=")),
        child,
        udp_port,
    }
}

fn call(method: &str, url: &str, token: Option<&str>, body: Option<String>) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut request = ureq::http::Request::builder().method(method).uri(url);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    request = request.header("content-type", "application/json");
    let mut response = agent
        .run(request.body(body.unwrap_or_default()).unwrap())
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap();
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    (status, value)
}

fn api(sfu: &LocalSfu, method: &str, path: &str, body: Value) -> (u16, Value) {
    let url = format!("{}/{path}", sfu.api);
    call(method, &url, Some(TOKEN), Some(body.to_string()))
}

fn new_session(sfu: &LocalSfu) -> String {
    let (status, body) = call(
        "POST",
        &format!("{}/sessions/new", sfu.api),
        Some(TOKEN),
        None,
    );
    assert_eq!(status, 201, "{body}");
    body["sessionId"].as_str().unwrap().to_owned()
}

#[test]
fn a_push_is_answered_with_the_stand_in_s_one_address() {
    confab_local_sfu::install_crypto();
    let sfu = start();
    let session = new_session(&sfu);
    let mut browser = Rtc::new(std::time::Instant::now());
    let mut changes = browser.sdp_api();
    let mid = changes.add_media(MediaKind::Audio, Direction::SendOnly, None, None, None);
    let (offer, _pending) = changes.apply().unwrap();
    let (status, body) = api(
        &sfu,
        "POST",
        &format!("sessions/{session}/tracks/new"),
        json!({
            "sessionDescription": {"type": "offer", "sdp": offer.to_sdp_string()},
            "tracks": [{"location": "local", "mid": mid.to_string(), "trackName": "mic"}],
        }),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["tracks"],
        json!([{"mid": mid.to_string(), "trackName": "mic"}])
    );
    assert_eq!(body["requiresImmediateRenegotiation"], json!(false));
    let sdp = body["sessionDescription"]["sdp"].as_str().unwrap();
    assert_eq!(body["sessionDescription"]["type"], "answer");
    assert!(sdp.contains("a=ice-lite"), "{sdp}");
    let candidate = format!("127.0.0.1 {} typ host", sfu.udp_port);
    assert!(sdp.contains(&candidate), "{candidate} in {sdp}");

    // Pulling it from another session makes the SFU offer; a name never pushed is an item error.
    let other = new_session(&sfu);
    let (status, body) = api(
        &sfu,
        "POST",
        &format!("sessions/{other}/tracks/new"),
        json!({"tracks": [
            {"location": "remote", "sessionId": session, "trackName": "mic"},
            {"location": "remote", "sessionId": session, "trackName": "camera"},
        ]}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["requiresImmediateRenegotiation"], json!(true));
    assert_eq!(body["sessionDescription"]["type"], "offer");
    assert!(body["tracks"][0]["mid"].is_string(), "{body}");
    assert_eq!(body["tracks"][1]["errorCode"], "not_found_track_error");
}

#[test]
fn wrong_tokens_apps_routes_bodies_and_sessions_get_cloudflare_s_errors() {
    let sfu = start();
    let new = format!("{}/sessions/new", sfu.api);
    for token in [None, Some("wrong")] {
        let (status, body) = call("POST", &new, token, None);
        assert_eq!((status, &body["errorCode"]), (401, &json!("unauthorized")));
    }
    let other_app = new.replace(APP, "another-app");
    assert_eq!(call("POST", &other_app, Some(TOKEN), None).0, 404);
    let session = new_session(&sfu);
    let tracks = format!("sessions/{session}/tracks/new");
    let (status, body) = call(
        "POST",
        &format!("{}/{tracks}", sfu.api),
        Some(TOKEN),
        Some("{not json".into()),
    );
    assert_eq!(
        (status, &body["errorCode"]),
        (400, &json!("decoding_error"))
    );
    let huge = json!({"sessionDescription": {"type": "offer", "sdp": "x".repeat(1_100_000)}});
    let (status, body) = api(&sfu, "POST", &tracks, huge);
    assert_eq!(
        (status, &body["errorCode"]),
        (413, &json!("payload_too_large"))
    );
    let (status, body) = api(
        &sfu,
        "POST",
        "sessions/0000/tracks/new",
        json!({"tracks": [{"location": "remote", "sessionId": session, "trackName": "mic"}]}),
    );
    assert_eq!((status, &body["errorCode"]), (404, &json!("not_found")));
    let (status, body) = api(
        &sfu,
        "PUT",
        &format!("sessions/{session}/renegotiate"),
        json!({"sessionDescription": {"type": "answer", "sdp": "v=0"}}),
    );
    assert_eq!((status, &body["errorCode"]), (406, &json!("session_error")));
    let (status, body) = api(
        &sfu,
        "POST",
        &tracks,
        json!({"sessionDescription": {"type": "offer", "sdp": "nonsense"},
               "tracks": [{"location": "local", "mid": "0", "trackName": "mic"}]}),
    );
    assert_eq!(
        (status, &body["errorCode"]),
        (400, &json!("invalid_session_description"))
    );
    assert_eq!(api(&sfu, "GET", "sessions", json!({})).0, 404);
}
