//! Column types beyond diesel's own: values stored as TEXT that read back as Rust types, for both
//! backends and the multi-backend connection. A stored value that is not one of the type's is a
//! deserialization error (500, logged), never a default.

use std::fmt;
use std::str::FromStr;

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;

use super::connection::MultiBackend;

/// A Rust type stored as TEXT: `FromStr` reads it back, `Display` writes it.
macro_rules! text_column {
    ($type:ty) => {
        impl FromSql<Text, Pg> for $type {
            fn from_sql(bytes: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, Pg>>::from_sql(bytes)?;
                Ok(text.parse()?)
            }
        }

        impl FromSql<Text, Sqlite> for $type {
            fn from_sql(bytes: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, Sqlite>>::from_sql(bytes)?;
                Ok(text.parse()?)
            }
        }

        impl FromSql<Text, MultiBackend> for $type {
            fn from_sql(
                bytes: <MultiBackend as Backend>::RawValue<'_>,
            ) -> deserialize::Result<Self> {
                bytes.from_sql::<Self, Text>()
            }
        }

        impl ToSql<Text, Pg> for $type {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                <str as ToSql<Text, Pg>>::to_sql(self.as_str(), out)
            }
        }

        impl ToSql<Text, Sqlite> for $type {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                out.set_value(self.as_str());
                Ok(IsNull::No)
            }
        }

        impl ToSql<Text, MultiBackend> for $type {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value((Text, self));
                Ok(IsNull::No)
            }
        }
    };
}

/// A closed set of names stored as TEXT (a status), with its parse and its display.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
        #[diesel(sql_type = Text)]
        pub enum $name {
            $($variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                }
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;

            fn from_str(text: &str) -> Result<Self, UnknownName> {
                match text {
                    $($text => Ok(Self::$variant),)*
                    other => Err(UnknownName { kind: stringify!($name), text: other.to_string() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        text_column!($name);
    };
}

/// An id stored as TEXT: a UUID v7 (time-ordered) when socval makes one. A newtype per kind, so a
/// bid's id can never be passed where a lot's is expected.
macro_rules! text_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[serde(transparent)]
        #[diesel(sql_type = Text)]
        pub struct $name(String);

        impl $name {
            /// A new id, later in time order than any made before it by this process.
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7().to_string())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Ok(Self(text.to_string()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        text_column!($name);
    };
}

text_id!(
    /// A tender's id.
    TenderId
);
text_id!(
    /// A lot's id.
    LotId
);
text_id!(
    /// A bid's id.
    BidId
);
text_id!(
    /// An evaluation run's id.
    EvaluationId
);

/// A decimal read back from a TEXT column, exactly. Stored data that does not parse is
/// [`DbError::Corrupt`] naming the table, the row and the column (so its 500's log line says what
/// to repair), never a value silently missing from a score. (A `FromSql` impl could not name the
/// row: it sees the value alone.)
pub fn stored_decimal(
    text: &str,
    table: &str,
    row: impl fmt::Display,
    column: &str,
) -> Result<rust_decimal::Decimal, super::DbError> {
    crate::scoring::parse_exact(text).map_err(|_| {
        super::DbError::Corrupt(format!(
            "{table} row {row}: column {column} holds `{text}`, which is not a decimal"
        ))
    })
}

/// A stored name that is none of its type's.
#[derive(Debug, thiserror::Error)]
#[error("`{text}` is not a {kind}")]
pub struct UnknownName {
    kind: &'static str,
    text: String,
}

text_enum! {
    /// Where a lot is in its life: `draft → open → evaluating → awarded`, or `cancelled`.
    LotStatus {
        Draft = "draft",
        Open = "open",
        Evaluating = "evaluating",
        Awarded = "awarded",
        Cancelled = "cancelled",
    }
}

text_enum! {
    /// Whether a bid takes part in evaluation.
    BidStatus {
        Submitted = "submitted",
        Withdrawn = "withdrawn",
    }
}

text_enum! {
    /// A step of an award after its decision.
    AwardStepKind {
        AssessmentSummariesSent = "assessment_summaries_sent",
        NoticePublished = "notice_published",
        NoticesSent = "notices_sent",
    }
}

text_column!(crate::catalogue::standstill::Regime);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_status_reads_back_as_written_and_nothing_else_reads() {
        for status in LotStatus::ALL {
            assert_eq!(status.as_str().parse::<LotStatus>().unwrap(), *status);
        }
        for status in BidStatus::ALL {
            assert_eq!(status.to_string().parse::<BidStatus>().unwrap(), *status);
        }
        let error = "closed".parse::<LotStatus>().unwrap_err();
        assert_eq!(error.to_string(), "`closed` is not a LotStatus");
    }

    #[test]
    fn a_stored_decimal_reads_exactly_or_names_its_row() {
        assert_eq!(
            stored_decimal("12.50", "bids", "b1", "price")
                .unwrap()
                .to_string(),
            "12.50"
        );
        let error = stored_decimal("abc", "bids", "b1", "price").unwrap_err();
        assert_eq!(
            error.to_string(),
            "stored data is corrupt: bids row b1: column price holds `abc`, which is not a decimal"
        );
    }
}
