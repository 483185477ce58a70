"""Calendar providers: OAuth-connected calendars that scheduled calls are pushed to."""
