//! What every stage of a plan's walk reads, built once per plan.
//!
//! The rules (V_R), the argument inspector (V_A) and the session memory all look at the same
//! things: the user's request, each step's annotations, the 9 features, every string inside each
//! step's arguments, and whether each step is grounded in the request. [`PlanContext::new`]
//! computes them once; the stages borrow them through [`PlanContext::steps`].

use std::cell::OnceCell;

use vigil_contracts::{Plan, Step};
use vigil_features::json_walk::for_each_string_in;
use vigil_features::plan::{Action, StepAnnotation, ToolAnnotator, is_search_key, plan_features};

use crate::grounding::Request;
use crate::rules::injection::{ObservationScan, scan_observation};

/// Grounding with provenance. A step is grounded when the request asks for its kind of action
/// and every entity it names comes from a trusted place:
///
/// - an endpoint (host, e-mail address) is named in the request or appears in the observation
///   of an earlier grounded step whose observation carried no injection ("e-mail the address in
///   the file you just read");
/// - no identifier-like argument (an account, IBAN, URL, file, guest id: ≥ 5 characters, no
///   spaces, with a digit or one of `@ / . :`) appears in an injected observation unless the
///   request or a clean observation also has it — entities introduced only by an injection are
///   ungrounded.
fn provenance_grounding(
    request: &Request,
    plan: &Plan,
    annotations: &[StepAnnotation],
    args: &[ArgStrings<'_>],
    scans: &[(usize, ObservationScan)],
) -> (Vec<bool>, String, Vec<usize>) {
    let mut clean = String::new();
    let mut upto = Vec::with_capacity(annotations.len());
    let mut injected = String::new();
    let mut out = Vec::with_capacity(annotations.len());
    for (i, a) in annotations.iter().enumerate() {
        upto.push(clean.len());
        let tainted = !injected.is_empty()
            && args[i].all.iter().any(|s| {
                let t = s.trim();
                is_entity(t) && {
                    let l = t.to_lowercase();
                    injected.contains(&l) && !clean.contains(&l) && !request.mentions(&l)
                }
            });
        let grounded = !tainted && request.grounds_given(a, &clean);
        out.push(grounded);
        if let Some(obs) = plan.steps[i].observation.as_deref() {
            let lower = obs.to_lowercase();
            let scan = scans
                .binary_search_by_key(&i, |(at, _)| *at)
                .map(|at| &scans[at].1);
            if scan.is_ok_and(ObservationScan::injected) {
                injected.push_str(&lower);
                injected.push('\n');
            } else if grounded {
                clean.push_str(&lower);
                clean.push('\n');
            }
        }
    }
    (out, clean, upto)
}

/// An identifier-like string: 5–256 bytes, no whitespace, with a digit or one of `@ / . :`.
fn is_entity(s: &str) -> bool {
    (5..=256).contains(&s.len())
        && !s.contains(char::is_whitespace)
        && s.bytes()
            .any(|b| b.is_ascii_digit() || matches!(b, b'@' | b'/' | b'.' | b':'))
}

/// Strings longer than this (in bytes) are left out of [`StepContext::lower_arg_strings`].
const MAX_LOWERED_LEN: usize = 4096;

/// A plan with everything its stages share, computed once.
#[derive(Debug)]
pub struct PlanContext<'p> {
    plan: &'p Plan,
    request: Request,
    annotations: Vec<StepAnnotation>,
    features: [f64; 9],
    args: Vec<ArgStrings<'p>>,
    grounded: Vec<bool>,
    /// (step, scan) of the steps with an observation, by step.
    scans: Vec<(usize, ObservationScan)>,
    trusted: String,
    trusted_upto: Vec<usize>,
}

impl<'p> PlanContext<'p> {
    /// Annotates the plan, computes its features, reads its request and flattens each step's
    /// argument strings.
    pub fn new(annotator: &ToolAnnotator, plan: &'p Plan) -> Self {
        let annotations = annotator.annotate_plan(plan);
        let features = plan_features(plan, &annotations);
        let request = Request::new(plan.request.as_deref());
        let args: Vec<ArgStrings<'p>> = plan.steps.iter().map(ArgStrings::of).collect();
        // Only steps with an observation have a scan (a long plan rarely has many).
        let scans: Vec<(usize, ObservationScan)> = plan
            .steps
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((i, scan_observation(s.observation.as_deref()?))))
            .collect();
        let (grounded, trusted, trusted_upto) =
            provenance_grounding(&request, plan, &annotations, &args, &scans);
        PlanContext {
            plan,
            request,
            annotations,
            features,
            args,
            grounded,
            scans,
            trusted,
            trusted_upto,
        }
    }

    /// The lower-cased clean observations of grounded steps before step `index` (where an
    /// entity may come from besides the request).
    pub fn trusted_text(&self, index: usize) -> &str {
        &self.trusted[..self.trusted_upto[index]]
    }

    /// What step `index`'s observation carried ([`scan_observation`]); clean without one.
    pub fn scan(&self, index: usize) -> &ObservationScan {
        static CLEAN: ObservationScan = ObservationScan {
            cues: Vec::new(),
            score: 0.0,
            span: None,
        };
        self.scans
            .binary_search_by_key(&index, |(i, _)| *i)
            .map_or(&CLEAN, |at| &self.scans[at].1)
    }

    /// The plan.
    pub fn plan(&self) -> &'p Plan {
        self.plan
    }

    /// The user's request.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// Every step with its annotations filled in.
    pub fn annotations(&self) -> &[StepAnnotation] {
        &self.annotations
    }

    /// The 9 NEXUS features, in order.
    pub fn features(&self) -> &[f64; 9] {
        &self.features
    }

    /// The plan's `allow_sensitive` policy.
    pub fn allow_sensitive(&self) -> bool {
        self.plan.policy.allow_sensitive
    }

    /// Step `index` with what the stages read about it (panics if out of range).
    pub fn step(&self, index: usize) -> StepContext<'_> {
        StepContext {
            index,
            step: &self.plan.steps[index],
            annotation: &self.annotations[index],
            grounded: self.grounded[index],
            args: &self.args[index],
        }
    }

    /// Every step, in plan order.
    pub fn steps(&self) -> impl ExactSizeIterator<Item = StepContext<'_>> + '_ {
        (0..self.plan.steps.len()).map(|i| self.step(i))
    }

    /// Hands the annotations over (the context is done with).
    pub fn into_annotations(self) -> Vec<StepAnnotation> {
        self.annotations
    }
}

