//! Window encoders: a window of recent [`NormalizedIntent`]s (oldest first) → a fixed-length
//! feature vector, each with a named, fingerprinted [`FeatureSchema`].
//!
//! - [`AxorV1`] is axor's 300-feature encoding, kept for parity: 10 slots × 30, left zero-padded,
//!   slot 9 the newest, one-hot groups alphabetical, unknown strings all zero.
//! - [`VigilWindowV1`] is vigil's own encoding. It does not depend on *where* in the window an
//!   event sits: window-level counts, "seen anywhere" flags and order-aware pairs ("a secret was
//!   read and *later* data went out"). An exfiltration chain followed by three benign reads
//!   encodes the same evidence as the chain alone; axor's slot encoding moves it to other
//!   features the model never saw attacks in.
//!
//! ```
//! use vigil_contracts::{NormalizedIntent, Operation, TargetKind};
//! use vigil_features::window::{AxorV1, VigilWindowV1, WindowEncoder};
//!
//! let read = NormalizedIntent::new("read", Operation::FileRead, TargetKind::Workdir);
//! let axor = AxorV1::default();
//! assert_eq!(axor.schema().features.len(), 300);
//! assert_eq!(axor.encode(&[read.clone()]).len(), 300);
//! let vigil = VigilWindowV1::default();
//! let a = vigil.encode(&[read.clone(), read.clone()]);
//! assert_eq!(a.len(), vigil.schema().features.len());
//! ```

use vigil_contracts::{
    DataFlow, DestinationKind, FeatureSchema, NormalizedIntent, Operation, Provenance, TargetKind,
};

/// Turns a window into a fixed-length vector of `f32`.
pub trait WindowEncoder {
    /// The ordered feature names.
    fn schema(&self) -> FeatureSchema;
    /// Number of features.
    fn len(&self) -> usize;
    /// Whether the encoding has no features (never, for the encoders here).
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Writes the features of `window` into `out` (`out.len() == self.len()`).
    fn encode_into(&self, window: &[NormalizedIntent], out: &mut [f32]);
    /// The features of `window` as a new vector.
    fn encode(&self, window: &[NormalizedIntent]) -> Vec<f32> {
        let mut v = vec![0.0; self.len()];
        self.encode_into(window, &mut v);
        v
    }
}

/// Window length both encoders assume (axor's default).
pub const WINDOW: usize = 10;

const AXOR_FLAGS: [&str; 5] = [
    "reads_secret_like_data",
    "writes_outside_workdir",
    "executes_generated_code",
    "after_external_read",
    "after_secret_access",
];
const AXOR_OPS: [Operation; 8] = [
    Operation::ExecuteGeneratedCode,
    Operation::FileRead,
    Operation::FileWrite,
    Operation::NetworkRequest,
    Operation::Other,
    Operation::PackageInstall,
    Operation::Search,
    Operation::Test,
];
const AXOR_TARGETS: [TargetKind; 8] = [
    TargetKind::CloudMetadata,
    TargetKind::DockerSocket,
    TargetKind::ExternalUrl,
    TargetKind::Localhost,
    TargetKind::PrivateNetwork,
    TargetKind::Secret,
    TargetKind::SystemPath,
    TargetKind::Workdir,
];
const AXOR_FLOWS: [DataFlow; 4] = [
    DataFlow::ExternalToShell,
    DataFlow::LocalToExternal,
    DataFlow::LocalToLocal,
    DataFlow::None,
];
const AXOR_PROVS: [Provenance; 5] = [
    Provenance::ExternalWeb,
    Provenance::OfficialDocs,
    Provenance::Repo,
    Provenance::Unknown,
    Provenance::User,
];

/// axor's 300-feature slot encoding (schema `axor-v1`).
#[derive(Debug, Clone, Copy, Default)]
pub struct AxorV1;

impl AxorV1 {
    /// Features per slot.
    pub const PER_SLOT: usize = 30;

