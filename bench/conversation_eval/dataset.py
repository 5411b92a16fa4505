"""The hard conversational set: long two-person chats, every turn one memory.

Ten conversations (`conv.c00` .. `conv.c09`), each between two friends over 18 dated
sessions, one a month, of 25 turns: 450 turns. Each friend tells the other about
twelve topics of their life (topics.py): a fact in one session, often revised or continued
sessions later ("I left Brightwave, I'm at Pixelhaus now"), among small talk and topical
chatter that mentions the same things and answers nothing. Both friends have a pet, a job, a
trip...: a question about one is close, in words and in meaning, to the other's answer.

Questions (about 106 a conversation) are labelled with their evidence turns (one to three):
- `single-hop`: one turn answers ("What is the name of Ana's kitten?");
- `multi-hop`: two turns, sessions apart ("What does the person Ana met at the climbing gym
  do for a living?");
- `temporal`: "when did ..." (the turn's session date answers) and "what was Ana up to in
  May 2023?" (every fact Ana told in that month's session: only its date ties them);
- `paraphrase`: few words shared with the evidence ("Does Ana have any animals at home?").
Revised facts are asked in the present tense and answered by the revision alone.

Everything comes from a seed: a rerun asks the same questions of the same turns. Split by
conversation: c00-c04 are dev (designs are chosen there), c05-c09 test (reported).
"""

import datetime
import random
from dataclasses import dataclass

from bench.conversation_eval import topics as T
from bench.retrieval_eval.dataset import Memory, Question

SEED = 20_261_207
CONVERSATIONS = 10
SESSIONS = 18
TURNS_PER_SESSION = 25
NAMES = ["Ana", "Bilal", "Chloe", "Dev", "Esme", "Farid", "Greta", "Hugo", "Isla", "Jun",
         "Kofi", "Lena", "Milo", "Nia", "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tove"]


@dataclass(frozen=True)
class Turn:
    namespace: tuple[str, ...]
    key: str
    speaker: str
    said: str  # the utterance alone
    date: datetime.date  # its session's

    @property
    def text(self) -> str:
        return f"{self.speaker}: {self.said}"


@dataclass
class Conversation:
    turns: list[Turn]
    questions: list[Question]


def split_of(question: Question) -> str:
    return "dev" if int(question.namespace[-1][1:]) < CONVERSATIONS // 2 else "test"


def _slots(rng: random.Random, taken: dict[str, set]) -> dict[str, str]:
    """One speaker's values, none shared with the other speaker of the conversation."""
    def pick(name: str, options: list):
        value = rng.choice([o for o in options if str(o) not in taken.setdefault(name, set())])
        taken[name].add(str(value))
        return value

    pet, pet_name = pick("pet", T.PETS)
    job, company = pick("job", T.JOBS)
    job2, company2 = pick("job", T.JOBS)
    relative, pron = pick("relative", T.RELATIVES)
    food, condition = pick("food", T.FOODS)
    book, author = pick("book", T.BOOKS)
    venue, _ = pick("venue", T.VENUES)
    area, area2 = pick("area", T.AREAS), pick("area", T.AREAS)
    return {
        "pet": pet, "pet_name": pet_name, "job": job, "company": company, "job2": job2,
        "company2": company2, "hobby": pick("hobby", T.HOBBIES),
        "weekday": pick("weekday", T.WEEKDAYS), "place": pick("place", T.PLACES),
        "sight": pick("sight", T.SIGHTS),
        "month": rng.choice(["March", "June", "September", "December"]),
        "relative": relative, "pron": "she" if pron == "her" else "he",
        "given": pick("given", T.GIVEN), "city": pick("city", T.CITIES), "food": food,
        "condition": condition, "book": book, "author": author, "car": pick("car", T.CARS),
        "area": area, "area2": area2, "venue": venue, "friend": pick("given", T.GIVEN),
        "friend_job": pick("job", T.JOBS)[0], "instrument": pick("instrument", T.INSTRUMENTS),
        "race": pick("race", T.RACES), "minutes": str(rng.randint(48, 190)),
    }


