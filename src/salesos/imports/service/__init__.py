"""Import services: sniffing, mapping, the resumable batch runner, and the import lifecycle."""
