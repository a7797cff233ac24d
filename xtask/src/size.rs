//! What a browser downloads for the room page, and what Cloudflare uploads for the worker, in
//! gzip bytes; `cargo xtask build` prints both and fails past the budget below.

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{self, step, Context, Result};
use crate::Ctx;

/// The one place the budgets live. Gzip level 6 (what CDNs serve), summed over the files.
///
/// The room page: every html, js, wasm and css file in `dist/`. Lower this whenever a change
/// makes the page smaller. Raise it only for a feature people asked for whose cost was
/// measured and is written here; otherwise cut something instead.
///
/// History: 366,412 at the start of the budget; 350,000 after Leptos `erase_components`;
/// +4,500 for Korean and English (both string tables and one reactive label each: +4,309
/// bytes measured); +1,500 for light and dark themes with a theme menu (+1,457 measured);
/// +7,500 for keyboard and screen-reader use (the emoji menu's keys, the room's live region,
/// tile labels, focus rings, the phone layout and the theme set before the app starts:
/// +7,513 measured, 7,031 of it wasm); +500 for "yesterday" in chat times
/// (`Intl.RelativeTimeFormat`: about +480 measured); +500 for the emoji menu in Safari and
/// on Tab, a burst of chat heard as one count, repeated news heard again, and `<time
/// datetime>` (about +500 measured); +9,000 for raised hands (a frame type, the queue on the
/// tiles and in a list, the button: +8,848 measured, most of it Leptos view code); +3,200 for
/// tiles that fill the stage (a resize observer and the column fit: +3,169 measured; printing
/// the width as an f64 had cost 8,000 more, so it is printed as whole pixels); +26,300 for the
/// pre-join page and device switching (camera preview, a Web Audio level meter, camera,
/// microphone and speaker pickers remembered per browser, switching with `replaceTrack` before
/// and during the call, falling back when a device goes, per-browser help, the token and ICE
/// servers fetched before the click: +26,005 measured, of which the app's own code is about a
/// third and the rest Leptos and reactive-graph generics for its views and signals); +7,200 for
/// screen share (the capture, send-only transceivers with their parameters, the screen tiles
/// and the button: about +7,200 measured); +27,500 for the rest of the meeting features (who
/// is speaking from sound levels, speaker view, pinning, a shrinkable own preview, a hand that
/// lowers itself, reactions with their picker, keyboard shortcuts with their list,
/// picture-in-picture, and their words in both languages: +27,096 measured together); +1,400
/// for holding the call view back until a joiner's offers are out (+1,176 measured); +500
/// for the answer-pending rule of perfect negotiation (438,680 measured with it); +8,500 for
/// hosts and roles (the participants panel with the host's controls, `role` frames, the seat
/// limit's ending, in both languages: +8,485 measured, most of it Leptos view code again);
/// +11,500 for moderation (remove with its period, ask to mute, lock, room size, end for
/// everyone, the muted notice and three final endings, in both languages: 458,812 measured);
/// +4,000 for history visibility (the home page's choice, the hosts' menu and the chat's note,
/// in both languages: 462,485 measured); +16,000 for the lobby (the waiting page, the hosts'
/// admit panel with its chime, the lobby switch and badge, trust on people's rows and the
/// denied ending, in both languages: 478,405 measured; a size pass over the room page's views
/// is due); +2,500 for the room socket opened ahead of the click on Join (the standby socket
/// with its keepalive, the call's take-over of it and the peer connection made ahead: 480,626
/// measured); +34,000 for rooms beyond eight (the room's `route` and `sfu_tracks` frames, room
/// sizes up to the deployment's limit, and the SFU client: one connection pushing and pulling
/// through the worker, Cloudflare's API types, following the room between mesh and SFU:
/// 515,014 measured, about 5,000 of it the frames and 28,000 the client); +2,400 for the SFU
/// client's resilience and quality (lost calls sent again, a new session when they stay lost,
/// and each tile's quality bars from its person's share of the SFU connection: 517,387
/// measured; a `BTreeMap` and a `HashMap` of new types had cost 1,600 more, so these are
/// lists); +900 for pulling everyone in one round when a room moves to the SFU (the first
/// pull waits up to 2 s for the pushes of those present: 518,721 measured; in `bench switch`
/// the median freeze went from 3.7 to 2.9 s and the worst from 7.6 to 5.1 s); +2,400 for
/// simulcast through the SFU (a camera sent in up to three layers, each tile's layer chosen
/// by its size and changed with `tracks/update`: 521,076 measured; sending the update in
/// `tracks/new`'s types rather than two more serde types saved 190); +1,900 for closing what
/// was pulled of someone who left (`tracks/close` with a new offer: 522,963 measured; its
/// request sent as a `tracks/new` request's JSON with `force` added saved 230 of it); +1,100
/// for a faster join (the offer made before the click, VP8 and Opus only, one microphone
/// meter from the pre-join page into the call: 524,109 measured); +4,500 for last-N on the
/// SFU (only the latest speakers' cameras pulled, with a stay time; 528,577 measured, after
/// picking by hand instead of sorting, which took 1,700 of it); -2,700 after the last two
/// sorts went (the loudest speaker picked by hand, the room sizes built in order: about
/// -3,500) and the deployment's last-N came in the welcome (+850): 525,200 measured; +1,000
/// for an ICE restart with the SFU before a new session (526,122 measured); +2,200 for
/// compiling the call view and the first frames before the click (the join 155 -> 148 ms at
/// the median: 528,337 measured). A size pass over the room page is overdue.
pub const ROOM_PAGE_BUDGET: u64 = 528_800;
/// The worker bundle (everything in `worker/build/`): Cloudflare's limit for a free-plan
/// worker is 3 MB compressed; we keep well under a third of it.
pub const WORKER_BUDGET: u64 = 1_000_000;

