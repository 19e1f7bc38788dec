//! Evaluation of the injection detector (`cargo xtask eval injection`, alias `preflight`): TPR
//! at fixed FPR, AUC, accuracy and ECE per channel (user message, tool output) on hand-written
//! or labelled texts, the whole preflight layer end to end on the hand-written user messages,
//! and (`--external`) the rendered AgentDojo set of `fixtures/external/agentdojo`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use vigil_injection::InjectionScratch;
use vigil_injection::{Channel, InjectionDetector};
use vigil_learn::metrics::{BinaryCounts, auc, expected_calibration_error, tpr_at_fpr};
use vigil_preflight::Preflight;
use vigil_preflight::normalize::normalize_value;

use crate::Result;
use crate::card::Card;

/// The hand-written evaluation set.
pub fn fixtures_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/preflight/injection-eval.jsonl")
}

/// The rendered AgentDojo set (measured only: never trained or tuned on).
pub fn external_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/external/agentdojo/injection.jsonl")
}

/// One line of the AgentDojo set: `{"text", "channel", "label", "suite", "kind", "attack"?, ...}`
/// (other keys — tasks, vectors — are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalRow {
    /// The text as the agent sees it.
    pub text: String,
    /// How it arrives.
    pub channel: Channel,
    /// 1 = carries an injection.
    pub label: u8,
    /// AgentDojo suite.
    pub suite: String,
    /// `env_object`, `gt_output` or `user_prompt`.
    pub kind: String,
    /// The AgentDojo attack that wrote the injection (positives).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attack: Option<String>,
}

/// Reads the AgentDojo set; a malformed line is named by path and line number.
pub fn read_external(path: &Path) -> Result<Vec<ExternalRow>> {
    crate::jsonl::read_checked(path, |row: &ExternalRow| {
        if row.label > 1 {
            return Err(format!("label = {}: must be 0 or 1", row.label));
        }
        Ok(())
    })
}

/// `cargo xtask eval injection --external`: the shipped model (or `$VIGIL_PREFLIGHT_MODEL`) on
/// AgentDojo, per channel and per suite: TPR at 1% / 5% FPR, AUC, and the shipped operating
/// point (`high_risk`) TPR / FPR. A channel without positives (AgentDojo's user prompts) has
/// only its FPR.
pub fn eval_external(json: bool) -> Result<String> {
    let rows = read_external(&external_path())?;
    let d = InjectionDetector::load(None)?;
    let (scores, m) = super::train::external_metrics(&d, &rows);
    let high_risk = d.model().thresholds.high_risk;
    let mut by_suite: BTreeMap<String, SourceMetrics> = BTreeMap::new();
    let suites: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.suite.as_str()).collect();
    for s in suites {
        let keep: Vec<usize> = (0..rows.len())
            .filter(|&i| rows[i].suite == s && rows[i].channel == Channel::Tool)
            .collect();
        let sc: Vec<f64> = keep.iter().map(|&i| scores[i]).collect();
        let p: Vec<bool> = keep.iter().map(|&i| rows[i].label == 1).collect();
        by_suite.insert(format!("tool/{s}"), source_metrics(&sc, &p, high_risk));
    }
    // Per attack: its injected tool outputs against every benign tool output (measured only;
    // nothing is chosen by these rows).
    let mut by_attack: BTreeMap<String, SourceMetrics> = BTreeMap::new();
    let attacks: std::collections::BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.label == 1 && r.channel == Channel::Tool)
        .filter_map(|r| r.attack.as_deref())
        .collect();
    for a in attacks {
        let keep: Vec<usize> = (0..rows.len())
            .filter(|&i| {
                rows[i].channel == Channel::Tool
                    && (rows[i].label == 0 || rows[i].attack.as_deref() == Some(a))
            })
            .collect();
        let sc: Vec<f64> = keep.iter().map(|&i| scores[i]).collect();
        let p: Vec<bool> = keep.iter().map(|&i| rows[i].label == 1).collect();
        by_attack.insert(format!("tool/{a}"), source_metrics(&sc, &p, high_risk));
    }
    if json {
        return Ok(serde_json::to_string_pretty(&serde_json::json!({
            "channels": m,
            "suites": by_suite,
            "attacks": by_attack,
            "high_risk": high_risk,
        }))?);
    }
    Ok(format!(
        "{} ({} rows; operating point high_risk = {high_risk})\n\nper channel (user: AgentDojo's user prompts, negatives only — TPR and AUC do not apply)\n{}\nper suite, tool channel\n{}\nper attack, tool channel (each attack's injected outputs against every benign tool output)\n{}",
        external_path().display(),
        rows.len(),
        metrics_table(&m),
        metrics_table(&by_suite),
        metrics_table(&by_attack)
    ))
}

