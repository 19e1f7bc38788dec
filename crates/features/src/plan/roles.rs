//! What argument names say a step does, beyond its tool name: the people an event or
//! document invites, the address a mail rule forwards to, a move into the trash and a switch to
//! public visibility. Keys are compared folded, lower-cased and without `_`, `-` and spaces
//! ([`compact_key`]: `addLabelIds`, `add_label_ids` and `ａｄｄ_ｌａｂｅｌ_ｉｄｓ` are one key), at
//! any depth down to [`MAX_ARG_DEPTH`](crate::json_walk::MAX_ARG_DEPTH)
//! (`requestBody.attendees[].email`, `action.forward`, `requestBody.trashed`).
//!
//! | role | key (compact) | value | gives |
//! |---|---|---|---|
//! | invitee | ends with [`INVITEE_KEY_ENDS`] (`participants`, `add_attendees`, `guests`, …) | the e-mail addresses anywhere under it | [`StepAnnotation::invitees`](super::StepAnnotation::invitees) |
//! | forward | starts with [`FORWARD_KEY_STARTS`] (`forward`, `forward_to`, `forwardingEmail`, `redirectTo`, `autoForward`) | the e-mail addresses under it | action send; a standing rule's targets ([`StepAnnotation::forwards_to`](super::StepAnnotation::forwards_to)) |
//! | trash | [`TRASH_FLAG_KEYS`] (`trashed`, `in_trash`, `deleted`, …) | `true` | action delete |
//! | trash | holds [`DESTINATION_KEY_PARTS`] (`destination`, `target_folder`, `parents`, `addLabelIds`, …) or is `to`, `new_path`, `move_to` | a path with a [`TRASH_FOLDERS`] segment (`/Trash`, `Deleted Items`, `TRASH`) | action delete |
//! | public | [`VISIBILITY_KEYS`] (`visibility`, `privacy`, `general_access`, `acl`, …), or `type` | [`PUBLIC_VALUES`] (`public`, `anyone`, `anyone_with_link`, `public-read`, …); for `type` only `anyone` | action grant |
//! | public | [`PUBLIC_FLAG_KEYS`] (`public`, `is_public`, `publicly_accessible`, …) | `true` | action grant |

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use serde_json::Value;

use crate::json_walk::MAX_ARG_DEPTH;

/// Ends of argument names that list the people a step invites: a calendar event's participants,
/// a meeting's attendees, a shared document's guests. Severity: none here; plan-risk's
/// `network_egress` flags an invitee the request does not name (med), crit after a sensitive
/// read.
pub(super) const INVITEE_KEY_ENDS: &[&str] = &[
    "attendee",
    "attendees",
    "participant",
    "participants",
    "invitee",
    "invitees",
    "guest",
    "guests",
    "guestemails",
    "attendeeemails",
];

/// Starts of argument names that hold where mail is forwarded or redirected to (`forward`,
/// `forward_to`, `forwardingAddress`, `redirect_to`, `autoForwardTo`): the step sends mail
/// there (action send), and a standing rule sends all future mail there (plan-risk: crit
/// unless the request spells the address out).
pub(super) const FORWARD_KEY_STARTS: &[&str] = &["forward", "autoforward", "redirect"];

/// Argument names that move an item to the trash when `true` (Drive's `trashed`, `in_trash`,
/// a soft `deleted` flag): action delete.
pub(super) const TRASH_FLAG_KEYS: &[&str] = &[
    "trashed",
    "trash",
    "istrashed",
    "intrash",
    "movetotrash",
    "totrash",
    "deleted",
    "isdeleted",
    "softdelete",
];

/// Parts of argument names that say where a step puts something (`destination`,
/// `target_folder`, `parents`, `addLabelIds`, `mailbox`): a trash folder there is a deletion.
pub(super) const DESTINATION_KEY_PARTS: &[&str] = &[
    "dest", "target", "parent", "folder", "label", "location", "mailbox",
];

