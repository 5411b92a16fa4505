"""Retrieval evaluation of the search modes: python -m bench.retrieval_eval.run (README.md)."""
