"""A labelled retrieval set: conversation-like memories and the questions they answer.

Everything is generated from a seed, so a rerun asks the same questions of the same
memories. Each user (`eval.user-NN`) has a cast of people and a handful of recurring topics
(trips, flights, meetings, appointments, money, kids, moves, ...), as a life has: the same
people come up again and again about the same things, told apart by names, dates, places,
numbers and rare words. Half the memories carry a sentence or two of conversational context
("They sounded stressed about it.", "Follow up on Friday."), as extracted memories do.

Users are of heavy-tailed size, like the bench's namespaces: six of 100 memories, three of
300, two of 1,000, one of 3,000 and one of 10,000 (16,500 memories). Each user gets 40
questions (520), a third of each kind:
- `paraphrase`: asks for the fact in other words ("What did Hana misplace?" for "Hana lost
  their passport at Marseille airport on October 10.");
- `keyword`: a search-box query of the memory's own words ("flight KL1402", "Zanele course");
- `natural`: how an agent asks, names and details included ("What did Felix say about the
  Busan trip?").
A question takes, at random, one of its kind's wordings (generic to specific) that points at
its memory alone among the user's memories of that topic, and is labelled with that key;
if none does, the most specific wording, labelled with every memory it describes.

`corpus(size)` adds unlabelled filler users (heavy-tailed namespace sizes, 5 to 10,000
memories) around the labelled ones, for latency at 10k and 100k memories.
"""

import random
import string
import zlib
from dataclasses import dataclass, field

from app.memories.values import memory_value

SEED = 8
USER_SIZES = (100,) * 6 + (300,) * 3 + (1_000,) * 2 + (3_000, 10_000)
QUESTIONS_PER_USER = 40
KINDS = ("paraphrase", "keyword", "natural")


def _words(text: str, sep: str | None = None) -> list[str]:
    return [w.strip() for w in text.split(sep)] if sep else text.split()


NAMES = _words("""Priya Tomasz Aiko Mateo Oluwaseun Ingrid Rafael Mei Dmitri Amara Lars Sofia Kwame
Elif Hiroshi Nadia Bruno Chiara Santiago Yusuf Freya Arjun Leila Mikko Zanele Pablo Hana
Emeka Astrid Ravi Carmen Jonas Ayesha Tobias Lucia Kenji Fatima Niels Imani Diego Saoirse
Omar Greta Thabo Valentina Anders Noor Felix Ximena Rohan Maren Tariq Beatriz Sven Adaeze
Marco Yara Henrik Catalina Ibrahim Wanjiru Luca Ines Haruto Olga Samir Rosa Erik Mariam Joao
Kavya Stellan Fiona Kofi Paulina Andrei Zara Emil Lucinda Tiago Sakura Malik Elena Bjorn
Ngozi Matteo Anika Gustavo Leilani Viktor Sana Benedikt Maya Dario Ayumi Ole""")
SURNAMES = _words("""Okafor Lindqvist Moreau Haddad Kowalski Tanaka Ferreira Novak Brennan Castillo
Eriksen Mensah Rossi Kaplan Nakamura Delgado Whitfield Oyelaran Szabo Achterberg""")
CITIES = _words("""Lisbon Porto Oslo Nairobi Kyoto Valparaiso Tbilisi Reykjavik Lagos Krakow
Montreal Marseille Hanoi Cusco Tallinn Zanzibar Edinburgh Seville Bergen Osaka Cartagena Ljubljana
Accra Tromso Salzburg Bruges Havana Antwerp Granada Gdansk Busan Leipzig Bologna Cork Perth
Adelaide Halifax Quito Dakar Malmo Tampere Innsbruck Split Izmir Goa Jaipur Penang
Wellington Rotterdam Utrecht""")
MONTHS = _words("""January February March April May June July August September October November
December""")
WEEKDAYS = _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
PET_KINDS = _words("beagle tabby cat parrot corgi tortoise ferret greyhound rabbit husky")
PET_NAMES = _words("""Biscuit Mochi Pickles Juniper Waffles Nutmeg Ziggy Pumpernickel Tofu
Clementine Bramble Pesto Marmalade Gizmo Sprocket Dumpling""")
JOBS = _words("""dentist paramedic sommelier actuary cartographer welder pharmacist architect
midwife translator luthier geologist""")
COMPANIES = _words("""Veltrix Norvana Quillfield Brightmoor Calderon Zephyrine Osterhaus Lumenfold
Tessaract Harrowgate Kestrelink Mirabound""")
ITEMS = _words("laptop boiler dishwasher bicycle roof fridge scooter piano")
MEDICATIONS = _words("""levothyroxine metformin sertraline lisinopril amoxicillin montelukast
atorvastatin omeprazole""")
CONDITIONS = _words("""thyroid diabetes anxiety blood-pressure asthma cholesterol reflux""")
LANDMARKS = ["the aurora", "the cherry blossoms", "the old lighthouse", "the salt flats",
             "the cathedral", "the glacier", "the night market", "the vineyards",
             "the sand dunes", "the fjords"]