    fn slot_names() -> Vec<String> {
        let mut names: Vec<String> = AXOR_FLAGS.iter().map(|s| (*s).to_owned()).collect();
        names.extend(AXOR_OPS.iter().map(|o| format!("op={o}")));
        names.extend(AXOR_TARGETS.iter().map(|t| format!("tk={t}")));
        names.extend(AXOR_FLOWS.iter().map(|f| format!("flow={f}")));
        names.extend(AXOR_PROVS.iter().map(|p| format!("prov={p}")));
        names
    }

    fn encode_slot(i: &NormalizedIntent, out: &mut [f32]) {
        let flags = [
            i.reads_secret_like_data,
            i.writes_outside_workdir,
            i.executes_generated_code,
            i.after_external_read,
            i.after_secret_access,
        ];
        for (o, f) in out.iter_mut().zip(flags) {
            *o = f32::from(u8::from(f));
        }
        // Unknown-to-axor values (power_state_change) stay all-zero, as in the reference.
        if let Some(k) = AXOR_OPS.iter().position(|o| *o == i.operation) {
            out[5 + k] = 1.0;
        }
        if let Some(k) = AXOR_TARGETS.iter().position(|t| *t == i.target_kind) {
            out[13 + k] = 1.0;
        }
        if let Some(k) = AXOR_FLOWS.iter().position(|f| *f == i.data_flow) {
            out[21 + k] = 1.0;
        }
        if let Some(k) = AXOR_PROVS.iter().position(|p| *p == i.provenance) {
            out[25 + k] = 1.0;
        }
    }
}

impl WindowEncoder for AxorV1 {
    fn schema(&self) -> FeatureSchema {
        let slot = Self::slot_names();
        let features = (0..WINDOW)
            .flat_map(|s| slot.iter().map(move |n| format!("slot{s}.{n}")))
            .collect();
        FeatureSchema::new("axor-v1", 1, features)
    }

    fn len(&self) -> usize {
        WINDOW * Self::PER_SLOT
    }

    fn encode_into(&self, window: &[NormalizedIntent], out: &mut [f32]) {
        out.fill(0.0);
        let recent = &window[window.len().saturating_sub(WINDOW)..];
        let pad = WINDOW - recent.len();
        for (k, intent) in recent.iter().enumerate() {
            let s = pad + k;
            Self::encode_slot(
                intent,
                &mut out[s * Self::PER_SLOT..(s + 1) * Self::PER_SLOT],
            );
        }
    }
}

/// Ordered pairs "A happened, and at the same step or later B happened" that [`VigilWindowV1`]
/// tracks. Named in the schema as `then.<a>→<b>`.
const PAIRS: [(&str, Event, Event); 13] = [
    ("secret→egress", Event::Secret, Event::Egress),
    ("secret→network", Event::Secret, Event::AnyNetwork),
    ("external→secret", Event::ExternalRead, Event::Secret),
    ("external→exec", Event::ExternalRead, Event::Exec),
    ("external→shell", Event::ExternalRead, Event::ShellOther),
    ("external→package", Event::ExternalRead, Event::Package),
    (
        "external→write_outside",
        Event::ExternalRead,
        Event::WriteOutside,
    ),
    ("write→exec", Event::Write, Event::Exec),
    ("metadata→egress", Event::Metadata, Event::Egress),
    ("secret→write_outside", Event::Secret, Event::WriteOutside),
    ("private→secret", Event::Private, Event::Secret),
    ("untrusted→package", Event::Untrusted, Event::Package),
    // The pivot: fetched external content, then the private network (a web search is no fetch).
    ("external→private", Event::ExternalRead, Event::Private),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Secret,
    Egress,
    AnyNetwork,
    ExternalRead,
    Exec,
    ShellOther,
    Package,
    WriteOutside,
    Write,
    Metadata,
    Private,
    Untrusted,
}

