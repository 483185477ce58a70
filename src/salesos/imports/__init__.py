"""CSV import of leads: upload, sniffing, column mapping, and a resumable batch job."""
