"""What the speakers of a conversation tell each other: facts (said once, some revised or
continued later), the questions they answer, and topical small talk that mentions the
same things without answering anything (the distractors that make the set hard).

A wording's fields: {S} the speaker's name (questions only; turns are in the first person),
and the topic's slots. A question names its evidence: "fact", "later" (the revision or
continuation, said sessions after) or "both".
"""

from dataclasses import dataclass

PETS = [("kitten", "Biscuit"), ("puppy", "Pepper"), ("rabbit", "Clover"), ("parrot", "Mango"),
        ("tortoise", "Sheldon"), ("greyhound", "Comet"), ("hamster", "Nugget"),
        ("beagle", "Waffles"), ("cockatiel", "Kiwi"), ("ferret", "Bandit")]
JOBS = [("nurse", "St Anne's hospital"), ("data analyst", "Brightwave"),
        ("carpenter", "Oakline Joinery"), ("pharmacist", "Greenleaf Pharmacy"),
        ("teacher", "Hillcrest Primary"), ("translator", "Lingua Bridge"),
        ("architect", "Foster & Vale"), ("baker", "Crumb Street Bakery"),
        ("paramedic", "the county ambulance service"), ("accountant", "Harlow Partners"),
        ("UX designer", "Pixelhaus"), ("electrician", "Voltworks")]
HOBBIES = ["pottery", "salsa", "bouldering", "watercolour", "fencing", "ukulele", "archery",
           "sourdough baking", "kayaking", "calligraphy", "improv theatre", "beekeeping"]
PLACES = ["Lisbon", "Kyoto", "Reykjavik", "Marrakesh", "Cusco", "Tbilisi", "Hanoi",
          "Valparaiso", "Ljubljana", "Zanzibar", "Tromso", "Oaxaca"]
