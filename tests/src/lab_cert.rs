//! A self-signed certificate for lab servers that browsers reach by IP address (coturn's TURN
//! over TLS), made by the `openssl` command, and the switch that tells Chromium to trust it.
//!
//! Chromium takes `--ignore-certificate-errors-spki-list=<base64 SHA-256 of the key's
//! SubjectPublicKeyInfo>`: certificates with that key are accepted, every other one is still
//! checked. That is narrower than `--ignore-certificate-errors`, and it reaches the browser's
//! own TLS connections, TURN's among them.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

pub const OPENSSL: &str = "/usr/bin/openssl";

/// A certificate and its key as PEM files.
#[derive(Debug, Clone)]
pub struct TlsCert {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// base64(SHA-256(SubjectPublicKeyInfo DER)).
    spki_sha256: String,
}

impl TlsCert {
    /// A fresh P-256 key and a certificate for `ips` (subject alternative names), valid for
    /// two days, written into `dir`.
    pub fn make(dir: &Path, ips: &[&str]) -> Result<TlsCert, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        let names: Vec<String> = ips.iter().map(|ip| format!("IP:{ip}")).collect();
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=confab-lab",
            "-addext",
            &format!("subjectAltName={}", names.join(",")),
            "-keyout",
            path_str(&key)?,
            "-out",
            path_str(&cert)?,
        ])?;
        let spki = openssl(&["pkey", "-in", path_str(&key)?, "-pubout", "-outform", "DER"])?;
        Ok(TlsCert {
            cert,
            key,
            spki_sha256: STANDARD.encode(Sha256::digest(&spki)),
        })
    }

    /// The Chromium switch that trusts this certificate's key (and no other).
    pub fn chromium_trust(&self) -> String {
        format!("--ignore-certificate-errors-spki-list={}", self.spki_sha256)
    }
}

fn path_str(path: &Path) -> Result<&str, String> {
    path.to_str()
        .ok_or_else(|| format!("not UTF-8: {}", path.display()))
}

/// Runs `openssl` with `args`; its standard output.
fn openssl(args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new(OPENSSL)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {OPENSSL}: {e} (apt-get install openssl)"))?;
    if !output.status.success() {
        return Err(format!(
            "openssl {} failed: {}",
            args.first().copied().unwrap_or_default(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(output.stdout)
}