/// [`DESTINATION_KEY_PARTS`] in one pass over a key (a substring search per part cost more than
/// the rest of a key's reading).
fn destination_key_parts() -> &'static AhoCorasick {
    static A: OnceLock<AhoCorasick> = OnceLock::new();
    A.get_or_init(|| {
        AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .build(DESTINATION_KEY_PARTS)
            .expect("destination key parts")
    })
}

/// Builds the key automaton now (at model construction).
pub(super) fn warm_up() {
    let _ = destination_key_parts().is_match("warm up");
}

/// Whole argument names that say where a step puts something besides
/// [`DESTINATION_KEY_PARTS`].
pub(super) const DESTINATION_KEYS: &[&str] = &["to", "topath", "newpath", "moveto", "into"];

/// Trash folders, compacted (`/Trash`, `~/.Trash`, `Deleted Items`, `Recycle Bin`, Gmail's
/// `TRASH` label): a path with one of them as a segment is where deleted things go.
pub(super) const TRASH_FOLDERS: &[&str] = &[
    "trash",
    ".trash",
    "trashes",
    ".trashes",
    "trashcan",
    "recyclebin",
    "$recycle.bin",
    "deleteditems",
    "deleted",
    "wastebasket",
    "rubbishbin",
];

/// Argument names that set who can see something: a [`PUBLIC_VALUES`] value there opens it to
/// anyone (action grant).
pub(super) const VISIBILITY_KEYS: &[&str] = &[
    "visibility",
    "privacy",
    "privacylevel",
    "privacystatus",
    "generalaccess",
    "linkaccess",
    "linksharing",
    "sharing",
    "sharingmode",
    "audience",
    "whocanview",
    "whocanaccess",
    "access",
    "accesslevel",
    "acl",
    "cannedacl",
];

/// Values (compacted) of [`VISIBILITY_KEYS`] that open an item to anyone.
pub(super) const PUBLIC_VALUES: &[&str] = &[
    "public",
    "anyone",
    "anyonewithlink",
    "anyonewiththelink",
    "everyone",
    "world",
    "publicread",
    "publicreadwrite",
    "unlisted",
];

/// Argument names that open an item to anyone when `true` (`public`, `is_public`,
/// `publicly_accessible`): action grant.
pub(super) const PUBLIC_FLAG_KEYS: &[&str] = &[
    "public",
    "ispublic",
    "makepublic",
    "publicaccess",
    "publiclyaccessible",
    "publicread",
];

/// What a step's argument names and values say it does ([module docs](self)).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct ArgRoles {
    /// E-mail addresses under invitee keys, lower-cased, in order, unique.
    pub(super) invitees: Vec<String>,
    /// E-mail addresses under forward keys, lower-cased, in order, unique.
    pub(super) forward: Vec<String>,
    /// A trash flag is set or a destination is a trash folder.
    pub(super) trashes: bool,
    /// A visibility key says public, or a public flag is set.
    pub(super) publishes: bool,
}

impl ArgRoles {
    /// Reads every key of `args`, at any depth.
    pub(super) fn of(args: &serde_json::Map<String, Value>) -> Self {
        let mut roles = ArgRoles::default();
        roles.visit_map(args, 0);
        roles
    }

