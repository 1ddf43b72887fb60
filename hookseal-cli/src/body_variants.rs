//! Body variants.
