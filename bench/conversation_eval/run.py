"""python -m bench.conversation_eval.run: search quality of each mode, and of each fusion
design, on the hard conversational set (dataset.py). Writes bench/conversation_eval/RESULTS.md
(and bench/.cache/conversation_eval/results.json).

The database, the load through the service's write path, the embedding cache and the
metrics are bench/retrieval_eval's; see bench/conversation_eval/README.md.
"""

import argparse
import asyncio
import json
import pickle
import time
from pathlib import Path

from app.config import Settings
from app.repositories.keyword_search import Bm25
from app.search.time_cue import TIME_CUE_BOOST
from app.store.text import indexed_text
from bench.conversation_eval import dataset, designs, report, techniques
from bench.retrieval_eval import db, evaluate, vectors
from bench.retrieval_eval.run import _metrics, environment, log, service_on

HERE = Path(__file__).resolve().parent
CACHE = HERE.parent / ".cache" / "conversation_eval"
KINDS = ["single-hop", "multi-hop", "temporal", "paraphrase"]


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--indexing", default="turn",
                   help="comma-separated: turn (as stored), date, neighbour (dataset.memories)")
    p.add_argument("--no-designs", action="store_true", help="skip the fusion designs")
    p.add_argument("--no-modes", action="store_true",
                   help="skip the searches through the service (designs only)")
    p.add_argument("--database-url", default=None, help="as bench.retrieval_eval.run")
    p.add_argument("--out", default=str(HERE / "RESULTS.md"))
    p.add_argument("--report-only", action="store_true")
    p.add_argument("--designs-only", action="store_true",
                   help="compare the designs again on the last run's cached score matrices")
    p.add_argument("--techniques-only", action="store_true",
                   help="compare the techniques again on the last run's dated matrices")
    return p.parse_args()


def by_split_and_kind(rankings: dict[str, dict[str, list[str]]], questions) -> dict:
    """split -> kind ("all" too) -> mode -> metrics."""
    out: dict = {}
    for split in ("dev", "test"):
        part = [q for q in questions if dataset.split_of(q) == split]
        out[split] = {kind: {mode: _metrics(ranked, [q for q in part
                                                    if kind == "all" or q.kind == kind])
                             for mode, ranked in rankings.items()}
                      for kind in ["all", *KINDS]}
    return out


def designs_on(matrices, conversations, indexing: str) -> list[dict]:
    """designs.compare; on the dated turns with the service's time cue added to every
    fused design (TIME_CUE_BOOST to the turns of the month a question names)."""
    if indexing != "date":
        return designs.compare(matrices, dataset.split_of, KINDS)
    month = {t.key: (t.date.year, t.date.month) for c in conversations for t in c.turns}

    def cue(s):
        match = techniques.in_month(s, month.__getitem__)
        return None if match is None else TIME_CUE_BOOST * match
    return designs.compare(matrices, dataset.split_of, KINDS, cue)


def techniques_on(matrices, conversations, wk: float) -> list[dict]:
    """techniques.compare with each turn's month and each conversation's speakers."""
    month = {t.key: (t.date.year, t.date.month) for c in conversations for t in c.turns}
    names = {t.namespace: set() for c in conversations for t in c.turns}
    for c in conversations:
        for t in c.turns:
            names[t.namespace].add(t.speaker.lower())

    def roles_of(s) -> set[str]:  # the speakers' names as lexemes (stems are prefixes)
        return {t for t in s.terms for n in names[s.question.namespace]
                if n.startswith(t) and len(t) >= len(n) - 2}
    return techniques.compare(matrices, dataset.split_of, KINDS, wk, month.__getitem__,
                              roles_of)


async def run_indexing(admin: str, model, conversations, indexing: str,
                       with_designs: bool, with_modes: bool = True) -> dict:
    memories = dataset.memories(conversations, indexing)
    questions = [q for c in conversations for q in c.questions]
    texts = sorted({indexed_text(m.value) for m in memories})  # what the service embeds
    log(f"{indexing}: {len(memories):,} turns ({len(texts):,} distinct), "
        f"{len(questions):,} questions")
    vecs = await vectors.embed_all(model, texts, log, cache=CACHE)
    url = db.fresh_database(admin, f"conversation_{indexing}")
    timing = await db.load(url, memories, vectors.CachedEmbedder(model, texts, vecs), log)
    service, pool = await service_on(url, model)
    try:
        out: dict = {"load": timing}
        if with_modes:
            result = await evaluate.quality(service, questions)
            out["modes"] = by_split_and_kind(result.rankings, questions)
        if with_designs or indexing == "date":
            keys: dict[str, list[str]] = {}
            for m in memories:
                keys.setdefault(".".join(m.namespace), []).append(m.key)
            s = service.settings
            matrices = await evaluate.score_matrices(service.store, questions, keys,
                                                     Bm25(s.bm25_k1, s.bm25_b))
            CACHE.mkdir(parents=True, exist_ok=True)
            (CACHE / f"matrices-{indexing}.pkl").write_bytes(pickle.dumps(matrices))
            if with_designs:
                out["designs"] = designs_on(matrices, conversations, indexing)
            if indexing == "date":
                out["techniques"] = techniques_on(matrices, conversations,
                                                  s.hybrid_keyword_weight)
    finally:
        await pool.close()
    return out


async def main() -> None:
    args = parse_args()
    path = CACHE / "results.json"
    if args.report_only or args.designs_only or args.techniques_only:
        results = json.loads(path.read_text())
        if args.techniques_only:
            matrices = pickle.loads((CACHE / "matrices-date.pkl").read_bytes())
            results["indexing"]["date"]["techniques"] = techniques_on(
                matrices, dataset.generate(), Settings().hybrid_keyword_weight)
            path.write_text(json.dumps(results, indent=1, default=str))
        if args.designs_only:  # on every indexing whose matrices the last run left
            for indexing, out in results["indexing"].items():
                cached = CACHE / f"matrices-{indexing}.pkl"
                if cached.exists():
                    out["designs"] = designs_on(pickle.loads(cached.read_bytes()),
                                                dataset.generate(), indexing)
            path.write_text(json.dumps(results, indent=1, default=str))
        Path(args.out).write_text(report.render(results))
        return
    started = time.perf_counter()
    conversations = dataset.generate()
    model = vectors.embedder()
    results: dict = {"environment": environment(), "args": vars(args),
                     "turns": sum(len(c.turns) for c in conversations),
                     "questions": {s: sum(1 for c in conversations for q in c.questions
                                          if dataset.split_of(q) == s) for s in ("dev", "test")},
                     "indexing": {}}
    with db.server(args.database_url) as admin:
        for i, indexing in enumerate(args.indexing.split(",")):
            results["indexing"][indexing] = await run_indexing(
                admin, model, conversations, indexing, not args.no_designs and i == 0,
                not args.no_modes)
    results["minutes"] = (time.perf_counter() - started) / 60
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, default=str))
    Path(args.out).write_text(report.render(results))
    log(f"wrote {args.out} in {results['minutes']:.1f} minutes")


if __name__ == "__main__":
    asyncio.run(main())
