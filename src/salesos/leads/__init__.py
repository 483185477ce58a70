"""Leads: companies, contacts, pipelines, leads with their history, notes, tasks and timeline."""
