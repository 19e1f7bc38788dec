//! Timing of the preflight hot paths for `cargo xtask bench`: the injection classifier on user
//! messages and tool outputs, and a full preflight decision.

use vigil_injection::Channel;
use vigil_injection::InjectionScratch;
use vigil_preflight::Preflight;
use vigil_preflight::normalize::normalize_value;

use super::eval::{LabelledText, fixtures_path, read_labelled};
use crate::Result;
use crate::timing::{Timing, time_calls};

/// `cargo xtask bench`: p50/p99 of the injection classifier and of a full preflight decision.
pub fn bench() -> Result<Vec<Timing>> {
    let rows = read_labelled(&fixtures_path())?;
    let preflight = Preflight::embedded()?;
    let c = preflight.injection().clone();
    let users: Vec<&LabelledText> = rows.iter().filter(|r| r.source == Channel::User).collect();
    let tools: Vec<&LabelledText> = rows.iter().filter(|r| r.source == Channel::Tool).collect();
    let mut scratch = InjectionScratch::default();
    let t_user = time_calls("preflight injection (user message)", 500, 20_000, |i| {
        let r = users[i % users.len()];
        c.classify_with(&r.text, r.source, &mut scratch)
    });
    let t_tool = time_calls("preflight injection (tool output)", 500, 20_000, |i| {
        let r = tools[i % tools.len()];
        c.classify_with(&r.text, r.source, &mut scratch)
    });
    let inputs: Vec<_> = users
        .iter()
        .filter_map(|r| {
            normalize_value(&serde_json::json!({"messages": [{"role": "user", "text": r.text}]}))
                .ok()
        })
        .collect();
    let t_decide = time_calls("preflight decide (full envelope)", 500, 20_000, |i| {
        preflight.decide(&inputs[i % inputs.len()], None)
    });
    Ok(vec![t_user, t_tool, t_decide])
}