/// One step of a [`PlanContext`].
#[derive(Debug, Clone, Copy)]
pub struct StepContext<'c> {
    /// Position in the plan.
    pub index: usize,
    /// The step as given.
    pub step: &'c Step,
    /// Its annotations.
    pub annotation: &'c StepAnnotation,
    /// Whether the request asks for it ([`Request::grounds`]).
    pub grounded: bool,
    args: &'c ArgStrings<'c>,
}

impl<'c> StepContext<'c> {
    /// Every string inside the step's argument values (nested object keys too, top-level keys
    /// not), depth-first in document order, down to
    /// [`MAX_ARG_DEPTH`](vigil_features::json_walk::MAX_ARG_DEPTH) levels.
    pub fn arg_strings(&self) -> &'c [&'c str] {
        &self.args.all
    }

    /// Whether `arg_strings()[i]` is (inside) the step's search-query argument (`query`, `q`,
    /// `keywords`, … — [`SEARCH_KEYS`](vigil_features::plan::SEARCH_KEYS)).
    pub fn is_query(&self, i: usize) -> bool {
        let (a, b) = self.args.queries;
        (a as usize..b as usize).contains(&i)
    }

    /// [`arg_strings`](Self::arg_strings) of at most 4 KiB, trimmed and lower-cased; built on
    /// first use.
    pub fn lower_arg_strings(&self) -> &'c [String] {
        self.args.lower.get_or_init(|| {
            self.args
                .all
                .iter()
                .filter(|s| s.len() <= MAX_LOWERED_LEN)
                .map(|s| s.trim().to_lowercase())
                .collect()
        })
    }

    /// The step sends something out: it is networked and not a read.
    pub fn sends(&self) -> bool {
        self.annotation.network && self.annotation.action != Action::Read
    }
}

/// The strings inside one step's arguments, and their lower-cased form once asked for.
#[derive(Debug)]
struct ArgStrings<'p> {
    all: Vec<&'p str>,
    /// `all[..]` indices `queries.0..queries.1` of the first search-query argument
    /// ([`is_search_key`]); empty when there is none.
    queries: (u32, u32),
    lower: OnceCell<Vec<String>>,
}

impl<'p> ArgStrings<'p> {
    fn of(step: &'p Step) -> Self {
        let mut all = Vec::new();
        let mut queries = (0, 0);
        for (k, v) in &step.args {
            let start = all.len();
            for_each_string_in(v, &mut |s| all.push(s));
            if queries.0 == queries.1 && is_search_key(k) {
                queries = (
                    u32::try_from(start).unwrap_or(u32::MAX),
                    u32::try_from(all.len()).unwrap_or(u32::MAX),
                );
            }
        }
        ArgStrings {
            all,
            queries,
            lower: OnceCell::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_carry_their_strings_annotations_and_grounding() {
        let plan: Plan = vigil_contracts::from_json_str(
            r#"{"request": "email the Q3 report to dana@acme.example", "steps": [
              {"tool": "read_file", "args": {"path": "  /Reports/Q3.xlsx ", "opts": {"mode": ["r"]}}},
              {"tool": "send_email", "args": {"to": "dana@acme.example", "body": "attached"}}]}"#,
        )
        .unwrap();
        let ctx = PlanContext::new(&ToolAnnotator::default(), &plan);
        assert_eq!(ctx.steps().len(), 2);
        let read = ctx.step(0);
        assert_eq!(read.arg_strings(), ["  /Reports/Q3.xlsx ", "mode", "r"]);
        assert_eq!(read.lower_arg_strings(), ["/reports/q3.xlsx", "mode", "r"]);
        assert!(!read.sends());
        let send = ctx.step(1);
        assert!(send.sends() && send.grounded);
        assert_eq!(send.annotation.endpoints, ["dana@acme.example"]);
        assert_eq!(ctx.features()[0], 2.0);
    }
}
