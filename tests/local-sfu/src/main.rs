//! `confab-local-sfu --http ADDR --udp ADDR --app-id ID [--repeat-track-ids]`, with the app
//! token in the environment (`SFU_APP_TOKEN`, so it never shows in a process list).
//! `--repeat-track-ids` gives every pull of a track the same id (see
//! `Sfu::repeating_track_ids`). Prints
//! `confab-local-sfu http=<address> udp=<address>` once it listens (ports chosen by the system
//! when given as 0), then serves until killed.

use confab_local_sfu::server::{address, serve, Credentials, Quirks};

fn main() -> std::process::ExitCode {
    confab_local_sfu::since_start(); // the log's times count from here
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("confab-local-sfu: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (mut http, mut udp, mut app_id) = (None, None, None);
    let mut quirks = Quirks::default();
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--http" => http = args.next(),
            "--udp" => udp = args.next(),
            "--app-id" => app_id = args.next(),
            "--repeat-track-ids" => quirks.repeat_track_ids = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let http = address("--http", http)?;
    let udp = address("--udp", udp)?;
    if udp.ip().is_unspecified() {
        // Every session's one candidate is this address: browsers need a real one.
        return Err(format!(
            "--udp {udp}: give the address browsers reach, not 0.0.0.0"
        ));
    }
    let app_id = app_id.ok_or("--app-id is required")?;
    let app_token = std::env::var("SFU_APP_TOKEN")
        .ok()
        .filter(|t| !t.is_empty())
        .ok_or("SFU_APP_TOKEN is not set")?;
    confab_local_sfu::install_crypto();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let http = tokio::net::TcpListener::bind(http)
            .await
            .map_err(|e| format!("--http {http}: {e}"))?;
        let udp =
            confab_local_sfu::server::bind_udp(udp).map_err(|e| format!("--udp {udp}: {e}"))?;
        let (h, u) = (
            http.local_addr().map_err(|e| e.to_string())?,
            udp.local_addr().map_err(|e| e.to_string())?,
        );
        println!("confab-local-sfu http={h} udp={u}");
        // The log's first line: its clock's zero, beside the tests' reading of it.
        let at = confab_local_sfu::since_start().as_secs_f64();
        eprintln!("{at:9.3} listening: http={h} udp={u}");
        serve(http, udp, Credentials { app_id, app_token }, quirks)
            .await
            .map_err(|e| e.to_string())
    })
}
