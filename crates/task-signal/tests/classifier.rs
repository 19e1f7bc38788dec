//! Behaviour of the embedded model, loading, and the cascade.

use std::path::Path;

use vigil_contracts::{Domain, SignalClassifier, TaskComplexity, TaskNature};
use vigil_task_signal::{
    Cascade, CascadeParams, Decider, HeuristicClassifier, MODEL_ENV, ModelSource,
    TaskSignalClassifier,
};

fn model() -> TaskSignalClassifier {
    TaskSignalClassifier::embedded().expect("the committed model loads")
}

#[test]
fn upstream_fix_the_bug_in_parser() {
    let c = model().classify_text("fix the bug in parser.py");
    assert_eq!(c.signal.complexity, TaskComplexity::Focused);
    assert_eq!(c.signal.nature, TaskNature::Mutative);
    assert_eq!(c.signal.domain, Domain::Coding);
    assert!(c.confidence > 0.7, "confidence {}", c.confidence);
    assert_eq!(c.signal.language, "en");
    assert_eq!(c.signal.raw_input, "fix the bug in parser.py");
}

#[test]
fn upstream_russian_examples() {
    let m = model();
    let c = m.classify_text("исправь баг в auth.py");
    assert_eq!(
        (c.signal.complexity, c.signal.nature, c.signal.domain),
        (
            TaskComplexity::Focused,
            TaskNature::Mutative,
            Domain::Coding
        )
    );
    assert!(c.confidence > 0.7, "confidence {}", c.confidence);
    assert_eq!(c.signal.language, "ru");
    let c = m.classify_text("перепиши весь репозиторий с нуля");
    assert_eq!(c.signal.complexity, TaskComplexity::Expansive);
    assert_eq!(c.signal.nature, TaskNature::Mutative);
}

#[test]
fn garbage_gets_low_confidence() {
    let m = model();
    for garbage in [
        "🙂🙂🙂 42 ### @@@",
        "....",
        "™©®",
        "zzz zzz zzz",
        "0101010101 0101010101",
    ] {
        let c = m.classify_text(garbage);
        assert!(
            c.confidence < 0.9,
            "{garbage:?}: confidence {}",
            c.confidence
        );
    }
}

#[test]
fn blank_input_is_a_defined_low_confidence_answer() {
    let m = model();
    for blank in ["", "   ", "\n\t"] {
        let c = m.classify_text(blank);
        assert_eq!(c.confidence, 0.0);
        assert_eq!(c.signal.complexity, TaskComplexity::Focused);
        assert_eq!(c.signal.nature, TaskNature::Readonly);
        assert_eq!(c.signal.domain, Domain::General);
        assert_eq!(c.signal.language, "unknown");
        assert_eq!(c.signal.raw_input, blank);
    }
}

#[test]
fn scores_have_eleven_keys_and_each_head_sums_to_one() {
    let c = model().classify_text("summarize these three papers on sleep and memory");
    assert_eq!(c.scores.len(), 11);
    for head in ["complexity.", "nature.", "domain."] {
        let sum: f64 = c
            .scores
            .iter()
            .filter(|(k, _)| k.starts_with(head))
            .map(|(_, v)| v)
            .sum();
        assert!((sum - 1.0).abs() < 1e-5, "{head} sums to {sum}");
    }
    assert!(c.scores.contains_key("complexity.focused"));
    assert!(c.scores.contains_key("nature.mutative"));
    assert!(c.scores.contains_key("domain.coding"));
    // Confidence is the smaller of the complexity and nature winners.
    let max_of = |head: &str| {
        c.scores
            .iter()
            .filter(|(k, _)| k.starts_with(head))
            .map(|(_, v)| *v)
            .fold(0.0, f64::max)
    };
    assert_eq!(c.confidence, max_of("complexity.").min(max_of("nature.")));
    assert_eq!(c.signal.nature, TaskNature::Readonly);
    assert_eq!(c.signal.domain, Domain::Research);
}

#[test]
fn huge_input_is_bounded_and_answered() {
    let big = "explain the scheduler ".repeat(50_000); // ~1 MB
    let c = model().classify_text(&big);
    assert_eq!(c.signal.nature, TaskNature::Readonly);
    assert!(c.confidence.is_finite());
}

#[test]
fn corrupt_and_mismatched_artifacts_are_refused() {
    let bytes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/task-signal.vgl"))
        .unwrap();
    let err = TaskSignalClassifier::from_bytes(&bytes[..bytes.len() / 2])
        .unwrap_err()
        .to_string();
    assert!(err.contains("truncated"), "{err}");
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x40;
    let err = TaskSignalClassifier::from_bytes(&flipped)
        .unwrap_err()
        .to_string();
    assert!(err.contains("checksum mismatch"), "{err}");
    let err = TaskSignalClassifier::from_bytes(b"hello")
        .unwrap_err()
        .to_string();
    assert!(err.contains("too short"), "{err}");

    // A well-formed artifact of another kind.
    let m = model();
    let other = vigil_contracts::artifact::Artifact::new(
        "anomaly",
        &vigil_task_signal::model::feature_schema(),
        1,
        m.model().clone(),
    );
    let err = TaskSignalClassifier::from_bytes(&other.to_bytes().unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("expected model kind \"task-signal\""), "{err}");

    // Right envelope, inconsistent model: a head with the wrong class list.
    let mut broken = m.model().clone();
    std::mem::swap(&mut broken.complexity, &mut broken.nature);
    let art = vigil_contracts::artifact::Artifact::new(
        "task-signal",
        &vigil_task_signal::model::feature_schema(),
        1,
        broken,
    );
    let err = TaskSignalClassifier::from_bytes(&art.to_bytes().unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("complexity head classes"), "{err}");
}

