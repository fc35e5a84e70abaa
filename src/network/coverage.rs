//! Station spacing along the corridors against the AFIR rules: which stations count, where
//! they meet each corridor, the gaps between them, and the share of length covered.
