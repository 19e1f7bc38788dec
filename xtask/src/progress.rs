//! A spinner with elapsed time for long steps (training a model), drawn on stderr only when it
//! is a terminal, so CI logs stay plain.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A running spinner; [`Spinner::finish`] leaves a line with the elapsed time.
pub struct Spinner(ProgressBar);

impl Spinner {
    /// Starts a spinner labelled `message`.
    pub fn start(message: String) -> Self {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{elapsed_precise}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        if bar.is_hidden() {
            eprintln!("==> {message}");
        }
        bar.set_message(message);
        bar.enable_steady_tick(Duration::from_millis(120));
        Spinner(bar)
    }

    /// Stops the spinner, keeping its last line.
    pub fn finish(self) {
        self.0.finish();
    }
}
