"""Auth business rules, split by concern: accounts, credentials, throttling, principal resolution."""
