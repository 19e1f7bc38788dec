//! Sequence facts derived from the order of the window itself, never from the input's
//! `after_*` flags.
//!
//! Normalizers disagree on the session flags: vigil's sets `after_external_read` only after
//! external *content* and includes the current call; axor-core's sets it after any network
//! request and only for later calls; a third normalizer may not set them at all. The detector
//! therefore recomputes both flags from the window's order ([`derive_flags`]) before encoding,
//! so the same calls score the same whichever normalizer produced them, and enforces three
//! invariants on top of the model ([`SequenceFacts::floor`]):
//!
//! | fact (in window order) | floor |
//! |---|---|
//! | `execute_generated_code` with `external_to_shell` flow | never normal (≥ suspicious) |
//! | secret read, then (same step or later) egress to an external host (not official docs) | never normal (≥ suspicious) |
//! | external fetch (not a web search), then a request to the private network (the pivot) | critical |
//! | untrusted external read or package install, then generated code run with `external_to_shell` flow | critical |
//! | untrusted external read (`external_web`), then generated code run (any flow) | never normal (≥ suspicious) |
//! | [`REPEATED_UNTRUSTED_FETCHES`] or more fetches of untrusted external content (`external_web`) | never normal (≥ suspicious) |
//! | a network request that is itself a shell: fetched code piped into an interpreter (`curl … \| sh`) or a shell handed to a remote host (`bash -i >& /dev/tcp/…`) — request with `external_to_shell` flow | critical |
//!
//! The last two are vigil's own labels (its `untrusted_exec` family: fetch an untrusted page,
//! write a file, run it — critical), applied whatever the provenance fields say.
//!
//! ```
//! use vigil_anomaly::sequence::{SequenceFacts, derive_flags};
//! use vigil_contracts::{AnomalyClass, DataFlow, DestinationKind, NormalizedIntent, Operation, TargetKind};
//!
//! let secret = NormalizedIntent::new("read", Operation::FileRead, TargetKind::Secret);
//! let mut out = NormalizedIntent::new("bash", Operation::NetworkRequest, TargetKind::ExternalUrl);
//! out.destination_kind = DestinationKind::ExternalDomain;
//! out.data_flow = DataFlow::LocalToExternal;
//! // The input says nothing about the secret read; the order does.
//! let derived = derive_flags(&[secret, out]);
//! assert!(derived[1].after_secret_access);
//! let facts = SequenceFacts::of(&derived);
//! assert!(facts.secret_then_egress);
//! assert_eq!(facts.floor(), Some(AnomalyClass::Suspicious));
//! ```

use vigil_contracts::{
    AnomalyClass, DataFlow, DestinationKind, NormalizedIntent, Operation, Provenance, TargetKind,
};
use vigil_features::window::WINDOW;

/// Whether the call brings external content in: a network request to an external host, or a
/// read of an external URL.
pub fn is_external_read(i: &NormalizedIntent) -> bool {
    match i.operation {
        Operation::NetworkRequest => {
            i.destination_kind == DestinationKind::ExternalDomain
                || i.target_kind == TargetKind::ExternalUrl
        }
        Operation::FileRead | Operation::Search => i.target_kind == TargetKind::ExternalUrl,
        _ => false,
    }
}

/// Whether the call fetches external content the agent may act on: an external read that is
/// not a web search (a result list is not a page; vigil's normalizer, rule 9).
pub fn is_external_fetch(i: &NormalizedIntent) -> bool {
    is_external_read(i) && i.operation != Operation::Search
}

/// Whether the call touches secret-like data.
pub fn is_secret_access(i: &NormalizedIntent) -> bool {
    i.reads_secret_like_data || i.target_kind == TargetKind::Secret
}

/// Whether the call sends data to an external host.
pub fn is_external_egress(i: &NormalizedIntent) -> bool {
    i.operation == Operation::NetworkRequest
        && (i.destination_kind == DestinationKind::ExternalDomain
            || i.target_kind == TargetKind::ExternalUrl
            || i.data_flow == DataFlow::LocalToExternal)
}

