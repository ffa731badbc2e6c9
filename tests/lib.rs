//! Integration, peer and trybuild tests of rmcp-sampling live in `tests/`.
