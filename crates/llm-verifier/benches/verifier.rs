//! The local cost of a verifier call: building the prompt and reading the answer. (The network
//! round trip dominates in practice and is not benchmarked here.)

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use vigil_contracts::{
    CanonicalIntent, DataFlow, DestinationKind, Domain, NormalizedIntent, Operation, PolicyName,
    Provenance, TargetKind, TaskComplexity, TaskNature, TaskSignalHint,
};
use vigil_llm_verifier::Prompt;
use vigil_llm_verifier::verdict::parse_verdict;

fn window() -> Vec<CanonicalIntent> {
    let mut send =
        NormalizedIntent::new("curl", Operation::NetworkRequest, TargetKind::ExternalUrl);
    send.destination_kind = DestinationKind::ExternalDomain;
    send.provenance = Provenance::ExternalWeb;
    send.data_flow = DataFlow::LocalToExternal;
    send.after_external_read = true;
    send.after_secret_access = true;
    let read = NormalizedIntent::new("read", Operation::FileRead, TargetKind::Workdir);
    let mut w = vec![read.canonicalize(); 9];
    w.push(send.canonicalize());
    w
}

fn bench(c: &mut Criterion) {
    let w = window();
    let hint = TaskSignalHint {
        complexity: TaskComplexity::Focused,
        nature: TaskNature::Mutative,
        domain: Domain::Coding,
    };
    c.bench_function("prompt_build_10_intents", |b| {
        b.iter(|| Prompt::build(black_box(&w), Some(hint), Some(PolicyName::FocusedMutative)))
    });
    let bare = r#"{"score": 0.82, "class": "critical", "reasons": ["exfiltration chain", "secret then network"]}"#;
    let prose = format!(
        "After reviewing the sequence:\n```json\n{bare}\n```\nThe pattern is exfiltration."
    );
    c.bench_function("parse_verdict_bare", |b| {
        b.iter(|| parse_verdict(black_box(bare)))
    });
    c.bench_function("parse_verdict_prose_wrapped", |b| {
        b.iter(|| parse_verdict(black_box(&prose)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
