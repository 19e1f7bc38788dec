//! The three sequence invariants, on windows as axor-core, vigil's normalizer or a normalizer
//! that sets no session flags at all would write them: the order decides, not the flags.

use vigil_anomaly::MLAnomalyDetector;
use vigil_contracts::{
    AnomalyClass, DataFlow, DestinationKind, NormalizedIntent, Operation, Provenance, TargetKind,
};

fn intent(tool: &str, op: Operation, tk: TargetKind) -> NormalizedIntent {
    NormalizedIntent::new(tool, op, tk)
}

fn read() -> NormalizedIntent {
    let mut r = intent("read", Operation::FileRead, TargetKind::Workdir);
    r.provenance = Provenance::Repo;
    r
}

fn fetch() -> NormalizedIntent {
    let mut f = intent(
        "web_fetch",
        Operation::NetworkRequest,
        TargetKind::ExternalUrl,
    );
    f.destination_kind = DestinationKind::ExternalDomain;
    f.provenance = Provenance::ExternalWeb;
    f.data_flow = DataFlow::LocalToExternal;
    f
}

fn secret() -> NormalizedIntent {
    let mut s = intent("read", Operation::FileRead, TargetKind::Secret);
    s.reads_secret_like_data = true;
    s
}

fn egress() -> NormalizedIntent {
    let mut b = intent("bash", Operation::NetworkRequest, TargetKind::ExternalUrl);
    b.destination_kind = DestinationKind::ExternalDomain;
    b.provenance = Provenance::Repo;
    b.data_flow = DataFlow::LocalToExternal;
    b
}

fn install() -> NormalizedIntent {
    let mut p = intent("bash", Operation::PackageInstall, TargetKind::SystemPath);
    p.provenance = Provenance::Unknown;
    p
}

fn exec_external_to_shell() -> NormalizedIntent {
    let mut e = intent("bash", Operation::ExecuteGeneratedCode, TargetKind::Workdir);
    e.executes_generated_code = true;
    e.data_flow = DataFlow::ExternalToShell;
    e
}

fn private() -> NormalizedIntent {
    let mut p = intent(
        "bash",
        Operation::NetworkRequest,
        TargetKind::PrivateNetwork,
    );
    p.destination_kind = DestinationKind::PrivateNetwork;
    p.provenance = Provenance::ExternalWeb;
    p.data_flow = DataFlow::LocalToExternal;
    p
}

/// The flag conventions of three normalizers applied to the same calls.
fn flavours(calls: &[NormalizedIntent]) -> Vec<(&'static str, Vec<NormalizedIntent>)> {
    let is_ext = |i: &NormalizedIntent| i.destination_kind == DestinationKind::ExternalDomain;
    let is_secret = |i: &NormalizedIntent| i.reads_secret_like_data;
    // vigil: inclusive of the current call, external content only.
    let (mut e, mut s) = (false, false);
    let vigil = calls
        .iter()
        .map(|i| {
            e |= is_ext(i);
            s |= is_secret(i);
            let mut o = i.clone();
            o.after_external_read = e;
            o.after_secret_access = s;
            o
        })
        .collect();
    // axor-core: strictly earlier calls, any network request.
    let (mut e, mut s) = (false, false);
    let axor = calls
        .iter()
        .map(|i| {
            let mut o = i.clone();
            o.after_external_read = e;
            o.after_secret_access = s;
            e |= i.operation == Operation::NetworkRequest;
            s |= is_secret(i);
            o
        })
        .collect();
    // none: no session flags; and a liar that sets them everywhere.
    let none = calls.to_vec();
    let liar = calls
        .iter()
        .map(|i| {
            let mut o = i.clone();
            o.after_external_read = true;
            o.after_secret_access = true;
            o
        })
        .collect();
    vec![
        ("vigil", vigil),
        ("axor", axor),
        ("none", none),
        ("liar", liar),
    ]
}

fn padded(core: &[NormalizedIntent]) -> Vec<NormalizedIntent> {
    let mut w = vec![read(); 10usize.saturating_sub(core.len())];
    w.extend_from_slice(core);
    w
}

fn classes(core: &[NormalizedIntent]) -> Vec<(&'static str, AnomalyClass, f64)> {
    let d = MLAnomalyDetector::embedded().unwrap();
    flavours(&padded(core))
        .into_iter()
        .map(|(name, w)| {
            let r = d.score_window(&w);
            (name, r.class, r.score)
        })
        .collect()
}

fn assert_all_same(got: &[(&'static str, AnomalyClass, f64)]) {
    for (name, class, score) in got {
        assert_eq!(
            (*class, *score),
            (got[0].1, got[0].2),
            "{name} differs from {}: {got:?}",
            got[0].0
        );
    }
}

#[test]
fn execute_generated_code_with_external_to_shell_is_never_normal() {
    for core in [
        vec![exec_external_to_shell()],
        vec![install(), exec_external_to_shell()],
        vec![fetch(), exec_external_to_shell()],
        vec![exec_external_to_shell(), read(), read(), read()],
    ] {
        let got = classes(&core);
        assert_all_same(&got);
        assert_ne!(got[0].1, AnomalyClass::Normal, "{got:?}");
    }
}

#[test]
fn secret_read_then_external_egress_is_never_normal() {
    for core in [
        vec![secret(), egress()],
        vec![secret(), read(), read(), egress()],
        vec![secret(), fetch()],
        vec![secret(), egress(), read(), read(), read()],
    ] {
        let got = classes(&core);
        assert_all_same(&got);
        assert_ne!(got[0].1, AnomalyClass::Normal, "{got:?}");
    }
    // The other order is not the invariant's business: it is whatever the model says, but the
    // same for every flag convention.
    assert_all_same(&classes(&[egress(), secret()]));
}

#[test]
fn fetch_then_private_network_is_critical() {
    for core in [
        vec![fetch(), private()],
        vec![fetch(), read(), read(), private()],
        vec![fetch(), private(), read(), read()],
    ] {
        let got = classes(&core);
        assert_all_same(&got);
        assert_eq!(got[0].1, AnomalyClass::Critical, "{got:?}");
        assert!(got[0].2 >= 0.75, "{got:?}");
    }
}

#[test]
fn history_before_the_window_still_counts() {
    let d = MLAnomalyDetector::embedded().unwrap();
    // The secret read is 11 calls back: outside the scored window, inside the given session.
    let mut session = vec![secret()];
    session.extend(vec![read(); 10]);
    session.push(egress());
    let r = d.score_window(&session);
    assert_ne!(r.class, AnomalyClass::Normal, "{r:?}");
}

#[test]
fn external_code_reaching_a_shell_is_critical() {
    for core in [
        vec![install(), exec_external_to_shell()],
        vec![fetch(), install(), exec_external_to_shell()],
        vec![fetch(), read(), exec_external_to_shell()],
    ] {
        let got = classes(&core);
        assert_all_same(&got);
        assert_eq!(got[0].1, AnomalyClass::Critical, "{got:?}");
    }
}
