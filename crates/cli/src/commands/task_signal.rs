//! `vigil task-signal`: classify prompts as complexity / nature / domain with the heuristic → ML
//! cascade (or either classifier alone).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use vigil_server::records;
use vigil_task_signal::{
    Cascade, CascadeParams, Decider, Decision, HeuristicClassifier, TaskSignalClassifier,
};

use crate::io::Io;

/// Arguments of `vigil task-signal`.
#[derive(Debug, Args)]
pub struct TaskSignalArgs {
    /// Classify this text alone and print one result line instead of reading JSON Lines (the
    /// text is one prompt, whatever newlines it holds).
    #[arg(long, value_name = "T")]
    text: Option<String>,
    /// Model artifact to use (default: $VIGIL_TASK_SIGNAL_MODEL, then the embedded model).
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Which classifier answers.
    #[arg(long, value_enum, default_value_t = Mode::Cascade)]
    classifier: Mode,
    /// Cascade: escalate to the model when the heuristic's confidence is below this.
    #[arg(long, default_value_t = 0.75)]
    escalate_below: f64,
    #[command(flatten)]
    io: Io,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// Heuristic first, the model when the heuristic is unsure.
    Cascade,
    /// The regex heuristic alone.
    Heuristic,
    /// The model alone.
    Ml,
}

/// One input line. Its one field, `text`, is required, so a misspelt field cannot pass unnoticed
/// (`text` is then missing) and other fields are ignored: callers may carry an `id` through. Every
/// record with an optional field refuses unknown ones instead (see `vigil-contracts`).
/// Runs `vigil task-signal`.
pub fn run(args: TaskSignalArgs) -> anyhow::Result<bool> {
    let params = CascadeParams {
        escalate_below: args.escalate_below,
    };
    let classify: Box<dyn Fn(&str) -> Decision> = match args.classifier {
        Mode::Heuristic => {
            let h = HeuristicClassifier::new();
            Box::new(move |t| Decision {
                classification: h.classify_text(t),
                classifier: Decider::Heuristic,
            })
        }
        Mode::Ml | Mode::Cascade => {
            let (ml, _) = TaskSignalClassifier::load(args.model.as_deref())
                .context("cannot load the task-signal model")?;
            if args.classifier == Mode::Ml {
                Box::new(move |t| Decision {
                    classification: ml.classify_text(t),
                    classifier: Decider::Ml,
                })
            } else {
                let cascade = Cascade::new(Some(ml), params)?;
                Box::new(move |t| cascade.classify_text(t))
            }
        }
    };
    if let Some(text) = &args.text {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", records::task_signal_output(&classify(text)))
            .and_then(|()| out.flush())
            .context("cannot write output")?;
        return Ok(true);
    }
    args.io.run(|_, line| records::task_signal(&classify, line))
}
