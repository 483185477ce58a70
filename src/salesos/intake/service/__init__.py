"""Intake services: endpoint management and receiving signed rows."""
