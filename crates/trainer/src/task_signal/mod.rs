//! Training, evaluation and timing of the task-signal model (`cargo xtask train|eval|bench
//! task-signal`).
//!
//! Pipeline: [`generator::generate`] writes template-disjoint train / calibration / validation
//! splits; a hashed tf-idf [`TextFeaturizer`] is fitted on the training texts; three sparse L2
//! multinomial logistic regressions (complexity, nature, domain) are fitted in parallel; each
//! head's temperature is fitted on the calibration split; accuracy, ECE and confusion matrices
//! are measured on the validation split (templates never seen by either fit), and the
//! hand-written fixtures are scored for the heuristic, the model and the cascade.

pub mod generator;
pub mod vocab;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use vigil_contracts::artifact::Artifact;
use vigil_contracts::{Domain, TaskComplexity, TaskNature};
use vigil_features::linear::SoftmaxModel;
use vigil_features::sparse::SparseVec;
use vigil_features::text::TextFeaturizer;
use vigil_task_signal::model::{KIND, TEXT_PARAMS, feature_schema};
use vigil_task_signal::{
    Cascade, CascadeParams, HeuristicClassifier, TaskSignalClassifier, TaskSignalModel,
};

use crate::calibration::fit_temperature;
use crate::card::Card;
use crate::error::Context;
use crate::gate::{Gate, TrainOptions, TrainReport};
use crate::logistic::{LogisticParams, argmax, fit_softmax, logits_all, predict_all};
use crate::metrics::{ConfusionMatrix, expected_calibration_error, reliability_bins};
use crate::svg::reliability_diagram;
use crate::timing::{Timing, time_calls};
use crate::{Error, Result};
use generator::{Dataset, GeneratorParams, Row, generate};

/// File name of the artifact.
pub const ARTIFACT_FILE: &str = "task-signal.vgl";
/// Default minimum template-held-out accuracy per head.
pub const DEFAULT_MIN_ACCURACY: f64 = 0.90;
/// Maximum validation ECE per head.
pub const MAX_ECE: f64 = 0.05;

/// Training hyperparameters.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TrainParams {
    /// Data generation.
    pub generator: GeneratorParams,
    /// Logistic regression (C, optimizer).
    pub logistic: LogisticParams,
}

/// A labelled prompt, as in `fixtures/task-signal/*.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledPrompt {
    /// The prompt.
    pub text: String,
    /// Expected complexity.
    pub complexity: TaskComplexity,
    /// Expected nature.
    pub nature: TaskNature,
    /// Expected domain.
    pub domain: Domain,
}

/// The hand-written evaluation set shipped with the repository.
pub fn fixtures_path() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    // crates/trainer → workspace root.
    let root = manifest.parent().and_then(Path::parent).unwrap_or(manifest);
    root.join("fixtures/task-signal/handwritten.jsonl")
}

/// Reads labelled prompts, naming the line of any malformed record.
pub fn read_labelled(path: &Path) -> Result<Vec<LabelledPrompt>> {
    let text = std::fs::read_to_string(path)
        .map_err(Error::io(format!("cannot read {}", path.display())))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let p: LabelledPrompt = vigil_contracts::from_json_str(line)
            .map_err(|e| Error::Invalid(format!("{}:{}: {e}", path.display(), i + 1)))?;
        out.push(p);
    }
    Ok(out)
}

/// Per-head and joint accuracy of one classifier on labelled prompts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Accuracy {
    /// Complexity accuracy.
    pub complexity: f64,
    /// Nature accuracy.
    pub nature: f64,
    /// Domain accuracy.
    pub domain: f64,
    /// All three right.
    pub joint: f64,
    /// Complexity and nature right (the policy-relevant pair).
    pub policy: f64,
}

/// Scores of the heuristic, the ML model and the cascade on one labelled set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// Prompts evaluated.
    pub prompts: usize,
    /// The regex heuristic (keyword domain).
    pub heuristic: Accuracy,
    /// The ML model alone.
    pub ml: Accuracy,
    /// Heuristic → ML cascade.
    pub cascade: Accuracy,
    /// How often the cascade adopted the ML answer.
    pub cascade_ml_share: f64,
}

