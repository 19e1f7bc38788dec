//! Intents the verifier tests share: the shapes vigil's normalizer gives an external fetch, a
//! secret read after it, and an outbound send after both.
// Each test file uses part of this module.
#![allow(dead_code)]

use vigil_contracts::{
    DataFlow, DestinationKind, NormalizedIntent, Operation, Provenance, TargetKind,
};

/// A network request to an external domain (it taints the session itself).
pub fn external_fetch(tool: &str) -> NormalizedIntent {
    let mut fetch = NormalizedIntent::new(tool, Operation::NetworkRequest, TargetKind::ExternalUrl);
    fetch.destination_kind = DestinationKind::ExternalDomain;
    fetch.provenance = Provenance::ExternalWeb;
    fetch.data_flow = DataFlow::LocalToExternal;
    fetch.after_external_read = true;
    fetch
}

/// A secret-file read after external content.
pub fn secret_read_after_fetch(tool: &str) -> NormalizedIntent {
    let mut read = NormalizedIntent::new(tool, Operation::FileRead, TargetKind::Secret);
    read.provenance = Provenance::ExternalWeb;
    read.reads_secret_like_data = true;
    read.after_external_read = true;
    read.after_secret_access = true;
    read
}

/// An external send after both an external read and a secret access.
pub fn send_after_secret(tool: &str) -> NormalizedIntent {
    let mut send = external_fetch(tool);
    send.after_secret_access = true;
    send
}
