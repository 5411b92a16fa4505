"""Conversations for the extraction-cost scenario, with what a careful model would do.

Each user already has memories (some of which the conversation makes stale), then talks for
a few turns. `inserts`, `updates` (old text -> new text) and `deletes` (old text) are the
operations a model that sees the stale memories would propose; bench/llm_script.py answers
every LLM request with them, in whichever tool format the caller offers. The same answers go
to our service and to LangMem, so the counts differ only by how each one asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FILLER = [
    "{name} prefers window seats on flights.",
    "{name} usually drinks two coffees before noon.",
    "{name} reads science fiction before bed.",
    "{name} keeps a vegetable garden on the balcony.",
    "{name} supports Benfica.",
    "{name} listens to jazz while working.",
    "{name}'s birthday is on 14 March.",
    "{name} uses a standing desk.",
]


@dataclass(frozen=True)
class Conversation:
    user: str
    name: str
    memories: list[str]  # stored before the conversation
    turns: list[str]  # user, assistant, user, ...
    inserts: list[str] = field(default_factory=list)
    updates: list[tuple[str, str]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    filler: int = 0  # unrelated memories stored as well (a user with a history)

    def stored(self) -> list[str]:
        return self.memories + [f.format(name=self.name) for f in FILLER[: self.filler]]

    def messages(self) -> list[dict[str, str]]:
        roles = ("user", "assistant")
        return [{"role": roles[i % 2], "content": t} for i, t in enumerate(self.turns)]


CONVERSATIONS = [
    Conversation(
        "user-alice", "Alice",
        ["Alice lives in Porto.", "Alice works as a nurse at Santo Antonio hospital.",
         "Alice has a cat named Miso.", "Alice's sister Ines lives in Madrid."],
        ["Big news, I finally moved to Lisbon last month!",
         "Congratulations! How are you settling in?",
         "Pretty well. I also switched careers: I'm a product manager at Tidal Labs now.",
         "That's a big change. How do you like it so far?",
         "I love it, though I miss the people from the hospital. Miso loves the new flat.",
         "Cats adapt quickly. Anything you want me to keep in mind?",
         "Just that my commute is by bike now, so no more early bus reminders."],
        inserts=["Alice commutes to work by bike."],
        updates=[("Alice lives in Porto.", "Alice moved to Lisbon last month."),
                 ("Alice works as a nurse at Santo Antonio hospital.",
                  "Alice is a product manager at Tidal Labs; she used to be a nurse.")],
        filler=6),
    Conversation(
        "user-bruno", "Bruno",
        ["Bruno is training for the Berlin marathon in September.",
         "Bruno drinks oat milk lattes.", "Bruno's manager is Carla."],
        ["I hurt my knee badly on a long run last week.",
         "I'm sorry to hear that. What did the doctor say?",
         "Torn meniscus. No running for months, so I pulled out of the Berlin marathon.",
         "That must be disappointing. Are you doing any rehab?",
         "Swimming three times a week, the physio says it helps the knee."],
        inserts=["Bruno tore his meniscus and cannot run for months.",
                 "Bruno swims three times a week as knee rehab."],
        deletes=["Bruno is training for the Berlin marathon in September."],
        filler=4),
    Conversation(
        "user-chen", "Chen",
        [],
        ["Hi! I'm Chen, I just started using this assistant.",
         "Welcome, Chen! What can I help you with?",
         "Mostly cooking ideas. I'm vegetarian and I can't stand coriander.",
         "Noted. Any cuisines you like?",
         "Sichuan and Lebanese food are my favourites. I cook for two, me and my husband Leo."],
        inserts=["Chen is vegetarian.", "Chen dislikes coriander.",
                 "Chen's favourite cuisines are Sichuan and Lebanese.",
                 "Chen cooks for two: Chen and husband Leo."]),
    Conversation(
        "user-dana", "Dana",
        ["Dana's partner is Sam.", "Dana works remotely for a design agency.",
         "Dana is learning Japanese."],
        ["Sam and I booked our trip to Japan for October!",
         "Exciting! Where are you going?",
         "Tokyo for four days, then Kyoto. I need restaurant ideas without shellfish, "
         "I'm allergic.",
         "I'll keep that in mind. Anything else?",
         "We want to see the autumn leaves in Kyoto, that's the main reason for October.",
         "Good choice, late October is lovely there.",
         "Also my Japanese lessons are paying off, I passed the JLPT N4."],
        inserts=["Dana and Sam are travelling to Japan in October: Tokyo, then Kyoto.",
                 "Dana is allergic to shellfish."],
        updates=[("Dana is learning Japanese.",
                  "Dana is learning Japanese and passed the JLPT N4.")],
        filler=8),
    Conversation(
        "user-emre", "Emre",
        ["Emre's daughter Ayla is 6 years old.", "Emre is learning Spanish on Duolingo.",
         "Emre lives in Izmir."],
        ["Ayla turned 7 yesterday, we had a party at the park.",
         "Happy birthday to Ayla! How was it?",
         "Chaotic but fun. By the way I gave up on Spanish.",
         "Oh? What happened?",
         "I switched to German lessons, my company might send me to Munich next year."],
        inserts=["Emre's company might send him to Munich next year."],
        updates=[("Emre's daughter Ayla is 6 years old.", "Emre's daughter Ayla is 7 years old."),
                 ("Emre is learning Spanish on Duolingo.",
                  "Emre is taking German lessons; he gave up Spanish.")],
        filler=3),
    Conversation(
        "user-farah", "Farah",
        ["Farah is a high school chemistry teacher."],
        ["What's the capital of Australia again?",
         "Canberra.",
         "Right, thanks. And how many legs does a spider have?",
         "Eight."],
        filler=2),
]