SIGHTS = ["the northern lights", "the old tram lines", "the cherry blossoms", "the spice souks",
          "the Inca trail", "the sulphur baths", "Ha Long Bay", "the painted hills",
          "the castle hill", "the coral reefs", "the whale watching tours", "the pyramids"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
RELATIVES = [("sister", "her"), ("brother", "his"), ("cousin", "her"), ("nephew", "his")]
GIVEN = ["Ines", "Theo", "Marisol", "Caspar", "Noor", "Felix", "Anouk", "Dario", "Yara",
         "Bastian", "Lorelei", "Ezra", "Signe", "Matteo", "Odile", "Ruben"]
CITIES = ["Glasgow", "Porto", "Leipzig", "Gdansk", "Bologna", "Cork", "Lyon", "Aarhus",
          "Bilbao", "Tartu", "Ghent", "Brno"]
FOODS = [("dairy", "lactose intolerance"), ("salt", "blood pressure"),
         ("coffee", "heart palpitations"), ("sugar", "prediabetes"),
         ("gluten", "coeliac disease"), ("red meat", "cholesterol")]
BOOKS = [("The Glass Orchard", "Mira Calder"), ("North of Silence", "Tomas Ekberg"),
         ("A Map of Small Fires", "June Okafor"), ("The Salt Archivist", "Pell Harrow"),
         ("Borrowed Winters", "Anika Roy"), ("The Lantern Clerk", "Idris Vane"),
         ("Paper Tides", "Colm Fennelly"), ("The Ninth Orchard", "Sade Lomax")]
CARS = ["Skoda Octavia", "Mazda MX-5", "Volvo V70", "Fiat Panda", "Toyota Prius",
        "Renault Zoe", "Subaru Outback", "Mini Cooper"]
AREAS = ["Riverside", "the Old Town", "Maple Heights", "Harbour Quarter", "Westgate",
         "Elm Park", "Canal Side", "Kingsmoor"]
VENUES = [("climbing gym", "climbing"), ("book club", "a book discussion"),
          ("community garden", "gardening"), ("choir rehearsal", "singing"),
          ("chess cafe", "a chess game"), ("running club", "a long run")]
INSTRUMENTS = ["cello", "saxophone", "drums", "harp", "accordion", "trumpet"]
RACES = ["half marathon", "10k", "triathlon", "trail ultra", "charity swim"]


@dataclass(frozen=True)
class Topic:
    name: str
    fact: tuple[str, ...]
    later: tuple[str, ...]  # a revision or continuation, some sessions after; () for none
    questions: tuple[tuple[str, str, str], ...]  # (type, wording, evidence)
    chatter: tuple[str, ...]  # topical small talk: answers nothing


def _t(name, fact, later, questions, chatter) -> Topic:
    return Topic(name, tuple(fact), tuple(later), tuple(questions), tuple(chatter))


TOPICS = [
    _t("pet",
       ["We finally adopted a {pet}! We named it {pet_name}, it has taken over the sofa.",
        "Guess what, there's a {pet} living with us now, {pet_name}, a rescue."],
       ["{pet_name} had to go to the vet this week, swallowed a sock, but is fine now."],
       [("single-hop", "What is the name of {S}'s {pet}?", "fact"),
        ("paraphrase", "Does {S} have any animals at home?", "fact"),
        ("temporal", "When did {S} adopt {pet_name}?", "fact"),
        ("multi-hop", "What happened to the animal {S} adopted, and what is it called?",
         "both")],
       ["Animals are so much work, I don't know how people manage with pets.",
        "My neighbour's dog barked all night again.",
        "Did you see that video of the cat on the piano? Ridiculous.",
        "I keep thinking about getting a pet but I travel too much."]),
    _t("job",
       ["I started the new job this week, {job} at {company}. Long hours but I like it."],
       ["Big change: I left {company}, I'm at {company2} now, as a {job2}."],
       [("single-hop", "Where does {S} work now?", "later"),
        ("paraphrase", "Who is {S}'s current employer?", "later"),
        ("multi-hop", "Which employers has {S} had, in order?", "both"),
        ("temporal", "When did {S} change jobs?", "later")],
       ["Work has been exhausting this week, so many meetings.",
        "My manager keeps moving deadlines, it's driving me mad.",
        "Do you ever think about switching careers?",
        "The office coffee machine broke again, total chaos."]),
    _t("hobby",
       ["I signed up for {hobby} lessons, every {weekday} evening at a little studio."],
       [],
       [("single-hop", "What lessons is {S} taking?", "fact"),
        ("paraphrase", "How does {S} spend {weekday} nights?", "fact"),
        ("temporal", "When did {S} start the {hobby} classes?", "fact")],
       ["I need a new hobby, evenings feel empty lately.",
        "My colleague is obsessed with some class she takes, she never stops talking about it.",
        "Weekends go by so fast, I never get anything done."]),
    _t("trip",
       ["We booked flights to {place} for {month}, mainly to see {sight}."],
       ["{place} was unforgettable, {sight} was even better than the photos."],
       [("single-hop", "Where is {S} travelling in {month}?", "fact"),
        ("paraphrase", "Which destination did {S} pick for the holiday abroad?", "fact"),
        ("multi-hop", "Did {S} enjoy the trip to see {sight}, and where was it?", "both"),
        ("temporal", "What did {S} plan for {month}?", "fact")],
       ["I really need a holiday, somewhere warm.",
        "Airport queues are the worst part of travelling.",
        "Have you ever been anywhere you wanted to move to right away?",
        "Flights are so expensive this year."]),
    _t("relative",
       ["My {relative} {given} just got engaged, we're all thrilled."],
       ["{given} is moving to {city} for a new position, {pron} leaves next month."],
       [("multi-hop", "Where is {S}'s {relative} who got engaged moving to?", "both"),
        ("single-hop", "Who in {S}'s family got engaged?", "fact"),
        ("paraphrase", "Which relative of {S} is planning a wedding?", "fact"),
        ("temporal", "When did {S} hear that {given} was relocating?", "later")],
       ["Family group chats are exhausting, so many notifications.",
        "Weddings are so expensive these days.",
        "I should call my parents more often."]),
    _t("health",
       ["The doctor told me to cut out {food}, apparently it's the {condition}."],
       [],
       [("single-hop", "What did the doctor tell {S} to avoid?", "fact"),
        ("paraphrase", "Is there anything {S} can't eat any more for medical reasons?", "fact"),
        ("temporal", "When did {S} learn about the {condition}?", "fact")],
       ["I slept terribly last night.",
        "I should really eat better, too many takeaways lately.",
        "Everyone at work has a cold at the moment."]),
    _t("book",
       ["I'm halfway through {book} by {author}, couldn't put it down last night."],
       ["Finished {book}. The ending annoyed me, honestly."],
       [("single-hop", "What book is {S} reading?", "fact"),
        ("paraphrase", "Which novel has {S} been absorbed in?", "fact"),
        ("multi-hop", "What did {S} think of the {author} novel after finishing it?", "both")],
       ["I haven't read a proper book in ages, just my phone.",
        "Any recommendations? I want something gripping.",
        "The library near me closed, such a shame."]),
    _t("car",
       ["I bought a second-hand {car}, picked it up on {weekday}."],
       ["I sold the {car}, it kept breaking down. Cycling everywhere now."],
       [("single-hop", "What does {S} use to get around these days?", "later"),
        ("paraphrase", "Does {S} still own a vehicle?", "later"),
        ("multi-hop", "What car did {S} buy, and what happened to it?", "both")],
       ["Traffic this morning was unbelievable.",
        "Parking in the centre costs a fortune now.",
        "The bus was forty minutes late, again."]),
    _t("home",
       ["We signed the lease on a flat in {area}. Small, but the light is lovely."],
       ["We're moving again, to {area2}, closer to the school."],
       [("single-hop", "Where does {S} live now?", "later"),
        ("paraphrase", "Which neighbourhood is {S}'s current address in?", "later"),
        ("multi-hop", "Which neighbourhoods has {S} lived in, in order?", "both"),
        ("temporal", "When did {S} move to {area2}?", "later")],
       ["Rent keeps going up everywhere.",
        "Our landlord still hasn't fixed the boiler.",
        "I hate packing boxes, I've done it too many times."]),
    _t("friend",
       ["I met someone lovely at the {venue}, {friend}, we ended up chatting for hours."],
       ["{friend} turns out to be a {friend_job}, we're meeting again next week."],
       [("multi-hop", "What does the person {S} met at the {venue} do for a living?", "both"),
        ("single-hop", "Who did {S} meet at the {venue}?", "fact"),
        ("paraphrase", "Has {S} made any new friends recently?", "fact")],
       ["It's hard to make friends as an adult.",
        "I had a long chat with a stranger on the train, nice guy.",
        "I should get out more, I barely see anyone."]),
    _t("music",
       ["I've started learning the {instrument}, the neighbours must hate me."],
       ["Played the {instrument} in front of people for the first time, hands shaking."],
       [("single-hop", "What instrument is {S} learning?", "fact"),
        ("paraphrase", "Is {S} musical?", "fact"),
        ("multi-hop", "Has {S} performed yet with the instrument they are learning?", "both")],
       ["There's a concert in the park this weekend.",
        "I listened to the same album all week.",
        "My upstairs neighbour practises something loud at midnight."]),
    _t("race",
       ["I signed up for the {city} {race}, training starts now."],
       ["Finished the {race} in {minutes} minutes, legs are destroyed."],
       [("single-hop", "Which race did {S} enter?", "fact"),
        ("paraphrase", "Is {S} preparing for any athletic challenge?", "fact"),
        ("multi-hop", "How long did {S} take in the {city} event?", "both"),
        ("temporal", "When did {S} complete the {race}?", "later")],
       ["I went for a run and gave up after ten minutes.",
        "My knees are not what they used to be.",
        "The gym was packed today."]),
]

SMALL_TALK = [
    "Morning! How was your weekend?", "Ha, that's hilarious.", "Oh no, sorry to hear that.",
    "Same here, honestly.", "Anyway, how are you doing?", "Not much news on my side.",
    "It rained all day, I stayed in.", "Did you watch the match yesterday?",
    "I'm so tired today.", "That sounds lovely.", "Let's catch up properly soon.",
    "I made soup, it was mediocre.", "Can't believe it's already the end of the month.",
    "Talk later, got to run.", "How's everyone at home?", "Fair enough.",
    "I'm trying to drink less coffee.", "That's a good point actually.",
    "What are you up to tonight?", "I binged a whole series this weekend.",
    "Oh, I forgot to tell you something but it's gone now.", "The weather is finally nice.",
    "I'm thinking of repainting the kitchen.", "Busy week, nothing exciting.",
]
