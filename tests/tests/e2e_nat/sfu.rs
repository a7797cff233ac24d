//! The SFU across networks (trial 10): with `ICE_TRANSPORT_POLICY=relay` and every room on the
//! local SFU (in the router namespace, its media on side A's gateway), each side's one
//! connection, to the SFU, goes through coturn, and each side plays the other from it.

use super::*;
use confab_tests::room_page::wait_sfu_media_from;

pub(crate) async fn relay_only_reaches_the_sfu_through_turn(lab: &Lab) -> Result<(), String> {
    in_a_room(
        lab,
        Turn::SfuRelayOnly,
        (&lab.b, "Ben"),
        async |b: &[Client]| {
            let mut seen = Vec::new();
            for (client, (me, other)) in b.iter().zip([("Ana", "Ben"), ("Ben", "Ana")]) {
                let peer = the_one_tile(client, other).await?;
                wait_sfu_media_from(client, &[peer], MEDIA_TIMEOUT)
                    .await
                    .map_err(|e| format!("{me}: {e}"))?;
                let path = connected_path(client, "sfu").await?;
                if path.local.as_deref() != Some("relay") {
                    return Err(format!("{me} reaches the SFU without the relay: {path:?}"));
                }
                let connections = paths(client).await?;
                if connections.len() != 1 {
                    return Err(format!(
                        "{me} holds more than the SFU's connection: {connections:?}"
                    ));
                }
                seen.push(path.types());
            }
            eprintln!("e2e_nat: relay-only through the SFU: {seen:?}");
            Ok(())
        },
    )
    .await
}
