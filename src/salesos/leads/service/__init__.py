"""Lead rules, split by subject: pipelines, leads (create, update, stage moves), work on a lead."""
