"""Campaign rules: lifecycle, discovery, enrichment, scoring, credits and sending to the board."""
