//! The `main` every browser suite shares: libtest-mimic trials run one at a time (browsers are
//! heavy on two cores and the trials share one worker) on one [`crate::stage::Stage`], which is
//! torn down after the last trial whatever the outcome.

/// `fn main() -> ExitCode { confab_tests::stage_main!("label", trial_a, trial_b) }` where each
/// trial is `async fn(&Stage) -> Result<(), String>`.
#[macro_export]
macro_rules! stage_main {
    ($label:expr, $($trial:ident),+ $(,)?) => {{
        let mut args = libtest_mimic::Arguments::from_args();
        args.test_threads = Some(1);
        if args.list {
            let trials = vec![$(libtest_mimic::Trial::test(stringify!($trial), || Ok(()))),+];
            return libtest_mimic::run(&args, trials).exit_code();
        }
        let stage = match $crate::stage::Stage::enter($label) {
            Ok(stage) => std::sync::Arc::new(stage),
            Err(message) => {
                eprintln!("{}: {message}", $label);
                return std::process::ExitCode::FAILURE;
            }
        };
        let trials = vec![$({
            let stage = stage.clone();
            libtest_mimic::Trial::test(stringify!($trial), move || {
                stage
                    .runtime
                    .block_on($trial(&stage))
                    .map_err(libtest_mimic::Failed::from)
            })
        }),+];
        let conclusion = libtest_mimic::run(&args, trials);
        // The trials (and their handles) are gone: this drop stops everything, failed or not.
        drop(stage);
        conclusion.exit_code()
    }};
}