BOOKS = [("The Glass Orchard", "Mara Velasquez"), ("Salt and Lanterns", "Idris Holloway"),
         ("A Map of Quiet Rivers", "Noemi Castellan"),
         ("The Clockmaker's Winter", "Ansel Brightwater"),
         ("Ashes of Calloway", "Petra Lind"), ("Nine Bridges to Ferrow", "Teodor Mak"),
         ("The Last Cartographer", "Wren Abernathy"), ("Under the Copper Moon", "Sade Ilori")]
COLORS = _words("teal crimson mustard navy olive charcoal coral ivory")
CAR_MODELS = _words("Volvo XC40|Toyota Corolla|Skoda Octavia|Tesla Model 3|Fiat Panda|"
                    "Mazda MX-5|Kia Niro", "|")
LANGUAGES = _words("""Portuguese Japanese Swahili Icelandic Turkish Korean Dutch Greek Polish
Vietnamese""")
APPS = _words("Duolingo Babbel Memrise Busuu")
EVENTS = _words("Coldplay|opera|Champions League final|Glastonbury|ballet|jazz festival", "|")
SCHOOLS = _words("""Riverside Primary|St. Brigid's|Maplewood Academy|Hollis Montessori|
Greenhaven School|Larkspur Elementary""", "|")
STREETS = _words("Alder Juniper Canal Harbour Orchard Foundry Willow Chapel")
PROJECTS = _words("Halcyon Bluebird Kraken Meridian Atlas Nimbus Obsidian Tamarind")
TECH = _words("Kafka|Rust|Terraform|Flutter|PostgreSQL|Kubernetes|Elixir|Svelte", "|")
BONES = _words("wrist collarbone ankle tibia elbow")
PRODUCTS = _words("""standing desk|espresso machine|air purifier|robot vacuum|e-reader|
rowing machine""", "|")
SHOPS = _words("Zalvo Brickhouse Nordlund Kettleby Marrow&Co Pellworth")
TOPICS = _words("inheritance|wedding seating plan|borrowed car|group holiday budget|dog", "|")
RESTAURANTS = _words("Casa Lume|Osteria Brava|Kinfolk Noodle Bar|The Gilded Sardine|Mesa Verde|"
                     "Tanuki", "|")
FOODS = _words("ramen|bacalhau|paella|pho|ceviche|bibimbap|moussaka|pierogi", "|")
LOST = _words("passport|wedding ring|hearing aid|camera|wallet|glasses", "|")
COURSES = _words("pottery|sign language|woodworking|first aid|bread baking|salsa|sailing", "|")
SPORTS = _words("water polo|rugby|fencing|badminton|lacrosse|judo", "|")
CLUBS = _words("Harbour Hawks|Eastside Otters|Northgate Foxes|Riverside Rovers", "|")
CHILDREN = _words("Mia Leo Noa Kai Ines Otto Lena Ravi Ada Theo Iris Milo")
WORK_TOPICS = ["budget", "hiring plan", "roadmap", "vendor contract", "security audit",
               "launch date", "pricing", "data migration"]
SPECIALISTS = ["dentist", "physio", "dermatologist", "optician", "cardiologist", "GP"]
ACTIVITIES = ["skiing", "climbing", "cycling", "playing football", "surfing"]
GOALS = ["house", "wedding", "sabbatical", "new car", "boat"]
RELATIONS = ["sister", "brother", "cousin", "aunt", "uncle", "godmother"]
TOOLS = ["drill", "tent", "camera", "ladder", "projector", "kayak"]
SERVICES = ["Netflix", "Spotify", "a gym membership", "cloud storage", "a meal kit",
            "a parking space"]


@dataclass(frozen=True)
class Template:
    """One kind of fact. Memories are phrased one of several ways; each question kind has
    wordings from generic to specific (see the module docstring for which one is asked)."""

    name: str
    memory: tuple[str, ...]
    paraphrase: tuple[str, ...]
    keyword: tuple[str, ...]
    natural: tuple[str, ...]