/// One labelled line of the hand-written set: `{"text", "source"?, "injection"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledText {
    /// The text.
    pub text: String,
    /// `user` (default) or `tool`.
    #[serde(default)]
    pub source: Channel,
    /// True for an injection.
    pub injection: bool,
    /// Free-form note on why (ignored by the model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Reads a labelled JSON Lines file.
pub fn read_labelled(path: &Path) -> Result<Vec<LabelledText>> {
    crate::jsonl::read(path)
}

/// Held-out quality of scores against labels, split by source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceMetrics {
    /// Rows.
    pub rows: usize,
    /// Injections among them.
    pub injections: usize,
    /// TPR at ≤ 1% FPR.
    pub tpr_at_1pct_fpr: f64,
    /// TPR at ≤ 5% FPR.
    pub tpr_at_5pct_fpr: f64,
    /// Area under the ROC curve.
    pub auc: f64,
    /// TPR of the shipped `high_risk` threshold.
    pub tpr_at_high_risk: f64,
    /// FPR of the shipped `high_risk` threshold.
    pub fpr_at_high_risk: f64,
    /// Accuracy of the `high_risk` decision.
    pub accuracy: f64,
    /// ECE of P(predicted class) with 10 bins.
    pub ece: f64,
}

/// Per binary score: the confidence of the predicted class, max(p, 1 − p), and whether that
/// prediction (injection iff p ≥ 0.5) was right — what ECE and reliability diagrams read.
pub(super) fn confidence_and_correct(scores: &[f64], positive: &[bool]) -> (Vec<f64>, Vec<bool>) {
    let conf = scores.iter().map(|&s| s.max(1.0 - s)).collect();
    let correct = scores
        .iter()
        .zip(positive)
        .map(|(&s, &p)| (s >= 0.5) == p)
        .collect();
    (conf, correct)
}

pub(super) fn source_metrics(scores: &[f64], positive: &[bool], high_risk: f64) -> SourceMetrics {
    let counts = BinaryCounts::from_pairs(
        scores
            .iter()
            .zip(positive)
            .map(|(&s, &p)| (s >= high_risk, p)),
    );
    let (conf, correct) = confidence_and_correct(scores, positive);
    SourceMetrics {
        rows: scores.len(),
        injections: positive.iter().filter(|p| **p).count(),
        tpr_at_1pct_fpr: tpr_at_fpr(scores, positive, 0.01).0,
        tpr_at_5pct_fpr: tpr_at_fpr(scores, positive, 0.05).0,
        auc: auc(scores, positive),
        tpr_at_high_risk: counts.recall(),
        fpr_at_high_risk: counts.false_positive_rate(),
        accuracy: counts.accuracy(),
        ece: expected_calibration_error(&conf, &correct, 10),
    }
}

/// Metrics per source (`user`, `tool`) and overall (`all`).
pub fn evaluate_scores(
    scores: &[f64],
    positive: &[bool],
    sources: &[Channel],
    high_risk: f64,
) -> BTreeMap<&'static str, SourceMetrics> {
    let mut out = BTreeMap::new();
    for (name, want) in [
        ("all", None),
        ("user", Some(Channel::User)),
        ("tool", Some(Channel::Tool)),
    ] {
        let keep: Vec<usize> = (0..scores.len())
            .filter(|&i| want.is_none_or(|w| sources[i] == w))
            .collect();
        let s: Vec<f64> = keep.iter().map(|&i| scores[i]).collect();
        let p: Vec<bool> = keep.iter().map(|&i| positive[i]).collect();
        out.insert(name, source_metrics(&s, &p, high_risk));
    }
    out
}

/// Per-source metrics as a Markdown table.
pub(super) fn metrics_table<K: AsRef<str>>(m: &BTreeMap<K, SourceMetrics>) -> String {
    let rows: Vec<Vec<String>> = m
        .iter()
        .map(|(src, s)| {
            vec![
                src.as_ref().to_owned(),
                s.rows.to_string(),
                s.injections.to_string(),
                format!("{:.3}", s.tpr_at_1pct_fpr),
                format!("{:.3}", s.tpr_at_5pct_fpr),
                format!("{:.3}", s.auc),
                format!("{:.3} / {:.3}", s.tpr_at_high_risk, s.fpr_at_high_risk),
                format!("{:.3}", s.accuracy),
                format!("{:.3}", s.ece),
            ]
        })
        .collect();
    Card::table(
        &[
            "source",
            "rows",
            "injections",
            "TPR @ 1% FPR",
            "TPR @ 5% FPR",
            "AUC",
            "high_risk TPR / FPR",
            "accuracy",
            "ECE",
        ],
        &rows,
    )
}