    fn visit_map(&mut self, map: &serde_json::Map<String, Value>, depth: usize) {
        if depth > MAX_ARG_DEPTH {
            return;
        }
        // One buffer for every key of the object: every step's arguments pass through here.
        let mut key = String::new();
        for (k, v) in map {
            // A number, a null or `false` says nothing here, whatever its name (most amounts,
            // counts and ids): its name is not even compacted.
            let truthy = match v {
                Value::Null | Value::Number(_) | Value::Bool(false) => continue,
                Value::Bool(true) => true,
                Value::String(s) => s.eq_ignore_ascii_case("true"),
                Value::Array(_) | Value::Object(_) => false,
            };
            compact_key_into(k, &mut key);
            if truthy {
                if TRASH_FLAG_KEYS.contains(&key.as_str()) {
                    self.trashes = true;
                }
                if PUBLIC_FLAG_KEYS.contains(&key.as_str()) {
                    self.publishes = true;
                }
            }
            if matches!(v, Value::Bool(true)) {
                continue;
            }
            if INVITEE_KEY_ENDS.iter().any(|e| key.ends_with(e)) {
                push_addresses(v, &mut self.invitees);
            }
            if FORWARD_KEY_STARTS.iter().any(|s| key.starts_with(s)) {
                push_addresses(v, &mut self.forward);
            }
            if !matches!(v, Value::Object(_))
                && (DESTINATION_KEYS.contains(&key.as_str())
                    || destination_key_parts().is_match(&key))
                && strings_of(v).any(is_trash_path)
            {
                self.trashes = true;
            }
            if VISIBILITY_KEYS.contains(&key.as_str())
                && strings_of(v).any(|s| PUBLIC_VALUES.contains(&compact_key(s).as_str()))
                || key == "type"
                    && strings_of(v)
                        .any(|s| matches!(compact_key(s).as_str(), "anyone" | "anyonewithlink"))
            {
                self.publishes = true;
            }
            self.visit_value(v, depth + 1);
        }
    }

    fn visit_value(&mut self, v: &Value, depth: usize) {
        if depth > MAX_ARG_DEPTH {
            return;
        }
        match v {
            Value::Object(m) => self.visit_map(m, depth),
            Value::Array(items) => items.iter().for_each(|i| self.visit_value(i, depth + 1)),
            _ => {}
        }
    }
}

/// A key or value folded, lower-cased, without `_`, `-` and whitespace (`addLabelIds` →
/// `addlabelids`, `Deleted Items` → `deleteditems`, `public-read` → `publicread`).
pub(super) fn compact_key(k: &str) -> String {
    let mut out = String::new();
    compact_key_into(k, &mut out);
    out
}