/// Whether the call runs code (generated, or piped in from outside).
pub fn is_exec(i: &NormalizedIntent) -> bool {
    i.executes_generated_code
        || i.operation == Operation::ExecuteGeneratedCode
        || i.data_flow == DataFlow::ExternalToShell
}

/// How many fetches of untrusted external content (provenance `external_web`) in one window make
/// it at least suspicious: axor's `multiple_external_reads` (a suspicious builder of its
/// taxonomy; axor's policy lets a suspicious call through and records it). Each untrusted page
/// is more instructions nobody vetted in the agent's context; one or two are ordinary research,
/// a run of them is worth a look. A page fetched after an untrusted one keeps `external_web`
/// provenance in vigil's normalizer (and every request after any request does in axor-core's),
/// so "one blog, then two docs pages" counts as three.
pub const REPEATED_UNTRUSTED_FETCHES: usize = 3;

/// Whether the call reaches the private network.
pub fn is_private_network(i: &NormalizedIntent) -> bool {
    i.target_kind == TargetKind::PrivateNetwork
        || i.destination_kind == DestinationKind::PrivateNetwork
}

/// The window with `after_external_read` and `after_secret_access` recomputed from its order:
/// each is true from the first call that reads external content (resp. touches a secret)
/// onwards, that call included — vigil's normalizer's semantics. The input flags are ignored.
pub fn derive_flags(window: &[NormalizedIntent]) -> Vec<NormalizedIntent> {
    derive_recent(window, window.len())
}

/// [`derive_flags`] of `window`, keeping only its last `n` calls (the earlier ones still count
/// as history: a secret read eleven calls ago still sets `after_secret_access`).
pub fn derive_recent(window: &[NormalizedIntent], n: usize) -> Vec<NormalizedIntent> {
    let start = window.len().saturating_sub(n);
    let (history, recent) = window.split_at(start);
    let mut external = history.iter().any(is_external_read);
    let mut secret = history.iter().any(is_secret_access);
    recent
        .iter()
        .map(|i| {
            external |= is_external_read(i);
            secret |= is_secret_access(i);
            let mut o = i.clone();
            o.after_external_read = external;
            o.after_secret_access = secret;
            o
        })
        .collect()
}

/// What the calls before a window tell its derived flags: whether any read external content,
/// whether any touched a secret. Kept up to date one call at a time by a walk over a session's
/// windows ([`History::push`]), so that scoring every window of a session stays linear.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct History {
    external: bool,
    secret: bool,
}

impl History {
    /// The facts of `calls`.
    pub(crate) fn of(calls: &[NormalizedIntent]) -> Self {
        let mut h = History::default();
        calls.iter().for_each(|c| h.push(c));
        h
    }

    /// Adds one more call before the window.
    pub(crate) fn push(&mut self, call: &NormalizedIntent) {
        self.external |= is_external_read(call);
        self.secret |= is_secret_access(call);
    }
}

/// [`derive_recent`] of a window into a fixed buffer, without the tool names: `recent` (at most
/// [`WINDOW`] calls, the window's last ones) after calls whose facts are `history`; the `k`-th
/// call lands in `out[k]` with an empty `tool` (nothing is allocated), and the count is returned.
/// Every other field equals [`derive_recent`]'s. For the scoring fast path: the encoder, the
/// reasons and the sequence facts never read `tool`.
pub(crate) fn derive_after(
    history: History,
    recent: &[NormalizedIntent],
    out: &mut [NormalizedIntent; WINDOW],
) -> usize {
    let recent = &recent[..recent.len().min(WINDOW)];
    let (mut external, mut secret) = (history.external, history.secret);
    for (o, i) in out.iter_mut().zip(recent) {
        external |= is_external_read(i);
        secret |= is_secret_access(i);
        *o = NormalizedIntent {
            tool: String::new(),
            after_external_read: external,
            after_secret_access: secret,
            ..*i
        };
    }
    recent.len()
}

