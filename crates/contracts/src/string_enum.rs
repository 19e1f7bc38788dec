//! A small macro for the many closed string vocabularies of the contracts.
//!
//! Every enum-like field of the reference systems is a plain string on the wire (`"file_read"`,
//! `"high_risk"`, ...). `string_enum!` turns such a vocabulary into a Rust enum that
//!
//! - serializes to exactly the reference string,
//! - refuses an unknown string with an error naming the *field* and the *value*
//!   (`unknown operation "fly" (expected one of: file_read, ...)`; a value longer than
//!   64 characters is echoed cut short),
//! - lists its variants in a fixed order (`ALL`), which the feature encoders use for one-hot groups.

/// Declares a closed string vocabulary. See the module docs.
///
/// ```
/// vigil_contracts::string_enum! {
///     /// Traffic light colour.
///     pub enum Light: "light" {
///         /// Stop.
///         Red => "red",
///         /// Go.
///         Green => "green",
///     }
/// }
/// assert_eq!(Light::Red.as_str(), "red");
/// assert_eq!("green".parse::<Light>().unwrap(), Light::Green);
/// let err = "blue".parse::<Light>().unwrap_err().to_string();
/// assert!(err.contains("light") && err.contains("\"blue\""));
/// ```
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $field:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant ),+ ];
            /// The field name used in error messages.
            pub const FIELD: &'static str = $field;

            /// The exact wire string of this variant.
            pub const fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $text ),+ }
            }

            /// The wire strings of every variant, in declaration order.
            pub fn names() -> impl Iterator<Item = &'static str> {
                Self::ALL.iter().map(|v| v.as_str())
            }

            /// Position of this variant in [`Self::ALL`].
            pub fn index(self) -> usize {
                Self::ALL.iter().position(|v| *v == self).unwrap_or(0)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::Error;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                match s {
                    $( $text => Ok($name::$variant), )+
                    other => Err($crate::Error::UnknownValue {
                        field: $field,
                        value: $crate::text::ellipsize(other, $crate::text::MAX_ECHOED_CHARS),
                        expected: Self::names().collect::<Vec<_>>().join(", "),
                    }),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;
                impl ::serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        write!(f, "a {} string", $field)
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> ::std::result::Result<$name, E> {
                        v.parse::<$name>().map_err(E::custom)
                    }
                }
                d.deserialize_str(Visitor)
            }
        }
    };
}
