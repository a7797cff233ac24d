//! Local stand-ins for the sign-in providers, run as child processes for the tests:
//! `tests/js/oidc-google.mjs` (a real OpenID Connect provider, npm `oidc-provider`, as Google)
//! and `tests/js/social-standin.mjs` (GitHub, Kakao and Naver with their documented quirks).
//!
//! [`Providers::start`] runs both on their own loopback addresses (127.0.0.2 and 127.0.0.3, so
//! the browser treats them as other sites than the worker at 127.0.0.1 and cookies never mix),
//! each in its own process group with a watchdog, like `wrangler dev`. [`Providers::vars`] are
//! the `--var` settings that point the worker at them; once the worker runs (its port is in the
//! redirect URIs), [`Providers::register`] gives each stand-in its clients. Both keep a request
//! log the tests read back ([`Providers::log`]).

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};

use crate::process::{spawn_watchdog, stop_group};
use crate::wrangler::repo_root;

/// A sign-in provider, as the worker names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Provider {
    Google,
    Github,
    Kakao,
    Naver,
}

impl Provider {
    /// In the order `/auth/providers` lists them.
    pub const ALL: [Provider; 4] = [
        Provider::Google,
        Provider::Github,
        Provider::Kakao,
        Provider::Naver,
    ];

    /// The id in `/auth/{id}/login`.
    pub fn id(self) -> &'static str {
        match self {
            Provider::Google => "google",
            Provider::Github => "github",
            Provider::Kakao => "kakao",
            Provider::Naver => "naver",
        }
    }

    /// The name `/auth/providers` shows.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Google => "Google",
            Provider::Github => "GitHub",
            Provider::Kakao => "Kakao",
            Provider::Naver => "Naver",
        }
    }

    /// Prefix of its wrangler vars (`GOOGLE_CLIENT_ID`, ...).
    pub fn var_prefix(self) -> &'static str {
        match self {
            Provider::Google => "GOOGLE",
            Provider::Github => "GITHUB",
            Provider::Kakao => "KAKAO",
            Provider::Naver => "NAVER",
        }
    }

    /// Whether the worker must use PKCE with it.
    pub fn pkce(self) -> bool {
        self != Provider::Naver
    }

    /// The display name the stand-in gives the account `login` ("mona-lisa" → "Mona Lisa"),
    /// the same rule as the scripts' `nameOf`.
    pub fn display_name(self, login: &str) -> String {
        login
            .split(['.', '_', '-', ' '])
            .filter(|part| !part.is_empty())
            .map(|part| {
                let mut chars = part.chars();
                match chars.next() {
                    Some(first) => first.to_uppercase().chain(chars).collect(),
                    None => String::new(),
                }
            })
            .collect::<Vec<String>>()
            .join(" ")
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One OAuth client registered at a stand-in.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCreds {
    pub provider: Provider,
    pub client_id: String,
    /// Empty: a client without a secret (Kakao allows it).
    pub client_secret: String,
}

impl ClientCreds {
    /// A client with a random id and a random 32-byte secret.
    pub fn random(provider: Provider) -> ClientCreds {
        ClientCreds {
            provider,
            client_id: format!("{}-{}", provider.id(), random_b64(9)),
            client_secret: random_b64(32),
        }
    }
}

impl fmt::Debug for ClientCreds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCreds")
            .field("provider", &self.provider)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

fn random_b64(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Both stand-ins and the clients the worker uses at them; stopped on drop.
pub struct Providers {
    google: StandIn,
    social: StandIn,
    clients: Vec<ClientCreds>,
}

impl Providers {
    /// Starts both stand-ins (logs under `log_dir`) with one random client per provider.
    pub fn start(log_dir: &Path) -> Result<Providers, String> {
        std::fs::create_dir_all(log_dir).map_err(|e| format!("{}: {e}", log_dir.display()))?;
        let google = StandIn::start("oidc-google.mjs", "127.0.0.2", log_dir)?;
        let social = StandIn::start("social-standin.mjs", "127.0.0.3", log_dir)?;
        Ok(Providers {
            google,
            social,
            clients: Provider::ALL.into_iter().map(ClientCreds::random).collect(),
        })
    }

    /// The client the worker is configured with by [`Providers::vars`].
    pub fn client(&self, provider: Provider) -> &ClientCreds {
        self.clients
            .iter()
            .find(|c| c.provider == provider)
            .expect("one client per provider")
    }

    /// The Google stand-in's issuer (and origin).
    pub fn google_issuer(&self) -> &str {
        &self.google.origin
    }

    /// The origin serving `provider`.
    pub fn origin(&self, provider: Provider) -> &str {
        match provider {
            Provider::Google => &self.google.origin,
            _ => &self.social.origin,
        }
    }

    /// `(authorize, token, userinfo)` URLs of `provider`'s stand-in.
    pub fn endpoints(&self, provider: Provider) -> (String, String, String) {
        let o = self.origin(provider);
        match provider {
            Provider::Google => (format!("{o}/auth"), format!("{o}/token"), format!("{o}/me")),
            Provider::Github => (
                format!("{o}/github/login/oauth/authorize"),
                format!("{o}/github/login/oauth/access_token"),
                format!("{o}/github/api/user"),
            ),
            Provider::Kakao => (
                format!("{o}/kakao/oauth/authorize"),
                format!("{o}/kakao/oauth/token"),
                format!("{o}/kakao/v2/user/me"),
            ),
            Provider::Naver => (
                format!("{o}/naver/oauth2.0/authorize"),
                format!("{o}/naver/oauth2.0/token"),
                format!("{o}/naver/v1/nid/me"),
            ),
        }
    }

    /// `--var` settings offering `which` providers with this run's clients.
    pub fn vars(&self, which: &[Provider]) -> Vec<(String, String)> {
        let clients: Vec<&ClientCreds> = which.iter().map(|p| self.client(*p)).collect();
        self.vars_for(&clients)
    }

    /// `--var` settings offering exactly these clients' providers.
    pub fn vars_for(&self, clients: &[&ClientCreds]) -> Vec<(String, String)> {
        let mut vars = Vec::new();
        for client in clients {
            let p = client.provider;
            let prefix = p.var_prefix();
            let (authorize, token, userinfo) = self.endpoints(p);
            vars.push((format!("{prefix}_CLIENT_ID"), client.client_id.clone()));
            vars.push((
                format!("{prefix}_CLIENT_SECRET"),
                client.client_secret.clone(),
            ));
            vars.push((format!("{prefix}_AUTHORIZE_URL"), authorize));
            vars.push((format!("{prefix}_TOKEN_URL"), token));
            vars.push((format!("{prefix}_USERINFO_URL"), userinfo));
            match p {
                Provider::Google => vars.push(("GOOGLE_ISSUER".into(), self.google.origin.clone())),
                Provider::Github => vars.push((
                    "GITHUB_EMAILS_URL".into(),
                    format!("{}/github/api/user/emails", self.social.origin),
                )),
                _ => {}
            }
        }
        vars
    }

    /// Registers this run's clients with `<base_url>/auth/<provider>/callback` as their one
    /// redirect URI.
    pub fn register(&self, base_url: &str) -> Result<(), String> {
        let clients: Vec<&ClientCreds> = self.clients.iter().collect();
        self.register_clients(base_url, &clients)
    }

    /// Registers (or updates) `clients` for a worker at `base_url`.
    pub fn register_clients(&self, base_url: &str, clients: &[&ClientCreds]) -> Result<(), String> {
        let entry = |c: &ClientCreds| {
            json!({
                "provider": c.provider.id(),
                "client_id": c.client_id,
                "client_secret": c.client_secret,
                "redirect_uris": [format!("{base_url}/auth/{}/callback", c.provider.id())],
            })
        };
        let (google, social): (Vec<&ClientCreds>, Vec<&ClientCreds>) =
            clients.iter().partition(|c| c.provider == Provider::Google);
        if !google.is_empty() {
            let body: Vec<Value> = google.into_iter().map(entry).collect();
            self.google.post_json("/__clients", &Value::Array(body))?;
        }
        if !social.is_empty() {
            let body: Vec<Value> = social.into_iter().map(entry).collect();
            self.social.post_json("/__clients", &Value::Array(body))?;
        }
        Ok(())
    }

    /// The request log of the stand-in serving `provider` (GitHub, Kakao and Naver entries are
    /// filtered to that provider).
    pub fn log(&self, provider: Provider) -> Vec<Value> {
        match provider {
            Provider::Google => self.google.log(),
            _ => self
                .social
                .log()
                .into_iter()
                .filter(|e| e["provider"] == provider.id())
                .collect(),
        }
    }

    /// Every code and token either stand-in has given out so far.
    pub fn issued(&self) -> Vec<String> {
        self.google
            .log()
            .into_iter()
            .chain(self.social.log())
            .flat_map(|e| {
                e["issued"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
            })
            .collect()
    }

    /// Every client secret of this run.
    pub fn secrets(&self) -> Vec<String> {
        self.clients
            .iter()
            .map(|c| c.client_secret.clone())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Where the stand-ins write their output.
    pub fn log_paths(&self) -> [&Path; 2] {
        [&self.google.log_path, &self.social.log_path]
    }
}

/// One stand-in: a node process in its own process group.
struct StandIn {
    origin: String,
    log_path: PathBuf,
    child: Child,
    watchdog: Option<(Child, ChildStdin)>,
}

impl StandIn {
    /// Runs `node tests/js/<script> --host <host> --port 0` and waits for its `READY {json}`.
    fn start(script: &str, host: &str, log_dir: &Path) -> Result<StandIn, String> {
        let log_path = log_dir.join(format!("{}.log", script.trim_end_matches(".mjs")));
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| format!("{}: {e}", log_path.display()))?;
        let stderr = log.try_clone().map_err(|e| e.to_string())?;
        let mut child = Command::new("node")
            .arg(repo_root().join("tests/js").join(script))
            .args(["--host", host, "--port", "0"])
            .current_dir(repo_root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot run node for {script}: {e}"))?;
        let watchdog = spawn_watchdog(child.id() as i32);
        let stdout = child.stdout.take().expect("piped stdout");
        let (ready_tx, ready_rx) = mpsc::channel();
        // Copies the output to the log and hands over the READY line; ends with the process.
        std::thread::spawn(move || copy_output(stdout, log, ready_tx));
        let mut stand_in = StandIn {
            origin: String::new(),
            log_path,
            child,
            watchdog,
        };
        // Cold, oidc-provider takes node seconds to load; on two cores shared with browsers
        // or other tests CI once saw it take more than 20.
        let ready = ready_rx
            .recv_timeout(Duration::from_secs(60))
            .map_err(|e| {
                format!(
                    "{script} did not report READY ({e}); see {}",
                    stand_in.log_path.display()
                )
            })?;
        let info: Value = serde_json::from_str(&ready)
            .map_err(|e| format!("{script}: bad READY line {ready:?}: {e}"))?;
        stand_in.origin = info["origin"]
            .as_str()
            .ok_or_else(|| format!("{script}: READY without an origin: {ready}"))?
            .to_owned();
        Ok(stand_in)
    }

    fn post_json(&self, path: &str, body: &Value) -> Result<(), String> {
        let reply = crate::http::request(
            "POST",
            &format!("{}{path}", self.origin),
            &[("content-type", "application/json")],
            Some(&body.to_string()),
        );
        if reply.status / 100 == 2 {
            Ok(())
        } else {
            Err(format!(
                "{}{path}: HTTP {} {}",
                self.origin, reply.status, reply.body
            ))
        }
    }

    fn log(&self) -> Vec<Value> {
        let reply = crate::http::get(&format!("{}/__log", self.origin), &[]);
        let body: Value = reply.json();
        body["requests"].as_array().cloned().unwrap_or_default()
    }
}

fn copy_output(stdout: std::process::ChildStdout, mut log: File, ready: mpsc::Sender<String>) {
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        let _ = writeln!(log, "{line}");
        if let Some(info) = line.strip_prefix("READY ") {
            let _ = ready.send(info.to_owned());
        }
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        stop_group(
            &mut self.child,
            self.watchdog.take(),
            Duration::from_secs(3),
        );
    }
}

impl crate::stage::Beside for Providers {}
