"""Data layer: engine, sessions, tenancy and the repository base."""