def T(name: str, memory, paraphrase, keyword, natural) -> Template:  # noqa: N802
    return Template(name, tuple(memory), tuple(paraphrase), tuple(keyword), tuple(natural))


TEMPLATES = [
    T("trip",
      ["{name} and {name2} are planning a trip to {city} in {month} to see {landmark}.",
       "{name} told me they're off to {city} with {name2} in {month}, mostly for {landmark}."],
      ["Where is {name} going on holiday?", "Where is {name} travelling in {month}?",
       "Who is going with {name} to {city} in {month}?"],
      ["{name} trip", "{name} {city} trip", "{name} {city} {month} trip"],
      ["What are {name}'s travel plans?", "What did {name} say about the {city} trip?",
       "What did {name} say about the {city} trip in {month}?"]),
    T("flight",
      ["{name}'s flight {flight} to {city} leaves at {time} on {month} {day}.",
       "Booked {name} on {flight} to {city}, departing {month} {day} at {time}."],
      ["When does {name} have to be at the airport?", "When does {name} fly out to {city}?",
       "When does {name}'s {month} flight to {city} depart?"],
      ["{name} flight", "{name} flight {city}", "flight {flight}"],
      ["What time is {name}'s flight?", "What time is {name}'s flight to {city}?",
       "What time does {name}'s {city} flight leave on {month} {day}?"]),
    T("meeting",
      ["{name} met with {company} on {month} {day} about the {project} {worktopic}.",
       "Call with {name} from {company} on {month} {day}: they want to revisit the {project} "
       "{worktopic}."],
      ["What did {name} want to discuss?", "What did {name} from {company} want to talk over?",
       "What was {name}'s {month} {day} call about?"],
      ["{name} meeting", "{name} {company} meeting", "{company} {project} {worktopic}"],
      ["What was the meeting with {name} about?", "What did {name} from {company} bring up?",
       "What did {name} say about {project} on {month} {day}?"]),
    T("medication",
      ["{name} started taking {medication} {dose} mg for their {condition} in {month}.",
       "{name}'s doctor put them on {dose} mg of {medication} in {month} ({condition})."],
      ["What medicine is {name} on?", "What was {name} prescribed for their {condition}?",
       "What did {name} start taking in {month}?"],
      ["{name} medication", "{name} {medication}", "{medication} {dose} mg {name}"],
      ["What medication does {name} take?", "How much {medication} does {name} take?",
       "Which dose of {medication} did {name} start in {month}?"]),
    T("pet",
      ["{name} adopted a {pet_kind} named {pet_name} in {year}.",
       "{name}'s {pet_kind}, {pet_name}, came home from the shelter in {year}."],
      ["Does {name} have any animals at home?", "What is {name}'s {pet_kind} called?",
       "Which animal did {name} bring home in {year}?"],
      ["{name} pet", "{name} {pet_kind}", "{pet_name} {pet_kind}"],
      ["What pets does {name} have?", "What is the name of {name}'s {pet_kind}?",
       "What is the name of the {pet_kind} {name} adopted in {year}?"]),
    T("newjob",
      ["{name} left {company} for a {job} role at {company2} in {month} {year}.",
       "{name} has been a {job} at {company2} since {month} {year} (before that, {company})."],
      ["Where does {name} work these days?", "Where did {name} go after {company}?",
       "Which company did {name} join in {month} {year}?"],
      ["{name} job", "{name} {company2}", "{name} {job} {company2} {year}"],
      ["What does {name} do for work?", "When did {name} join {company2}?",
       "What role did {name} take at {company2} in {year}?"]),
    T("repair",
      ["{name} paid {amount} euros to fix the {item} on {month} {day}.",
       "The {item} repair for {name} came to {amount} euros ({month} {day}, {shop})."],
      ["How much did {name} spend on repairs?", "How much did it cost {name} to fix the {item}?",
       "What did {name} pay for the {item} on {month} {day}?"],
      ["{name} repair", "{name} {item} repair", "{item} repair {amount} euros"],
      ["How much was {name}'s repair?", "How much was {name}'s {item} repair?",
       "How much was {name}'s {item} repair on {month} {day}?"]),
    T("appointment",
      ["{name} has a {specialist} appointment with Dr. {surname} on {month} {day} at {time}.",
       "Reminder: {name} sees Dr. {surname} ({specialist}) on {month} {day}, {time}."],
      ["When is {name}'s next check-up?", "When is {name} seeing the {specialist}?",
       "When is {name} seeing Dr. {surname} in {month}?"],
      ["{name} appointment", "{name} {specialist}", "Dr. {surname} {month} {day}"],
      ["When is {name}'s doctor appointment?", "When is {name}'s {specialist} appointment?",
       "What time is {name}'s appointment with Dr. {surname} on {month} {day}?"]),
    T("debt",
      ["{name} owes {name2} {amount} dollars for the {event} tickets.",
       "{name2} covered {name}'s {event} ticket: {amount} dollars to pay back."],
      ["Who is {name} in debt to?", "What does {name} owe {name2}?",
       "What does {name} owe {name2} for the {event}?"],
      ["{name} owes", "{name} owes {name2}", "{event} tickets {amount}"],
      ["Does {name} owe anyone money?", "How much does {name} owe {name2}?",
       "How much does {name} owe {name2} for the {event} tickets?"]),
    T("kids",
      ["{name}'s kid {child} has {sport} practice with the {club} on {weekday}s at {time}.",
       "{child} ({name}'s) plays {sport} for the {club}; training is {weekday} at {time}."],
      ["What activities are {name}'s kids into?", "When does {name}'s {child} train?",
       "When is {child}'s {sport} practice?"],
      ["{name} kid {sport}", "{child} {sport}", "{club} {sport} {weekday}"],
      ["What sport does {name}'s kid play?", "When is {name}'s {child}'s practice?",
       "What time is {child}'s {sport} practice on {weekday}s?"]),
    T("restaurant",
      ["{name} recommends {restaurant} in {city} for the {food}.",
       "{name}'s tip: {restaurant} in {city}, order the {food}."],
      ["Where should I eat, according to {name}?", "Where should I eat in {city}?",
       "Where does {name} get {food} in {city}?"],
      ["{name} restaurant", "{name} {city} restaurant", "{restaurant} {food}"],
      ["Which restaurant did {name} recommend?", "Which restaurant in {city} did {name} "
       "recommend?", "What should I order at {restaurant} in {city}?"]),
    T("lost",
      ["{name} lost their {lost} at {city} airport on {month} {day}.",
       "{name} left the {lost} at the {city} airport on {month} {day}; a claim is filed."],
      ["What did {name} misplace?", "What did {name} lose on the way to {city}?",
       "What did {name} lose on {month} {day}?"],
      ["{name} lost", "{name} lost {lost}", "{lost} {city} airport"],
      ["Did {name} lose something?", "Where did {name} lose their {lost}?",
       "Where did {name} lose their {lost} in {month}?"]),
    T("order",
      ["{name} ordered a {product} from {shop} for {amount}; it arrives on {weekday}.",
       "{shop} order for {name}: a {product}, {amount}, delivery on {weekday}."],
      ["When will {name}'s package come?", "What did {name} buy from {shop}?",
       "When is {name}'s {product} arriving?"],
      ["{name} order", "{name} {shop} order", "{shop} {product}"],
      ["What did {name} order?", "What did {name} order from {shop}?",
       "How much was {name}'s {product} from {shop}?"]),
    T("race",
      ["{name} is training for the {city} marathon in {month} and runs {num} km a week.",
       "{name} signed up for the {month} {year} {city} half marathon; {num} km a week now."],
      ["What race is {name} getting ready for?", "Which race is {name} running in {month}?",
       "How is {name}'s training for {city} going?"],
      ["{name} marathon", "{name} {city} marathon", "{city} marathon {month}"],
      ["Is {name} training for a race?", "When is {name}'s {city} race?",
       "How far does {name} run a week for the {city} race?"]),
    T("rent",
      ["{name} rents a flat on {street} Street in {city} for {amount} a month.",
       "{name}'s place: {street} Street, {city}; the rent is {amount} a month."],
      ["How much does {name} spend on housing?", "Where does {name} live in {city}?",
       "What is the rent on {name}'s {street} Street flat?"],
      ["{name} rent", "{name} flat {city}", "{street} Street {city}"],
      ["How much rent does {name} pay?", "Where is {name}'s flat in {city}?",
       "How much is {name}'s rent on {street} Street?"]),
    T("deadline",
      ["{name}'s project {project} is due on {month} {day} and is built with {tech}.",
       "{project} ({name}'s team) ships on {month} {day}; the stack is {tech}."],
      ["What deadline is {name} working toward?", "When does {name}'s {project} have to ship?",
       "When does {project} built on {tech} ship?"],
      ["{name} deadline", "{name} project {project}", "{project} {tech}"],
      ["When is {name}'s project due?", "When is {name}'s {project} due?",
       "When is the {tech} project {project} due?"]),
    T("injury",
      ["{name} broke their {bone} {activity} near {city} in {month} {year}.",
       "{name}'s {bone} fracture ({activity}, {city}, {year}) still aches in the cold."],
      ["Has {name} ever been badly hurt?", "How did {name} hurt their {bone}?",
       "What happened to {name} in {city} in {year}?"],
      ["{name} injury", "{name} broke {bone}", "{bone} {activity} {city}"],
      ["Has {name} broken any bones?", "How did {name} break their {bone}?",
       "When did {name} break their {bone} in {city}?"]),
    T("saving",
      ["{name} is saving {amount} a month for a {goal} in {city}.",
       "{name} puts {amount} aside every month: the {goal} fund ({city})."],
      ["What is {name} putting money aside for?", "How much is {name} saving for the {goal}?",
       "How much does {name} save for the {goal} in {city}?"],
      ["{name} savings", "{name} {goal} savings", "{goal} {city} {amount}"],
      ["Is {name} saving up for something?", "How much is {name} saving for the {goal}?",
       "How much does {name} save each month for the {goal} in {city}?"]),
    T("grandma",
      ["{name}'s grandmother {name2} turns {age} on {month} {day}.",
       "{name2}, {name}'s grandma, has her {age}th birthday on {month} {day}."],
      ["How old will {name}'s grandma be?", "When is {name2}'s birthday?",
       "Who turns {age} in {name}'s family?"],
      ["{name} grandmother birthday", "{name2} birthday", "{name2} turns {age}"],
      ["When is {name}'s grandmother's birthday?", "How old is {name2} turning?",
       "When does {name2} turn {age}?"]),
    T("fight",
      ["{name} had a fight with {name2} about the {topic} at the party in {month}.",
       "{name} and {name2} argued about the {topic} in {month}; still not speaking."],
      ["Is there any tension between {name} and someone?",
       "Is there any tension between {name} and {name2}?",
       "What happened between {name} and {name2} in {month}?"],
      ["{name} fight", "{name} {name2} fight", "{topic} fight {name2} {month}"],
      ["Who did {name} argue with?", "What did {name} and {name2} argue about?",
       "What did {name} and {name2} argue about in {month}?"]),
    T("school",
      ["{name}'s daughter {child} started at {school} in {month} {year}.",
       "{child}, {name}'s daughter, moved to {school} in {month} {year}."],
      ["Where do {name}'s kids go to school?", "Which school does {child} go to?",
       "Where did {name}'s {child} start in {year}?"],
      ["{name} daughter school", "{child} school", "{school} {child} {year}"],
      ["Which school does {name}'s daughter go to?", "When did {child} start at {school}?",
       "When did {name}'s daughter {child} start at {school}?"]),
    T("book",
      ["{name} is reading '{book}' by {author} for the {month} book club.",
       "Book club in {month}: {name} picked '{book}' by {author}."],
      ["What novel is {name} into at the moment?", "What is {name} reading for {month}?",
       "Who wrote the book {name} chose for {month}?"],
      ["{name} book club", "{name} book {month}", "{book} {author}"],
      ["Which book is {name} reading?", "Which book is {name} reading for book club in "
       "{month}?", "Who wrote '{book}'?"]),
    T("car",
      ["{name} bought a {color} {car} in {year}; the plate is {plate}.",
       "{name}'s {year} {car} ({color}) has the number plate {plate}."],
      ["What does {name} drive?", "What colour is {name}'s {car}?", "Whose car is {plate}?"],
      ["{name} car", "{name} {car}", "plate {plate}"],
      ["What car does {name} have?", "What is the plate of {name}'s {color} {car}?",
       "Who owns the car with plate {plate}?"]),
    T("language",
      ["{name} is learning {language} on {app} and practises {num} minutes a day.",
       "{name} keeps a {num}-minute daily {language} streak on {app}."],
      ["Which foreign language is {name} studying?", "How long does {name} practise "
       "{language}?", "Which app does {name} use for {language}?"],
      ["{name} language", "{name} {language}", "{app} {language} {name}"],
      ["What language is {name} learning?", "How long does {name} practise {language} every "
       "day?", "How many minutes a day does {name} do {language} on {app}?"]),
    T("salary",
      ["{name} got a raise to {salary} a year after the review in {month} {year}.",
       "After the {month} {year} review, {name}'s salary went up to {salary}."],
      ["How much does {name} earn?", "What did {name} get at the {month} review?",
       "What was {name}'s raise in {month} {year}?"],
      ["{name} salary", "{name} raise {month}", "{name} raise {salary}"],
      ["What is {name}'s salary?", "What is {name}'s salary after the {month} review?",
       "How much did {name} earn after the {month} {year} raise?"]),
    T("course",
      ["{name} signed up for a {course} course starting {weekday} {month} {day}.",
       "{name} starts {course} classes on {month} {day} ({weekday}s)."],
      ["What new skill is {name} picking up?", "When does {name}'s {course} class begin?",
       "What is {name} starting on {month} {day}?"],
      ["{name} course", "{name} {course}", "{course} course {month} {day}"],
      ["Is {name} taking a class?", "When does {name}'s {course} course start?",
       "Which course does {name} start on {month} {day}?"]),
    T("moved",
      ["{name} moved to {city} in {month} {year}.",
       "{name} relocated to {city} for work in {month} {year}."],
      ["Where does {name} live these days?", "Where did {name} move in {year}?",
       "Where did {name} move in {month} {year}?"],
      ["{name} moved", "{name} {city} move", "{name} moved {city} {year}"],
      ["Where did {name} move to?", "When did {name} move to {city}?",
       "When did {name} move to {city} for work?"]),
    T("dinner",
      ["{name} booked dinner at {restaurant} with {name2} for {weekday} at {time}.",
       "Dinner: {name} and {name2}, {restaurant}, {weekday} {time}."],
      ["Does {name} have plans for dinner?", "When is {name}'s dinner with {name2}?",
       "Where are {name} and {name2} eating on {weekday}?"],
      ["{name} dinner", "{name} {name2} dinner", "{restaurant} {weekday} {time}"],
      ["Where is {name} having dinner?", "Where is {name} having dinner with {name2}?",
       "What time is {name}'s dinner with {name2} at {restaurant}?"]),
    T("visit",
      ["{name}'s {relation} {name2} is visiting from {city} in {month}.",
       "{name2} ({name}'s {relation}) comes over from {city} in {month}."],
      ["Is anyone coming to see {name}?", "When does {name}'s {relation} come to visit?",
       "Who is visiting {name} from {city} in {month}?"],
      ["{name} visit", "{name} {relation} visiting", "{name2} {city} {month}"],
      ["Who is visiting {name}?", "When is {name}'s {relation} {name2} visiting?",
       "Where is {name}'s {relation} coming from in {month}?"]),
    T("lent",
      ["{name} lent their {tool} to {name2} in {month}.",
       "{name2} still has {name}'s {tool}, borrowed in {month}."],
      ["Has {name} lent anything out?", "What did {name} lend to {name2}?",
       "Who has {name}'s {tool}?"],
      ["{name} lent", "{name} {name2} lent", "{tool} {name2} {month}"],
      ["Who borrowed something from {name}?", "What did {name2} borrow from {name}?",
       "When did {name} lend the {tool} to {name2}?"]),
    T("bill",
      ["{name} pays {amount} a month for {service}, billed on day {day}.",
       "{service} costs {name} {amount} a month (billed on day {day})."],
      ["What subscriptions does {name} have?", "How much is {name}'s {service}?",
       "When is {name} billed for {service}?"],
      ["{name} subscription", "{name} {service}", "{service} {amount}"],
      ["What does {name} pay for every month?", "How much does {name} pay for {service}?",
       "On which day is {name}'s {service} billed?"]),
]