impl Event {
    fn holds(self, i: &NormalizedIntent) -> bool {
        match self {
            Event::Secret => i.reads_secret_like_data || i.target_kind == TargetKind::Secret,
            Event::Egress => matches!(
                i.data_flow,
                DataFlow::LocalToExternal | DataFlow::ExternalToShell
            ),
            Event::AnyNetwork => i.operation == Operation::NetworkRequest,
            // External content the agent may act on: not a web search's result list.
            Event::ExternalRead => {
                i.operation != Operation::Search
                    && (i.target_kind == TargetKind::ExternalUrl
                        || i.provenance == Provenance::ExternalWeb)
            }
            Event::Exec => {
                i.executes_generated_code || i.operation == Operation::ExecuteGeneratedCode
            }
            Event::ShellOther => i.data_flow == DataFlow::ExternalToShell,
            Event::Package => i.operation == Operation::PackageInstall,
            Event::WriteOutside => i.writes_outside_workdir,
            Event::Write => i.operation == Operation::FileWrite,
            Event::Metadata => i.target_kind == TargetKind::CloudMetadata,
            Event::Private => i.target_kind == TargetKind::PrivateNetwork,
            Event::Untrusted => i.provenance == Provenance::ExternalWeb,
        }
    }
}

/// Operations counted by [`VigilWindowV1`] (the ones that carry risk on their own).
const COUNTED_OPS: [Operation; 4] = [
    Operation::NetworkRequest,
    Operation::PackageInstall,
    Operation::ExecuteGeneratedCode,
    Operation::PowerStateChange,
];
/// Target kinds counted: every kind but the workdir.
const COUNTED_TARGETS: [TargetKind; 7] = [
    TargetKind::SystemPath,
    TargetKind::Secret,
    TargetKind::ExternalUrl,
    TargetKind::Localhost,
    TargetKind::PrivateNetwork,
    TargetKind::CloudMetadata,
    TargetKind::DockerSocket,
];
/// Data flows counted: the ones that cross the machine boundary.
const COUNTED_FLOWS: [DataFlow; 2] = [DataFlow::LocalToExternal, DataFlow::ExternalToShell];
/// Destinations counted: every one but `none`.
const COUNTED_DESTS: [DestinationKind; 5] = [
    DestinationKind::Localhost,
    DestinationKind::SameOrigin,
    DestinationKind::ExternalDomain,
    DestinationKind::PrivateNetwork,
    DestinationKind::CloudMetadata,
];
/// Provenances counted: the ones that say where instructions came from besides the repo.
const COUNTED_PROVS: [Provenance; 3] = [
    Provenance::ExternalWeb,
    Provenance::OfficialDocs,
    Provenance::User,
];

/// vigil's position-independent window encoding (schema `vigil-window-v1`).
///
/// Features, in order: counts of the risk-bearing operations, target kinds, data flows,
/// destinations and provenances (the `COUNTED_*` lists); counts of each boolean flag; the
/// ordered pairs in `PAIRS` (0/1); and the maximum resource and container reputation.
///
/// Every feature is a function of the window's multiset of intents plus their relative order,
/// never of absolute slot positions. Plain work (workdir reads, edits, tests, searches, local
/// shell commands, `repo`/`unknown` provenance, local or no data flow) is deliberately *not*
/// counted, and neither is the window length: a benign call that carries no risk signal leaves
/// the vector unchanged, so padding an attack with ordinary work cannot dilute it.
#[derive(Debug, Clone, Copy, Default)]
pub struct VigilWindowV1;

impl VigilWindowV1 {
    /// Offsets of the feature groups.
    const OPS: usize = 0;
    const TARGETS: usize = Self::OPS + COUNTED_OPS.len();
    const FLOWS: usize = Self::TARGETS + COUNTED_TARGETS.len();
    const DESTS: usize = Self::FLOWS + COUNTED_FLOWS.len();
    const PROVS: usize = Self::DESTS + COUNTED_DESTS.len();
    const FLAGS: usize = Self::PROVS + COUNTED_PROVS.len();
    const PAIRS_AT: usize = Self::FLAGS + 5;
    const REPUTATION: usize = Self::PAIRS_AT + PAIRS.len();
    /// Total features.
    pub const LEN: usize = Self::REPUTATION + 2;
}

fn bump<T: PartialEq + Copy>(list: &[T], v: T, offset: usize, out: &mut [f32]) {
    if let Some(k) = list.iter().position(|x| *x == v) {
        out[offset + k] += 1.0;
    }
}

