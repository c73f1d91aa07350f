//! Standard output that may close early: `shale plan … | head` must end quietly, not
//! with a panic ("failed printing to stdout: Broken pipe", exit 101).

/// The exit status after standard output was closed early: 128 + SIGPIPE, what a shell
/// reports for a program that a closed pipe stopped.
pub const CLOSED_STDOUT_STATUS: i32 = 141;

/// Make a write to a closed standard output end the process quietly with
/// [`CLOSED_STDOUT_STATUS`]. `print!` panics on such a write; this hook turns that one
/// panic into a quiet exit and leaves every other panic to the default hook.
///
/// Safe for `apply` too: its plan is printed before anything runs, and its report after
/// everything ran and was verified, so the exit never falls between two steps.
pub fn exit_quietly_when_stdout_closes() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if is_closed_stdout(message) {
            std::process::exit(CLOSED_STDOUT_STATUS);
        }
        default(info);
    }));
}

/// Whether a panic message is the standard library's for a write to a closed stdout.
fn is_closed_stdout(message: &str) -> bool {
    message.starts_with("failed printing to stdout")
        && (message.contains("Broken pipe") || message.contains("os error 32"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn recognizes_the_closed_pipe_panic_only() {
        assert!(super::is_closed_stdout(
            "failed printing to stdout: Broken pipe (os error 32)"
        ));
        assert!(!super::is_closed_stdout(
            "failed printing to stdout: No space left on device (os error 28)"
        ));
        assert!(!super::is_closed_stdout("index out of bounds"));
    }
}