def conversation(c: int, rng: random.Random) -> Conversation:
    ns = ("conv", f"c{c:02d}")
    speakers = rng.sample(NAMES, 2)
    first = rng.randint(0, 11)  # sessions are in consecutive months (one a month)
    dates = [datetime.date(2022 + (first + s) // 12, (first + s) % 12 + 1, rng.randint(1, 28))
             for s in range(SESSIONS)]
    taken: dict[str, set] = {}
    slots = {s: _slots(rng, taken) for s in speakers}
    # (session, speaker, utterance, label): the label ties a fact turn to its questions.
    planned: list[tuple[int, str, str, tuple | None]] = []
    for speaker in speakers:
        for topic in T.TOPICS:
            first = rng.randint(0, SESSIONS - 6)
            v = slots[speaker]
            planned.append((first, speaker, rng.choice(topic.fact).format(**v),
                            (speaker, topic.name, "fact")))
            if topic.later:
                planned.append((rng.randint(first + 2, SESSIONS - 1), speaker,
                                rng.choice(topic.later).format(**v),
                                (speaker, topic.name, "later")))
    turns: list[Turn] = []
    labels: dict[tuple, str] = {}
    by_session: dict[tuple[int, str], list[str]] = {}
    chatter = [line for topic in T.TOPICS for line in topic.chatter]
    for s in range(SESSIONS):
        lines = [(speaker, said, label) for at, speaker, said, label in planned if at == s]
        while len(lines) < TURNS_PER_SESSION:
            pool = chatter if rng.random() < 0.4 else T.SMALL_TALK
            lines.append((rng.choice(speakers), rng.choice(pool), None))
        rng.shuffle(lines)
        for t, (speaker, said, label) in enumerate(lines):
            turn = Turn(ns, f"c{c:02d}-s{s:02d}-t{t:02d}", speaker, said, dates[s])
            turns.append(turn)
            if label:
                labels[label] = turn.key
                by_session.setdefault((s, speaker), []).append(turn.key)
    return Conversation(turns, _questions(ns, speakers, slots, labels, by_session, dates))


def _questions(ns, speakers, slots, labels, by_session, dates) -> list[Question]:
    out: list[Question] = []

    def add(kind: str, text: str, answers: tuple[str, ...]) -> None:
        out.append(Question(f"{ns[-1]}-q{len(out):03d}", ns, kind, text, answers))

    for speaker in speakers:
        v = {"S": speaker, **slots[speaker]}
        for topic in T.TOPICS:
            for kind, wording, evidence in topic.questions:
                parts = ("fact", "later") if evidence == "both" else (evidence,)
                add(kind, wording.format(**v),
                    tuple(labels[(speaker, topic.name, p)] for p in parts))
    for (s, speaker), keys in sorted(by_session.items()):
        if len(keys) <= 3:  # evidence is one to three turns
            add("temporal", f"What was {speaker} up to in {dates[s]:%B %Y}?", tuple(keys))
    return out


def generate(seed: int = SEED, count: int = CONVERSATIONS) -> list[Conversation]:
    rng = random.Random(seed)
    return [conversation(c, rng) for c in range(count)]


def memories(conversations: list[Conversation], indexing: str = "turn") -> list[Memory]:
    """The turns as memories. `indexing`: "turn" (the turn alone, as the service stores a
    message), "date" (stored with its session's date as `occurred_at`, which the service
    indexes with the text) or "neighbour" (with the turn before it in its session
    appended, as context)."""
    out = []
    for conv in conversations:
        previous: Turn | None = None
        for turn in conv.turns:
            text, occurred_at = turn.text, None
            if indexing == "date":
                occurred_at = turn.date.isoformat()
            elif indexing == "neighbour" and previous and previous.date == turn.date:
                text = f"{text} (after {previous.text})"
            out.append(Memory(turn.namespace, turn.key, text, occurred_at))
            previous = turn
    return out