impl WindowEncoder for VigilWindowV1 {
    fn schema(&self) -> FeatureSchema {
        let mut f: Vec<String> = COUNTED_OPS
            .iter()
            .map(|n| format!("count.op={n}"))
            .collect();
        f.extend(COUNTED_TARGETS.iter().map(|n| format!("count.tk={n}")));
        f.extend(COUNTED_FLOWS.iter().map(|n| format!("count.flow={n}")));
        f.extend(COUNTED_DESTS.iter().map(|n| format!("count.dest={n}")));
        f.extend(COUNTED_PROVS.iter().map(|n| format!("count.prov={n}")));
        f.extend(AXOR_FLAGS.iter().map(|n| format!("count.{n}")));
        f.extend(PAIRS.iter().map(|(n, _, _)| format!("then.{n}")));
        f.push("max.target_resource_reputation".into());
        f.push("max.target_container_reputation".into());
        debug_assert_eq!(f.len(), Self::LEN);
        // Version 2: searches are not external reads in the pairs; `then.external→private`.
        FeatureSchema::new("vigil-window-v1", 2, f)
    }

    fn len(&self) -> usize {
        Self::LEN
    }

    fn encode_into(&self, window: &[NormalizedIntent], out: &mut [f32]) {
        out.fill(0.0);
        let recent = &window[window.len().saturating_sub(WINDOW)..];
        let mut seen = [false; PAIRS.len()];
        let mut done = [false; PAIRS.len()];
        for i in recent {
            bump(&COUNTED_OPS, i.operation, Self::OPS, out);
            bump(&COUNTED_TARGETS, i.target_kind, Self::TARGETS, out);
            bump(&COUNTED_FLOWS, i.data_flow, Self::FLOWS, out);
            bump(&COUNTED_DESTS, i.destination_kind, Self::DESTS, out);
            bump(&COUNTED_PROVS, i.provenance, Self::PROVS, out);
            let flags = [
                i.reads_secret_like_data,
                i.writes_outside_workdir,
                i.executes_generated_code,
                i.after_external_read,
                i.after_secret_access,
            ];
            for (k, f) in flags.into_iter().enumerate() {
                out[Self::FLAGS + k] += f32::from(u8::from(f));
            }
            for (k, (_, a, b)) in PAIRS.iter().enumerate() {
                // The session flags carry "a secret was read earlier" across the window edge.
                let carried = match a {
                    Event::Secret => i.after_secret_access,
                    Event::ExternalRead => {
                        i.after_external_read && i.provenance == Provenance::ExternalWeb
                    }
                    _ => false,
                };
                if a.holds(i) || carried {
                    seen[k] = true;
                }
                if seen[k] && b.holds(i) && a != b {
                    done[k] = true;
                }
            }
            let rr = i.target_resource_reputation as f32;
            let cr = i.target_container_reputation as f32;
            if rr.is_finite() {
                out[Self::REPUTATION] = out[Self::REPUTATION].max(rr);
            }
            if cr.is_finite() {
                out[Self::REPUTATION + 1] = out[Self::REPUTATION + 1].max(cr);
            }
        }
        for (k, d) in done.into_iter().enumerate() {
            out[Self::PAIRS_AT + k] = f32::from(u8::from(d));
        }
    }
}

