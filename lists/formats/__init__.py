"""Shared, safe readers for the file formats lists come in."""
