"""Query functions named for what they answer; the only place above the engine that writes SQL."""