def _book(rng: random.Random) -> dict[str, str]:
    title, author = rng.choice(BOOKS)
    return {"book": title, "author": author}


SLOT_FILLERS = {
    "city": lambda r: r.choice(CITIES),
    "month": lambda r: r.choice(MONTHS),
    "year": lambda r: str(r.randint(2009, 2025)),
    "day": lambda r: str(r.randint(1, 28)),
    "weekday": lambda r: r.choice(WEEKDAYS),
    "time": lambda r: f"{r.randint(6, 21)}:{r.choice(['00', '15', '30', '45'])}",
    "flight": lambda r: r.choice(["KL", "LH", "IB", "AY", "TP", "QF"]) + str(r.randint(100, 2999)),
    "pet_kind": lambda r: r.choice(PET_KINDS),
    "pet_name": lambda r: r.choice(PET_NAMES),
    "job": lambda r: r.choice(JOBS),
    "company": lambda r: r.choice(COMPANIES),
    "company2": lambda r: r.choice(COMPANIES),
    "amount": lambda r: str(r.choice([35, 60, 85, 120, 240, 310, 475, 640, 890, 1200, 1450,
                                      2300])),
    "item": lambda r: r.choice(ITEMS),
    "num": lambda r: str(r.randint(3, 60)),
    "medication": lambda r: r.choice(MEDICATIONS),
    "dose": lambda r: str(r.choice([5, 10, 20, 25, 40, 50, 75, 100, 250, 500])),
    "condition": lambda r: r.choice(CONDITIONS),
    "landmark": lambda r: r.choice(LANDMARKS),
    "color": lambda r: r.choice(COLORS),
    "car": lambda r: r.choice(CAR_MODELS),
    "plate": lambda r: f"{r.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}{r.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}"
                       f"-{r.randint(10, 99)}-{r.randint(100, 999)}",
    "language": lambda r: r.choice(LANGUAGES),
    "app": lambda r: r.choice(APPS),
    "surname": lambda r: r.choice(SURNAMES),
    "event": lambda r: r.choice(EVENTS),
    "school": lambda r: r.choice(SCHOOLS).strip(),
    "child": lambda r: r.choice(CHILDREN),
    "street": lambda r: r.choice(STREETS),
    "project": lambda r: r.choice(PROJECTS),
    "tech": lambda r: r.choice(TECH),
    "bone": lambda r: r.choice(BONES),
    "age": lambda r: str(r.randint(78, 101)),
    "product": lambda r: r.choice(PRODUCTS).strip(),
    "shop": lambda r: r.choice(SHOPS),
    "topic": lambda r: r.choice(TOPICS),
    "restaurant": lambda r: r.choice(RESTAURANTS),
    "food": lambda r: r.choice(FOODS),
    "lost": lambda r: r.choice(LOST),
    "course": lambda r: r.choice(COURSES),
    "sport": lambda r: r.choice(SPORTS),
    "club": lambda r: r.choice(CLUBS),
    "salary": lambda r: f"{r.randint(38, 160)},{r.choice(['000', '500'])}",
    "worktopic": lambda r: r.choice(WORK_TOPICS),
    "specialist": lambda r: r.choice(SPECIALISTS),
    "activity": lambda r: r.choice(ACTIVITIES),
    "goal": lambda r: r.choice(GOALS),
    "relation": lambda r: r.choice(RELATIONS),
    "tool": lambda r: r.choice(TOOLS),
    "service": lambda r: r.choice(SERVICES),
}


