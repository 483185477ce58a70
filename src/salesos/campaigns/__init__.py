"""Prospecting campaigns: discovery over business directories, website enrichment, scoring into tiers."""
