//! Timing of the injection hot paths for `cargo xtask bench`: the detector on user messages and
//! tool outputs, on 1 KB / 10 KB / 100 KB tool outputs (segment scoring), and a full preflight
//! decision.

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
    // Segment scoring on long tool outputs: hand-written tool texts joined into 1 KB, 10 KB and
    // 100 KB documents (the cost is linear in the length).
    let mut long = Vec::new();
    for (label, bytes, iters) in [
        ("injection 1 KB tool output", 1_000, 5_000),
        ("injection 10 KB tool output", 10_000, 500),
        ("injection 100 KB tool output", 100_000, 50),
    ] {
        let mut text = String::new();
        let mut i = 0;
        while text.len() < bytes {
            text.push_str(&tools[i % tools.len()].text);
            text.push_str("\n\n");
            i += 1;
        }
        let mut end = bytes.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        long.push(time_calls(label, iters / 10, iters, |_| {
            c.classify_with(&text, Channel::Tool, &mut scratch)
        }));
    }
    let mut out = vec![t_user, t_tool, t_decide];
    out.extend(long);
    Ok(out)
}
