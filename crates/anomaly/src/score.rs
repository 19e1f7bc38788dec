//! What the crate answers — [`MLAnomalyDetector`]: window → features → trees → calibrated score,
//! class, reasons, and the gray-zone escalation to an [`LlmVerifier`].

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use vigil_contracts::trajectory::VERIFIER_PARSE_ERROR;
use vigil_contracts::{
    AnomalyClass, AnomalyDetector, AnomalyResult, CanonicalIntent, LlmVerifier, NormalizedIntent,
    Operation, PolicyName, TargetKind, TaskSignalHint, VerifierError,
};
use vigil_features::window::{VigilWindowV1, WINDOW, WindowEncoder};

use crate::model::{AnomalyModel, ScoreCalibration};
use crate::sequence::{self, SequenceFacts};
use crate::trees::CompleteTrees;
use crate::{Error, Result, reasons};

/// Detector settings, with axor's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectorParams {
    /// Intents scored (the most recent ones). axor: 10.
    pub window_size: usize,
    /// Lower bound of the suspicious band. axor: 0.40.
    pub suspicious_threshold: f64,
    /// Lower bound of the critical band. axor: 0.75.
    pub critical_threshold: f64,
    /// Suspicious results at or above this score go to the verifier. axor: 0.50.
    pub gray_zone_threshold: f64,
    /// On verifier error, answer critical (`verifier_error_fail_closed`) instead of the ML result.
    /// An unparseable answer (the `verifier_parse_error` fallback verdict), an out-of-range score
    /// and a timeout count as errors; axor instead returned the 0.5/suspicious placeholder.
    pub fail_closed_on_verifier_error: bool,
    /// Time limit on one verifier call (axor has none).
    pub verifier_timeout: Duration,
}

impl Default for DetectorParams {
    fn default() -> Self {
        DetectorParams {
            window_size: 10,
            suspicious_threshold: AnomalyClass::SUSPICIOUS_THRESHOLD,
            critical_threshold: AnomalyClass::CRITICAL_THRESHOLD,
            gray_zone_threshold: 0.50,
            fail_closed_on_verifier_error: false,
            verifier_timeout: Duration::from_secs(10),
        }
    }
}

impl DetectorParams {
    /// Checks ranges: window 1..=10 (the encoder's window), `0 < suspicious < critical ≤ 1`,
    /// gray zone in [0, 1], a non-zero timeout.
    pub fn check(self) -> Result<Self> {
        let p = |name, message: String| Err(Error::Params { name, message });
        if !(1..=vigil_features::window::WINDOW).contains(&self.window_size) {
            return p(
                "window_size",
                format!("{} is outside 1..=10", self.window_size),
            );
        }
        let (s, c) = (self.suspicious_threshold, self.critical_threshold);
        if !(s.is_finite() && c.is_finite() && 0.0 < s && s < c && c <= 1.0) {
            return p(
                "suspicious_threshold/critical_threshold",
                format!("{s} / {c} must satisfy 0 < suspicious < critical <= 1"),
            );
        }
        if !(0.0..=1.0).contains(&self.gray_zone_threshold) {
            return p(
                "gray_zone_threshold",
                format!("{} is outside [0, 1]", self.gray_zone_threshold),
            );
        }
        if self.verifier_timeout.is_zero() {
            return p(
                "verifier_timeout",
                "0 ms would never let the verifier answer".into(),
            );
        }
        Ok(self)
    }
}

/// axor's `MLAnomalyDetector`, position-invariant and calibrated. See the crate docs.
#[derive(Clone)]
pub struct MLAnomalyDetector {
    model: Arc<AnomalyModel>,
    /// The model's trees laid out for inference at load time (`None`: too deep, walk the nodes).
    complete: Option<Arc<CompleteTrees>>,
    params: DetectorParams,
    verifier: Option<Arc<dyn LlmVerifier>>,
}

impl std::fmt::Debug for MLAnomalyDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MLAnomalyDetector")
            .field("trees", &self.model.trees.trees())
            .field("params", &self.params)
            .field("verifier", &self.verifier.is_some())
            .finish()
    }
}

impl MLAnomalyDetector {
    /// A detector around a checked model.
    pub fn new(model: AnomalyModel) -> Result<Self> {
        model.validate()?;
        Ok(MLAnomalyDetector {
            complete: CompleteTrees::new(&model.trees).map(Arc::new),
            model: Arc::new(model),
            params: DetectorParams::default(),
            verifier: None,
        })
    }

