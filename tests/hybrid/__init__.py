"""Hybrid, semantic and keyword search: the keyword index follows every write, and the
search rules hold in every mode."""
