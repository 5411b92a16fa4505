"""Synthetic memories, their tenants and paraphrased questions, embedded once and cached.

Everything is deterministic from the seed and *prefix-stable*: item i (its text, question
and tenant) depends only on the seed and on items before it, so the first 10,000 items of a
100,000-item corpus are exactly the 10,000-item corpus, and one cache serves every size.

Tenants follow a heavy-tailed (truncated Pareto, Zipf-like by rank) size distribution: most
users have a handful of memories, a few have thousands. Items are laid out tenant after
tenant, so growing the corpus adds new tenants while existing ones keep their size; the
load order is shuffled separately so a tenant's rows are scattered over the heap as
interleaved writes would leave them.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

GENERATOR_VERSION = 3
CACHE_DIR = Path(__file__).resolve().parent / ".cache"
NAMESPACE_ROOT = "memories"

# Tenant sizes: 5 * U^(-1/alpha), capped. alpha 0.8 with cap 10,000 gives a mean near 100
# (about 1,000 tenants per 100,000 memories), a median near 12, and ~84% of tenants with
# 5-50 memories.
TENANT_MIN, TENANT_CAP, TENANT_ALPHA = 5, 10_000, 0.8

# -- vocabulary -----------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    """Whitespace-separated words; a hyphen inside a word stands for a space."""
    return [w.replace("-", " ") for w in text.split()]


NAMES = _words("""Priya Tom Mia Aiko Liam Sofia Mateo Amara Noah Chen Fatima Olga Kwame Lucas Ingrid
Rahul Elena Jonas Yuki Omar Zara Diego Hannah Arjun Leila Marco Nadia Felix Ana Tariq Greta
Kenji Chloe Ravi Isabel Sven Amina Pablo Lena Hugo Maya Dmitri Sara Kofi Julia Ahmed Nora
Tobias Camila Ethan Ines Viktor Aisha Mohammed Clara Oskar Emeka Rosa Daniel Freya Hiro Lucia
Samir Emma Nikolai Zainab Andre Beatriz Jamal Ilse Wei Gabriela Patrick Layla Stefan Valentina
Kai Ruth Bilal Astrid Carlos Mei Joao Yasmin Erik Alice Ibrahim Vera Leo Sana Martin Imani
Theo Lara Hassan Elif Jakub Noor Ben Anika Luis Sakura Rafael Hana Simon Adaeze Paul Marta
Ivan Chiara David Keiko Tomas Farah Miguel Linnea Adam Shreya Jens Lucy Yusuf Eva Marcus Rina
Anton Abena Henrik Dalia Victor Mariam Filip Naomi Arash Jade Pedro Kira Luca Soraya Owen Tess
""")
CITIES = _words("""Lisbon Porto Madrid Barcelona Berlin Munich Hamburg Vienna Zurich Geneva
Paris Lyon
Marseille Brussels Amsterdam Rotterdam Copenhagen Stockholm Oslo Helsinki Dublin London
Manchester Edinburgh Glasgow Warsaw Krakow Prague Budapest Bucharest Athens Istanbul Rome Milan
Naples Turin Florence Seville Valencia Bilbao Nairobi Lagos Accra Cairo Casablanca Dubai
Mumbai Bangalore Delhi Singapore Bangkok Hanoi Seoul Tokyo Osaka Kyoto Taipei Manila Sydney
Melbourne Auckland Toronto Montreal Vancouver Chicago Boston Austin Denver Seattle Portland
Atlanta Miami Mexico-City Bogota Lima Santiago Buenos-Aires Sao-Paulo Reykjavik Tallinn Riga
""")
MONTHS = _words("January February March April May June July August September October "
                "November December")
WEEKDAYS = _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
HOBBIES = _words("""pottery climbing bouldering sailing chess baking sourdough woodworking knitting
birdwatching salsa-dancing tango trail-running cycling surfing kayaking photography
watercolour-painting gardening beekeeping fencing archery yoga pilates calligraphy
origami skateboarding snowboarding scuba-diving astronomy geocaching board-games
stand-up-comedy improv-theatre choir-singing jazz-piano bouldering-competitions
home-brewing fermentation foraging mushroom-hunting fly-fishing bonsai crochet""")
FOODS = _words("""ramen sushi tacos pho falafel paella lasagne dumplings
curry biryani shakshuka pierogi moussaka ceviche kimchi-stew pad-thai risotto gnocchi burritos
empanadas jollof-rice bibimbap goulash tagine""")
ALLERGENS = ["peanuts", "tree nuts", "shellfish", "gluten", "lactose", "eggs", "soy", "sesame",
             "penicillin", "cats", "pollen", "bee stings"]
PETS = ["dog", "cat", "rabbit", "parrot", "tortoise", "hamster", "ferret", "guinea pig",
        "corgi", "beagle"]
PET_NAMES = _words("""Biscuit Pepper Luna Mochi Rex Bella Ziggy Nala Waffles Otto Pickles Maple Juno
Simba Clover""")
COMPANIES = _words("""Acme Globex Initech Umbrella Hooli Stark Wayne
Tyrell Cyberdyne Soylent Vandelay Pied-Piper Aperture Monarch Northwind Contoso Fabrikam
Wonka""")
ROLES = ["data engineer", "product manager", "nurse", "teacher", "architect", "UX designer",
         "paramedic", "accountant", "sales lead", "backend developer", "barista", "pharmacist",
         "lawyer", "chef", "site reliability engineer", "translator", "physiotherapist"]
RELATIONS = ["daughter", "son", "sister", "brother", "mother", "father", "partner", "wife",
             "husband", "cousin", "grandmother", "best friend", "roommate", "manager"]
TEAMS = ["platform", "billing", "search", "mobile", "growth", "data", "security", "design",
         "support", "infra", "payments", "onboarding"]
MEETINGS = ["standup", "retro", "planning meeting", "one-on-one", "design review",
            "sprint demo", "all-hands", "book club", "yoga class", "piano lesson"]
TOOLS = ["VS Code", "Neovim", "PyCharm", "Figma", "Notion", "Obsidian", "Linear", "Jira",
         "Slack", "Zoom", "Excel", "Postgres", "Docker", "Kubernetes", "Terraform"]
LANGUAGES = ["Portuguese", "Spanish", "Japanese", "German", "French", "Italian", "Korean",
             "Mandarin", "Arabic", "Swahili", "Dutch", "Polish", "Greek", "Hindi", "Turkish"]
INSTRUMENTS = ["piano", "guitar", "violin", "cello", "drums", "saxophone", "ukulele", "flute",
               "bass guitar", "trumpet"]
SPORTS = ["football", "tennis", "padel", "basketball", "volleyball", "badminton", "rugby",
          "cricket", "table tennis", "squash"]
DRINKS = ["oat milk flat white", "black coffee", "green tea", "matcha latte", "espresso",
          "chai", "sparkling water", "decaf cappuccino", "rooibos tea", "cortado"]
COLORS = ["dark mode", "light mode", "high-contrast theme", "solarized theme", "large fonts"]
CARS = ["a used Golf", "an electric Mini", "a Tesla Model 3", "a Toyota Prius", "a Vespa",
        "a cargo bike", "a Volvo estate", "a Fiat 500"]
BOOKS = ["Dune", "Middlemarch", "The Overstory", "Project Hail Mary", "Circe",
         "The Left Hand of Darkness", "Pachinko", "Piranesi", "Sapiens", "Educated"]
STREAMING = ["The Bear", "Severance", "Shogun", "Slow Horses", "Succession", "Dark",
             "Arcane", "Mr Robot", "Fleabag", "Andor"]
CONDITIONS = ["asthma", "type 1 diabetes", "migraines", "a bad knee", "lower back pain",
              "celiac disease", "hay fever", "high blood pressure"]
EVENTS = ["wedding", "half marathon", "conference talk", "surgery", "job interview",
          "citizenship test", "driving test", "piano recital", "housewarming party",
          "product launch"]
DIETS = ["vegetarian", "vegan", "pescatarian", "halal", "kosher", "gluten-free",
         "low-carb", "dairy-free"]

# (memory template, paraphrased question templates)
TEMPLATES: list[tuple[str, list[str]]] = [
    ("{name} moved to {city} in {month} {year}.",
     ["Where does {name} live now?", "When did {name} relocate to {city}?",
      "Which city did {name} move to?"]),
    ("{name}'s {relation} {name2} is allergic to {allergen}.",
     ["What is {name2} allergic to?", "Does anyone in {name}'s family have allergies?",
      "Which allergy does {name}'s {relation} have?"]),
    ("The team {meeting} moved to {time} on {weekday}s.",
     ["When is the {meeting} now?", "What time do we meet for the {meeting}?",
      "Which day is the {meeting} on?"]),
    ("{name} started learning {hobby} in {year} and goes every {weekday}.",
     ["What hobby did {name} pick up?", "When does {name} do {hobby}?",
      "Is {name} into any hobbies?"]),
    ("{name} works as a {role} at {company} since {month} {year}.",
     ["Where does {name} work?", "What is {name}'s job?", "Who employs {name}?"]),
    ("{name} has a {pet} called {pet_name} who is {number} years old.",
     ["Does {name} have a pet?", "What is the name of {name}'s {pet}?",
      "How old is {pet_name}?"]),
    ("{name}'s birthday is on {month} {day}.",
     ["When is {name}'s birthday?", "What day was {name} born?",
      "Remind me of {name}'s birthday"]),
    ("{name} prefers {color} in every app.",
     ["Which theme does {name} like?", "What display settings does {name} prefer?"]),
    ("{name} is {diet} and does not eat {food}.",
     ["What are {name}'s dietary restrictions?", "Can I serve {food} to {name}?",
      "Is {name} vegetarian?"]),
    ("{name}'s favourite dish is {food} from a place near {city} station.",
     ["What food does {name} love?", "Where should I take {name} to eat?"]),
    ("{name} usually orders a {drink} in the morning.",
     ["How does {name} take their coffee?", "What does {name} drink in the morning?"]),
    ("{name} is learning {language} and practices {number} minutes a day.",
     ["Which language is {name} studying?", "How long does {name} practice {language}?"]),
    ("{name} plays {instrument} in a band that rehearses on {weekday} evenings.",
     ["What instrument does {name} play?", "When does {name}'s band rehearse?"]),
    ("{name} plays {sport} with {name2} every {weekday} at {time}.",
     ["Who does {name} play {sport} with?", "What sport does {name} play?",
      "When is {name}'s {sport} game?"]),
    ("The {team} team's on-call rotation switches every {weekday} at {time}.",
     ["When does on-call switch for {team}?", "How does the {team} rotation work?"]),
    ("{name} leads the {team} team and reports to {name2}.",
     ["Who is {name}'s manager?", "Who runs the {team} team?"]),
    ("The {team} team budget for {year} is {price} euros.",
     ["How much budget does {team} have?", "What is the {year} budget for {team}?"]),
    ("{name} uses {tool} for everything and hates {tool2}.",
     ["Which tool does {name} prefer?", "What software does {name} dislike?"]),
    ("{name} has {condition} and sees a doctor every {number} months.",
     ["Does {name} have any health issues?", "How often does {name} see a doctor?"]),
    ("{name}'s {event} is on {month} {day} in {city}.",
     ["When is {name}'s {event}?", "Where is the {event} happening?",
      "What is {name} preparing for?"]),
    ("{name} bought {car} for {price} euros in {year}.",
     ["What car does {name} drive?", "How much did {name} pay for the car?"]),
    ("{name} is reading {book} and wants to finish it by {month}.",
     ["What book is {name} reading?", "Any book recommendations from {name}?"]),
    ("{name} is watching {show} and is on episode {number}.",
     ["What series is {name} watching?", "How far is {name} in {show}?"]),
    ("{name}'s {relation} {name2} lives in {city} and visits every {month}.",
     ["Where does {name}'s {relation} live?", "When does {name2} visit?"]),
    ("{name} flies to {city} on {month} {day} for a {number}-day trip.",
     ["When is {name}'s trip to {city}?", "Where is {name} travelling?",
      "How long is {name} away?"]),
    ("{name} rents a flat in {city} for {price} euros a month.",
     ["How much rent does {name} pay?", "Where does {name} rent?"]),
    ("{name} runs {number} kilometres every {weekday} morning.",
     ["How far does {name} run?", "Does {name} exercise?"]),
    ("{name} wants reminders sent by email, never by SMS.",
     ["How should I contact {name}?", "What are {name}'s notification preferences?"]),
    ("{name} is in the {tz} time zone and works {time} to {time2}.",
     ["What time zone is {name} in?", "When is {name} online?"]),
    ("{name}'s {relation} {name2} turns {age} in {month}.",
     ["How old is {name2}?", "Whose birthday is coming up in {month}?"]),
    ("{name} volunteers at the {city} food bank every other {weekday}.",
     ["Does {name} volunteer?", "Where does {name} help out?"]),
    ("{name} got married to {name2} in {city} in {year}.",
     ["Who is {name} married to?", "When did {name} get married?"]),
    ("{name} graduated in {subject} from the University of {city} in {year}.",
     ["What did {name} study?", "Where did {name} go to university?"]),
    ("{name} needs the quarterly report for {company} by {weekday} {time}.",
     ["When is the {company} report due?", "What does {name} need from me?"]),
    ("{name} keeps the spare key to the {city} office in the {place}.",
     ["Where is the spare office key?", "Who has the key to the {city} office?"]),
    ("{name} is saving {price} euros for a trip to {city} next {month}.",
     ["What is {name} saving for?", "How much has {name} budgeted for {city}?"]),
    ("Project {project} ships on {month} {day} and {name} owns the rollout.",
     ["When does {project} launch?", "Who owns the {project} rollout?"]),
    ("{name} can't do meetings before {time} because of school drop-off.",
     ["When can I schedule a meeting with {name}?", "Why is {name} unavailable early?"]),
    ("{name} wears size {number} shoes and likes {color2} clothes.",
     ["What shoe size is {name}?", "What should I buy {name} as a gift?"]),
    ("{name}'s flat in {city} has {number} rooms and a small garden.",
     ["How big is {name}'s place?", "Does {name} have a garden?"]),
    ("{name} prefers window seats and always flies with {airline}.",
     ["Which airline does {name} use?", "What seat does {name} like?"]),
    ("The wifi password at the {city} office changed to {word}{number}.",
     ["What is the {city} office wifi password?", "Did the wifi password change?"]),
    ("{name} takes {medicine} every morning at {time}.",
     ["What medication is {name} on?", "When does {name} take medicine?"]),
    ("{name} lent {name2} {price} euros in {month} and expects it back by {year}.",
     ["Does {name2} owe {name} money?", "How much did {name} lend?"]),
    ("{name}'s kids go to the {word} school in {city}.",
     ["Which school do {name}'s kids attend?", "Where do {name}'s children study?"]),
]
TIMEZONES = ["CET", "GMT", "EST", "PST", "IST", "JST", "AEST", "BRT", "EET", "SGT"]
SUBJECTS = ["physics", "law", "medicine", "economics", "computer science", "history",
            "architecture", "biology", "philosophy", "mathematics", "linguistics"]
PLACES = ["top drawer", "blue box", "reception safe", "kitchen cabinet", "bike shed"]
PROJECTS = ["Atlas", "Beacon", "Cobalt", "Drift", "Ember", "Falcon", "Granite", "Harbor",
            "Iris", "Juniper", "Kestrel", "Lumen", "Meridian", "Nimbus", "Orbit"]
AIRLINES = ["TAP", "Lufthansa", "KLM", "Iberia", "easyJet", "Ryanair", "Emirates", "ANA"]
WORDS = ["maple", "harbor", "lantern", "sparrow", "copper", "meadow", "orchid", "granite",
         "river", "willow", "summit", "ember"]
MEDICINES = ["levothyroxine", "metformin", "vitamin D", "an antihistamine", "iron tablets",
             "omega-3", "a statin", "inhaler puffs"]
CLOTHES = ["green", "navy", "black", "earth-tone", "bright", "linen", "vintage"]


def _slots(rng: random.Random) -> dict[str, str]:
    name, name2 = rng.sample(NAMES, 2)
    tool, tool2 = rng.sample(TOOLS, 2)
    hour = rng.choice([7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19])
    return {
        "name": name, "name2": name2, "city": rng.choice(CITIES),
        "month": rng.choice(MONTHS), "year": str(rng.randint(2009, 2026)),
        "day": str(rng.randint(1, 28)), "weekday": rng.choice(WEEKDAYS),
        "time": f"{hour}:{rng.choice(['00', '15', '30', '45'])}",
        "time2": f"{min(hour + rng.randint(6, 9), 23)}:00",
        "number": str(rng.randint(2, 45)), "age": str(rng.randint(3, 90)),
        "price": str(rng.choice([rng.randint(2, 95) * 10, rng.randint(1, 60) * 500])),
        "hobby": rng.choice(HOBBIES), "food": rng.choice(FOODS),
        "allergen": rng.choice(ALLERGENS), "pet": rng.choice(PETS),
        "pet_name": rng.choice(PET_NAMES), "company": rng.choice(COMPANIES),
        "role": rng.choice(ROLES), "relation": rng.choice(RELATIONS),
        "team": rng.choice(TEAMS), "meeting": rng.choice(MEETINGS), "tool": tool,
        "tool2": tool2, "language": rng.choice(LANGUAGES),
        "instrument": rng.choice(INSTRUMENTS), "sport": rng.choice(SPORTS),
        "drink": rng.choice(DRINKS), "color": rng.choice(COLORS),
        "color2": rng.choice(CLOTHES), "car": rng.choice(CARS), "book": rng.choice(BOOKS),
        "show": rng.choice(STREAMING), "condition": rng.choice(CONDITIONS),
        "event": rng.choice(EVENTS), "diet": rng.choice(DIETS), "tz": rng.choice(TIMEZONES),
        "subject": rng.choice(SUBJECTS), "place": rng.choice(PLACES),
        "project": rng.choice(PROJECTS), "airline": rng.choice(AIRLINES),
        "word": rng.choice(WORDS), "medicine": rng.choice(MEDICINES),
    }


def _memory(seed: int, i: int, attempt: int) -> tuple[str, str]:
    rng = random.Random(f"mem:{seed}:{i}:{attempt}")
    template, questions = rng.choice(TEMPLATES)
    slots = _slots(rng)
    return template.format(**slots), rng.choice(questions).format(**slots)


# -- corpus -----------------------------------------------------------------------------------


@dataclass
class Corpus:
    """`count` memories: texts, one paraphrased question each, tenants, unit vectors."""

    seed: int
    texts: list[str]
    questions: list[str]
    tenant_of: np.ndarray  # int32 tenant number per item
    vectors: np.ndarray  # float32 (count, dims), L2-normalised
    embed_seconds: float | None = None  # time spent embedding this run; None: from cache

    @property
    def count(self) -> int:
        return len(self.texts)

    @staticmethod
    def key(i: int) -> str:
        return f"m{i:07d}"

    @staticmethod
    def index_of(key: str) -> int:
        return int(key[1:])

    @staticmethod
    def tenant_name(t: int) -> str:
        return f"user-{t:05d}"

    def namespace(self, i: int) -> tuple[str, str]:
        return (NAMESPACE_ROOT, self.tenant_name(int(self.tenant_of[i])))

    def tenant_sizes(self, size: int) -> np.ndarray:
        """Items per tenant among the first `size` items (index = tenant number)."""
        return np.bincount(self.tenant_of[:size])

    def tenant_items(self, size: int) -> dict[int, np.ndarray]:
        """Item indices per tenant among the first `size` items."""
        tenants = self.tenant_of[:size]
        order = np.argsort(tenants, kind="stable")
        bounds = np.flatnonzero(np.diff(tenants[order])) + 1
        groups = np.split(order, bounds)
        return {int(tenants[g[0]]): g for g in groups if len(g)}

    def load_order(self, size: int) -> np.ndarray:
        """A seeded shuffle of the first `size` items: the physical order rows are written."""
        return np.random.default_rng([self.seed, size]).permutation(size)


def generate_texts(seed: int, count: int) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    questions: list[str] = []
    seen: set[str] = set()
    for i in range(count):
        attempt = 0
        text, question = _memory(seed, i, attempt)
        while text in seen:
            attempt += 1
            text, question = _memory(seed, i, attempt)
        seen.add(text)
        texts.append(text)
        questions.append(question)
    return texts, questions


def generate_tenants(seed: int, count: int) -> np.ndarray:
    rng = random.Random(f"tenants:{seed}")
    tenant_of = np.empty(count, dtype=np.int32)
    start, tenant = 0, 0
    while start < count:
        u = 1.0 - rng.random()  # (0, 1]
        size = min(TENANT_CAP, max(TENANT_MIN, round(TENANT_MIN * u ** (-1 / TENANT_ALPHA))))
        tenant_of[start : start + size] = tenant
        start += size
        tenant += 1
    return tenant_of


# -- embedding cache ------------------------------------------------------------------------

EmbedFn = Callable[[Sequence[str]], np.ndarray]


def _digest(texts: Sequence[str], model: str) -> str:
    h = hashlib.sha256(model.encode())
    for t in texts:
        h.update(t.encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def _normalise(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def _cached_prefix(seed: int, texts: list[str], model: str) -> np.ndarray | None:
    """Cached vectors for this seed whose texts start with exactly `texts`, sliced to fit."""
    candidates = []
    for meta_path in CACHE_DIR.glob(f"memories-v{GENERATOR_VERSION}-seed{seed}-n*.json"):
        meta = json.loads(meta_path.read_text())
        if meta.get("model") == model and meta["count"] >= len(texts):
            candidates.append((meta["count"], meta_path))
    for _, meta_path in sorted(candidates):
        cached_texts = meta_path.with_suffix(".txt").read_text().split("\n")
        if cached_texts[: len(texts)] != texts:
            continue  # the templates changed without a GENERATOR_VERSION bump
        vectors = np.load(meta_path.with_suffix(".npy"), mmap_mode="r")
        return np.array(vectors[: len(texts)], dtype=np.float32)
    return None


def cached_embed_seconds(seed: int, count: int) -> float | None:
    """How long the run that filled the cache took to embed (per `count` texts)."""
    for meta_path in CACHE_DIR.glob(f"memories-v{GENERATOR_VERSION}-seed{seed}-n*.json"):
        meta = json.loads(meta_path.read_text())
        if meta["count"] >= count and meta.get("seconds"):
            return meta["seconds"] * count / meta["count"]
    return None


def embed_corpus_vectors(seed: int, texts: list[str], embed: EmbedFn, model: str,
                         log: Callable[[str], None]) -> tuple[np.ndarray, float | None]:
    """Vectors for the memories, from `bench/.cache/` when a run embedded them already.

    Returns the vectors and the seconds spent embedding (None when they came from cache).
    """
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    count = len(texts)
    cached = _cached_prefix(seed, texts, model)
    if cached is not None:
        log(f"memory vectors: {count:,} from cache")
        return cached, None
    log(f"memory vectors: embedding {count:,} texts with the local model "
        "(once; cached in bench/.cache/) ...")
    started = time.perf_counter()
    chunks = []
    step = 10_000
    for start in range(0, count, step):
        chunks.append(_normalise(embed(texts[start : start + step])))
        done = min(start + step, count)
        rate = done / (time.perf_counter() - started)
        log(f"  {done:,}/{count:,} embedded ({rate:.0f} texts/s)")
    seconds = time.perf_counter() - started
    vectors = np.concatenate(chunks) if chunks else np.zeros((0, 384), np.float32)
    base = CACHE_DIR / f"memories-v{GENERATOR_VERSION}-seed{seed}-n{count}"
    np.save(base.with_suffix(".npy"), vectors)
    base.with_suffix(".txt").write_text("\n".join(texts))
    base.with_suffix(".json").write_text(json.dumps({
        "seed": seed, "count": count, "model": model, "digest": _digest(texts, model),
        "generator_version": GENERATOR_VERSION, "seconds": round(seconds, 1),
    }))
    return vectors, seconds


def embed_texts_cached(texts: Sequence[str], embed: EmbedFn, model: str,
                       tag: str) -> np.ndarray:
    """Vectors for an arbitrary list of texts (queries), cached by a digest of the texts."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"{tag}-{_digest(texts, model)}-n{len(texts)}.npy"
    if path.exists():
        return np.load(path)
    vectors = _normalise(embed(list(texts))) if texts else np.zeros((0, 384), np.float32)
    np.save(path, vectors)
    return vectors


def build_corpus(seed: int, count: int, embed: EmbedFn, model: str,
                 log: Callable[[str], None] = print) -> Corpus:
    started = time.perf_counter()
    texts, questions = generate_texts(seed, count)
    tenant_of = generate_tenants(seed, count)
    log(f"generated {count:,} memories in {time.perf_counter() - started:.1f}s "
        f"({len(set(tenant_of.tolist())):,} tenants)")
    vectors, seconds = embed_corpus_vectors(seed, texts, embed, model, log)
    return Corpus(seed, texts, questions, tenant_of, vectors, seconds)