fn accuracy_of(
    data: &[LabelledPrompt],
    predict: impl Fn(&str) -> (TaskComplexity, TaskNature, Domain),
) -> Accuracy {
    let n = data.len().max(1) as f64;
    let (mut c, mut na, mut d, mut j, mut p) = (0, 0, 0, 0, 0);
    for row in data {
        let (pc, pn, pd) = predict(&row.text);
        let ok = (pc == row.complexity, pn == row.nature, pd == row.domain);
        c += usize::from(ok.0);
        na += usize::from(ok.1);
        d += usize::from(ok.2);
        j += usize::from(ok.0 && ok.1 && ok.2);
        p += usize::from(ok.0 && ok.1);
    }
    Accuracy {
        complexity: c as f64 / n,
        nature: na as f64 / n,
        domain: d as f64 / n,
        joint: j as f64 / n,
        policy: p as f64 / n,
    }
}

/// Scores the heuristic, `ml` and the cascade on `data`.
pub fn evaluate(data: &[LabelledPrompt], ml: &TaskSignalClassifier) -> Result<EvalReport> {
    let heuristic = HeuristicClassifier::new();
    let cascade = Cascade::new(Some(ml.clone()), CascadeParams::default())?;
    let labels = |c: &vigil_contracts::Classification| {
        (c.signal.complexity, c.signal.nature, c.signal.domain)
    };
    let ml_share = data
        .iter()
        .filter(|r| cascade.classify_text(&r.text).classifier == vigil_task_signal::Decider::Ml)
        .count() as f64
        / data.len().max(1) as f64;
    Ok(EvalReport {
        prompts: data.len(),
        heuristic: accuracy_of(data, |t| labels(&heuristic.classify_text(t))),
        ml: accuracy_of(data, |t| labels(&ml.classify_text(t))),
        cascade: accuracy_of(data, |t| labels(&cascade.classify_text(t).classification)),
        cascade_ml_share: ml_share,
    })
}

fn eval_table(r: &EvalReport) -> String {
    let rows: Vec<Vec<String>> = [
        ("heuristic", &r.heuristic),
        ("ml", &r.ml),
        ("cascade", &r.cascade),
    ]
    .iter()
    .map(|(name, a)| {
        vec![
            (*name).to_owned(),
            format!("{:.3}", a.complexity),
            format!("{:.3}", a.nature),
            format!("{:.3}", a.domain),
            format!("{:.3}", a.policy),
            format!("{:.3}", a.joint),
        ]
    })
    .collect();
    Card::table(
        &[
            "classifier",
            "complexity",
            "nature",
            "domain",
            "complexity+nature",
            "joint",
        ],
        &rows,
    )
}

/// `cargo xtask eval task-signal`: the model from `VIGIL_TASK_SIGNAL_MODEL` or the embedded one,
/// on `data` or the hand-written fixtures.
pub fn eval(data: Option<&Path>, json: bool) -> Result<()> {
    let path = data.map(Path::to_path_buf).unwrap_or_else(fixtures_path);
    let prompts = read_labelled(&path)?;
    let (ml, source) = TaskSignalClassifier::load(None)?;
    let report = evaluate(&prompts, &ml)?;
    let mut out = std::io::stdout().lock();
    let written = if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report)
                .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
        )
    } else {
        writeln!(
            out,
            "task-signal on {} ({} prompts), model: {source}\n\n{}\ncascade adopted the ML answer for {:.1}% of prompts",
            path.display(),
            report.prompts,
            eval_table(&report),
            100.0 * report.cascade_ml_share
        )
    };
    written.map_err(Error::io("cannot write to stdout"))
}

