"""An adversarial, corpus-independent generator for the de-identification
engine: dilemma-shaped sentences composed from templates x slot fillers,
scored per category (leak rate, false-positive rate).

Every filler here is written by hand (never read from the engine's own
lexicons), so a category's figure measures the mechanisms, not the lists.
Deterministic: `generate(seed)` always yields the same samples.

Template slots:
  {N}  the sensitive filler (gold: must be removed)
  {W}  a word that must stay (a word-name used as a word, a clean trap)
  {F}/{S} a first name / surname (sensitive), used by name templates
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

# --------------------------------------------------------------------------
# fillers, by hand

FIRST_NAMES = [
    # Yoruba, Igbo
    "Adebayo",
    "Oluwaseun",
    "Folasade",
    "Temitope",
    "Abimbola",
    "Chukwuemeka",
    "Ngozi",
    "Chiamaka",
    "Obinna",
    "Ifeoma",
    # Somali, Amharic
    "Abdirahman",
    "Hodan",
    "Faadumo",
    "Ayaan",
    "Tesfaye",
    "Meseret",
    "Alemayehu",
    "Selamawit",
    "Dawit",
    # Hindi, Tamil, Bengali, Urdu
    "Priyanka",
    "Rohit",
    "Aarav",
    "Sunita",
    "Karthik",
    "Senthil",
    "Meenakshi",
    "Kavitha",
    "Sourav",
    "Tanushree",
    "Arnab",
    "Moushumi",
    "Zainab",
    "Faisal",
    "Ayesha",
    "Usman",
    # Mandarin pinyin, Cantonese, Vietnamese, Korean, Japanese
    "Xiaoming",
    "Zhiwei",
    "Xiuying",
    "Qiang",
    "Ka-wai",
    "Chun-kit",
    "Man-yee",
    "Thuy",
    "Phuong",
    "Linh",
    "Duc",
    "Ji-woo",
    "Seo-yeon",
    "Min-jun",
    "Eun-ji",
    "Haruto",
    "Yui",
    "Takeshi",
    "Aiko",
    # Tagalog, Arabic, Persian, Turkish
    "Maricel",
    "Rodrigo",
    "Marites",
    "Jhun",
    "Youssef",
    "Khalid",
    "Layla",
    "Shirin",
    "Dariush",
    "Parisa",
    "Golnaz",
    "Emre",
    "Elif",
    "Burak",
    "Zeynep",
    # Polish, Ukrainian, Greek, Portuguese, Spanish
    "Agnieszka",
    "Wojciech",
    "Małgorzata",
    "Krzysztof",
    "Oksana",
    "Bohdan",
    "Yaroslava",
    "Taras",
    "Eleni",
    "Dimitrios",
    "Panagiota",
    "Stavros",
    "João",
    "Conceição",
    "Thiago",
    "Guadalupe",
    "Itziar",
    "Joaquín",
    "Ximena",
    # Irish, Welsh, Scottish Gaelic
    "Caoimhe",
    "Siobhán",
    "Oisín",
    "Niamh",
    "Tadhg",
    "Rhiannon",
    "Dafydd",
    "Gwenllian",
    "Iolo",
    "Eilidh",
    "Ruaridh",
    "Mairead",
    "Seumas",
    # Māori, Samoan, Navajo, Hebrew/Yiddish
    "Aroha",
    "Tamati",
    "Wiremu",
    "Ngaire",
    "Sione",
    "Malia",
    "Tavita",
    "Sefo",
    "Yanaba",
    "Nizhoni",
    "Ahiga",
    "Yitzchak",
    "Shoshana",
    "Mendel",
    "Devorah",
    "Moishe",
    "Rivka",
]

SURNAMES = [
    "Okonkwo",
    "Adeyemi",
    "Warsame",
    "Gebremedhin",
    "Raghunathan",
    "Chattopadhyay",
    "Siddiqui",
    "Zhang",
    "Chan",
    "Nguyen",
    "Watanabe",
    "Haddad",
    "Farahani",
    "Yılmaz",
    "Kowalczyk",
    "Shevchenko",
    "Papadopoulos",
    "Fernandes",
    "Gutiérrez",
    "MacLeod",
    "Tuilagi",
    "Begay",
    "Rosenbaum",
    "Kuznetsova",
    "Oyelaran",
    "Balasubramanian",
    "Mukherjee",
    "Lefebvre",
    "Thorsdottir",
    "Nakamura",
    "Pellegrino",
    "Abernathy",
    "Quispe",
    "Mwangi",
    # surnames that are English words
    "Baker",
    "Bishop",
    "Young",
    "Hill",
    "Fox",
    "Rice",
    "Waters",
    "Wood",
    "Hunter",
]

COMPOUND_SURNAMES = [
    "Okafor-Jones",
    "Chen-Watanabe",
    "Smith-Adeyemi",
    "Haddad-Moreno",
    "Ní Bhriain",
    "Ó Súilleabháin",
    "van der Merwe",
    "de la Fuente",
    "dos Santos",
    "al-Rashid",
    "bin Hassan",
    "ap Gwilym",
    "Mac an tSaoir",
    "da Silva",
    "van den Berg",
    "di Stefano",
    "Le Roux",
    "El-Amin",
    "Te Whaiti",
    "Nic Giolla",
    "von Arnim",
    "de Souza-Pereira",
    "Abu-Khalil",
    "ter Horst",
    "St. Clair",
    "O'Driscoll",
    "McAllister-Boyd",
    "Ben-David",
    "Kaʻahanui",
    "du Plessis",
]

WORD_NAMES = [
    "Hope",
    "Faith",
    "Joy",
    "Grace",
    "Rose",
    "Lily",
    "Daisy",
    "Ruby",
    "Amber",
    "Summer",
    "Autumn",
    "June",
    "April",
    "May",
    "Will",
    "Bill",
    "Mark",
    "Rich",
    "Pat",
    "Sandy",
    "Dawn",
    "Hunter",
    "Mason",
    "Chase",
    "Chance",
    "Sky",
    "River",
    "Rain",
    "Storm",
    "Honey",
    "Sunny",
    "Miles",
    "Frank",
    "Earnest",
    "Guy",
    "Bob",
    "Jack",
]

# the same words in word positions: each "{W}" must stay
WORD_USES = {
    "Hope": [
        "I {W} this is the right forum for this.",
        "{W} this makes sense to someone.",
        "she said there is no {W} left",
    ],
    "Faith": ["He lost his {W} after the divorce.", "I have {W} in the process.", "{W} communities can be small."],
    "Joy": [
        "She described the {W} of finishing her degree.",
        "It was a {W} to work with her.",
        "{W} is hard for him to feel.",
    ],
    "Grace": ["The clinic gives a {W} period for late fees.", "She handled the rupture with {W}.", "{W} periods help."],
    "Rose": [
        "He {W} from his chair and left.",
        "Her anxiety {W} sharply in March.",
        "She brought a single {W} to session.",
    ],
    "Lily": ["She brought a {W} for my office.", "a peace {W} sat on the windowsill"],
    "Daisy": ["We did a {W} chain exercise with the kids.", "a {W} on the table"],
    "Ruby": ["She wore a {W} ring to session.", "a {W} wedding anniversary"],
    "Amber": ["An {W} alert went out that night.", "the {W} light was on", "{W} warnings closed the schools."],
    "Summer": ["Over the {W} holidays she stopped coming.", "This {W} I'm on leave.", "{W} is a slow season."],
    "Autumn": ["In {W} the groups start again.", "{W} term starts soon."],
    "June": ["We terminated in {W} last year.", "Her court date is in {W}."],
    "April": ["She started therapy in {W}.", "By {W} she was sleeping again."],
    "May": ["{W} I ask a related question?", "She {W} want to come back.", "In {W} the group ends."],
    "Will": ["{W} this breach my code?", "He {W} not sign the form.", "She wrote a new {W} last month."],
    "Bill": ["I {W} the insurer directly.", "The {W} came to 300 dollars.", "{W} the client for missed sessions?"],
    "Mark": ["I {W} the notes as confidential.", "She left a {W} on the wall.", "{W} my words, this will escalate."],
    "Rich": ["{W} clients sometimes offer gifts.", "It was a {W} session.", "He grew up {W} and lonely."],
    "Pat": ["He gave me a {W} on the back.", "I know the speech off {W}."],
    "Sandy": ["We walked on the {W} beach for the exercise.", "his {W} hair"],
    "Dawn": ["She woke at {W} every day.", "{W} shifts wreck her sleep."],
    "Hunter": ["Her dad was a keen {W}.", "a deer {W} in the family"],
    "Mason": ["He works as a stone {W}.", "she drinks from a {W} jar"],
    "Chase": ["I won't {W} unpaid invoices.", "{W} scenes in films upset him."],
    "Chance": ["By {W} we booked the same retreat.", "{W} would be a fine thing.", "There's a {W} she will relapse."],
    "Sky": ["She watched the {W} for an hour.", "The {W} was grey all session."],
    "River": ["We walked along the {W} during the session.", "{W} walks calm her."],
    "Rain": ["{W} stopped the outdoor session.", "We met in the {W}."],
    "Storm": ["A {W} knocked the power out mid-session.", "{W} damage closed my office."],
    "Honey": ["She brought me a jar of {W} from her bees.", "{W} is a common gift here."],
    "Sunny": ["It was a {W} afternoon.", "{W} days help her mood."],
    "Miles": ["She drives 40 {W} to see me.", "{W} away from any other provider."],
    "Frank": ["We had a {W} conversation about fees.", "{W} feedback is hard for him."],
    "Earnest": ["He made an {W} apology.", "an {W} request for help"],
    "Guy": ["A {W} from her church called me.", "The {W} at the front desk"],
    "Bob": ["She got a {W} haircut.", "apples to {W} for at Halloween"],
    "Jack": ["He used a car {W} on the roadside.", "a {W} of all trades"],
}

AGES = [
    str(n)
    for n in (
        3,
        6,
        9,
        12,
        14,
        15,
        16,
        17,
        19,
        21,
        23,
        26,
        29,
        31,
        34,
        38,
        40,
        42,
        47,
        51,
        55,
        58,
        63,
        67,
        71,
        74,
        79,
        82,
        88,
        93,
    )
]
AGE_TEMPLATES = [
    "Her daughter is anxious; she's {N} and refuses school.",
    "her son ({N}) still wets the bed",
    "a {N+ year old} client asked for my number",
    "My client is a {N+-yr-old} retired nurse.",
    "He turned {N} last week and wants to stop therapy.",
    "Age {N}, first time in therapy.",
    "the kid is {N+ y.o.} and very bright",
    "I see a {N+yo} who self-harms.",
    "she is only {N} and already caring for her siblings",
    "He's {N}, lives alone, drinks daily.",
    "The client (age {N}) asked me to come to court.",
    "a {N+ y/o} client messaged me",
    "She was {N} when the abuse started.",
    "my client, {N}, wants to quit school",
    "a {N+-year-old} boy in my caseload",
    "I'm {N} and newly qualified.",
    "her grandfather, aged {N}, lives with them",
    "the patient, now {N}, asked about records",
    "Client M - {N} - wants a hug at the end of sessions.",
    "He is {N}.",
    "a {N+ yr old} dad in my group",
    "My {N+-year-old} client wants to date my colleague.",
]
# numbers that are not ages: {W} must stay
NOT_AGES = [
    "She is in year {W} at school.",
    "He's in grade {W} now.",
    "We've had {W} sessions so far.",
    "She has been sober for {W} years.",
    "Room {W} at the clinic is free.",
    "It costs {W} dollars a session.",
    "We meet every {W} days.",
    "She was in her 40s then; {W} of us were on the panel.",
    "the {W} steps",
    "He takes {W} mg every morning.",
    "Session {W} went badly.",
    "Page {W} of the ethics code covers it.",
]
NOT_AGE_NUMBERS = [
    str(n)
    for n in (
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        9,
        10,
        11,
        12,
        13,
        14,
        15,
        20,
        25,
        30,
        40,
        45,
        50,
        60,
        75,
        80,
        90,
        100,
        16,
        17,
        18,
        19,
        21,
    )
]

DATES = [
    "3/14",
    "14/02/2024",
    "2024-05-01",
    "March 3rd",
    "3rd of March",
    "Mar 3",
    "the 21st",
    "12.03.2024",
    "4 June",
    "3 Jan 2024",
    "01-02-2023",
    "Sept. 9",
    "9 Sept",
    "20th March 2023",
    "March 3, 2024",
    "5th Feb",
    "2/5/24",
    "October 12",
    "12 October 2022",
    "Nov 30th",
    "the 3rd of May",
    "July 4th 2021",
    "08/09/23",
    "1st December",
    "Dec. 1, 2019",
    "23rd Aug",
    "Aug 23",
    "11 Nov",
    "Feb 29, 2024",
    "15 April 2020",
    "June 7",
    "22/11",
    "6th of January",
]
DATE_TEMPLATES = [
    "Her mother died on {N} and she wants to reschedule.",
    "We terminated on {N}.",
    "the court hearing is {N} and she wants a letter",
    "She first came to see me on {N}.",
    "On {N} he sent me a friend request.",
    "Her baby is due {N}; should I pause?",
    "the incident happened {N} at school",
    "Last session was {N}, then she vanished.",
]

TOWNS = [
    # US
    "Hoboken",
    "Kalamazoo",
    "Bozeman",
    "Scranton",
    "Walla Walla",
    "Tupelo",
    "Chillicothe",
    # UK
    "Swindon",
    "Wolverhampton",
    "Kirkcaldy",
    "Llandudno",
    "Didsbury",
    "Penge",
    "Todmorden",
    # IE
    "Ballina",
    "Clonakilty",
    "Dún Laoghaire",
    "Tallaght",
    "Ennistymon",
    # CA
    "Moose Jaw",
    "Saskatoon",
    "Kelowna",
    "Rimouski",
    "Brampton",
    # AU
    "Wagga Wagga",
    "Toowoomba",
    "Fremantle",
    "Parramatta",
    "Bendigo",
    # NZ
    "Whanganui",
    "Rotorua",
    "Ōtāhuhu",
    "Porirua",
    "Timaru",
    # ZA
    "Soweto",
    "Stellenbosch",
    "Khayelitsha",
    "Pietermaritzburg",
    "Umlazi",
    # IN
    "Thrissur",
    "Dharavi",
    "Koramangala",
    "Nagpur",
    "Kozhikode",
    # towns that are English words
    "Reading",
    "Bath",
    "Mold",
    "Sale",
    "Battle",
]
TOWN_TEMPLATES = [
    "She lives in {N} and so do I.",
    "He moved to {N} after the separation.",
    "my client is from {N} originally",
    "We both grew up in {N}, which is tiny.",
    "I'm the only counsellor near {N}.",
    "she drives in from {N} every week",
    "I practise out in {N} and everyone knows everyone.",
    "Her family is back in {N}.",
    "He was born in {N}, moved here at 12.",
]

ORGS = [
    "Blue Bottle",
    "Green Apple",
    "Bright Futures",
    "Open Door",
    "Second Chance",
    "Harbour House",
    "Little Acorns",
    "Northern Lights",
    "Rising Tide",
    "Safe Harbor",
    "Red Kite",
    "Golden Years",
    "Kind Minds",
    "Silver Birch",
    "Sunrise",
    "Oak and Ivy",
    "New Leaf",
    "Stepping Stones",
    "Fresh Start",
    "Hearth",
    "Lighthouse",
    "Common Ground",
    "Evergreen",
    "Willow Tree",
    "Rainbow Bridge",
    "Blue Sky",
    "Sweet Pea",
    "Iron Works",
    "Big Sky",
    "Pine Cone",
    "Rolling Hills",
    "True North",
    "Golden Gate",
]
ORG_TEMPLATES = [
    "She works at {N} with my sister.",
    "He's on placement at {N} this term.",
    "my client volunteers with {N}",
    "I got a referral from {N} yesterday.",
    "Her husband is a manager at {N}.",
    "He was fired from {N} last month.",
    "She does shifts at {N} on weekends.",
    "I used to work at {N} myself.",
]

# (context word, value): only the value is gold
CONTACTS = [
    ("", "07700 900123"),
    ("", "(555) 201-8834"),
    ("", "+61 412 345 678"),
    ("", "021 555 0199"),
    ("", "+353 87 123 4567"),
    ("", "555.867.5309"),
    ("", "jane.doe84@gmail.com"),
    ("", "k.ahmed@outlook.co.uk"),
    ("", "@sunny.days.77"),
    ("", "@tomas_r"),
    ("", "www.healwithmaria.com"),
    ("", "https://linktr.ee/kwamebeats"),
    ("NHS no. ", "943 476 5919"),
    ("MRN ", "00482913"),
    ("case no. ", "CR-22-004519"),
    ("plate ", "7KLM294"),
    ("SSN ", "078-05-1120"),
    ("policy ID ", "XKQ448812"),
    ("", "416-555-0143"),
    ("", "(02) 9876 5432"),
    ("", "0412 345 678"),
    ("", "+1 604 555 0182"),
    ("insta ", "@mo.the.baker"),
    ("ref ", "88213-B"),
    ("member ID ", "4478201"),
    ("Medicare number ", "2123 45670 1"),
    ("PPS number ", "1234567FA"),
    ("file number ", "2023-FC-1187"),
    ("", "+44 7700 900 461"),
    ("", "07911 123456"),
    ("licence ", "DL-4471-XZ"),
    ("NHI ", "ZAC5361"),
    ("health card ", "1234-567-890-AB"),
    ("account ", "00123456789"),
]
CONTACT_TEMPLATES = [
    "She gave me {P}{N} to reach her.",
    "he texted from {P}{N} at midnight",
    "Her details: {P}{N}.",
    "I found {P}{N} on the intake form.",
    "The school sent {P}{N} with the referral.",
]
CLEAN_WORDS = [
    # therapies, bodies, codes
    "CBT",
    "DBT",
    "EMDR",
    "ACT",
    "IFS",
    "the Gottman method",
    "Schema Therapy",
    "Motivational Interviewing",
    "Narrative Therapy",
    "APA",
    "BACP",
    "HCPC",
    "NASW",
    "PACFA",
    "AAMFT",
    "UKCP",
    "CORU",
    "IACP",
    "ACA A.5.e",
    "APA 3.05",
    "NASW 1.06(c)",
    "the BACP Ethical Framework",
    "HCPC standard 2.7",
    # diagnoses, eponymous ones too
    "PTSD",
    "BPD",
    "ADHD",
    "OCD",
    "bipolar disorder",
    "Asperger's",
    "Tourette's",
    "Alzheimer's",
    "Crohn's disease",
    "Parkinson's",
    # medications
    "Sertraline",
    "Lexapro",
    "Zoloft",
    "Wellbutrin",
    "Fluoxetine",
    "Citalopram",
    "Mirtazapine",
    "Quetiapine",
    "Lithium",
    "Vyvanse",
    "Ozempic",
    "Suboxone",
    "Methadone",
    "Propranolol",
    "Escitalopram",
    "Venlafaxine",
    # days, seasons, holidays
    "Tuesday",
    "Saturday",
    "winter",
    "Diwali",
    "Eid",
    "Ramadan",
    "Hanukkah",
    "Thanksgiving",
    "Matariki",
    "Lunar New Year",
    "Yom Kippur",
    "Anzac Day",
    "Waitangi Day",
    "Juneteenth",
    "St Patrick's Day",
    "Boxing Day",
    "Christmas",
    "Easter",
    # platforms and services
    "WhatsApp",
    "Zoom",
    "Instagram",
    "TikTok",
    "SimplePractice",
    "Signal",
    "Telegram",
    "Discord",
    "Reddit",
    "LinkedIn",
    "Venmo",
    "Doxy.me",
    "Facebook",
    "Medicaid",
    "the NHS",
    "Narcotics Anonymous",
    # cited authors
    "Yalom",
    "Winnicott",
    "Bowlby",
    "bell hooks",
    "Brené Brown",
    "Gabor Maté",
    "Irvin Yalom",
]
CLEAN_TEMPLATES = [
    "I'm trained in {W} but not sure it fits here.",
    "Does {W} cover this situation?",
    "She mentioned {W} in passing.",
    "We talked about {W} for most of the hour.",
    "{W} came up again in supervision.",
    "My supervisor suggested {W}.",
]

# name positions: {F} first name, {S} surname, {N} the whole sensitive slot
NAME_POSITIONS = {
    "start": [
        "{N} asked if I could see her partner too.",
        "{N} has been my client for two years.",
        "{N} wants to pay me in cash.",
        "{N} brought her baby to session.",
    ],
    "client": [
        "My client {N} wants to friend me on Facebook.",
        "pt {N} texted me at 11pm.",
        "I have a client {N} who keeps bringing gifts.",
        "new client {N} asked about fees",
        "A former client, {N} wants a reference.",
    ],
    "possessive": [
        "{N}'s mum rang the clinic asking for an update.",
        "I ran into {N}'s husband at the gym.",
        "I keep thinking about {N}'s disclosure.",
        "She showed me {N}'s texts.",
    ],
    "subject": [
        "Last week {N} said she wants to stop.",
        "After session {N} told me he is moving.",
        "{N} and I agreed to pause for a month.",
        "Then {N} asked for my personal number.",
        "Yesterday {N} emailed me a poem.",
        "At the end {N} hugged me.",
    ],
    "apposition": [
        "Her son, {N}, is struggling at school.",
        "My supervisee, {N}, disclosed a relationship.",
        "Her ex-husband, {N}, turned up at my office.",
        "His sister, {N}, is also my client.",
    ],
    "lowercase": [
        "my client {n} wants to friend me",
        "pt {n} texted me at 11pm",
        "so {n} said she wants to stop",
        "her son {n} is struggling",
        "{n} asked if i could see her partner too",
        "ran into {n} at the shops",
    ],
    "title": [
        "Mrs {S} called the office.",
        "I saw Dr {S} at the conference.",
        "Pastor {F} asked me to speak.",
        "Coach {F} emailed about the team.",
        "Auntie {F} raised her.",
        "Uncle {F} pays for her sessions.",
        "Mr {S} wants a report.",
        "Ms {S} is my supervisor.",
    ],
    "second_mention": [
        "I met {F} {S} at intake. Later {S} emailed me.",
        "{F} {S} is a new referral; {S} is a teacher.",
        "My client {F} {S} asked for notes. I told {S} no.",
    ],
    "compound_surname": [
        "My client {F} {C} wants a letter.",
        "Mrs {C} called twice.",
        "I met {F} {C} at intake. Later {C} emailed me.",
        "The referral is for {F} {C}.",
    ],
}


@dataclass
class Sample:
    category: str
    text: str
    gold: list[tuple[int, int]] = field(default_factory=list)  # must be removed
    keep: list[tuple[int, int]] = field(default_factory=list)  # must stay (word uses, traps)


_SLOT = re.compile(r"\{(N|n|W|F|S|C|P)(?:\+([^}]*))?\}")


def _fill(template: str, values: dict[str, str], sensitive: set[str]) -> tuple[str, list, list]:
    out, gold, keep, pos = [], [], [], 0
    length = 0
    for m in _SLOT.finditer(template):
        out.append(template[pos : m.start()])
        length += m.start() - pos
        v = values[m.group(1)] + (m.group(2) or "")
        a, b = length, length + len(v)
        if m.group(1) != "P":
            (gold if m.group(1) in sensitive else keep).append((a, b))
        out.append(v)
        length = b
        pos = m.end()
    out.append(template[pos:])
    return "".join(out), gold, keep


def _cap(template: str) -> str:
    return template[0].upper() + template[1:] if template[0].isalpha() else template


def generate(seed: int = 0, per_category: int = 0) -> list[Sample]:
    """Every filler at least once per category (with a random template);
    `per_category` adds that many further random draws per category."""
    rng = random.Random(seed)
    out: list[Sample] = []

    def add(cat, template, values, sensitive):
        text, gold, keep = _fill(template, values, sensitive)
        out.append(Sample(cat, text, gold, keep))

    def draws(fillers):
        return list(fillers) + [rng.choice(fillers) for _ in range(per_category)]

    for pos, templates in NAME_POSITIONS.items():
        for first in draws(FIRST_NAMES):
            t = rng.choice(templates)
            surname = rng.choice(SURNAMES)
            full = rng.random() < 0.3 and pos not in ("lowercase",)
            n = f"{first} {surname}" if full else first
            vals = {"N": n, "n": n.lower(), "F": first, "S": surname, "C": rng.choice(COMPOUND_SURNAMES)}
            if pos == "compound_surname":
                vals["C"] = rng.choice(COMPOUND_SURNAMES)
            add(f"name:{pos}", t, vals, {"N", "n", "F", "S", "C"})
    for first in draws(COMPOUND_SURNAMES):  # every compound surname once
        t = rng.choice(NAME_POSITIONS["compound_surname"])
        add("name:compound_surname", t, {"F": rng.choice(FIRST_NAMES), "C": first}, {"F", "C"})

    word_name_positions = {k: NAME_POSITIONS[k] for k in ("client", "possessive", "subject", "apposition")}
    word_name_positions["title"] = [
        "Pastor {N} asked me to speak.",
        "Coach {N} emailed about the team.",
        "Auntie {N} raised her.",
        "Uncle {N} pays for her sessions.",
    ]
    word_name_positions["lowercase"] = [
        "my client {n} wants to friend me",
        "pt {n} texted me at 11pm",
        "her son {n} is struggling",
        "client {n} cancelled again",
    ]
    for pos, templates in word_name_positions.items():
        for w in draws(WORD_NAMES):
            add(f"wordname:{pos}", rng.choice(templates), {"N": w, "n": w.lower()}, {"N", "n"})
    for w in draws(WORD_NAMES):
        for t in WORD_USES[w]:
            word = w if t.startswith("{W}") else w.lower()
            add("wordname:as_word", t, {"W": word}, set())

    for n in draws(AGES):
        add("age", rng.choice(AGE_TEMPLATES), {"N": n}, {"N"})
    for n in draws(NOT_AGE_NUMBERS):
        add("age:not_an_age", rng.choice(NOT_AGES), {"W": n}, set())
    for d in draws(DATES):
        add("date", rng.choice(DATE_TEMPLATES), {"N": d}, {"N"})
    for p in draws(TOWNS):
        add("town", _cap(rng.choice(TOWN_TEMPLATES)), {"N": p}, {"N"})
    for o in draws(ORGS):
        add("org", rng.choice(ORG_TEMPLATES), {"N": o}, {"N"})
    for p, c in draws(CONTACTS):
        add("contact_id", rng.choice(CONTACT_TEMPLATES), {"P": p, "N": c}, {"N"})
    for w in draws(CLEAN_WORDS):
        t = rng.choice(CLEAN_TEMPLATES)
        add("clean", t, {"W": _cap(w) if t.startswith("{W}") and w[0].islower() and w != "bell hooks" else w}, set())
    return out


_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def score_sample(sample: Sample, spans) -> tuple[int, int, int, int]:
    """(entities, leaked entities, false-positive tokens, tokens outside gold)."""
    n = len(sample.text)
    pm, gm = bytearray(n), bytearray(n)
    for s in spans:
        pm[s.start : s.end] = b"\x01" * (s.end - s.start)
    for a, b in sample.gold:
        gm[a:b] = b"\x01" * (b - a)
    leaked = 0
    for a, b in sample.gold:
        toks = list(_TOKEN.finditer(sample.text, a, b))
        if not all(all(pm[t.start() : t.end()]) for t in toks):
            leaked += 1
    fp = outside = 0
    for m in _TOKEN.finditer(sample.text):
        a, b = m.span()
        if all(gm[a:b]):
            continue
        outside += 1
        if any(pm[a:b]):
            fp += 1
    return len(sample.gold), leaked, fp, outside


def evaluate(engine, samples: list[Sample]) -> dict[str, dict]:
    """Per category: samples, entities, leak rate, FP rate (share of samples
    with any over-removed token), FP tokens, and the failing texts."""
    table: dict[str, dict] = {}
    for s in samples:
        r = engine.redact(s.text)
        ents, leaked, fp, outside = score_sample(s, r.spans)
        row = table.setdefault(
            s.category,
            {"samples": 0, "entities": 0, "leaked": 0, "fp_samples": 0, "fp_tokens": 0, "leaks": [], "fps": []},
        )
        row["samples"] += 1
        row["entities"] += ents
        row["leaked"] += leaked
        row["fp_tokens"] += fp
        if leaked:
            row["leaks"].append(r.text)
        if fp:
            row["fp_samples"] += 1
            row["fps"].append(r.text)
    for row in table.values():
        row["leak_rate"] = row["leaked"] / row["entities"] if row["entities"] else 0.0
        row["fp_rate"] = row["fp_samples"] / row["samples"]
    return table