@dataclass(frozen=True)
class Memory:
    namespace: tuple[str, ...]
    key: str
    text: str
    occurred_at: str | None = None  # ISO 8601: the v1 field, indexed with the text

    @property
    def value(self) -> dict:
        """The value v1 stores for it (POST /v1/memories with this content and date)."""
        return memory_value("Memory", self.text, self.occurred_at)


@dataclass(frozen=True)
class Question:
    id: str
    namespace: tuple[str, ...]
    kind: str
    text: str
    answers: tuple[str, ...]


@dataclass
class EvalSet:
    memories: list[Memory] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)


# What else a memory extracted from a conversation tends to carry: how it came up, who was
# there, a reminder. Never asked about; it only makes memories read less alike.
CONTEXT = [
    "They sounded stressed about it.", "Said to remind them next week.",
    "Mentioned it twice, so it matters to them.", "{other} was there too and agreed.",
    "Apparently the weather in {where} has been awful.",
    "They were in a hurry, so details may change.", "They asked me to keep it quiet for now.",
    "It came up while we talked about {chat}.", "Follow up on {when}.",
    "They laughed about it, but it seemed important.", "{other} might join as well.",
    "Noted during the {when} catch-up.",
]
CHAT = ["the weekend", "work stress", "the new flat", "holidays", "the kids", "money",
        "football", "a podcast", "the neighbours", "cooking"]