/// `cargo xtask data task-signal`: every generated row as JSON Lines with its split.
pub fn data(seed: u64, out: &Path) -> Result<usize> {
    let ds = generate(seed, &GeneratorParams::default());
    let mut text = String::new();
    for (split, rows) in [
        ("train", &ds.train),
        ("calibration", &ds.calibration),
        ("validation", &ds.validation),
    ] {
        for r in rows.iter() {
            let mut v = serde_json::to_value(r).unwrap_or_default();
            v["split"] = serde_json::Value::from(split);
            text.push_str(&v.to_string());
            text.push('\n');
        }
    }
    for t in &ds.noise {
        text.push_str(&serde_json::json!({"text": t, "split": "noise"}).to_string());
        text.push('\n');
    }
    vigil_contracts::artifact::write_atomic(out, text.as_bytes())?;
    Ok(ds.train.len() + ds.calibration.len() + ds.validation.len() + ds.noise.len())
}

/// `cargo xtask bench`: p50/p99 per call of the hot paths, and model load time.
pub fn bench() -> Result<Vec<Timing>> {
    const PROMPTS: &[&str] = &[
        "fix the bug in parser.py",
        "Can you walk me through how the retry logic in the HTTP client works?",
        "rewrite the whole billing service in Go",
        "generate unit tests for the date utilities",
        "summarize the main findings of these three papers on sleep and memory",
        "our dashboard shows a drop in weekly active users, what happened?",
    ];
    let mut load = time_calls("task-signal embedded model load", 2, 20, |_| {
        TaskSignalClassifier::embedded().is_ok()
    });
    load.reference_p50_ns = Some(280e6);
    let ml = TaskSignalClassifier::embedded()?;
    let cascade = Cascade::new(Some(ml.clone()), CascadeParams::default())?;
    let heuristic = HeuristicClassifier::new();
    let n = PROMPTS.len();
    let mut t_ml = time_calls("task-signal ml classify", 2_000, 20_000, |i| {
        ml.classify_text(PROMPTS[i % n])
    });
    t_ml.reference_p50_ns = Some(5.0e6);
    let mut t_h = time_calls("task-signal heuristic classify", 2_000, 20_000, |i| {
        heuristic.classify_text(PROMPTS[i % n])
    });
    t_h.reference_p50_ns = Some(95e3);
    let t_c = time_calls("task-signal cascade classify", 2_000, 20_000, |i| {
        cascade.classify_text(PROMPTS[i % n])
    });
    Ok(vec![t_ml, t_h, t_c, load])
}

struct HeadFit {
    name: &'static str,
    model: SoftmaxModel,
    labels: Vec<&'static str>,
}

fn labels_of(rows: &[Row], head: usize) -> Vec<usize> {
    rows.iter()
        .map(|r| match head {
            0 => r.complexity.index(),
            1 => r.nature.index(),
            _ => r.domain.index(),
        })
        .collect()
}

fn head_names(head: usize) -> (&'static str, Vec<&'static str>) {
    match head {
        0 => ("complexity", TaskComplexity::names().collect()),
        1 => ("nature", TaskNature::names().collect()),
        _ => ("domain", Domain::names().collect()),
    }
}

/// Fits one head on train and its temperature on calibration.
fn fit_head(
    head: usize,
    x_train: &[SparseVec],
    ds: &Dataset,
    x_cal: &[SparseVec],
    x_noise: &[SparseVec],
    dim: usize,
    params: &LogisticParams,
) -> Result<HeadFit> {
    let (name, classes) = head_names(head);
    // Noise rows once per class: a uniform target for text without task content.
    let mut rows = x_train.to_vec();
    let mut labels = labels_of(&ds.train, head);
    for x in x_noise {
        for k in 0..classes.len() {
            rows.push(x.clone());
            labels.push(k);
        }
    }
    let model = fit_softmax(&rows, &labels, &classes, dim, params)
        .context(|| format!("fitting the {name} head"))?;
    let t = fit_temperature(
        &logits_all(&model, x_cal),
        &labels_of(&ds.calibration, head),
    );
    let model = model.with_temperature(t).context(|| "featurizer".into())?;
    Ok(HeadFit {
        name,
        model,
        labels: classes,
    })
}

/// `cargo xtask train task-signal` with the default parameters.
pub fn train(opts: &TrainOptions) -> Result<TrainReport> {
    train_with(opts, &TrainParams::default())
}