/// Index of a named feature in a schema (for tests and model cards).
pub fn feature_index(schema: &FeatureSchema, name: &str) -> Option<usize> {
    schema.features.iter().position(|f| f == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_contracts::DestinationKind;

    fn read() -> NormalizedIntent {
        let mut r = NormalizedIntent::new("read", Operation::FileRead, TargetKind::Workdir);
        r.provenance = Provenance::Repo;
        r.data_flow = DataFlow::LocalToLocal;
        r
    }

    fn exfil() -> Vec<NormalizedIntent> {
        let mut fetch = NormalizedIntent::new(
            "web_fetch",
            Operation::NetworkRequest,
            TargetKind::ExternalUrl,
        );
        fetch.provenance = Provenance::ExternalWeb;
        fetch.after_external_read = true;
        fetch.data_flow = DataFlow::LocalToExternal;
        fetch.destination_kind = DestinationKind::ExternalDomain;
        let mut secret = NormalizedIntent::new("read", Operation::FileRead, TargetKind::Secret);
        secret.reads_secret_like_data = true;
        secret.after_secret_access = true;
        secret.after_external_read = true;
        let mut out = fetch.clone();
        out.tool = "bash".into();
        out.after_secret_access = true;
        vec![fetch, secret, out]
    }

    #[test]
    fn axor_layout_is_exact() {
        let s = AxorV1.schema();
        assert_eq!(s.features.len(), 300);
        assert_eq!(s.features[0], "slot0.reads_secret_like_data");
        assert_eq!(s.features[5], "slot0.op=execute_generated_code");
        assert_eq!(s.features[13], "slot0.tk=cloud_metadata");
        assert_eq!(s.features[21], "slot0.flow=external_to_shell");
        assert_eq!(s.features[29], "slot0.prov=user");
        assert_eq!(s.features[270 + 20], "slot9.tk=workdir");
        let v = AxorV1.encode(&[read()]);
        // One intent → slot 9 only (left zero-padded).
        assert_eq!(v[..270].iter().sum::<f32>(), 0.0);
        assert_eq!(v[270 + 6], 1.0); // op=file_read
        assert_eq!(v[270 + 20], 1.0); // tk=workdir
        assert_eq!(v[270 + 23], 1.0); // flow=local_to_local
        assert_eq!(v[270 + 27], 1.0); // prov=repo
        assert_eq!(v.iter().sum::<f32>(), 4.0);
        let unknown = NormalizedIntent::new("x", Operation::PowerStateChange, TargetKind::Workdir);
        let v = AxorV1.encode(&[unknown]);
        assert_eq!(v[270 + 5..270 + 13].iter().sum::<f32>(), 0.0);
    }

    #[test]
    fn vigil_encoding_ignores_where_benign_reads_sit() {
        let chain = exfil();
        let mut before = vec![read(), read(), read()];
        before.extend(chain.clone());
        let mut after = chain.clone();
        after.extend([read(), read(), read()]);
        let mid = vec![
            chain[0].clone(),
            read(),
            chain[1].clone(),
            read(),
            read(),
            chain[2].clone(),
        ];
        let e = VigilWindowV1;
        assert_eq!(e.encode(&before), e.encode(&after));
        let s = e.schema();
        let egress = feature_index(&s, "then.secret→egress").unwrap();
        assert_eq!(e.encode(&after)[egress], 1.0);
        assert_eq!(e.encode(&mid)[egress], 1.0);
        // Egress *before* the secret is not the pair.
        let mut early_out = chain[2].clone();
        early_out.after_secret_access = false;
        early_out.after_external_read = false;
        let mut secret = chain[1].clone();
        secret.after_external_read = false;
        assert_eq!(e.encode(&[early_out, read(), secret])[egress], 0.0);
        assert_eq!(s.name, "vigil-window-v1");
        assert_eq!(s.features.len(), VigilWindowV1::LEN);
        assert_eq!(VigilWindowV1::LEN, 41);
        assert_ne!(s.fingerprint(), AxorV1.schema().fingerprint());
    }

    #[test]
    fn only_the_last_ten_are_encoded() {
        let mut w = vec![exfil()[1].clone()];
        w.extend(std::iter::repeat_n(read(), 10));
        let v = VigilWindowV1.encode(&w);
        let s = VigilWindowV1.schema();
        assert_eq!(v[feature_index(&s, "count.tk=secret").unwrap()], 0.0);
        // Plain reads leave the vector at zero: nothing to dilute.
        assert!(v.iter().all(|&x| x == 0.0));
        let v = VigilWindowV1.encode(&w[..2]);
        assert_eq!(v[feature_index(&s, "count.tk=secret").unwrap()], 1.0);
        assert_eq!(
            v[feature_index(&s, "count.reads_secret_like_data").unwrap()],
            1.0
        );
    }
}
