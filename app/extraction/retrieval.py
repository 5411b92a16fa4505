"""Which existing memories an extraction shows the model.

LangMem retrieves on the last message only; a conversation that returns to an older topic
then updates nothing. We search with every recent turn and with the conversation as a whole,
in one embedder call, and always show at least MIN_CANDIDATES (all of a small namespace).
"""

from app.domain.items import StoredItem
from app.extraction.kinds import Kind
from app.extraction.messages import Turn
from app.memories.service import MemoryService

MIN_CANDIDATES = 10
PER_TURN = 5
MAX_CANDIDATES = 40
RECENT_TURNS = 12
WHOLE_CHARS = 4000


async def find_candidates(memories: MemoryService, namespace: tuple[str, ...],
                          turns: list[Turn], kinds: tuple[Kind, ...]) -> list[StoredItem]:
    recent = [t.text for t in turns[-RECENT_TURNS:] if t.role in ("user", "assistant")]
    whole = "\n".join(t.text for t in turns)[-WHOLE_CHARS:]
    vectors = await memories.embed([whole, *recent])
    best: dict[str, StoredItem] = {}
    for i, vector in enumerate(vectors):
        limit = MIN_CANDIDATES if i == 0 else PER_TURN
        for item in await memories.nearest(namespace, vector, limit):
            key = f"{'.'.join(item.namespace)}\x00{item.key}"
            if key not in best or (item.score or 0) > (best[key].score or 0):
                best[key] = item
    for kind in kinds:
        if kind.single:  # a profile must be shown to be updated, whatever the conversation
            for item in await memories.search(namespace, filter={"kind": kind.name}, limit=1,
                                              fresh=True):  # what the plan will change
                best.setdefault(f"{'.'.join(item.namespace)}\x00{item.key}", item)
    ranked = sorted(best.values(), key=lambda i: -(i.score if i.score is not None else 2.0))
    return ranked[:MAX_CANDIDATES]
