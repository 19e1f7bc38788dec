//! Writes `n` normal events of the seeded generator as JSON Lines (for `vigil baseline --train`).
//!
//! ```sh
//! cargo run -p vigil-trainer --example isolation_baseline_generate -- 1000 42 agent-7 > train.jsonl
//! ```

use vigil_trainer::isolation_baseline::Generator;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    let agent = args.next();
    let mut g = Generator::new(seed);
    for mut e in g.events(n) {
        e.agent_id = agent.clone();
        println!("{}", serde_json::to_string(&e).expect("events serialize"));
    }
}
