//! Timing of the injection hot paths for `cargo xtask bench`: the detector on user messages and
//! on tool outputs (all of them, and those of about 1 KB), segment scoring on 10 KB and 100 KB
//! documents (the cost is linear in the length), and a full preflight decision, over the
//! hand-written texts and the AgentDojo texts (measuring only).

use std::path::Path;

use vigil_injection::Channel;
use vigil_injection::InjectionScratch;
use vigil_preflight::Preflight;
use vigil_preflight::normalize::normalize_value;

use super::eval::{fixtures_path, read_labelled};
use crate::timing::{Timing, passes_for, time_calls, time_corpus};
use crate::{Error, Result};

/// The AgentDojo texts (`fixtures/external/agentdojo/injection.jsonl`), relative to the root.
pub const AGENTDOJO_TEXTS: &str = "fixtures/external/agentdojo/injection.jsonl";

/// `(text, channel)` of every hand-written text and every AgentDojo text.
pub fn corpus() -> Result<Vec<(String, Channel)>> {
    let mut rows: Vec<(String, Channel)> = read_labelled(&fixtures_path())?
        .into_iter()
        .map(|r| (r.text, r.source))
        .collect();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(AGENTDOJO_TEXTS);
    let text = std::fs::read_to_string(&path)
        .map_err(Error::io(format!("cannot read {}", path.display())))?;
    #[derive(serde::Deserialize)]
    struct Row {
        text: String,
        channel: Channel,
    }
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let r: Row = serde_json::from_str(line)
            .map_err(|e| Error::Invalid(format!("{}:{}: {e}", path.display(), i + 1)))?;
        rows.push((r.text, r.channel));
    }
    Ok(rows)
}

/// `cargo xtask bench`: p50/p99/p99.9 of the injection classifier and of a full decision.
pub fn bench() -> Result<Vec<Timing>> {
    let rows = corpus()?;
    let preflight = Preflight::embedded()?;
    let c = preflight.injection().clone();
    let users: Vec<&str> = rows
        .iter()
        .filter(|r| r.1 == Channel::User)
        .map(|r| r.0.as_str())
        .collect();
    let tools: Vec<&str> = rows
        .iter()
        .filter(|r| r.1 == Channel::Tool)
        .map(|r| r.0.as_str())
        .collect();
    let kb: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| (768..=1280).contains(&t.len()))
        .collect();
    if users.is_empty() || tools.is_empty() || kb.is_empty() {
        return Err(Error::Invalid(
            "the injection corpus lacks user or tool texts".into(),
        ));
    }
    let mut scratch = InjectionScratch::default();
    for _ in 0..200 {
        std::hint::black_box(c.classify_with("warm up the detector", Channel::User, &mut scratch));
    }
    let (u, t, k) = (users.len(), tools.len(), kb.len());
    let t_user = time_corpus(
        "injection (user message)",
        &format!("{u} user texts: hand-written + AgentDojo"),
        u,
        passes_for(u, 20_000),
        |i| c.classify_with(users[i], Channel::User, &mut scratch),
    );
    let t_tool = time_corpus(
        "injection (tool output)",
        &format!(
            "{t} tool outputs: hand-written + AgentDojo, median {} B",
            median_len(&tools)
        ),
        t,
        passes_for(t, 10_000),
        |i| c.classify_with(tools[i], Channel::Tool, &mut scratch),
    );
    // The ~1 KB outputs and the decisions' texts were seen above: no first-sight figure.
    let mut t_kb = time_corpus(
        "injection (tool output of 0.75–1.25 KB)",
        &format!("{k} tool outputs"),
        k,
        passes_for(k, 10_000),
        |i| c.classify_with(kb[i], Channel::Tool, &mut scratch),
    );
    t_kb.first_sight_p99_ns = None;
    let inputs: Vec<_> = users
        .iter()
        .filter_map(|text| {
            normalize_value(&serde_json::json!({"messages": [{"role": "user", "text": text}]})).ok()
        })
        .collect();
    let n = inputs.len();
    let mut t_decide = time_corpus(
        "preflight decide (full envelope)",
        &format!("{n} user texts"),
        n,
        passes_for(n, 20_000),
        |i| preflight.decide(&inputs[i], None),
    )
    .against("open_classify.classifier_call");
    t_decide.first_sight_p99_ns = None;
    // Long documents: the tool outputs joined into 10 KB and 100 KB texts.
    let mut long = Vec::new();
    for (label, bytes, iters) in [
        ("injection (10 KB tool output)", 10_000, 300),
        ("injection (100 KB tool output)", 100_000, 30),
    ] {
        let mut text = String::new();
        let mut i = 0;
        while text.len() < bytes {
            text.push_str(tools[i % tools.len()]);
            text.push_str("\n\n");
            i += 1;
        }
        let mut end = bytes.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        let corpus = format!(
            "hand-written + AgentDojo tool outputs joined to {} B",
            text.len()
        );
        long.push(time_calls(label, &corpus, iters / 10, iters, |_| {
            c.classify_with(&text, Channel::Tool, &mut scratch)
        }));
    }
    let mut out = vec![t_user, t_tool, t_kb, t_decide];
    out.extend(long);
    Ok(out)
}

fn median_len(texts: &[&str]) -> usize {
    let mut l: Vec<usize> = texts.iter().map(|t| t.len()).collect();
    l.sort_unstable();
    l.get(l.len() / 2).copied().unwrap_or(0)
}