/// Order facts of one window (see the module docs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SequenceFacts {
    /// A secret was touched, and at that step or later data went to an external host.
    pub secret_then_egress: bool,
    /// Untrusted external content (provenance `external_web`) was read, and later code was
    /// executed.
    pub external_then_exec: bool,
    /// External content was read, and later a file was written.
    pub external_then_write: bool,
    /// External content was fetched (not merely searched for), and later the private network
    /// was reached.
    pub external_then_private: bool,
    /// A package was installed, and later code was executed.
    pub install_then_exec: bool,
    /// A call executes generated code with `external_to_shell` flow.
    pub exec_external_to_shell: bool,
    /// External code reached a shell: a call executes generated code with `external_to_shell`
    /// flow after an untrusted external read or a package install earlier in the window.
    pub external_code_to_shell: bool,
    /// A network request with `external_to_shell` flow: the request itself pipes remote code
    /// into an interpreter or hands a shell to a remote host.
    pub network_shell: bool,
    /// At least [`REPEATED_UNTRUSTED_FETCHES`] fetches of untrusted external content.
    pub repeated_untrusted_fetch: bool,
}

impl SequenceFacts {
    /// The facts of `window` (oldest first), from its order alone (its `after_*` flags are
    /// recomputed first, so they are never trusted).
    pub fn of(window: &[NormalizedIntent]) -> Self {
        Self::of_derived(&derive_flags(window))
    }

    /// The facts of a window whose `after_*` flags come from [`derive_flags`] or
    /// [`derive_recent`] (so they carry the history before the window, and nothing else).
    pub fn of_derived(window: &[NormalizedIntent]) -> Self {
        let mut f = SequenceFacts::default();
        let (mut external, mut secret, mut install) = (false, false, false);
        // External content fetched (a search result list does not count).
        let mut fetched = false;
        // External content from the untrusted web (provenance `external_web`).
        let mut untrusted = false;
        let mut untrusted_fetches = 0;
        for (k, i) in window.iter().enumerate() {
            // History before the window arrives through the first call's derived flags.
            if k == 0 && i.after_external_read && !is_external_read(i) {
                // Which kind of external read it was is not known: count it as a fetch.
                external = true;
                fetched = true;
                untrusted |= i.provenance == Provenance::ExternalWeb;
            }
            secret |= i.after_secret_access || is_secret_access(i);
            // Reading official documentation after a secret is not egress of it (vigil's data
            // labels it normal); every other external request is.
            if secret && is_external_egress(i) && i.provenance != Provenance::OfficialDocs {
                f.secret_then_egress = true;
            }
            if untrusted {
                f.external_then_exec |= is_exec(i);
            }
            if external {
                f.external_then_write |= i.operation == Operation::FileWrite;
            }
            if fetched {
                f.external_then_private |= is_private_network(i);
            }
            if install && is_exec(i) && i.operation != Operation::PackageInstall {
                f.install_then_exec = true;
            }
            if i.data_flow == DataFlow::ExternalToShell
                && (i.operation == Operation::ExecuteGeneratedCode || i.executes_generated_code)
            {
                f.exec_external_to_shell = true;
                f.external_code_to_shell |= untrusted || install;
            }
            f.network_shell |= i.operation == Operation::NetworkRequest
                && i.data_flow == DataFlow::ExternalToShell;
            external |= is_external_read(i);
            fetched |= is_external_fetch(i);
            untrusted |= is_external_read(i) && i.provenance == Provenance::ExternalWeb;
            install |= i.operation == Operation::PackageInstall;
            if is_external_fetch(i) && i.provenance == Provenance::ExternalWeb {
                untrusted_fetches += 1;
            }
        }
        f.repeated_untrusted_fetch = untrusted_fetches >= REPEATED_UNTRUSTED_FETCHES;
        f
    }

