//! Reasons computed from evidence in the window, in axor's vocabulary and order, that never
//! contradict the class.
//!
//! axor's eight reasons come first, in its order; vigil's additions follow. Two rules differ
//! from the reference because the reference looked only at the *last* intent:
//! `network_activity_after_secret_access` fires when any egress happens at or after a secret
//! access in the window, and `external_to_shell_execution` when any intent has that flow.
//! A normal result carries only `normal` (axor could return `normal` with
//! `docker_socket_access`); a suspicious or critical result always carries at least one specific
//! reason, falling back to `unusual_activity_pattern` when the model flagged a window none of the
//! rules explain.

use vigil_contracts::{
    AnomalyClass, DataFlow, DestinationKind, NormalizedIntent, Operation, Provenance, TargetKind,
};

/// Every reason this crate can emit, in emission order.
pub const VOCABULARY: &[&str] = &[
    "external_read_seen",
    "secret_access_after_external_read",
    "network_activity_after_secret_access",
    "executes_generated_code",
    "writes_outside_workdir",
    "cloud_metadata_access",
    "docker_socket_access",
    "external_to_shell_execution",
    "secret_access",
    "private_network_access",
    "package_install_after_external_read",
    "system_path_access",
    "unusual_activity_pattern",
    "verifier_error_fail_closed",
];

/// Evidence reasons of a window, in order (may be empty).
pub fn evidence(window: &[NormalizedIntent]) -> Vec<&'static str> {
    let mut out = Vec::new();
    evidence_each(window, |r| out.push(r));
    out
}

/// Calls `emit` with each of [`evidence`]'s reasons, in order.
fn evidence_each(window: &[NormalizedIntent], mut emit: impl FnMut(&'static str)) {
    let any = |f: &dyn Fn(&NormalizedIntent) -> bool| window.iter().any(f);
    let ext = any(&|i| i.after_external_read || i.target_kind == TargetKind::ExternalUrl);
    let untrusted = any(&|i| i.provenance == Provenance::ExternalWeb);
    let secret = any(&|i| {
        i.after_secret_access || i.reads_secret_like_data || i.target_kind == TargetKind::Secret
    });
    let mut secret_seen = false;
    let mut egress_after_secret = false;
    for i in window {
        secret_seen |= i.after_secret_access || i.reads_secret_like_data;
        if secret_seen
            && matches!(
                i.data_flow,
                DataFlow::LocalToExternal | DataFlow::ExternalToShell
            )
        {
            egress_after_secret = true;
        }
    }
    let mut push = |cond: bool, r: &'static str| {
        if cond {
            emit(r);
        }
    };
    push(ext, "external_read_seen");
    push(secret && ext, "secret_access_after_external_read");
    push(egress_after_secret, "network_activity_after_secret_access");
    push(
        any(&|i| i.executes_generated_code),
        "executes_generated_code",
    );
    push(any(&|i| i.writes_outside_workdir), "writes_outside_workdir");
    push(
        any(&|i| i.target_kind == TargetKind::CloudMetadata),
        "cloud_metadata_access",
    );
    push(
        any(&|i| i.target_kind == TargetKind::DockerSocket),
        "docker_socket_access",
    );
    push(
        any(&|i| i.data_flow == DataFlow::ExternalToShell),
        "external_to_shell_execution",
    );
    push(secret, "secret_access");
    push(
        any(&|i| {
            i.target_kind == TargetKind::PrivateNetwork
                || i.destination_kind == DestinationKind::PrivateNetwork
        }),
        "private_network_access",
    );
    push(
        untrusted && any(&|i| i.operation == Operation::PackageInstall && i.after_external_read),
        "package_install_after_external_read",
    );
    push(
        any(&|i| i.target_kind == TargetKind::SystemPath),
        "system_path_access",
    );
}

/// Reasons for a result of class `class` on `window`.
pub fn for_class(class: AnomalyClass, window: &[NormalizedIntent]) -> Vec<String> {
    if class == AnomalyClass::Normal {
        return vec![AnomalyClass::Normal.as_str().to_owned()];
    }
    let mut r = Vec::new();
    evidence_each(window, |x| r.push(x.to_owned()));
    if r.is_empty() {
        r.push("unusual_activity_pattern".to_owned());
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_never_carries_alarm_reasons() {
        let sock = NormalizedIntent::new("bash", Operation::Other, TargetKind::DockerSocket);
        assert_eq!(
            for_class(AnomalyClass::Normal, std::slice::from_ref(&sock)),
            vec!["normal"]
        );
        assert_eq!(
            for_class(AnomalyClass::Critical, &[sock]),
            vec!["docker_socket_access"]
        );
        let read = NormalizedIntent::new("read", Operation::FileRead, TargetKind::Workdir);
        assert_eq!(
            for_class(AnomalyClass::Suspicious, &[read]),
            vec!["unusual_activity_pattern"]
        );
    }

    #[test]
    fn egress_after_secret_anywhere_in_the_window() {
        let mut secret = NormalizedIntent::new("read", Operation::FileRead, TargetKind::Secret);
        secret.reads_secret_like_data = true;
        secret.after_secret_access = true;
        let mut out =
            NormalizedIntent::new("curl", Operation::NetworkRequest, TargetKind::ExternalUrl);
        out.after_secret_access = true;
        out.after_external_read = true;
        out.data_flow = DataFlow::LocalToExternal;
        let read = NormalizedIntent::new("read", Operation::FileRead, TargetKind::Workdir);
        let r = evidence(&[secret, out, read.clone(), read]);
        assert_eq!(
            r,
            vec![
                "external_read_seen",
                "secret_access_after_external_read",
                "network_activity_after_secret_access",
                "secret_access"
            ]
        );
        // Emission order follows VOCABULARY.
        let pos: Vec<usize> = r
            .iter()
            .map(|x| VOCABULARY.iter().position(|v| v == x).unwrap())
            .collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]));
    }
}