#[test]
fn load_precedence_explicit_then_env_then_embedded() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("model.vgl");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("models/task-signal.vgl"),
        &good,
    )
    .unwrap();
    let bad = dir.path().join("bad.vgl");
    std::fs::write(&bad, b"not a model at all, definitely not").unwrap();

    // The explicit path wins regardless of the environment (the environment variable itself is
    // exercised through child processes in the CLI tests: `set_var` is unsafe in edition 2024).
    let (_, src) = TaskSignalClassifier::load(Some(&good)).unwrap();
    assert_eq!(src, ModelSource::Path(good.clone()));
    let err = TaskSignalClassifier::load(Some(&bad))
        .unwrap_err()
        .to_string();
    assert!(err.contains("bad.vgl") && err.contains("magic"), "{err}");
    let err = TaskSignalClassifier::load(Some(&dir.path().join("missing.vgl")))
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing.vgl"), "{err}");
    if std::env::var_os(MODEL_ENV).is_none() {
        let (_, src) = TaskSignalClassifier::load(None).unwrap();
        assert_eq!(src, ModelSource::Embedded);
    }
}

#[test]
fn cascade_escalates_and_records_the_decider() {
    let cascade = Cascade::new(Some(model()), CascadeParams::default()).unwrap();
    // The heuristic is unsure here (0.47), the model is not: the model decides.
    let d = cascade.classify_text("refactor the auth module");
    assert_eq!(d.classifier, Decider::Ml);
    assert!(d.classification.confidence > 0.47);
    assert_eq!(d.classification.signal.complexity, TaskComplexity::Moderate);
    assert_eq!(d.classification.signal.nature, TaskNature::Mutative);

    // Threshold 0: never escalate, the heuristic decides everything.
    let never = Cascade::new(
        Some(model()),
        CascadeParams {
            escalate_below: 0.0,
        },
    )
    .unwrap();
    let d = never.classify_text("refactor the auth module");
    assert_eq!(d.classifier, Decider::Heuristic);
    assert_eq!(
        d.classification,
        HeuristicClassifier::new().classify_text("refactor the auth module")
    );

    // Without a model the heuristic decides.
    assert_eq!(
        Cascade::heuristic_only().classify_text("fix it").classifier,
        Decider::Heuristic
    );

    let err = Cascade::new(
        None,
        CascadeParams {
            escalate_below: 1.5,
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("escalate_below = 1.5"), "{err}");
}

#[test]
fn cascade_keeps_the_heuristic_when_the_model_is_less_sure() {
    // Every answer is either the heuristic's (with the model's domain) or the model's, and the
    // adopted confidence is never below the heuristic's.
    let ml = model();
    let cascade = Cascade::new(Some(ml.clone()), CascadeParams::default()).unwrap();
    let h = HeuristicClassifier::new();
    for text in [
        "zzz zzz zzz",
        "explain and rewrite the parser",
        "make it better",
        "hmm",
    ] {
        let d = cascade.classify_text(text);
        let hc = h.classify_text(text);
        let mc = ml.classify_text(text);
        assert!(d.classification.confidence >= hc.confidence);
        match d.classifier {
            Decider::Ml => assert_eq!(d.classification, mc),
            Decider::Heuristic => {
                assert_eq!(d.classification.signal.complexity, hc.signal.complexity);
                assert_eq!(d.classification.signal.nature, hc.signal.nature);
                assert_eq!(d.classification.signal.domain, mc.signal.domain);
                assert!(mc.confidence <= hc.confidence);
            }
        }
    }
}

#[tokio::test]
async fn async_trait_wraps_the_sync_path() {
    let m = model();
    let (signal, conf) = m.classify("fix the bug in parser.py").await.unwrap();
    let sync = m.classify_text("fix the bug in parser.py");
    assert_eq!(signal, sync.signal);
    assert_eq!(conf, sync.confidence);
    let c = HeuristicClassifier::new()
        .classify_with_scores("")
        .await
        .unwrap();
    assert_eq!(c.confidence, 0.0);
}

/// Look-alikes (Cyrillic letters, fullwidth forms, zero-width spaces) are read as the letters
/// they look like, so a destructive request cannot pass as a small or read-only one; the
/// output still names the prompt as sent.
#[test]
fn look_alike_prompts_are_classified_as_their_ascii_reading() {
    let ascii = "Delete every file in the production database and drop all tables, then push the change to main.";
    let cyrillic = ascii
        .replace('e', "\u{435}")
        .replace('a', "\u{430}")
        .replace('o', "\u{43e}");
    let fullwidth: String = ascii
        .chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap(),
            c => c,
        })
        .collect();
    let zero_width: String = ascii.chars().flat_map(|c| [c, '\u{200b}']).collect();
    let cascade = Cascade::new(Some(model()), CascadeParams::default()).unwrap();
    let want = cascade.classify_text(ascii).classification;
    for text in [&cyrillic, &fullwidth, &zero_width] {
        let got = cascade.classify_text(text).classification;
        assert_eq!(
            (got.signal.complexity, got.signal.nature, got.signal.domain),
            (
                want.signal.complexity,
                want.signal.nature,
                want.signal.domain
            ),
            "{text}"
        );
        assert_eq!(got.signal.language, want.signal.language, "{text}");
        assert_eq!(got.signal.raw_input, *text);
        let ml = model().classify_text(text);
        assert_eq!(ml.signal.nature, want.signal.nature, "{text}");
        assert_eq!(ml.signal.raw_input, *text);
    }
}
