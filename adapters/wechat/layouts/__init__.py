"""Data only: the built-in share-card layouts (``*.toml``), shipped as package data."""
