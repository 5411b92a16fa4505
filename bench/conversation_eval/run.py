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
from bench.conversation_eval.redundancy import Duplicates
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
    p.add_argument("--facts-said-again", type=int, default=0, metavar="N",
                   help="what-if: dupns at its chosen weight with every evidence turn given "
                        "N near-duplicates (printed; RESULTS.md is left as it is)")
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


async def duplicates(model, conversations, indexing: str) -> Duplicates:
    """Each turn's embedding as stored (the cached vectors), for the "dup" designs."""
    memories = dataset.memories(conversations, indexing)
    texts = sorted({indexed_text(m.value) for m in memories})
    vecs = await vectors.embed_all(model, texts, log, cache=CACHE)
    row = {text: i for i, text in enumerate(texts)}
    return Duplicates({m.key: vecs[row[indexed_text(m.value)]] for m in memories})


def designs_on(matrices, conversations, indexing: str, dups: Duplicates) -> list[dict]:
    """designs.compare; on the dated turns with the service's time cue added to every
    fused design (TIME_CUE_BOOST to the turns of the month a question names)."""
    cue = time_cue(conversations) if indexing == "date" else None
    return designs.compare(matrices, dataset.split_of, KINDS, cue, dups)


def time_cue(conversations) -> designs.Extra:
    """The service's time cue: TIME_CUE_BOOST to the turns of the month a question names."""
    month = {t.key: (t.date.year, t.date.month) for c in conversations for t in c.turns}

    def cue(s):
        match = techniques.in_month(s, month.__getitem__)
        return None if match is None else TIME_CUE_BOOST * match
    return cue


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
                out["designs"] = designs_on(matrices, conversations, indexing,
                                            await duplicates(model, conversations, indexing))
            if indexing == "date":
                out["techniques"] = techniques_on(matrices, conversations,
                                                  s.hybrid_keyword_weight)
    finally:
        await pool.close()
    return out


async def said_again(copies: int) -> None:
    """What the "dupns" design does when a fact is said again (module Duplicates)."""
    results = json.loads((CACHE / "results.json").read_text())
    conversations = dataset.generate()
    evidence = {a: copies for c in conversations for q in c.questions for a in q.answers}
    for indexing, out in results["indexing"].items():
        cached = CACHE / f"matrices-{indexing}.pkl"
        row = next((r for r in out.get("designs", []) if r["design"] == "dupns+raw"), None)
        if row is None or not cached.exists():
            continue
        dups = await duplicates(vectors.embedder(), conversations, indexing)
        dups.said_again = evidence
        matrices = pickle.loads(cached.read_bytes())
        cue = time_cue(conversations) if indexing == "date" else None
        for split in ("dev", "test"):
            part = [s for s in matrices if dataset.split_of(s.question) == split]
            kinds = {k: designs.metrics([s for s in part if s.question.kind == k], "dupns+raw",
                                        row["keyword_weight"], cue, dups)["recall@10"]
                     for k in KINDS}
            overall = designs.metrics(part, "dupns+raw", row["keyword_weight"], cue, dups)
            log(f"{indexing} {split} dupns+raw at {row['keyword_weight']}, evidence said "
                f"{copies} more times: {overall['recall@10']:.3f} "
                + " ".join(f"{k} {v:.3f}" for k, v in kinds.items()))


async def main() -> None:
    args = parse_args()
    path = CACHE / "results.json"
    if args.facts_said_again:
        return await said_again(args.facts_said_again)
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
                    conversations = dataset.generate()
                    dups = await duplicates(vectors.embedder(), conversations, indexing)
                    out["designs"] = designs_on(pickle.loads(cached.read_bytes()),
                                                conversations, indexing, dups)
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
