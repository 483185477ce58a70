"""Scraper intake: signed webhook endpoints that turn posted rows into leads."""
