"""The hard conversational retrieval set: see README.md."""
