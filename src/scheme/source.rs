//! Where a scheme reads a value — its signatures, its timestamp, its id — from: a header, a
//! parameter of the signature header, or a member of the JSON body.

use crate::error::{ConfigError, HeaderKind, VerifyError};
use crate::header_table::{Found, HeaderTable};
use crate::headers::HeaderName;
use alloc::boxed::Box;

/// A header a scheme reads, with an optional second name tried when the first is absent, and
/// the slots of both in the scheme's [`HeaderTable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeaderSpec {
    wire: Box<str>,
    slots: (u8, Option<u8>),
}

impl HeaderSpec {
    /// The header `wire`, and `fallback`, given slots in `table`.
    pub(crate) fn new(
        wire: &str,
        fallback: Option<&str>,
        table: &mut HeaderTable,
    ) -> Result<Self, ConfigError> {
        let name = HeaderName::new(wire)?;
        let fallback = fallback.map(HeaderName::new).transpose()?;
        let slots = (
            table.slot(&name, false)?,
            fallback.as_ref().map(|f| table.slot(f, true)).transpose()?,
        );
        Ok(Self {
            wire: wire.into(),
            slots,
        })
    }

    /// The header's single value, trimmed: under the first name, or under the fallback when the
    /// first is absent.
    pub(crate) fn single<'a>(
        &self,
        found: &Found<'a>,
        kind: HeaderKind,
    ) -> Result<Option<&'a [u8]>, VerifyError> {
        match (found.single(self.slots.0, kind)?, self.slots.1) {
            (Some(value), _) => Ok(Some(value)),
            (None, Some(fallback)) => found.single(fallback, kind),
            (None, None) => Ok(None),
        }
    }
}

/// Where a scheme reads a value (the signatures, the timestamp, the id) from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// A header of its own (`webhook-timestamp`).
    Header(HeaderSpec),
    /// A parameter of the signature header (Stripe's `t=`): the timestamp only.
    Param(Box<str>),
    /// A member of the JSON body (Linear's `webhookTimestamp`), by the slot of its path of
    /// names in the scheme's [`HeaderTable`].
    Field(u8),
}

impl Source {
    /// The header's name as written on the wire, when the value is a header.
    pub(crate) fn header(&self) -> Option<&str> {
        match self {
            Self::Header(spec) => Some(&spec.wire),
            Self::Param(_) | Self::Field(..) => None,
        }
    }

    /// The member's path of names in `table`, when the value is a member of the body.
    pub(crate) fn member_path<'t>(&self, table: &'t HeaderTable) -> Option<&'t [Box<str>]> {
        match self {
            Self::Field(slot) => Some(table.member_path(*slot)),
            Self::Header(_) | Self::Param(_) => None,
        }
    }

    /// The member's name in `table`, when the value is a top-level member of the body.
    pub(crate) fn top_level_member<'t>(&self, table: &'t HeaderTable) -> Option<&'t str> {
        match self.member_path(table)? {
            [name] => Some(name),
            _ => None,
        }
    }

    /// The value sent, trimmed (a header) or as written (a member of the body); `None` when
    /// absent or, for a parameter, read with the signatures instead.
    #[inline]
    pub(crate) fn read<'a>(
        &self,
        found: &Found<'a>,
        kind: HeaderKind,
    ) -> Result<Option<&'a [u8]>, VerifyError> {
        match self {
            Self::Header(spec) => spec.single(found, kind),
            Self::Param(_) => Ok(None),
            Self::Field(slot) => crate::json_field::text_of(found.member(*slot)?),
        }
    }

    /// The error for a value the scheme requires that was not sent.
    pub(crate) fn missing(&self, kind: HeaderKind) -> VerifyError {
        match self {
            Self::Header(_) => VerifyError::MissingHeader(kind),
            Self::Param(_) => VerifyError::MissingTimestamp,
            Self::Field(..) => VerifyError::MissingField(kind),
        }
    }
}

/// The deepest member path a scheme reads.
pub(crate) const MAX_FIELD_DEPTH: usize = 4;
