//! A serde [`Deserializer`] adapter that refuses duplicate object keys as it parses.
//!
//! `{"command": "rm -rf /", "command": "ls"}` means one thing to a parser that keeps the first
//! value and another to one that keeps the last, so a monitor must not pick either. serde_json
//! keeps the last for maps and free-form values, and its derived structs refuse a repeated known
//! field but skip a repeated unknown one unseen. [`UniqueKeys`] wraps any deserializer and, in
//! the same single pass that builds the value, compares every object's keys as they arrive, at
//! any depth: inside typed records, free-form maps, [`serde_json::Value`]s, enums and the values
//! a record ignores.
//!
//! Before this adapter the check was a walk of its own ahead of the real parse, which read every
//! record twice (45% of `vigil anomaly`'s instructions).

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};

/// Wraps a deserializer so that every object it (and every value inside it) yields refuses a
/// key it has already seen: `duplicate key "k"`, raised where the second key ends.
pub(crate) struct UniqueKeys<D>(pub(crate) D);

/// `UniqueKeys` for a seed: the value it deserializes goes through the adapter too.
struct Seed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<S> {
    type Value = S::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(UniqueKeys(d))
    }
}

/// The methods of a forwarding [`Deserializer`] (all but `deserialize_ignored_any` and
/// `is_human_readable`): each hands the request to the inner deserializer with a wrapped
/// visitor. `|this, visitor| split` turns the adapter and the caller's visitor into that pair.
macro_rules! forward_deserializer_methods {
    (|$this:ident, $visitor:ident| $split:expr) => {
        forward_deserializer_methods!(@plain |$this, $visitor| $split;
            deserialize_any, deserialize_bool, deserialize_i8, deserialize_i16, deserialize_i32,
            deserialize_i64, deserialize_i128, deserialize_u8, deserialize_u16, deserialize_u32,
            deserialize_u64, deserialize_u128, deserialize_f32, deserialize_f64, deserialize_char,
            deserialize_str, deserialize_string, deserialize_bytes, deserialize_byte_buf,
            deserialize_option, deserialize_unit, deserialize_seq, deserialize_map,
            deserialize_identifier);
        forward_deserializer_methods!(@with |$this, $visitor| $split;
            deserialize_unit_struct(name: &'static str),
            deserialize_newtype_struct(name: &'static str),
            deserialize_tuple(len: usize),
            deserialize_tuple_struct(name: &'static str, len: usize),
            deserialize_struct(name: &'static str, fields: &'static [&'static str]),
            deserialize_enum(name: &'static str, variants: &'static [&'static str]));
    };
    (@plain |$this:ident, $visitor:ident| $split:expr; $($method:ident),*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
                let ($this, $visitor) = (self, visitor);
                let (inner, visitor) = $split;
                inner.$method(visitor)
            }
        )*
    };
    (@with |$this:ident, $visitor:ident| $split:expr;
        $($method:ident($($arg:ident: $ty:ty),*)),*) => {
        $(
            fn $method<V: Visitor<'de>>(
                self,
                $($arg: $ty,)*
                visitor: V,
            ) -> Result<V::Value, Self::Error> {
                let ($this, $visitor) = (self, visitor);
                let (inner, visitor) = $split;
                inner.$method($($arg,)* visitor)
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for UniqueKeys<D> {
    type Error = D::Error;

    forward_deserializer_methods!(|this, visitor| (this.0, Wrapped(visitor)));

    /// A value the target ignores is still walked: a duplicate in it is refused all the same, so
    /// no reader of the record can take it differently from us.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(Wrapped(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// A visitor whose maps, sequences, enums and nested values go through the adapter.
struct Wrapped<V>(V);

/// Invokes `$m!` with every [`Visitor`] method that takes one number, bool or char.
macro_rules! with_scalar_visits {
    ($m:ident) => {
        $m!(
            visit_bool(bool),
            visit_i8(i8),
            visit_i16(i16),
            visit_i32(i32),
            visit_i64(i64),
            visit_i128(i128),
            visit_u8(u8),
            visit_u16(u16),
            visit_u32(u32),
            visit_u64(u64),
            visit_u128(u128),
            visit_f32(f32),
            visit_f64(f64),
            visit_char(char),
        );
    };
}

macro_rules! forward_visits {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
                self.0.$method(v)
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrapped<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    with_scalar_visits!(forward_visits);
    forward_visits!(
        visit_str(&str),
        visit_borrowed_str(&'de str),
        visit_string(String),
        visit_bytes(&[u8]),
        visit_borrowed_bytes(&'de [u8]),
        visit_byte_buf(Vec<u8>),
    );

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(UniqueKeys(d))
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_newtype_struct(UniqueKeys(d))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(Elements(seq))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(Entries {
            inner: map,
            seen: SeenKeys::default(),
        })
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(Enum(data))
    }
}

/// A sequence whose elements go through the adapter.
struct Elements<A>(A);

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Elements<A> {
    type Error = A::Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        let element = self.0.next_element_seed(Seed(seed))?;
        if element.is_some() {
            crate::json::spend_value(1)?;
        }
        Ok(element)
    }
    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// An object's entries: each key is compared with the ones before it, each value goes through
/// the adapter.
struct Entries<'de, A> {
    inner: A,
    seen: SeenKeys<'de>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Entries<'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let mut key = None;
        let value = self.inner.next_key_seed(KeySeed {
            seed,
            key: &mut key,
        })?;
        if let Some(key) = key
            && let Err(duplicate) = self.seen.insert(key)
        {
            return Err(de::Error::custom(format_args!(
                "duplicate key {:?}",
                crate::text::ellipsize(&duplicate, crate::text::MAX_ECHOED_CHARS)
            )));
        }
        if value.is_some() {
            crate::json::spend_value(crate::json::OBJECT_ENTRY_COST)?;
        }
        Ok(value)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.inner.next_value_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

/// The keys of one object so far. Objects are small (an intent has 13 keys): a linear scan of
/// an inline array beats hashing every key and allocates nothing; past `INLINE` keys a set
/// keeps big objects linear. Each inline key has a one-word signature (its length and first
/// bytes), so the scan compares words and reads a key's text only when the words match.
struct SeenKeys<'de> {
    inline: [Cow<'de, str>; INLINE],
    signatures: [u64; INLINE],
    len: usize,
    many: Option<HashSet<Cow<'de, str>>>,
}

const INLINE: usize = 16;

impl Default for SeenKeys<'_> {
    fn default() -> Self {
        SeenKeys {
            inline: Default::default(),
            signatures: [0; INLINE],
            len: 0,
            many: None,
        }
    }
}

impl<'de> SeenKeys<'de> {
    /// Adds `key`; hands it back when it was already there.
    fn insert(&mut self, key: Cow<'de, str>) -> Result<(), Cow<'de, str>> {
        let signature = signature(&key);
        let duplicate = match &self.many {
            Some(set) => set.contains(&key),
            None => (0..self.len).any(|i| self.signatures[i] == signature && self.inline[i] == key),
        };
        if duplicate {
            return Err(key);
        }
        match &mut self.many {
            Some(set) => {
                set.insert(key);
            }
            None if self.len == INLINE => {
                let mut set: HashSet<Cow<'de, str>> =
                    self.inline.iter_mut().map(std::mem::take).collect();
                set.insert(key);
                self.many = Some(set);
            }
            None => {
                self.inline[self.len] = key;
                self.signatures[self.len] = signature;
                self.len += 1;
            }
        }
        Ok(())
    }
}

/// A key's first eight bytes (fewer for a short key) mixed with its length, in one word: equal
/// keys have equal signatures.
fn signature(key: &str) -> u64 {
    let bytes = key.as_bytes();
    let head = match bytes.first_chunk::<8>() {
        Some(chunk) => u64::from_le_bytes(*chunk),
        None => bytes
            .iter()
            .enumerate()
            .fold(0, |word, (i, &b)| word | u64::from(b) << (8 * i)),
    };
    head ^ (bytes.len() as u64).rotate_right(8)
}

/// A key's seed: deserializes the key as asked and keeps its text for the comparison.
struct KeySeed<'a, 'de, K> {
    seed: K,
    key: &'a mut Option<Cow<'de, str>>,
}

impl<'de, K: DeserializeSeed<'de>> DeserializeSeed<'de> for KeySeed<'_, 'de, K> {
    type Value = K::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<K::Value, D::Error> {
        self.seed.deserialize(KeyDeserializer {
            inner: d,
            key: self.key,
        })
    }
}

/// The deserializer of one key: forwards every request, with a visitor that notes the key.
struct KeyDeserializer<'a, 'de, D> {
    inner: D,
    key: &'a mut Option<Cow<'de, str>>,
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for KeyDeserializer<'_, 'de, D> {
    type Error = D::Error;

    forward_deserializer_methods!(|this, visitor| (
        this.inner,
        NotingVisitor {
            inner: visitor,
            key: this.key,
        }
    ));

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let visitor = NotingVisitor {
            inner: visitor,
            key: self.key,
        };
        self.inner.deserialize_ignored_any(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// Notes the text of the key it visits, then hands it on. JSON keys are strings; a key read as
/// a number or a bool (an integer-keyed map) is noted as its decimal text, which is the same
/// text the object held.
struct NotingVisitor<'a, 'de, V> {
    inner: V,
    key: &'a mut Option<Cow<'de, str>>,
}

macro_rules! note_as_text {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
                *self.key = Some(Cow::Owned(v.to_string()));
                self.inner.$method(v)
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for NotingVisitor<'_, 'de, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        *self.key = Some(Cow::Borrowed(v));
        self.inner.visit_borrowed_str(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        *self.key = Some(Cow::Owned(v.to_owned()));
        self.inner.visit_str(v)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        *self.key = Some(Cow::Owned(v.clone()));
        self.inner.visit_string(v)
    }

    with_scalar_visits!(note_as_text);

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<V::Value, E> {
        *self.key = Some(Cow::Owned(String::from_utf8_lossy(v).into_owned()));
        self.inner.visit_bytes(v)
    }
    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<V::Value, E> {
        *self.key = Some(Cow::Owned(String::from_utf8_lossy(v).into_owned()));
        self.inner.visit_borrowed_bytes(v)
    }
    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<V::Value, E> {
        *self.key = Some(Cow::Owned(String::from_utf8_lossy(&v).into_owned()));
        self.inner.visit_byte_buf(v)
    }
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(UniqueKeys(d))
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(UniqueKeys(d))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.inner.visit_seq(Elements(seq))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        Wrapped(self.inner).visit_map(map)
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.inner.visit_enum(Enum(data))
    }
}

/// An enum whose variant data goes through the adapter.
struct Enum<A>(A);

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Enum<A> {
    type Error = A::Error;
    type Variant = Variant<A::Variant>;
    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), A::Error> {
        let (value, variant) = self.0.variant_seed(Seed(seed))?;
        Ok((value, Variant(variant)))
    }
}

struct Variant<A>(A);

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Variant<A> {
    type Error = A::Error;
    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(Seed(seed))
    }
    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Wrapped(visitor))
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, Wrapped(visitor))
    }
}
