//! The `main` every browser suite shares: libtest-mimic trials run one at a time (browsers are
//! heavy on two cores and the trials share one worker) on one environment — a
//! [`crate::stage::Stage`], or a suite's own type around one — which is torn down after the last
//! trial whatever the outcome. Each trial's time goes to stderr. The API suites' trials are
//! [`async_trial`]s, run by [`run_with_workers`].

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use libtest_mimic::{Arguments, Conclusion, Failed, Trial};

use crate::wrangler::{stop_all, Shared};

/// A trial whose async body runs on its own single-threaded runtime and must finish within
/// `deadline` (the API suites: many short tests against one shared worker).
pub fn async_trial<F, Fut>(name: &'static str, deadline: Duration, test: F) -> Trial
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    Trial::test(name, move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failed::from(format!("no tokio runtime: {e}")))?;
        runtime
            .block_on(async { tokio::time::timeout(deadline, test()).await })
            .map_err(|_| Failed::from(format!("test did not finish within {deadline:?}")))
    })
}

/// Runs an API suite's `trials` (with the command line's arguments) against its shared
/// `workers`; afterwards names the workers' logs if a trial failed, and stops them (statics are
/// never dropped, so nothing else would), whatever the outcome.
pub fn run_with_workers(trials: Vec<Trial>, workers: &[&Shared]) -> Conclusion {
    let conclusion = libtest_mimic::run(&Arguments::from_args(), trials);
    let logs = stop_workers(workers);
    if conclusion.has_failed() {
        name_logs(&logs);
    }
    conclusion
}

/// Stops `workers` (statics are never dropped, so nothing else would); returns the logs of
/// those that ran, complete now that wrangler has stopped.
pub fn stop_workers(workers: &[&Shared]) -> Vec<PathBuf> {
    let logs = workers.iter().filter_map(|w| w.log_path()).collect();
    stop_all(workers);
    logs
}

fn name_logs(logs: &[PathBuf]) {
    for log in logs {
        eprintln!("wrangler log: {}", log.display());
    }
}

/// Ends a run that must not leave any of `secrets` (`what` they are, for the report) in the
/// workers' `logs` ([`stop_workers`]): each one found is reported by its length and first
/// characters, and fails the binary (101). When a trial failed or a secret leaked, names the
/// logs and calls `more_logs` to name any other logs worth reading.
pub fn finish_without_leaks(
    conclusion: Conclusion,
    logs: &[PathBuf],
    secrets: &[String],
    what: &str,
    more_logs: impl FnOnce(),
) -> ! {
    let mut leaked = false;
    for log in logs {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        for secret in secrets.iter().filter(|s| text.contains(s.as_str())) {
            let start: String = secret.chars().take(4).collect();
            eprintln!(
                "FAILED: one of the {what} ({} chars, starting {start:?}) appears in {}",
                secret.len(),
                log.display()
            );
            leaked = true;
        }
    }
    if !leaked && !logs.is_empty() {
        eprintln!(
            "checked {} {what}: none in {} wrangler log(s)",
            secrets.len(),
            logs.len()
        );
    }
    if conclusion.has_failed() || leaked {
        name_logs(logs);
        more_logs();
    }
    if leaked {
        std::process::exit(101);
    }
    conclusion.exit()
}

/// `async_trials![deadline; group::test_a, group::test_b]`: [`async_trial`]s named
/// `group::test_a`, ... for `async fn()` tests in modules of the suite.
#[macro_export]
macro_rules! async_trials {
    ($deadline:expr; $($group:ident :: $test:ident),* $(,)?) => {
        vec![$($crate::suite::async_trial(
            concat!(stringify!($group), "::", stringify!($test)),
            $deadline,
            $group::$test,
        )),*]
    };
}

/// `sync_trials![test_a, test_b]`: libtest-mimic trials for plain blocking `fn()` tests that
/// panic on failure.
#[macro_export]
macro_rules! sync_trials {
    ($($test:ident),* $(,)?) => {
        vec![$(libtest_mimic::Trial::test(stringify!($test), || {
            $test();
            Ok::<(), libtest_mimic::Failed>(())
        })),*]
    };
}

/// What trials run on: something holding the tokio runtime they are driven by and the
/// workers the pages are served by.
pub trait Runs {
    fn runtime(&self) -> &tokio::runtime::Runtime;
    /// The logs of the workers serving the pages, where their CSP violation reports land.
    fn worker_logs(&self) -> Vec<PathBuf>;
    /// Those and the logs of what runs beside them (an SFU stand-in), whose ends a failed
    /// trial prints: CI keeps nothing else of a run.
    fn all_logs(&self) -> Vec<PathBuf> {
        self.worker_logs()
    }
}

impl Runs for crate::stage::Stage {
    fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }
    fn worker_logs(&self) -> Vec<PathBuf> {
        vec![self.wrangler.log_path().to_path_buf()]
    }
}

/// Where a deliberate violation points (the probe that shows reports arrive); never counted.
pub const CSP_PROBE_HOST: &str = "csp-probe.invalid";

/// How far each log has been written, to look only at what comes after.
pub fn log_marks(logs: &[PathBuf]) -> Vec<(PathBuf, u64)> {
    logs.iter()
        .map(|log| {
            let len = std::fs::metadata(log).map(|m| m.len()).unwrap_or(0);
            (log.clone(), len)
        })
        .collect()
}

