"""Data tables shipped with the core: CHPL items, keywords, country risk, claims (see README.md)."""