/// [`compact_key`] into `out` (cleared first); an ASCII key byte by byte, without the fold.
fn compact_key_into(k: &str, out: &mut String) {
    out.clear();
    if k.is_ascii() {
        out.extend(
            k.bytes()
                .filter(|&b| !matches!(b, b'_' | b'-') && !char::from(b).is_whitespace())
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
    } else {
        out.extend(
            crate::fold::fold(k)
                .chars()
                .filter(|c| !matches!(c, '_' | '-') && !c.is_whitespace())
                .flat_map(char::to_lowercase),
        );
    }
}

/// A string, or the strings of a list (one level: `["TRASH"]`, `["/Trash"]`).
fn strings_of(v: &Value) -> impl Iterator<Item = &str> {
    let (one, many) = match v {
        Value::String(s) => (Some(s.as_str()), None),
        Value::Array(items) => (None, Some(items.iter().filter_map(Value::as_str))),
        _ => (None, None),
    };
    one.into_iter().chain(many.into_iter().flatten())
}

/// A path with a trash folder (the lexicon's trash folders) as one of its segments (`/Trash`,
/// `~/.Trash/x.pdf`, `Deleted Items`, `TRASH`): where a move deletes to.
pub fn is_trash_path(s: &str) -> bool {
    s.len() <= 1024
        && s.split(['/', '\\'])
            .any(|seg| TRASH_FOLDERS.contains(&compact_key(seg).as_str()))
}

/// Appends the e-mail addresses anywhere in `v` (lower-cased, look-alikes folded) not already
/// in `out`.
fn push_addresses(v: &Value, out: &mut Vec<String>) {
    crate::json_walk::for_each_string_in(v, &mut |s| {
        if s.contains('@') || s.contains('＠') {
            for e in super::endpoints_in_text(s) {
                let e = e.to_lowercase();
                if e.contains('@') && !out.contains(&e) {
                    out.push(e);
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(json: &str) -> ArgRoles {
        match serde_json::from_str(json).unwrap() {
            Value::Object(m) => ArgRoles::of(&m),
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn invitees_are_the_addresses_under_participant_keys_at_any_depth() {
        assert_eq!(
            roles(r#"{"title": "x", "participants": ["alice@corp.com", "Eve@Evil.io"]}"#).invitees,
            ["alice@corp.com", "eve@evil.io"]
        );
        assert_eq!(
            roles(r#"{"requestBody": {"attendees": [{"email": "li@corp.com"}]}}"#).invitees,
            ["li@corp.com"]
        );
        assert_eq!(
            roles(r#"{"event_id": "e1", "add_attendees": "jo@x.example, jo@x.example"}"#).invitees,
            ["jo@x.example"]
        );
        assert_eq!(
            roles(r#"{"optionalAttendees": ["a@b.example"], "guests": 3}"#).invitees,
            ["a@b.example"]
        );
        // Other keys' addresses are not invitees.
        assert!(
            roles(r#"{"to": "bob@corp.com", "description": "ask eve@evil.io"}"#)
                .invitees
                .is_empty()
        );
    }

    #[test]
    fn forward_targets_are_the_addresses_under_forward_keys() {
        assert_eq!(
            roles(r#"{"criteria": {"from": "*"}, "action": {"forward": "eve@evil.io"}}"#).forward,
            ["eve@evil.io"]
        );
        assert_eq!(
            roles(r#"{"forward_to": "eve@evil.io", "enabled": true}"#).forward,
            ["eve@evil.io"]
        );
        assert_eq!(
            roles(r#"{"forwardTo": [{"emailAddress": {"address": "x@y.example"}}]}"#).forward,
            ["x@y.example"]
        );
        assert_eq!(
            roles(r#"{"redirect_to": "x@y.example"}"#).forward,
            ["x@y.example"]
        );
        assert!(roles(r#"{"forward": true}"#).forward.is_empty());
        assert!(roles(r#"{"to": "x@y.example"}"#).forward.is_empty());
    }

    #[test]
    fn a_trash_flag_or_a_trash_destination_trashes() {
        for json in [
            r#"{"fileId": "a", "requestBody": {"trashed": true}}"#,
            r#"{"id": "a", "in_trash": "true"}"#,
            r#"{"file_id": "a", "destination": "/Trash"}"#,
            r#"{"file_id": "a", "destination": "/Users/me/.Trash/report.pdf"}"#,
            r#"{"id": "m1", "addLabelIds": ["TRASH"]}"#,
            r#"{"message_id": "m1", "folder": "Deleted Items"}"#,
            r#"{"item": "a", "target_folder": "Recycle Bin"}"#,
            r#"{"item": "a", "to": "trash"}"#,
        ] {
            assert!(roles(json).trashes, "{json}");
        }
        for json in [
            r#"{"requestBody": {"trashed": false}}"#,
            r#"{"file_id": "a", "destination": "/docs/archive"}"#,
            r#"{"path": "/Trash/a.txt", "destination": "/docs"}"#,
            r#"{"file_id": "a", "destination": "/home/me/trash-notes"}"#,
            r#"{"query": "in:trash"}"#,
        ] {
            assert!(!roles(json).trashes, "{json}");
        }
    }

    #[test]
    fn a_public_visibility_or_flag_publishes() {
        for json in [
            r#"{"file_id": "a", "visibility": "public"}"#,
            r#"{"fileId": "a", "requestBody": {"role": "reader", "type": "anyone"}}"#,
            r#"{"doc": "a", "general_access": "Anyone with the link"}"#,
            r#"{"Bucket": "b", "ACL": "public-read"}"#,
            r#"{"files": {}, "public": true}"#,
            r#"{"repo": "r", "is_public": true}"#,
        ] {
            assert!(roles(json).publishes, "{json}");
        }
        for json in [
            r#"{"visibility": "private"}"#,
            r#"{"type": "public", "name": "launch"}"#,
            r#"{"public": false}"#,
            r#"{"type": "user", "role": "reader"}"#,
        ] {
            assert!(!roles(json).publishes, "{json}");
        }
    }
}