/// Generates data, fits, calibrates, measures, writes the artifact and the card.
pub fn train_with(opts: &TrainOptions, params: &TrainParams) -> Result<TrainReport> {
    let started = Instant::now();
    let ds = generate(opts.seed, &params.generator);
    let featurizer = TextFeaturizer::fit(
        TEXT_PARAMS,
        ds.train
            .iter()
            .map(|r| r.text.as_str())
            .chain(ds.noise.iter().map(String::as_str)),
    )
    .context(|| "featurizer".into())?;
    let dim = featurizer.dim();
    let featurize = |rows: &[Row]| -> Vec<SparseVec> {
        rows.iter().map(|r| featurizer.transform(&r.text)).collect()
    };
    let x_train = featurize(&ds.train);
    let x_cal = featurize(&ds.calibration);
    let x_val = featurize(&ds.validation);
    let x_noise: Vec<SparseVec> = ds.noise.iter().map(|t| featurizer.transform(t)).collect();

    // The heads are independent: fit them on separate threads (each fit is deterministic).
    let fits: Vec<Result<HeadFit>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..3)
            .map(|h| {
                let (x_train, x_cal, x_noise, ds) = (&x_train, &x_cal, &x_noise, &ds);
                s.spawn(move || fit_head(h, x_train, ds, x_cal, x_noise, dim, &params.logistic))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| panic!("a head-fitting thread panicked"))
            })
            .collect()
    });
    let mut heads = Vec::with_capacity(3);
    for f in fits {
        heads.push(f?);
    }

    // Validation: per-head accuracy, ECE, confusion, reliability.
    let mut metrics = BTreeMap::new();
    let mut gates = Vec::new();
    let min_acc = opts.min_accuracy.unwrap_or(DEFAULT_MIN_ACCURACY);
    let mut card = Card::new("task-signal model card");
    let mut head_rows = Vec::new();
    let mut details = String::new();
    let mut pictures = Vec::new();
    let mut correct_by_head: Vec<Vec<bool>> = Vec::new();
    let mut conf_by_head: Vec<Vec<f64>> = Vec::new();
    for (h, fit) in heads.iter().enumerate() {
        let truth = labels_of(&ds.validation, h);
        let probs = predict_all(&fit.model, &x_val);
        let pred: Vec<usize> = probs.iter().map(|p| argmax(p)).collect();
        let conf: Vec<f64> = probs
            .iter()
            .zip(&pred)
            .map(|(p, &i)| f64::from(p[i]))
            .collect();
        let correct: Vec<bool> = pred.iter().zip(&truth).map(|(p, t)| p == t).collect();
        let cm = ConfusionMatrix::new(&fit.labels, &truth, &pred);
        let acc = cm.accuracy();
        let ece = expected_calibration_error(&conf, &correct, 10);
        metrics.insert(format!("{}_accuracy", fit.name), acc);
        metrics.insert(format!("{}_ece", fit.name), ece);
        gates.push(Gate::at_least(
            format!("{} accuracy (template-held-out)", fit.name),
            acc,
            min_acc,
        ));
        gates.push(Gate::at_most(
            format!("{} ECE (template-held-out)", fit.name),
            ece,
            MAX_ECE,
        ));
        head_rows.push(vec![
            fit.name.to_owned(),
            format!("{acc:.3}"),
            format!("{:.3}", cm.macro_f1()),
            format!("{ece:.3}"),
            format!("{:.3}", fit.model.temperature()),
        ]);
        details.push_str(&format!("### {}\n\n{}\n", fit.name, cm.to_markdown()));
        pictures.push((
            format!("{} confusion matrix", fit.name),
            format!("task-signal-{}-confusion.svg", fit.name),
            cm.to_svg(&format!("task-signal {} (template-held-out)", fit.name)),
        ));
        pictures.push((
            format!("{} reliability diagram", fit.name),
            format!("task-signal-{}-reliability.svg", fit.name),
            reliability_diagram(
                &reliability_bins(&conf, &correct, 10),
                &format!("task-signal {} reliability (template-held-out)", fit.name),
            ),
        ));
        correct_by_head.push(correct);
        conf_by_head.push(conf);
    }
    let n_val = ds.validation.len().max(1) as f64;
    let joint = (0..ds.validation.len())
        .filter(|&i| correct_by_head.iter().all(|c| c[i]))
        .count() as f64
        / n_val;
    metrics.insert("joint_accuracy".into(), joint);
    // The classifier's own confidence: min of the complexity and nature max-probabilities,
    // against "both right".
    let conf_min: Vec<f64> = (0..ds.validation.len())
        .map(|i| conf_by_head[0][i].min(conf_by_head[1][i]))
        .collect();
    let both: Vec<bool> = (0..ds.validation.len())
        .map(|i| correct_by_head[0][i] && correct_by_head[1][i])
        .collect();
    let conf_ece = expected_calibration_error(&conf_min, &both, 10);
    metrics.insert("confidence_ece".into(), conf_ece);

    let mut it = heads.into_iter();
    let (Some(complexity), Some(nature), Some(domain)) = (it.next(), it.next(), it.next()) else {
        unreachable!("three heads were fitted")
    };
    let model = TaskSignalModel {
        featurizer,
        complexity: complexity.model,
        nature: nature.model,
        domain: domain.model,
    };
    let classifier = TaskSignalClassifier::from_model(model.clone())?;

    // Hand-written prompts (never generated, never trained on).
    let fixtures = read_labelled(&fixtures_path())?;
    let hand = evaluate(&fixtures, &classifier)?;
    for (name, a) in [
        ("heuristic", &hand.heuristic),
        ("ml", &hand.ml),
        ("cascade", &hand.cascade),
    ] {
        metrics.insert(format!("handwritten_{name}_joint"), a.joint);
    }

    let mut artifact = Artifact::new(KIND, &feature_schema(), opts.seed, model);
    artifact.metrics = metrics.clone();
    let artifact_path = opts.artifact_dir.join(ARTIFACT_FILE);
    artifact.write(&artifact_path)?;
    let artifact_bytes = std::fs::metadata(&artifact_path)
        .map(|m| m.len())
        .unwrap_or(0);

    card.section(
        "What it is",
        &format!(
            "Three multinomial logistic-regression heads (complexity, nature, domain) over one hashed \
             tf-idf text featurizer (char_wb 1–4 into {} buckets + word 1–2 into {} buckets, sublinear tf, \
             smooth idf, per-block L2), C = {}, each head temperature-scaled on a calibration split. \
             Artifact: {} bytes, seed {}, feature schema `{}` ({}).",
            TEXT_PARAMS.char_buckets,
            TEXT_PARAMS.word_buckets,
            params.logistic.c,
            artifact_bytes,
            opts.seed,
            feature_schema().name,
            feature_schema().fingerprint()
        ),
    );
    card.section(
        "Data",
        &format!(
            "Seeded synthetic prompts for all 45 label combinations: {} sentence frames (nature) × {} object \
             templates (domain × scope), slot vocabularies, paraphrase operators (requests, pleasantries in \
             several languages, nature clauses, scope phrases, context sentences, terse forms, typos, casing) \
             and Russian coding prompts. Frames and objects are split into train / calibration / validation \
             before any row is written, so **validation rows share neither frame nor object with training**. \
             Rows are deduplicated across splits ({} duplicates dropped). {} label-free noise strings \
             (emoji, symbols, digits, keyboard mash) are added to training once per class, a uniform \
             target, so text without task content gets a flat, low-confidence answer.\n\n{}",
            ds.frames,
            ds.objects,
            ds.duplicates_dropped,
            ds.noise.len(),
            Card::table(
                &["split", "rows"],
                &[
                    vec!["train".into(), ds.train.len().to_string()],
                    vec!["calibration".into(), ds.calibration.len().to_string()],
                    vec!["validation".into(), ds.validation.len().to_string()],
                ]
            )
        ),
    );
    card.section(
        "Template-held-out validation",
        &format!(
            "{}\nJoint accuracy (all three heads): {joint:.3}. Confidence (min of complexity and nature \
             max-probability) vs. both right: ECE {conf_ece:.3}. Reference (axor, leave-20%-templates-out): \
             complexity 0.917, nature 0.987, domain 0.803; its confidence ECE ≈ 0.095.",
            Card::table(&["head", "accuracy", "macro F1", "ECE (10 bins)", "temperature"], &head_rows)
        ),
    );
    card.section(
        "Hand-written prompts",
        &format!(
            "{} prompts written by hand in `fixtures/task-signal/handwritten.jsonl` (not generated, not \
             trained on).\n\n{}\nThe cascade adopted the ML answer for {:.1}% of them. Reference (axor on 40 unseen \
             paraphrases): ML complexity 0.70, nature 0.75, domain 0.90, joint 0.525; heuristic joint 0.20.",
            hand.prompts,
            eval_table(&hand),
            100.0 * hand.cascade_ml_share
        ),
    );
    card.section("Confusion matrices (validation)", &details);
    for (alt, file, svg) in pictures {
        card.picture(&alt, &file, svg);
    }
    card.section(
        "Limits",
        "Synthetic training data: the model knows the phrasing families of its generator, not real \
         traffic. English (plus some Russian coding prompts); other languages get low confidence. Only the \
         first 8 KiB of a prompt are read. Labels are advice for policy selection, not a security boundary.",
    );
    card.write(&opts.card_dir, "task-signal")?;

    Ok(TrainReport {
        model: "task-signal".into(),
        train_rows: ds.train.len(),
        validation_rows: ds.validation.len(),
        metrics,
        gates,
        artifact: artifact_path,
        artifact_bytes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handwritten_fixtures_are_complete_and_labelled() {
        let rows = read_labelled(&fixtures_path()).unwrap();
        assert!(rows.len() >= 150, "{} prompts", rows.len());
        for c in TaskComplexity::ALL {
            assert!(
                rows.iter().filter(|r| r.complexity == *c).count() >= 30,
                "{c}"
            );
        }
        for n in TaskNature::ALL {
            assert!(rows.iter().filter(|r| r.nature == *n).count() >= 30, "{n}");
        }
        for d in Domain::ALL {
            assert!(rows.iter().filter(|r| r.domain == *d).count() >= 20, "{d}");
        }
        // Not produced by the generator: no hand-written prompt appears in the generated data.
        let ds = generate(42, &GeneratorParams::default());
        let generated: std::collections::BTreeSet<String> = ds
            .train
            .iter()
            .chain(&ds.calibration)
            .chain(&ds.validation)
            .map(|r| r.text.trim().to_lowercase())
            .collect();
        assert!(
            rows.iter()
                .all(|r| !generated.contains(&r.text.trim().to_lowercase()))
        );
    }

    #[test]
    fn malformed_labelled_lines_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.jsonl");
        std::fs::write(
            &path,
            "{\"text\":\"fix it\",\"complexity\":\"focused\",\"nature\":\"mutative\",\"domain\":\"coding\"}\n\n{\"text\":\"x\",\"complexity\":\"huge\",\"nature\":\"mutative\",\"domain\":\"coding\"}\n",
        )
        .unwrap();
        let err = read_labelled(&path).unwrap_err().to_string();
        assert!(err.ends_with(":3: complexity: unknown complexity \"huge\" (expected one of: focused, moderate, expansive) at column 31"), "{err}");
    }

    #[test]
    fn accuracy_counts_heads_joint_and_policy() {
        let data = vec![
            LabelledPrompt {
                text: "a".into(),
                complexity: TaskComplexity::Focused,
                nature: TaskNature::Mutative,
                domain: Domain::Coding,
            },
            LabelledPrompt {
                text: "b".into(),
                complexity: TaskComplexity::Moderate,
                nature: TaskNature::Readonly,
                domain: Domain::General,
            },
        ];
        let a = accuracy_of(&data, |_| {
            (
                TaskComplexity::Focused,
                TaskNature::Mutative,
                Domain::General,
            )
        });
        assert_eq!(a.complexity, 0.5);
        assert_eq!(a.nature, 0.5);
        assert_eq!(a.domain, 0.5);
        assert_eq!(a.policy, 0.5);
        assert_eq!(a.joint, 0.0);
    }
}
