"""Where `make run` finds the embedding model on an offline machine, for every entry point.

The Makefile exports EMBEDDING_MODEL_PATH=../shared/models/<model> when that folder exists
next to the checkout; settings look in the same place when the variable is unset, so the
command line (run from anywhere) uses the model the server uses.
"""

from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]


def shared_model_folder(model_name: str, checkout: Path = CHECKOUT) -> Path | None:
    """`<checkout>/../shared/models/<last part of the model name>`, if it exists."""
    folder = checkout.parent / "shared" / "models" / model_name.rsplit("/", 1)[-1]
    return folder if folder.is_dir() else None