/// Scores labelled texts with a classifier.
pub fn score_labelled(c: &InjectionDetector, rows: &[LabelledText]) -> Vec<f64> {
    let mut scratch = InjectionScratch::default();
    rows.iter()
        .map(|r| c.score_text_with(&r.text, r.source, &mut scratch))
        .collect()
}

/// Actions of the full preflight layer (shipped catalog, default config, no task signal) on the
/// hand-written user messages: `(injection, action, fired_by) → count`.
pub(super) fn end_to_end(
    classifier: &InjectionDetector,
    fixtures: &[LabelledText],
) -> Result<BTreeMap<(bool, String), usize>> {
    let preflight = Preflight::new(
        classifier.clone(),
        vigil_preflight::Catalog::shipped(),
        vigil_preflight::AggregatorConfig::default(),
    )?;
    let mut out = BTreeMap::new();
    for r in fixtures.iter().filter(|r| r.source == Channel::User) {
        let input =
            normalize_value(&serde_json::json!({"messages": [{"role": "user", "text": r.text}]}))?;
        let v = serde_json::to_value(preflight.decide(&input, None))?;
        let action = format!(
            "{}{}",
            v["action"].as_str().unwrap_or("?"),
            v["fired_by"]
                .as_str()
                .map(|f| format!(" ({f})"))
                .unwrap_or_default()
        );
        *out.entry((r.injection, action)).or_default() += 1;
    }
    Ok(out)
}

/// `cargo xtask eval preflight`: scores a labelled file (default: the hand-written set) with the
/// embedded model (or `$VIGIL_PREFLIGHT_MODEL`) and prints the metrics ([`eval_report`]).
pub fn eval(data: Option<&Path>, json: bool) -> Result<()> {
    println!("{}", eval_report(data, json)?);
    Ok(())
}

/// What [`eval`] prints: per-source metrics and the misses at the `high_risk` threshold as a
/// table, or the metrics as JSON.
pub fn eval_report(data: Option<&Path>, json: bool) -> Result<String> {
    let path = data.map(Path::to_path_buf).unwrap_or_else(fixtures_path);
    let rows = read_labelled(&path)?;
    let classifier = InjectionDetector::load(None)?;
    let scores = score_labelled(&classifier, &rows);
    let pos: Vec<bool> = rows.iter().map(|r| r.injection).collect();
    let src: Vec<Channel> = rows.iter().map(|r| r.source).collect();
    let m = evaluate_scores(&scores, &pos, &src, classifier.model().thresholds.high_risk);
    if json {
        return Ok(serde_json::to_string_pretty(&m)?);
    }
    let mut out = format!(
        "{} ({} rows)\n\n{}",
        path.display(),
        rows.len(),
        metrics_table(&m)
    );
    let mut misses: Vec<(f64, &LabelledText)> = scores
        .iter()
        .zip(&rows)
        .filter(|(s, r)| (**s >= classifier.model().thresholds.high_risk) != r.injection)
        .map(|(s, r)| (*s, r))
        .collect();
    misses.sort_by(|a, b| b.0.total_cmp(&a.0));
    if !misses.is_empty() {
        let _ = writeln!(out, "\nmisclassified at the high_risk threshold:");
        for (s, r) in misses {
            let short: String = r.text.chars().take(90).collect();
            let _ = writeln!(
                out,
                "  {s:.3} {} {:?} {short:?}",
                if r.injection { "injection" } else { "benign" },
                r.source
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::temp_file;

    #[test]
    fn a_malformed_labelled_line_is_named_by_path_and_line() {
        let (_dir, path) = temp_file(
            "bad.jsonl",
            "{\"text\": \"hi\", \"injection\": false}\n\n{\"text\": \"x\", \"injection\": \"yes\"}\n",
        );
        let e = read_labelled(&path).unwrap_err();
        assert!(matches!(e, crate::Error::Invalid(_)), "{e:?}");
        let text = e.to_string();
        assert!(
            text.starts_with(&format!("{} line 3: ", path.display())),
            "{text}"
        );
    }
}
