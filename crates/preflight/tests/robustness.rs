//! No input makes preflight panic: arbitrary texts through normalization, the injection model and
//! the full decision, and arbitrary JSON shapes through input and catalog validation.

use proptest::prelude::*;
use serde_json::json;
use vigil_contracts::RiskLevel;
use vigil_injection::Channel;
use vigil_preflight::Preflight;
use vigil_preflight::catalog::Catalog;
use vigil_preflight::normalize::normalize_value;

fn preflight() -> &'static Preflight {
    static P: std::sync::OnceLock<Preflight> = std::sync::OnceLock::new();
    P.get_or_init(|| Preflight::embedded().expect("embedded model"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_text_gets_a_bounded_verdict(text in "\\PC{0,400}", tool in any::<bool>()) {
        let source = if tool { Channel::Tool } else { Channel::User };
        let v = preflight().injection().classify(&text, source);
        prop_assert!((0.0..=1.0).contains(&v.score));
        prop_assert!(v.risk_level != RiskLevel::Unknown);
    }

    #[test]
    fn any_conversation_is_decided_or_refused_with_a_message(
        texts in proptest::collection::vec("[\\PC\\u{0}-\\u{1f}\\u{feff}]{0,120}", 1..6),
        last_is_user in any::<bool>(),
    ) {
        let n = texts.len();
        let messages: Vec<_> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let role = if i + 1 == n && !last_is_user { "assistant" } else if i % 2 == 0 { "user" } else { "assistant" };
                json!({"role": if i + 1 == n && last_is_user { "user" } else { role }, "text": t})
            })
            .collect();
        match normalize_value(&json!({"messages": messages})) {
            Ok(input) => {
                let result = preflight().decide(&input, None);
                let v = serde_json::to_value(&result).unwrap();
                prop_assert!(["route", "reply", "block"].contains(&v["action"].as_str().unwrap()));
                prop_assert_eq!(v["target_message_hash"].as_str().unwrap().len(), 8);
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn arbitrary_catalog_json_never_panics(key in "[a-z_]{1,12}", num in -5.0f64..5.0, s in "\\PC{0,8}") {
        let shapes = [
            json!({"default": s, "models": [{"id": s, "specializations": [s], "tier": s}]}),
            json!({"default": "a", "models": [{"id": "a", "specializations": ["chat"], "tier": "local_small", key.clone(): num}]}),
            json!({"models": num, "default": key}),
            json!([s]),
        ];
        for shape in shapes {
            let _ = Catalog::from_value(&shape);
        }
    }
}