def _context(rng: random.Random) -> str:
    """Half the memories are the bare fact; the rest carry one or two context sentences."""
    count = rng.choices([0, 1, 2], weights=[50, 35, 15])[0]
    picked = rng.sample(CONTEXT, count)
    return "".join(" " + c.format(other=rng.choice(NAMES), where=rng.choice(CITIES),
                                  chat=rng.choice(CHAT), when=rng.choice(WEEKDAYS))
                   for c in picked)


def _fields(wording: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(wording) if f}


def _slots(template: Template) -> list[str]:
    return sorted({f for group in (template.memory, template.paraphrase, template.keyword,
                                   template.natural) for w in group for f in _fields(w)})


def _values(template: Template, person: str, rng: random.Random) -> dict[str, str]:
    values = {"name": person}
    for slot in _slots(template):
        if slot == "name2":
            values[slot] = rng.choice([n for n in NAMES if n != person])
        elif slot in ("book", "author"):
            values.update(_book(rng))
        elif slot != "name":
            values[slot] = SLOT_FILLERS[slot](rng)
    if "company2" in values:
        while values["company2"] == values["company"]:
            values["company2"] = rng.choice(COMPANIES)
    return values


def _user(ns: tuple[str, ...], size: int, rng: random.Random, questions: int, *,
          topics: int = 12, cast: int = 10) -> tuple[list[Memory], list[Question]]:
    """`size` memories of one user: a cast of people and a handful of recurring topics (a
    life has a few themes, and the same people come up again and again)."""
    people = rng.sample(NAMES, cast)
    themes = rng.sample(TEMPLATES, topics)
    memories: list[Memory] = []
    facts: list[tuple[Memory, Template, dict[str, str]]] = []
    seen: set[str] = set()
    while len(memories) < size:
        template = rng.choice(themes)
        values = _values(template, rng.choice(people), rng)
        text = rng.choice(template.memory).format(**values) + _context(rng)
        if text in seen:
            continue
        seen.add(text)
        memory = Memory(ns, f"{ns[-1]}-m{len(memories):05d}", text)
        memories.append(memory)
        facts.append((memory, template, values))
    found: list[Question] = []
    for i, (memory, template, values) in enumerate(rng.sample(facts, min(questions,
                                                                         len(facts)))):
        kind = KINDS[i % len(KINDS)]
        # Any wording that points at this memory alone; if none does, the most specific
        # one, answered by every memory it describes.
        wordings = getattr(template, kind)
        described = {w: tuple(m.key for m, t, v in facts
                              if t is template and all(v[f] == values[f] for f in _fields(w)))
                     for w in wordings}
        unique = [w for w in wordings if len(described[w]) == 1]
        wording = rng.choice(unique) if unique else wordings[-1]
        answers = described[wording]
        assert memory.key in answers
        found.append(Question(f"{ns[-1]}-q{i:03d}", ns, kind, wording.format(**values),
                              answers))
    return memories, found