/// The CSP violations the workers logged after `marks` (the pages' reports, `/api/csp-report`),
/// but the probe's.
pub fn csp_violations_since(marks: &[(PathBuf, u64)]) -> Vec<String> {
    let mut found = Vec::new();
    for (log, from) in marks {
        let text = std::fs::read(log).unwrap_or_default();
        let after = text.get(*from as usize..).unwrap_or_default();
        found.extend(
            String::from_utf8_lossy(after)
                .lines()
                .filter(|line| line.contains("csp violation:") && !line.contains(CSP_PROBE_HOST))
                .map(str::to_owned),
        );
    }
    found
}

/// How many of each log's last lines a failed trial prints.
const FAILED_TRIAL_LOG_LINES: usize = 40;

/// The last lines each log got after `marks` (while a trial ran), for a failed trial's output.
pub fn log_tails_since(marks: &[(PathBuf, u64)]) -> String {
    let mut out = String::new();
    for (log, from) in marks {
        let text = std::fs::read(log).unwrap_or_default();
        let after = String::from_utf8_lossy(text.get(*from as usize..).unwrap_or_default());
        let lines: Vec<&str> = after.lines().collect();
        let tail = &lines[lines.len().saturating_sub(FAILED_TRIAL_LOG_LINES)..];
        out.push_str(&format!(
            "--- the last {} of {} lines {} got in this trial:\n",
            tail.len(),
            lines.len(),
            log.display()
        ));
        for line in tail {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// A trial's result, failed if the pages broke the Content-Security-Policy meanwhile.
pub fn without_csp_violations(
    result: Result<(), String>,
    marks: &[(PathBuf, u64)],
) -> Result<(), String> {
    let violations = csp_violations_since(marks);
    match result {
        Ok(()) if !violations.is_empty() => Err(format!(
            "the page broke its Content-Security-Policy:\n{}",
            violations.join("\n")
        )),
        other => other,
    }
}

/// `fn main() -> ExitCode { confab_tests::stage_main!("label", trial_a, trial_b) }` where each
/// trial is `async fn(&Stage) -> Result<(), String>`; or
/// `stage_main!("label" => setup_expression; trial_a, ...)` where the expression gives
/// `Result<E, String>` for an `E: Runs` and trials take `&E`. Setup is skipped for `--list`.
#[macro_export]
macro_rules! stage_main {
    ($label:expr, $($trial:ident),+ $(,)?) => {
        $crate::stage_main!($label => $crate::stage::Stage::enter($label); $($trial),+)
    };
    ($label:expr => $setup:expr; $($trial:ident),+ $(,)?) => {{
        use $crate::suite::Runs as _;
        let mut args = libtest_mimic::Arguments::from_args();
        args.test_threads = Some(1);
        if args.list {
            let trials = vec![$(libtest_mimic::Trial::test(stringify!($trial), || Ok(()))),+];
            return libtest_mimic::run(&args, trials).exit_code();
        }
        let env = match $setup {
            Ok(env) => std::sync::Arc::new(env),
            Err(message) => {
                eprintln!("{}: {message}", $label);
                return std::process::ExitCode::FAILURE;
            }
        };
        let trials = vec![$({
            let env = env.clone();
            libtest_mimic::Trial::test(stringify!($trial), move || {
                let started = std::time::Instant::now();
                let marks = $crate::suite::log_marks(&env.worker_logs());
                let all_marks = $crate::suite::log_marks(&env.all_logs());
                let result = env.runtime().block_on($trial(&env));
                let result = $crate::suite::without_csp_violations(result, &marks);
                eprintln!("{}: {} took {:?}", $label, stringify!($trial), started.elapsed());
                // In the failure's own message: CI's summary of a run quotes failures whole
                // and little else of the output.
                result.map_err(|failure| {
                    let tails = $crate::suite::log_tails_since(&all_marks);
                    libtest_mimic::Failed::from(format!("{failure}\n{tails}"))
                })
            })
        }),+];
        let conclusion = libtest_mimic::run(&args, trials);
        // Reports that arrived after their trial was judged.
        let whole_logs: Vec<_> = env.worker_logs().into_iter().map(|log| (log, 0)).collect();
        let late = $crate::suite::csp_violations_since(&whole_logs);
        // The trials (and their handles) are gone: this drop stops everything, failed or not.
        drop(env);
        if !late.is_empty() {
            eprintln!("{}: the pages broke their Content-Security-Policy:\n{}", $label, late.join("\n"));
            return std::process::ExitCode::FAILURE;
        }
        conclusion.exit_code()
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_trial_prints_the_end_of_what_each_log_got_during_it() {
        let path = std::env::temp_dir().join(format!("confab-tail-{}.log", std::process::id()));
        std::fs::write(&path, "before the trial\n").unwrap();
        let marks = log_marks(std::slice::from_ref(&path));
        let lines: String = (1..=50).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&path, format!("before the trial\n{lines}")).unwrap();
        let tail = log_tails_since(&marks);
        std::fs::remove_file(&path).unwrap();
        assert!(tail.starts_with("--- the last 40 of 50 lines"), "{tail}");
        assert!(
            tail.contains("\nline 11\n") && tail.ends_with("line 50\n"),
            "{tail}"
        );
        assert!(
            !tail.contains("line 10\n") && !tail.contains("before"),
            "{tail}"
        );
    }
}