    /// The committed default model ([`EMBEDDED`](crate::model::EMBEDDED)).
    pub fn embedded() -> Result<Self> {
        Self::new(AnomalyModel::embedded()?.model)
    }

    /// A model file.
    pub fn from_path(path: &Path) -> Result<Self> {
        Self::new(AnomalyModel::read(path)?.model)
    }

    /// Precedence: explicit `path`, then `$VIGIL_ANOMALY_MODEL` (if set and non-empty), then the
    /// embedded model ([`AnomalyModel::load`]).
    pub fn load(path: Option<&Path>) -> Result<Self> {
        Self::new(AnomalyModel::load(path)?.0.model)
    }

    /// Replaces the settings (checked).
    pub fn with_params(mut self, params: DetectorParams) -> Result<Self> {
        self.params = params.check()?;
        Ok(self)
    }

    /// Attaches a gray-zone verifier.
    pub fn with_verifier(mut self, verifier: Arc<dyn LlmVerifier>) -> Self {
        self.verifier = Some(verifier);
        self
    }

    /// The settings.
    pub fn params(&self) -> &DetectorParams {
        &self.params
    }

    /// The model.
    pub fn model(&self) -> &AnomalyModel {
        &self.model
    }

    /// Class probabilities `[normal, suspicious, critical]` of the last `window_size` intents,
    /// their `after_*` flags recomputed from the window's order
    /// ([`sequence::derive_recent`]).
    pub fn probabilities(&self, window: &[NormalizedIntent]) -> [f32; 3] {
        self.probabilities_derived(&sequence::derive_recent(window, self.params.window_size))
    }

    fn probabilities_derived(&self, recent: &[NormalizedIntent]) -> [f32; 3] {
        let mut x = [0f32; VigilWindowV1::LEN];
        VigilWindowV1.encode_into(recent, &mut x);
        let mut p = [0f32; 3];
        match &self.complete {
            Some(c) => c.probabilities(&x, &mut p),
            None => self.model.trees.probabilities(&x, &mut p),
        }
        p
    }

    /// The ML verdict on the last `window_size` intents, without the verifier: the fast path.
    ///
    /// The window's `after_*` flags are recomputed from its order, and the sequence invariants
    /// ([`SequenceFacts::floor`]) are enforced on the model's answer.
    pub fn score_window(&self, window: &[NormalizedIntent]) -> AnomalyResult {
        let start = window
            .len()
            .saturating_sub(self.params.window_size.min(WINDOW));
        let (history, recent) = window.split_at(start);
        self.score_after(sequence::History::of(history), recent)
    }

    /// [`Self::score_window`] of the window `recent` (its last `window_size` calls) after
    /// calls whose facts are `history`.
    fn score_after(
        &self,
        history: sequence::History,
        recent: &[NormalizedIntent],
    ) -> AnomalyResult {
        // The derived window without tool names (nothing allocated): encoder, reasons and
        // sequence facts never read them.
        let size = self.params.window_size.min(WINDOW);
        let recent = &recent[recent.len().saturating_sub(size)..];
        let mut buf: [NormalizedIntent; WINDOW] = std::array::from_fn(|_| blank_intent());
        let n = sequence::derive_after(history, recent, &mut buf);
        let recent = &buf[..n];
        if recent.is_empty() {
            return AnomalyResult::empty();
        }
        let p = self.probabilities_derived(recent);
        let mut score = self.model.calibration.score(ScoreCalibration::severity(&p));
        let mut class = AnomalyClass::from_score_with(
            score,
            self.params.suspicious_threshold,
            self.params.critical_threshold,
        );
        // `floored`, with the reasons computed once, for the final class.
        if let Some(floor) = SequenceFacts::of_derived(recent).floor() {
            if class.index() < floor.index() {
                score = self.floor_score(score, floor);
                class = floor;
            }
        }
        AnomalyResult {
            score,
            class,
            reasons: reasons::for_class(class, recent),
        }
    }

