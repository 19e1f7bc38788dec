//! Endpoints: the external hosts and e-mail addresses a step contacts, normalised so they can
//! be counted and compared over a plan.

use std::collections::BTreeSet;

use super::args::ArgScan;

/// Lower-cases, drops internal hosts (loopback, `.local`, `.internal`), de-duplicates and sorts.
pub fn normalise_endpoints(items: impl IntoIterator<Item = String>) -> Vec<String> {
    let set: BTreeSet<String> = items
        .into_iter()
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty() && is_external(e))
        .collect();
    set.into_iter().collect()
}

/// Whether an endpoint (host or e-mail address) is outside the local machine / network.
pub fn is_external(endpoint: &str) -> bool {
    let host = endpoint.rsplit('@').next().unwrap_or(endpoint);
    let host = host.split(':').next().unwrap_or(host);
    !(host == "localhost"
        || host.starts_with("127.")
        || host == "0.0.0.0"
        || host == "[::1]"
        || host.ends_with(".local")
        || host.ends_with(".internal")
        || host.ends_with(".localhost"))
}

/// Every URL host and e-mail address found in a text, lower-cased (used for grounding and
/// session memory).
pub fn endpoints_in_text(text: &str) -> Vec<String> {
    let mut scan = ArgScan::default();
    scan.text(text);
    scan.endpoints().collect()
}
