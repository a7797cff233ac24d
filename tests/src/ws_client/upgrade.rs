//! A bare upgrade request, for the answers a refused upgrade gets (status, headers, body).

use super::*;

/// Sends a WebSocket upgrade request over a plain TCP connection and reads the complete
/// answer: status, headers and (unless it is 101) the whole body. For testing refusals,
/// whose problem+json body a WebSocket client library may cut short.
pub async fn attempt_upgrade(url: &str, origin: Option<&str>, protocols: Option<&str>) -> Reply {
    let rest = url
        .strip_prefix("ws://")
        .unwrap_or_else(|| panic!("not a ws:// url: {url}"));
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    );
    if let Some(origin) = origin {
        request.push_str(&format!("Origin: {origin}\r\n"));
    }
    if let Some(protocols) = protocols {
        request.push_str(&format!("Sec-WebSocket-Protocol: {protocols}\r\n"));
    }
    request.push_str("\r\n");
    let exchange = async {
        let mut stream = TcpStream::connect(authority).await?;
        stream.write_all(request.as_bytes()).await?;
        read_reply(&mut stream).await
    };
    match tokio::time::timeout(CONNECT_TIMEOUT, exchange).await {
        Ok(Ok(reply)) => reply,
        Ok(Err(error)) => panic!("upgrade request to {url} failed: {error}"),
        Err(_) => panic!("no complete answer from {url} within {CONNECT_TIMEOUT:?}"),
    }
}

async fn read_reply(stream: &mut TcpStream) -> std::io::Result<Reply> {
    let invalid = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let (status, headers, head_len) = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(invalid("connection closed inside the response head".into()));
        }
        buffer.extend_from_slice(&chunk[..n]);
        let mut slots = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut slots);
        match response
            .parse(&buffer)
            .map_err(|e| invalid(format!("bad response head: {e}")))?
        {
            httparse::Status::Partial => continue,
            httparse::Status::Complete(len) => {
                let headers: Vec<(String, String)> = response
                    .headers
                    .iter()
                    .map(|h| {
                        (
                            h.name.to_ascii_lowercase(),
                            String::from_utf8_lossy(h.value).into_owned(),
                        )
                    })
                    .collect();
                break (response.code.unwrap_or_default(), headers, len);
            }
        }
    };
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let content_type = find("content-type").unwrap_or_default();
    let mut body = buffer.split_off(head_len);
    if status != 101 {
        let chunked =
            find("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        if let Some(length) = find("content-length").and_then(|v| v.trim().parse::<usize>().ok()) {
            while body.len() < length {
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Err(invalid(format!(
                        "body ended after {} of {length} bytes",
                        body.len()
                    )));
                }
                body.extend_from_slice(&chunk[..n]);
            }
            body.truncate(length);
        } else if chunked {
            loop {
                if let Some(decoded) = decode_chunked(&body) {
                    body = decoded;
                    break;
                }
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Err(invalid("chunked body ended early".into()));
                }
                body.extend_from_slice(&chunk[..n]);
            }
        } else {
            stream.read_to_end(&mut body).await?;
        }
    }
    let body = String::from_utf8_lossy(&body).into_owned();
    Ok(Reply {
        status,
        content_type,
        headers,
        body,
    })
}

/// The decoded body once `raw` holds a complete chunked encoding, else `None`.
fn decode_chunked(raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        let line_end = raw[at..].windows(2).position(|w| w == b"\r\n")? + at;
        let size_text = std::str::from_utf8(&raw[at..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        at = line_end + 2;
        if size == 0 {
            return Some(out);
        }
        if raw.len() < at + size + 2 {
            return None;
        }
        out.extend_from_slice(&raw[at..at + size]);
        at += size + 2;
    }
}