    /// The prefix of `session` whose last `window_size` intents score worst — highest class,
    /// then highest score, the earliest such window on a tie — so that a session of raw calls is
    /// judged on its worst stretch, not on its tail: otherwise ten benign calls after an
    /// exfiltration would leave it outside the window scored and the session would read as
    /// normal. A session no longer than a window is returned whole. Costs one window's scoring
    /// per call of the session: linear in its length.
    pub fn worst_window<'a>(&self, session: &'a [NormalizedIntent]) -> &'a [NormalizedIntent] {
        let size = self.params.window_size;
        if session.len() <= size {
            return session;
        }
        let size = size.min(WINDOW);
        let mut worst: Option<(usize, AnomalyResult)> = None;
        // The facts of the calls before the window, carried forward one call at a time: each
        // window costs the same however long the session before it.
        let mut history = sequence::History::default();
        for end in size..=session.len() {
            if end > size {
                history.push(&session[end - size - 1]);
            }
            let r = self.score_after(history, &session[end - size..end]);
            let worse = worst
                .as_ref()
                .is_none_or(|(_, w)| (r.class.index(), r.score) > (w.class.index(), w.score));
            if worse {
                worst = Some((end, r));
            }
        }
        let end = worst.map_or(session.len(), |(end, _)| end);
        &session[..end]
    }

    /// [`Self::score_window`] of a whole session: its [worst window](Self::worst_window).
    pub fn score_session(&self, session: &[NormalizedIntent]) -> AnomalyResult {
        self.score_window(self.worst_window(session))
    }

    /// `score` raised into the band of `floor` (capped at 1).
    fn floor_score(&self, score: f64, floor: AnomalyClass) -> f64 {
        match floor {
            AnomalyClass::Critical => score.max(self.params.critical_threshold),
            _ => score.max(self.params.suspicious_threshold),
        }
        .min(1.0)
    }

    /// Raises `r` to the floor of the window's sequence facts (score into that class's band,
    /// reasons recomputed); never lowers it.
    fn floored(&self, r: AnomalyResult, recent: &[NormalizedIntent]) -> AnomalyResult {
        let Some(floor) = SequenceFacts::of_derived(recent).floor() else {
            return r;
        };
        if r.class.index() >= floor.index() {
            return r;
        }
        AnomalyResult {
            score: self.floor_score(r.score, floor),
            class: floor,
            reasons: reasons::for_class(floor, recent),
        }
    }

    /// Checks a window built in code by the rule deserialization applies
    /// ([`NormalizedIntent::check`]: reputations finite and in [0, 1]).
    pub fn validate_window(window: &[NormalizedIntent]) -> Result<()> {
        for (k, i) in window.iter().enumerate() {
            i.check().map_err(|e| e.within(&format!("window[{k}]")))?;
        }
        Ok(())
    }

    /// The full verdict: ML, then the verifier in the gray zone.
    pub async fn score_with_verifier(
        &self,
        window: &[NormalizedIntent],
        hint: Option<TaskSignalHint>,
        policy: Option<PolicyName>,
    ) -> Result<AnomalyResult> {
        Self::validate_window(window)?;
        let ml = self.score_window(window);
        let Some(verifier) = &self.verifier else {
            return Ok(ml);
        };
        if ml.class != AnomalyClass::Suspicious || ml.score < self.params.gray_zone_threshold {
            return Ok(ml);
        }
        let recent = sequence::derive_recent(window, self.params.window_size);
        let canonical: Vec<CanonicalIntent> = recent.iter().map(|i| i.canonicalize()).collect();
        let limit = self.params.verifier_timeout;
        let answer =
            match tokio::time::timeout(limit, verifier.verify(&canonical, hint, policy)).await {
                // A parse-error fallback verdict is a failure too, so fail-closed still holds
                // when the model answers garbage (otherwise 0.5/suspicious would slip through).
                Ok(Ok(r)) if r.reasons.iter().any(|x| x == VERIFIER_PARSE_ERROR) => Err(
                    VerifierError::Unusable("the model's answer could not be parsed".into()),
                ),
                Ok(Ok(r)) if r.score.is_finite() && (0.0..=1.0).contains(&r.score) => Ok(r),
                Ok(Ok(r)) => Err(VerifierError::Unusable(format!(
                    "verifier score {} is outside [0, 1]",
                    r.score
                ))),
                Ok(Err(e)) => Err(e),
                Err(_) => Err(VerifierError::Timeout {
                    after_ms: limit.as_millis() as u64,
                }),
            };
        match answer {
            Ok(mut r) => {
                // The verifier's class decides; its score is pulled into that class's band so
                // score and class never disagree (axor returned e.g. 0.1 with `critical`).
                let (s, c) = (
                    self.params.suspicious_threshold,
                    self.params.critical_threshold,
                );
                r.score = match r.class {
                    AnomalyClass::Normal => r.score.min(s - 1e-6),
                    AnomalyClass::Suspicious => r.score.clamp(s, c - 1e-6),
                    AnomalyClass::Critical => r.score.max(c),
                }
                .clamp(0.0, 1.0);
                if r.class != AnomalyClass::Normal && r.reasons.is_empty() {
                    r.reasons = reasons::for_class(r.class, &recent);
                }
                // The verifier may not talk a window below its sequence floor.
                Ok(self.floored(r, &recent))
            }
            Err(e) => {
                tracing::warn!("LLM verifier failed: {e}");
                if self.params.fail_closed_on_verifier_error {
                    Ok(AnomalyResult {
                        score: ml.score.max(self.params.critical_threshold).min(1.0),
                        class: AnomalyClass::Critical,
                        reasons: vec!["verifier_error_fail_closed".to_owned()],
                    })
                } else {
                    Ok(ml)
                }
            }
        }
    }
}