    /// The least class the window may get whatever the model says (`None`: no floor).
    pub fn floor(&self) -> Option<AnomalyClass> {
        if self.external_then_private || self.external_code_to_shell || self.network_shell {
            Some(AnomalyClass::Critical)
        } else if self.exec_external_to_shell
            || self.secret_then_egress
            || self.external_then_exec
            || self.repeated_untrusted_fetch
        {
            Some(AnomalyClass::Suspicious)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read() -> NormalizedIntent {
        NormalizedIntent::new("read", Operation::FileRead, TargetKind::Workdir)
    }

    fn fetch() -> NormalizedIntent {
        let mut f = NormalizedIntent::new(
            "web_fetch",
            Operation::NetworkRequest,
            TargetKind::ExternalUrl,
        );
        f.destination_kind = DestinationKind::ExternalDomain;
        f.provenance = Provenance::ExternalWeb;
        f.data_flow = DataFlow::LocalToExternal;
        f
    }

    #[test]
    fn input_flags_are_replaced_by_the_order() {
        let mut lying = read();
        lying.after_secret_access = true;
        lying.after_external_read = true;
        let d = derive_flags(&[lying, fetch(), read()]);
        assert_eq!(
            d.iter()
                .map(|i| (i.after_external_read, i.after_secret_access))
                .collect::<Vec<_>>(),
            [(false, false), (true, false), (true, false)]
        );
    }

    #[test]
    fn facts_follow_order_not_membership() {
        let mut private = NormalizedIntent::new(
            "bash",
            Operation::NetworkRequest,
            TargetKind::PrivateNetwork,
        );
        private.destination_kind = DestinationKind::PrivateNetwork;
        let pivot = SequenceFacts::of(&[read(), fetch(), private.clone()]);
        assert!(pivot.external_then_private);
        assert_eq!(pivot.floor(), Some(AnomalyClass::Critical));
        // A web search is not a fetch: search, then the private network, is no pivot.
        let search =
            NormalizedIntent::new("web_search", Operation::Search, TargetKind::ExternalUrl);
        let searched = SequenceFacts::of(&[search, private.clone()]);
        assert!(!searched.external_then_private);
        assert_eq!(searched.floor(), None);
        // A request that is a shell is critical wherever it sits.
        let mut shell = fetch();
        shell.data_flow = DataFlow::ExternalToShell;
        let f = SequenceFacts::of(&[read(), shell, read()]);
        assert!(f.network_shell);
        assert_eq!(f.floor(), Some(AnomalyClass::Critical));
        assert_eq!(SequenceFacts::of(&[read(), fetch()]).floor(), None);
        let reversed = SequenceFacts::of(&[private, fetch(), read()]);
        assert!(!reversed.external_then_private);
        assert_eq!(reversed.floor(), None);
        let mut install =
            NormalizedIntent::new("bash", Operation::PackageInstall, TargetKind::SystemPath);
        install.provenance = Provenance::Unknown;
        let mut exec =
            NormalizedIntent::new("bash", Operation::ExecuteGeneratedCode, TargetKind::Workdir);
        exec.executes_generated_code = true;
        exec.data_flow = DataFlow::LocalToLocal;
        let f = SequenceFacts::of(&[install, exec]);
        assert!(f.install_then_exec && !f.exec_external_to_shell);
        assert_eq!(f.floor(), None);
    }

    #[test]
    fn a_run_of_untrusted_fetches_is_suspicious_and_docs_or_searches_are_not() {
        let two = SequenceFacts::of(&[fetch(), read(), fetch(), read()]);
        assert!(!two.repeated_untrusted_fetch);
        assert_eq!(two.floor(), None);
        let three = SequenceFacts::of(&[fetch(), read(), fetch(), read(), fetch()]);
        assert!(three.repeated_untrusted_fetch);
        assert_eq!(three.floor(), Some(AnomalyClass::Suspicious));
        // Official documentation and web searches are not untrusted fetches.
        let mut docs = fetch();
        docs.provenance = Provenance::OfficialDocs;
        let mut search =
            NormalizedIntent::new("web_search", Operation::Search, TargetKind::ExternalUrl);
        search.provenance = Provenance::ExternalWeb;
        let f = SequenceFacts::of(&[fetch(), docs.clone(), docs, search.clone(), search, fetch()]);
        assert!(!f.repeated_untrusted_fetch);
        assert_eq!(f.floor(), None);
    }
}
