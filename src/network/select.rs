//! Site selection.