/// A placeholder intent (no allocation) for the fast path's fixed buffer.
fn blank_intent() -> NormalizedIntent {
    NormalizedIntent::new("", Operation::Other, TargetKind::Workdir)
}

#[async_trait::async_trait]
impl AnomalyDetector for MLAnomalyDetector {
    async fn score(
        &self,
        window: &[NormalizedIntent],
        task_signal_hint: Option<TaskSignalHint>,
        policy_name: Option<PolicyName>,
    ) -> vigil_contracts::Result<AnomalyResult> {
        self.score_with_verifier(window, task_signal_hint, policy_name)
            .await
            .map_err(Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;
    use rand_chacha::ChaCha8Rng;
    use rand_chacha::rand_core::SeedableRng;
    use vigil_contracts::{DataFlow, DestinationKind, Provenance};

    /// `score_window` as it was before the fast path: full clones of the derived window, the
    /// node walk over the artifact's arrays, reasons for the model's class, then `floored`.
    fn reference(d: &MLAnomalyDetector, window: &[NormalizedIntent]) -> AnomalyResult {
        let recent = sequence::derive_recent(window, d.params.window_size);
        if recent.is_empty() {
            return AnomalyResult::empty();
        }
        let mut x = [0f32; VigilWindowV1::LEN];
        VigilWindowV1.encode_into(&recent, &mut x);
        let mut p = [0f32; 3];
        d.model.trees.probabilities(&x, &mut p);
        let score = d.model.calibration.score(ScoreCalibration::severity(&p));
        let class = AnomalyClass::from_score_with(
            score,
            d.params.suspicious_threshold,
            d.params.critical_threshold,
        );
        d.floored(
            AnomalyResult {
                score,
                class,
                reasons: reasons::for_class(class, &recent),
            },
            &recent,
        )
    }

    /// Random windows of 0..=14 intents over every enum value, skewed to plain work.
    fn windows(seed: u64, count: usize) -> Vec<Vec<NormalizedIntent>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut next = move |m: usize| rng.gen_range(0..m);
        fn pick<T: Copy>(all: &[T], plain: T, r: usize) -> T {
            if r < 60 { plain } else { all[r % all.len()] }
        }
        (0..count)
            .map(|_| {
                let len = next(15);
                (0..len)
                    .map(|_| {
                        let mut i = NormalizedIntent::new(
                            ["read", "bash", "web_fetch"][next(3)],
                            pick(Operation::ALL, Operation::FileRead, next(100)),
                            pick(TargetKind::ALL, TargetKind::Workdir, next(100)),
                        );
                        i.destination_kind =
                            pick(DestinationKind::ALL, DestinationKind::None, next(100));
                        i.provenance = pick(Provenance::ALL, Provenance::Repo, next(100));
                        i.data_flow = pick(DataFlow::ALL, DataFlow::LocalToLocal, next(100));
                        i.reads_secret_like_data = next(8) == 0;
                        i.writes_outside_workdir = next(8) == 0;
                        i.executes_generated_code = next(8) == 0;
                        i.after_external_read = next(8) == 0;
                        i.after_secret_access = next(8) == 0;
                        i.target_resource_reputation = next(11) as f64 / 10.0;
                        i.target_container_reputation = next(11) as f64 / 10.0;
                        i
                    })
                    .collect()
            })
            .collect()
    }

    /// The linear walk picks the window the one-prefix-at-a-time definition picks, on long
    /// random sessions (joined random windows): same prefix, same verdict.
    #[test]
    fn worst_window_equals_scoring_every_prefix() {
        let d = MLAnomalyDetector::embedded().unwrap();
        let size = d.params.window_size;
        for (k, session) in windows(7, 400).chunks(8).map(|c| c.concat()).enumerate() {
            let naive = if session.len() <= size {
                session.len()
            } else {
                let mut worst: Option<(usize, AnomalyResult)> = None;
                for end in size..=session.len() {
                    let r = d.score_window(&session[..end]);
                    if worst.as_ref().is_none_or(|(_, w)| {
                        (r.class.index(), r.score) > (w.class.index(), w.score)
                    }) {
                        worst = Some((end, r));
                    }
                }
                worst.map_or(session.len(), |(end, _)| end)
            };
            assert_eq!(d.worst_window(&session).len(), naive, "session {k}");
            assert_eq!(
                d.score_session(&session),
                d.score_window(&session[..naive]),
                "session {k}"
            );
        }
    }

    #[test]
    fn a_session_is_judged_on_its_worst_window_not_its_tail() {
        let d = MLAnomalyDetector::embedded().unwrap();
        let plain = || NormalizedIntent::new("read", Operation::FileRead, TargetKind::Workdir);
        let mut secret = NormalizedIntent::new("read", Operation::FileRead, TargetKind::Secret);
        secret.reads_secret_like_data = true;
        let mut egress =
            NormalizedIntent::new("bash", Operation::NetworkRequest, TargetKind::ExternalUrl);
        egress.destination_kind = DestinationKind::ExternalDomain;
        egress.data_flow = DataFlow::LocalToExternal;
        let attack = vec![secret, egress];
        let session = |padding: usize| {
            let mut s = attack.clone();
            s.extend((0..padding).map(|_| plain()));
            s
        };
        // The tail alone (the last ten reads) is normal; the session is not.
        let padded = session(50);
        assert_eq!(d.score_window(&padded).class, AnomalyClass::Normal);
        let alone = d.score_window(&attack);
        assert_ne!(alone.class, AnomalyClass::Normal);
        for padding in [0, 8, 9, 10, 11, 50, 500] {
            let s = session(padding);
            let r = d.score_session(&s);
            assert_eq!(r.class, alone.class, "padding {padding}");
            assert!(r.score >= alone.score - 1e-12, "padding {padding}");
            // The worst window holds the attack.
            assert_eq!(
                d.worst_window(&s).len(),
                s.len().min(10),
                "padding {padding}"
            );
        }
        // A short session is its own window; an all-benign one is normal.
        assert_eq!(d.worst_window(&attack).len(), 2);
        assert_eq!(
            d.score_session(&(0..30).map(|_| plain()).collect::<Vec<_>>())
                .class,
            AnomalyClass::Normal
        );
    }

    #[test]
    fn fast_path_answers_as_the_reference_path() {
        let d = MLAnomalyDetector::embedded().unwrap();
        let short = d.clone().with_params(DetectorParams {
            window_size: 4,
            ..DetectorParams::default()
        });
        let short = short.unwrap();
        let mut classes = [0usize; 3];
        for w in windows(11, 6_000) {
            for d in [&d, &short] {
                let (a, b) = (d.score_window(&w), reference(d, &w));
                assert_eq!(a.score.to_bits(), b.score.to_bits(), "{w:?}");
                assert_eq!((a.class, &a.reasons), (b.class, &b.reasons), "{w:?}");
                assert_eq!(d.probabilities(&w), {
                    let r = sequence::derive_recent(&w, d.params.window_size);
                    let mut x = [0f32; VigilWindowV1::LEN];
                    VigilWindowV1.encode_into(&r, &mut x);
                    let mut p = [0f32; 3];
                    d.model.trees.probabilities(&x, &mut p);
                    p
                });
                classes[a.class.index()] += 1;
            }
        }
        // The windows reach every class.
        assert!(classes.iter().all(|&c| c > 100), "{classes:?}");
    }
}