def labelled(seed: int = SEED, sizes: tuple[int, ...] = USER_SIZES,
             questions_per_user: int = QUESTIONS_PER_USER, label: str = "eval") -> EvalSet:
    """Users of heavy-tailed size (by default 6 of 100 memories, 3 of 300, 2 of 1,000 and
    1 of 3,000: 6,500 memories) and `questions_per_user` questions each (480, a third of
    each kind). A bigger user knows more people and has more recurring topics."""
    rng = random.Random(seed * 7_919 + zlib.crc32(label.encode()))
    out = EvalSet()
    for u, size in enumerate(sizes):
        memories, questions = _user((label, f"user-{u:02d}"), size, rng, questions_per_user,
                                    topics=min(len(TEMPLATES), 12 + size // 250),
                                    cast=min(60, 10 + size // 100))
        out.memories += memories
        out.questions += questions
    return out


def filler_sizes(total: int, rng: random.Random) -> list[int]:
    """Heavy-tailed namespace sizes (5 to 10,000, median about 12) adding up to `total`."""
    sizes: list[int] = []
    left = total
    while left > 0:
        size = min(left, max(5, min(10_000, int(rng.paretovariate(0.9) * 6))))
        sizes.append(size)
        left -= size
    return sizes


def corpus(size: int, seed: int = SEED) -> tuple[EvalSet, list[Memory]]:
    """`size` memories: the labelled users that fit (smallest first: at 10,000 all but the
    10,000-memory user), with their questions, plus unlabelled filler users."""
    full = labelled(seed)
    counts: dict[tuple[str, ...], int] = {}
    for m in full.memories:
        counts[m.namespace] = counts.get(m.namespace, 0) + 1
    kept: set[tuple[str, ...]] = set()
    total = 0
    for ns, n in sorted(counts.items(), key=lambda c: (c[1], c[0])):
        if total + n <= size:
            kept.add(ns)
            total += n
    base = EvalSet([m for m in full.memories if m.namespace in kept],
                   [q for q in full.questions if q.namespace in kept])
    rng = random.Random(seed * 1_000 + 1)
    filler: list[Memory] = []
    for n, count in enumerate(filler_sizes(max(0, size - len(base.memories)), rng)):
        ns = ("fill", f"user-{n:05d}")
        memories, _ = _user(ns, count, rng, 0, topics=min(len(TEMPLATES), 8 + count // 200),
                            cast=min(60, 6 + count // 100))
        filler += memories
    return base, filler
