//! Host and co-host frames (remove, mute, access, the lobby, trust, end for all): checked
//! against the sender's role and target, limited against floods, and turned into [`Action`]s.

use confab_protocol::{ClientFrame, ErrorCode, FrameError, PeerId, ServerFrame};

use super::{lobby, moderation, refuse, Action, ConnGuard, Incoming};

/// A host action: allowed for this sender on this target, and not in a flood. A refusal is
/// not a strike (a co-host demoted a moment ago may still see the controls).
pub(super) fn on_moderation(
    incoming: &Incoming<'_>,
    guard: &mut ConnGuard,
    frame: ClientFrame,
) -> Vec<Action> {
    let actor = &incoming.sender.member;
    let target =
        |peer: &PeerId| (incoming.member_of)(peer).ok_or_else(|| FrameError::unknown_peer(peer));
    let allowed = match &frame {
        ClientFrame::Remove { peer_id, .. } | ClientFrame::Mute { peer_id } => {
            target(peer_id).and_then(|t| moderation::may_moderate(actor, &t).map(|()| t))
        }
        ClientFrame::Trust { peer_id, .. } => {
            target(peer_id).and_then(|t| moderation::may_trust(actor, &t).map(|()| t))
        }
        ClientFrame::Admit { .. } | ClientFrame::Deny { .. } => {
            lobby::may_let_in(actor).map(|()| actor.clone())
        }
        ClientFrame::SetAccess { .. } => {
            moderation::may_change_access(actor).map(|()| actor.clone())
        }
        _ => moderation::may_end(actor).map(|()| actor.clone()),
    };
    let target = match allowed {
        Ok(target) => target,
        Err(refused) if refused.code == ErrorCode::UnknownPeer => return refuse(guard, refused),
        Err(refused) => return vec![Action::Reply(refused.to_frame())],
    };
    if !guard.admit_moderation(incoming.now_ms) {
        return vec![Action::Reply(
            FrameError::new(
                ErrorCode::RateLimited,
                format!(
                    "more than {} host actions in a row; one a second after that",
                    ConnGuard::MODERATION_BURST
                ),
            )
            .to_frame(),
        )];
    }
    match frame {
        ClientFrame::Remove { ban, .. } => vec![Action::Remove {
            user_id: target.user_id,
            period: ban,
        }],
        ClientFrame::Mute { .. } => vec![Action::SendTo(
            target.peer_id,
            ServerFrame::Muted {
                by: actor.peer_id.clone(),
            },
        )],
        ClientFrame::SetAccess {
            locked,
            capacity,
            history,
            lobby,
        } => vec![Action::ChangeAccess(moderation::AccessChange {
            locked,
            capacity,
            history,
            lobby,
        })],
        ClientFrame::Admit { peer_ids } => vec![Action::Admit(peer_ids)],
        ClientFrame::Deny { peer_ids } => vec![Action::Deny(peer_ids)],
        ClientFrame::Trust { trusted, .. } => vec![Action::Trust {
            user_id: target.user_id,
            trusted,
        }],
        _ => vec![Action::EndForAll],
    }
}
