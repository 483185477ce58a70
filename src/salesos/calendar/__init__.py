"""Calendar: scheduled calls as events, and a secret ICS feed per user that calendar apps subscribe to."""
