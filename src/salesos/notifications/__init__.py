"""Notifications: per-user in-app notices (assignments, stage changes, mentions, finished imports)."""