/// File kinds a browser fetches to show the room page.
const PAGE_EXTENSIONS: [&str; 4] = ["html", "js", "wasm", "css"];

/// One measured part of the build.
struct Part {
    name: &'static str,
    budget: u64,
    files: Vec<(PathBuf, u64)>,
}

impl Part {
    fn gzip_total(&self) -> u64 {
        self.files.iter().map(|(_, gz)| gz).sum()
    }
}

/// Prints each file's gzip size and each part's total against its budget; an error if any part
/// is over (or a part built in this run has no files, which would make the check meaningless).
pub fn check(ctx: &Ctx, app_built: bool, worker_built: bool) -> Result {
    let mut parts = Vec::new();
    if app_built {
        parts.push(measure(
            ctx,
            "room page (dist/)",
            ROOM_PAGE_BUDGET,
            &ctx.root.join("dist"),
            Some(&PAGE_EXTENSIONS),
        )?);
    }
    if worker_built {
        parts.push(measure(
            ctx,
            "worker bundle (worker/build/)",
            WORKER_BUDGET,
            &ctx.root.join("worker/build"),
            None,
        )?);
    }
    let mut over = Vec::new();
    for part in &parts {
        let total = part.gzip_total();
        step(format!(
            "{}: {} gzip in {} files (budget {})",
            part.name,
            util::human_size(total),
            part.files.len(),
            util::human_size(part.budget)
        ));
        if let Err(why) = within_budget(part.name, total, part.budget, part.files.len()) {
            over.push(why);
        }
    }
    if over.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n(budgets: xtask/src/size.rs; `twiggy top` on the wasm shows what is large)",
            over.join("\n")
        ))
    }
}

/// The rule, apart from the file system: at least one file, and no more than the budget.
fn within_budget(name: &str, total: u64, budget: u64, files: usize) -> Result {
    if files == 0 {
        return Err(format!(
            "{name}: no files to measure; did the build write them?"
        ));
    }
    if total > budget {
        return Err(format!(
            "{name} is {total} bytes gzip, over its budget of {budget} by {} bytes",
            total - budget
        ));
    }
    Ok(())
}

fn measure(
    ctx: &Ctx,
    name: &'static str,
    budget: u64,
    dir: &Path,
    extensions: Option<&[&str]>,
) -> Result<Part> {
    let mut paths = Vec::new();
    collect_files(dir, &mut paths)?;
    paths.retain(|p| {
        extensions.is_none_or(|exts| {
            p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| exts.contains(&x))
        })
    });
    paths.sort();
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let raw = fs::metadata(&path).context(path.display())?.len();
        let gz = util::gzip_size(&path)?;
        step(format!(
            "  {}: {} raw, {} gzip",
            path.strip_prefix(&ctx.root).unwrap_or(&path).display(),
            util::human_size(raw),
            util::human_size(gz)
        ));
        files.push((path, gz));
    }
    Ok(Part {
        name,
        budget,
        files,
    })
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("reading {}: {e}", dir.display())),
    };
    for entry in entries {
        let path = entry.context(dir.display())?.path();
        // Dotfiles (worker-build's .gitignore) are never served or uploaded.
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        if path.is_dir() {
            collect_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_at_its_budget_passes_and_one_byte_over_fails() {
        assert!(within_budget("page", 100, 100, 3).is_ok());
        let err = within_budget("page", 101, 100, 3).unwrap_err();
        assert!(err.contains("over its budget of 100 by 1 bytes"), "{err}");
    }

    #[test]
    fn a_part_with_no_files_fails() {
        assert!(within_budget("page", 0, 100, 0).is_err());
    }
}
