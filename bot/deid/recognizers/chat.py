"""Chat-style text: what the capital-letter recognisers cannot see.

People who type fast write in lowercase, drop apostrophes and punctuation,
and name chains, streets and suburbs the way they say them ("ran into her at
woolies in brunswick", "her ex dave", "mias court date", "pt (m 44)"). Each
rule here is one mechanism, found by the SLOT a word sits in rather than by
its capital:

- names: a word after a relationship or kin word (in several languages),
  after "named/called/goes by", before a verb of speech or action, between
  commas, and a possessive written without its apostrophe; initials standing
  for a person ("pt M came in", "K's text");
- organisations: a chain from data/chains.txt; a lowercase run that ends in a
  type word (gym, church, school, salon, clinic, team...) and holds a word no
  dictionary knows or a place; saints' and Marian names ("st X's", "our lady
  of X");
- places: lowercase streets (number + street word, or "<name> st/rd"), and a
  word in a place slot ("in/from/near X") that is a town and no English word,
  or no word at all;
- ages, dates and contacts in chat shapes ("(she/her, 15)", "turning eight",
  "weds 3rd", "jo dot b at mail dot com", "u/name", "name#1234", a phone
  number written in words).

The safety net of this module: a word that is neither in the English
dictionary nor on the allowlists (allowlist.txt, chat_words.txt) is only
taken when it stands in such a slot. Every scan is a single pass over the
tokens or a regex with bounded repetition, so the cost is linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from ..fastre import fast
from ..lexicons import DATA
from ..model import Candidate
from ..tokens import Token
from .base import Doc


# ---------------------------------------------------------------- data files
@lru_cache(maxsize=1)
def chat_words() -> frozenset[str]:
    out: set[str] = set()
    for line in (DATA / "chat_words.txt").read_text(encoding="utf-8").splitlines():
        out.update(w.lower() for w in line.split("#", 1)[0].split())
    return frozenset(out)


@lru_cache(maxsize=1)
def chains() -> dict[str, tuple[tuple[str, ...], ...]]:
    """First word -> the entries that start with it (each a tuple of words)."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for line in (DATA / "chains.txt").read_text(encoding="utf-8").splitlines():
        for entry in line.split("#", 1)[0].split(","):
            words = tuple(_CHAIN_WORD.findall(entry.lower()))
            if words:
                out.setdefault(words[0], []).append(words)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in out.items()}


_CHAIN_WORD = re.compile(r"[^\W_]+(?:[-'’&][^\W_]+)*|&")


# ---------------------------------------------------------------- word classes
# function words that never start or continue a name, place or organisation
_FUNCTION = frozenset(
    """a an the this that these those my your his her its our their me him them us you i we they he she it
    who whom whose which what when where why how and or but nor so yet if then than as at by for from in into
    of off on onto out over to up upon with within without w about above after against along among around
    before behind below beneath beside between beyond down during except inside near outside past since
    through toward towards under until via is are was were be been being am do does did have has had having
    can could will would shall should may might must not no yes all any some each every both either neither
    other another such own same just also only very too really still even again ever never always often
    here there now today tonight tomorrow yesterday ok okay like well oh um uh""".split()
)

# relationship and kin words (several languages) after which a name goes:
# "her ex dave", "my bf tomas", "his nonna rosa", "my receptionist tash"
KIN = frozenset(
    """ex exes bf gf bff boyfriend girlfriend partner hubby husband wife wifey fiance fiancé fiancee fiancée
    spouse mum mom mam mummy mommy ma mama mamma dad daddy da papa pa father mother parent stepmum stepmom
    stepdad stepfather stepmother stepbrother stepsister stepson stepdaughter son daughter brother sister bro
    sis sibling twin cousin cuz niece nephew aunt aunty auntie uncle unc gran granny grandma grandmother nan
    nana nanna grandpa grandad granddad grandfather pop poppy grandson granddaughter grandkid godmother
    godfather godson goddaughter nonna nonno nonni abuela abuelo abuelita abuelito tia tio tía tío prima primo
    oma opa omi opi yiayia yaya giagia pappou papou bubbe bubby zaidy zayde babcia dziadek babushka dedushka
    baba deda lola lolo tita tito ate kuya amma appa ammi abba ammu nani nanu dadi dada chacha chachi mami
    papi tante onkel tata mamie papy whaea koro kuia nanay tatay halmeoni harabeoji ojiisan obaasan
    friend friends bestie mate flatmate roommate housemate neighbour neighbor colleague coworker workmate boss
    manager supervisor receptionist landlord landlady teacher coach tutor nanny babysitter carer caregiver
    caseworker worker lawyer solicitor gp doctor nurse sponsor pastor priest imam rabbi client clients pt cl
    patient kid kiddo teen toddler baby bub son's daughter's supervisee mentor mentee student ex-husband
    ex-wife ex-partner ex-boyfriend ex-girlfriend""".split()
)
# "named jo", "called pip", "goes by jr", "aka bex"
_NAMING = frozenset("named called nicknamed aka names".split())
# a verb of speech or action after a person: "jas went sideways", "T said"
SPEECH = frozenset(
    """said says say told tells asked asks texted texts messaged emailed rang rings called calls replied
    mentioned admitted disclosed shared explained told yelled screamed cried laughed joked swore
    came comes went goes left leaves keeps kept wants wanted needs needed thinks thought feels felt
    brought brings sent sends dropped drops showed shows turned turns got gets started stopped refused
    agreed decided tried tries cancelled canceled missed booked rebooked posted added blocked unblocked
    invited offered gave gives hugged hit hits threatened broke lost found moved lives lived works worked
    knows knew saw sees met meets introduced asked""".split()
)
# what a person owns, after a possessive written without its apostrophe:
# "mias court date", "jakes mum", "priyas school"
OWNED = frozenset(
    """mum mom mam dad parents parent mother father brother sister bro sis husband wife partner bf gf ex
    boyfriend girlfriend son daughter kids kid baby nan nana nonna grandma grandpa aunt aunty auntie uncle
    cousin family foster carer carers caseworker worker teacher coach therapist psych gp doctor lawyer
    solicitor court case hearing custody school class teacher birthday party wedding funeral appointment
    appt appts sesh session sessions file notes report phone number email texts text messages car house
    place room flat apartment dog cat job boss work shift results diagnosis meds plan mates friends friend
    stepdad stepmum caseload clients sessions calendar diary shift desk office""".split()
)
# after these a lowercase word that is no English word is a town or suburb:
# "in footscray", "from moorabbin"
PLACE_SLOT = frozenset("in from near around outside to via towards toward".split())
# after these a word may be a venue or a chain: "at bunnings", "voucher for mecca"
VENUE_SLOT = frozenset("at from for to in into outside near".split())

# organisation type words: the head of a lowercase organisation name
ORG_TYPES: dict[str, str] = {}
for _kind, _words in {
    "gym": "fitness gym gymnasium pilates yoga crossfit boxing dojo leisure aquatic",
    "church": "church chapel cathedral parish mosque masjid temple synagogue shul gurdwara mandir kingdom-hall",
    "school": "college primary secondary high grammar academy school uni university kindy kindergarten "
    "preschool montessori childcare daycare tafe polytechnic",
    "workplace": "hotel pub tavern inn bar cafe café coffee bakery salon barbers barber spa nails beauty "
    "motors auto garage bank pharmacy chemist dental dentist physio vet vets surgery bistro brewery "
    "restaurant diner kitchen takeaway foods supermarket store shop",
    "clinic": "clinic hospital",
    "team": "rovers united fc afc sc rfc jfc juniors wanderers rangers athletic tigers lions eagles "
    "sharks hawks bulldogs panthers saints magpies dragons roosters cowboys storm warriors",
    "library": "library",
}.items():
    for _w in _words.split():
        ORG_TYPES[_w] = _kind
# two-word types: "medical centre", "police station"
ORG_TYPES2 = {
    ("medical", "centre"): "clinic",
    ("medical", "center"): "clinic",
    ("health", "centre"): "clinic",
    ("health", "center"): "clinic",
    ("community", "centre"): "landmark",
    ("community", "center"): "landmark",
    ("leisure", "centre"): "gym",
    ("police", "station"): "workplace",
    ("fire", "station"): "workplace",
    ("high", "school"): "school",
    ("primary", "school"): "school",
    ("public", "school"): "school",
    ("state", "school"): "school",
    ("golf", "club"): "team",
    ("surf", "club"): "team",
    ("bowls", "club"): "team",
    ("football", "club"): "team",
    ("rugby", "club"): "team",
    ("cricket", "club"): "team",
    ("netball", "club"): "team",
    ("swim", "club"): "team",
    ("sports", "club"): "team",
}
# modifiers that make a type word generic: "the local gym", "her old school"
_GENERIC_MODS = frozenset(
    """local same new old big small little nearest nearby public private state catholic christian anglican
    baptist islamic jewish community youth kids kid children childrens children's girls boys womens mens
    women's men's adult night day boxing dog book art music dance drama sports sport swim uni high middle
    primary secondary boarding medical health mental sexual fertility walk-in methadone psych psychiatric
    general regional base city town village main other first second last next every each one two nice
    good bad great fancy cheap expensive posh crappy shitty tiny huge usual favourite favorite fave
    weekly daily sunday saturday morning evening school work hotel coffee gym church""".split()
)
_STREET_ABBR = frozenset("st rd ave av blvd hwy pde tce cres ln gr gve esp".split())
_STREET_FULL = frozenset(
    "street road avenue lane drive crescent parade terrace court close place way grove highway boulevard "
    "circuit esplanade mews row square".split()
)
_STREET_NUMBERED = frozenset("dr ct pl cl cct sq".split())
# without a number these are ordinary words: "the first place", "sessions way"
_STREET_NEED_NUMBER = frozenset("court close place way grove mews row square circuit".split())
_STREET_STOP = _FUNCTION | frozenset("main high back side one-way busy quiet same next long".split())


# ---------------------------------------------------------------- helpers
def _chat(low: str) -> bool:
    return low in chat_words()


def _plain_lower(t: Token) -> bool:
    return t.is_lower and t.is_alpha and "'" not in t.text and "’" not in t.text


def unknown_word(doc: Doc, t: Token, strong: bool = False) -> bool:
    """No dictionary, allowlist or chat list knows it, nor is it a typo of a
    word: the lowercase safety net's test. Rare words ("bec", "mele") pass
    only in a strong slot, where they were seen as names."""
    low = t.lower
    lex = doc.lex
    if len(low) < 3 or not t.is_alpha or low in _FUNCTION or _chat(low) or low in lex.allow:
        return False
    if lex.is_word(low) or low in lex.regions or lex.near_word(low):
        return False
    return strong or not lex.is_rare_word(low) or lex.is_first(low)


def lower_name(doc: Doc, t: Token, strong: bool = False) -> bool:
    """A lowercase word that may be a person's name in this slot."""
    low = t.lower
    lex = doc.lex
    if not _plain_lower(t) or len(low) < 2 or low in _FUNCTION or _chat(low) or low in lex.allow:
        return False
    if low in KIN or low in SPEECH or low in OWNED:
        return False
    if lex.is_first(low) and not lex.is_word(low) and (len(low) >= 3 or strong):
        return True
    if (
        strong
        and lex.is_first(low)
        and low not in lex.common_words
        and len(low) >= 3
        and not low.endswith(("ing", "ed", "ly"))
        and _mention_ends(doc, t)
    ):
        return True  # "his step dad rusty does", "her daughter hope (16)"
    return unknown_word(doc, t, strong=strong) and not lex.is_place(low) or strong and unknown_word(doc, t, True)


def _mention_ends(doc: Doc, t: Token) -> bool:
    """The word closes a mention: punctuation, the end, or a verb after it."""
    if t.possessive:
        return True
    rest = doc.text[t.end : t.end + 8].lstrip(" ")
    if not rest or not rest[0].isalnum():
        return True  # punctuation, an emoji, the end
    n = doc.next(t)
    return n is not None and doc.gap(t, n) == " " and (n.lower in SPEECH or n.lower in _AUX)


_AUX = frozenset(
    "is was has had will would can could does did dont doesnt didnt cant wont isnt wasnt hasnt hadnt "
    "wouldnt couldnt shouldnt".split()
)


def _extend_surname(doc: Doc, t: Token) -> Token:
    """ "greg kowalski": a lowercase surname right after goes with the name."""
    n = doc.next(t)
    lex = doc.lex
    if (
        n is not None
        and doc.gap(t, n) == " "
        and _plain_lower(n)
        and len(n.lower) >= 3
        and (lex.is_surname(n.lower) or lex.is_first(n.lower))
        and not lex.is_word(n.lower)
        and not _chat(n.lower)
        and n.lower not in lex.allow
    ):
        return n
    return t


def _name(doc: Doc, a: Token, b: Token, priority: int) -> Candidate:
    return Candidate(a.start, b.end, "NAME", "person", priority, "chat")


# ---------------------------------------------------------------- names
# greetings before a poster names themself: "hiii sunny here", "hi all, rahul here", "hey its donna"
_GREETINGS = frozenset(
    "hi hii hiii hiiii hey heyy heya hiya hello helo yo morning evening all everyone team folks ok okay so".split()
)
_VOCATIVE_REST = re.compile(
    r"(?:\s*,|\s+(?:r|are)\s+(?:u|you|ya)\b|\s+(?:u|you)\s+(?:around|free|there|up)\b|\s+(?:can|could)\s+(?:u|you)\b|"
    r"\s+quick\s+q|\s+got\s+a\s+(?:sec|min)\b|\s+(?:u|you)\s+got\s+a\b)"
)
_ROLE_IN_BRACKETS = re.compile(
    r" ?\((?:my |our |a |her |his )?(?:ex-|former |new )?(?:client|cl|pt|patient|supervisee|son|daughter|kid|student)\b"
)
_KIN_APPOS = re.compile(
    r", (?:the |his |her |their |my |our )?(?:mother|mum|mom|father|dad|sister|brother|wife|husband|partner|"
    r"daughter|son|aunt|aunty|auntie|uncle|grandmother|grandfather|grandma|grandpa|nan|cousin|niece|nephew|"
    r"stepmum|stepmom|stepdad|girlfriend|boyfriend|fiancee|fiance)\b(?: of\b|,)"
)
_SLOT_BEFORE = _GREETINGS | frozenset({"its", "it's", "is", "intake", "referral", "referrals"})
_NAME_IS_CUES = frozenset("client cl pt patient supervisee kid name names son daughter".split())


def _self_or_called(doc: Doc, t: Token) -> int | None:
    """A name by the grammar of a chat message, whatever the word: the poster
    naming themself ("sunny here", "hi its donna"), the person addressed at the
    start ("tom r u around?", "jen, quick q"), "client is ruby."."""
    lex = doc.lex
    low = t.lower
    prev = doc.prev(t)
    nxt = doc.next(t)
    # cheap first: only a few slots are asked about at all
    if not (
        _opens(doc, t)
        or nxt is not None
        and nxt.lower == "here"
        or prev is not None
        and prev.lower in _SLOT_BEFORE
        or doc.text[t.end : t.end + 2] in (" (", "(", ", ")
    ):
        return None
    if (
        len(low) < 2
        or low in _FUNCTION
        or _chat(low)
        or low in lex.allow
        or low in KIN
        or low in lex.regions
        or not t.is_alpha
        or t.is_upper
    ):
        return None
    namey = lex.is_first(low) or not lex.is_word(low) and not lex.near_word(low)
    if not namey:
        return None
    gap = doc.gap(prev, t) if prev is not None else ""
    start = prev is None or t.sent_start
    greeted = (
        prev is not None
        and prev.lower in _GREETINGS
        and gap in (" ", ", ")
        and (
            prev.sent_start or doc.prev(prev) is None or doc.prev(prev).lower in _GREETINGS  # type: ignore[union-attr]
        )
    )
    # "sunny here", "rahul here (cmhc thane)"
    if nxt is not None and nxt.lower == "here" and doc.gap(t, nxt) == " " and (start or greeted):
        after = doc.text[nxt.end : nxt.end + 2].lstrip(" ")
        if not after or not after[0].isalpha() or after[:1] in ("-", "("):
            return 58
    # "hey its donna", "hi, its donna from"
    if prev is not None and prev.lower in ("its", "it's", "this is") and gap == " ":
        pp = doc.prev(prev)
        if pp is not None and pp.lower in _GREETINGS and (pp.sent_start or doc.prev(pp) is None):
            return 56
    # "tom r u around?", "jen, quick q": the first word of the message, addressed
    voc = _VOCATIVE_REST.match(doc.text, t.end) if _opens(doc, t) else None
    if voc and lex.is_first(low) and (low not in lex.common_words or not voc.group().lstrip().startswith(",")):
        return 56
    # "grace (client, 52) wants", "jo (my pt) said"
    if (
        _ROLE_IN_BRACKETS.match(doc.text, t.end)
        and lex.is_first(low)
        and not t.sent_start
        or (_ROLE_IN_BRACKETS.match(doc.text, t.end) and lex.is_first(low) and low not in lex.common_words)
    ):
        return 58
    # "marguerite, mother of theo", "sione, her brother,": a kin word in apposition
    if (
        _KIN_APPOS.match(doc.text, t.end)
        and (lex.is_first(low) and low not in lex.common_words or not lex.is_word(low))
        and not (prev is not None and prev.lower in _FUNCTION)
    ):
        return 56
    # "pretty sure its dev from the tuesday group", "new intake olu is"
    if prev is not None and gap == " " and (lex.is_first(low) or not lex.is_word(low)):
        if prev.lower == "its" and nxt is not None and nxt.lower == "from" and doc.gap(t, nxt) == " ":
            return 54
        if (
            prev.lower in ("intake", "referral", "referrals")
            and (pp2 := doc.prev(prev)) is not None
            and pp2.lower == "new"
        ):
            return 56
    # "client is ruby.", "her name is sol,"
    if (
        prev is not None
        and prev.lower == "is"
        and gap == " "
        and (pp := doc.prev(prev)) is not None
        and pp.lower.rstrip("s") in _NAME_IS_CUES
        and doc.gap(pp, prev) == " "
        and lex.is_first(low)
        and low not in lex.common_words
    ):
        rest = doc.text[t.end : t.end + 2].lstrip(" ")
        if not rest or not rest[0].isalnum():
            return 58
    return None


_OBJECT_WORDS = frozenset("me him her us them it a an the my his their our your this that some".split())


def _companion_name(doc: Doc, t: Token) -> bool:
    """A lowercase word beside "me and"/"and i" that is a listed given name (no common word),
    or a word nothing knows."""
    low = t.lower
    lex = doc.lex
    if not _plain_lower(t) or len(low) < 3 or low in _FUNCTION or _chat(low) or low in lex.allow:
        return False
    if low in KIN or low in SPEECH or low in OWNED or low in lex.common_words:
        return False
    return lex.is_first(low) and not low.endswith(("ing", "ed", "ly")) or unknown_word(doc, t, strong=True)


def _beside_me(doc: Doc, t: Token) -> bool:
    """ "me and X", "X and me", "X and i": X is a person (the writer's companion)."""
    p = doc.prev(t)
    if p is not None and p.lower == "and" and doc.gap(p, t) == " ":
        q = doc.prev(p)
        if q is not None and q.lower in ("me", "myself") and doc.gap(q, p) == " ":
            return True
    n = doc.next(t)
    # "jess and i went" opens its clause ("Coach is pushy and I" does not)
    opens = t.sent_start or p is None or doc.gap(p, t).strip() in (",", "-") or p.lower in _CLAUSE_OPEN
    if opens and n is not None and n.lower == "and" and doc.gap(t, n) == " ":
        m = doc.next(n)
        if m is not None and m.text in ("i", "I", "me", "myself") and doc.gap(n, m) == " ":
            return True
    return False


# which name a word is: "full name X", "real name is X", "birth name: X", "his actual name X"
_NAME_KINDS = frozenset("full real legal birth given first middle last actual proper maiden dead deadname".split())


def _name_kind_before(doc: Doc, t: Token) -> bool:
    p = doc.prev(t)
    if p is None:
        return False
    if p.lower == "is" and doc.gap(p, t) == " ":
        p = doc.prev(p)
        if p is None:
            return False
        gap = " "
    else:
        gap = doc.text[p.end : t.start]
    if p.lower not in ("name", "names") or gap not in (" ", ": ", ":", " - ", ", "):
        return False
    q = doc.prev(p)
    return q is not None and q.lower in _NAME_KINDS and doc.gap(q, p) == " "


def _names(doc: Doc) -> Iterator[Candidate]:
    toks = doc.tokens
    lex = doc.lex
    for t in toks:
        if t.is_lower or t.is_cap:
            got = _self_or_called(doc, t)
            if got is not None:
                yield _name(doc, t, t, got)
                continue
        # every rule below is about a word typed in lowercase
        if not t.text.islower() or len(t.text) < 2:
            continue
        prev = doc.prev(t)
        gap = doc.gap(prev, t) if prev is not None else ""
        low = t.lower
        # after a relationship or kin word: "her ex dave", "my nonna rosa"
        if prev is not None and _is_kin(prev) and gap == " " and not prev.possessive:
            nxt = doc.next(t)
            acts = nxt is not None and doc.gap(t, nxt) == " " and nxt.lower in SPEECH
            # "my ex jordan", "her daughter georgia": a given name that is also a country or a
            # town, in a person's slot, is the person
            placey_name = (
                lex.is_first(low)
                and (low in lex.regions or lex.is_place(low))
                and low not in lex.common_words
                and _plain_lower(t)
                and low not in _FUNCTION
                and not _chat(low)
                and low not in KIN
                # "her daughter drew me a picture": a verb with its object, not a name
                and not (nxt is not None and nxt.lower in _OBJECT_WORDS)
            )
            if (
                placey_name
                or lower_name(doc, t, strong=True)
                and (low not in lex.common_words or acts and lex.is_first(low))
                # "hubby mark says": a name that is a common word, but speaking
                or acts
                and _plain_lower(t)
                and lex.is_first(low)
                and low not in _FUNCTION
                and not _chat(low)
                and low not in lex.allow
                and low not in KIN
            ):
                last = _extend_surname(doc, t)
                yield _name(doc, t, last, 58)
                yield from _age_after(doc, last)
                continue
            # "pt tj said", "her son dj is": two-letter initials in lowercase
            if (
                len(low) == 2
                and _plain_lower(t)
                and low not in lex.common_words
                and not _chat(low)
                and low not in _FUNCTION
                and (acts or _mention_ends(doc, t))
            ):
                yield _name(doc, t, t, 56)
                continue
        # "me and osian play", "jess and i went": a person beside the writer
        if _beside_me(doc, t) and _companion_name(doc, t):
            yield _name(doc, t, t, 56)
            continue
        # "full name oluwatobiloba", "real name is russell", "legal name: Mei-Ling"
        if _name_kind_before(doc, t) and (lower_name(doc, t, strong=True) or t.is_cap and not lex.is_word(low)):
            yield _name(doc, t, _extend_surname(doc, t), 62)
            continue
        # "named jo", "goes by jr", "aka bex"
        goes_by = (
            prev is not None
            and gap == " "
            and (
                prev.lower in ("aka", "nicknamed")
                or prev.lower == "by"
                and (p2 := doc.prev(prev)) is not None
                and p2.lower in ("goes", "go", "going", "went")
            )
        )
        if (
            goes_by
            and t.is_lower
            and t.is_alpha
            and low not in _FUNCTION
            and not _chat(low)
            or (prev is not None and prev.lower in _NAMING and gap == " " and lower_name(doc, t, strong=True))
        ):
            yield _name(doc, t, _extend_surname(doc, t), 62)
            yield from _age_after(doc, t)
            continue
        if not _plain_lower(t):
            continue
        nxt = doc.next(t)
        ngap = doc.gap(t, nxt) if nxt is not None else ""
        # before a verb of speech or action, at a clause start or after "w/with":
        # "jas went sideways", "so arnab said", "sesh w jas went"
        if (
            nxt is not None
            and ngap == " "
            and nxt.lower in SPEECH
            and (t.sent_start or prev is None or prev.lower in _CLAUSE_OPEN or gap.strip() in (",", "&", "-"))
            and lower_name(doc, t)
        ):
            yield _name(doc, t, t, 54)
            continue
        # "sesh w jas", "coffee with dave": a first name that is no word
        if (
            prev is not None
            and prev.lower in ("w", "with")
            and gap in (" ", "/ ")
            and lex.is_first(low)
            and not lex.is_word(low)
            and not _chat(low)
            and len(low) >= 3
        ):
            yield _name(doc, t, _extend_surname(doc, t), 54)
            continue
        # a person as object or after a preposition: "told amy", "a txt from jess",
        # "asked tomasz to stop"; a first name no dictionary knows
        meet = prev is not None and gap == " " and prev.lower in _MEET
        if (
            prev is not None
            and gap == " "
            and (meet or prev.lower in ("from", "for", "by", "to") and not lex.is_place(low))
            and len(low) >= 3
            and _plain_lower(t)
            and lex.is_first(low)
            # "told amy i cant", "asked ben to stop": a name that is a rare word too
            and (not lex.is_word(low) or meet and prev.lower in _TELL and low not in lex.common_words)
            and not _chat(low)
            and low not in lex.allow
            and low not in _FUNCTION
            and (meet or not lex.is_rare_word(low))
            and not _typo(doc, low)
        ):
            yield _name(doc, t, _extend_surname(doc, t), 52)
            continue
        # "her boss at the cafe, trev, is lovely": an unknown word between
        # commas, a relationship word just before
        if (
            gap == ", "
            and doc.text[t.end : t.end + 1] == ","
            and unknown_word(doc, t, strong=True)
            and _kin_within(doc, t, 5)
        ):
            yield _name(doc, t, t, 52)
            continue
        # between commas or after a dash, closing the mention: ", priya, says",
        # "rent - marcus", "the wrong karen 😭", "little ellie dont"
        if (
            len(low) >= 3
            and lex.is_first(low)
            and not lex.is_word(low)
            and low not in lex.common_words
            and not _chat(low)
            and low not in lex.allow
            and not lex.is_rare_word(low)
            and not _typo(doc, low)
            and (
                prev is not None
                and (prev.lower in _PERSON_MODS and gap == " " or gap.strip() in (",", "-", "–", "—", ":", "("))
                and _mention_ends(doc, t)
            )
        ):
            yield _name(doc, t, _extend_surname(doc, t), 50)
            yield from _age_after(doc, t)
            continue
        # "sione & mele", "names: ana and tavita": two unknown words paired
        if nxt is not None and ngap in (" & ", " and ", " n ", " + ") and (n2 := nxt) is not None:
            if (
                _pair_word(doc, t)
                and _pair_word(doc, n2)
                and (ngap == " & " or lex.is_first(low) or lex.is_first(n2.lower))
            ):
                yield _name(doc, t, t, 52)
                yield _name(doc, n2, n2, 52)
                continue
        # possessive without the apostrophe: "mias court date", "gracies foster carer"
        if (
            t.possessive is False
            and low.endswith("s")
            and len(low) >= 4
            and nxt is not None
            and ngap == " "
            and nxt.lower in OWNED
            and (
                not lex.is_word(low)
                or low not in lex.common_words
                and lex.is_first(low[:-1])
                and low[:-1] not in lex.common_words
            )
            and not _chat(low)
            and low not in lex.allow
            and not lex.is_place(low)
        ):
            stem = low[:-1]
            if (
                lex.is_first(stem)
                and (not lex.is_word(stem) or stem not in lex.common_words and len(stem) >= 3)
                or lex.is_first(low)
                and not lex.is_word(low)
            ):
                yield _name(doc, t, t, 56)
                continue


# words that stand before a person: "little ellie", "the wrong karen"
_PERSON_MODS = frozenset("little wrong poor young old dear sweet lovely baby miss mister big lil".split())
# "jr, 17,", "rosa (82)": a bare age right after a name in chat
_AGE_AFTER = re.compile(r"\)?\s*[,(]\s*(1[01]\d|[1-9]?\d)\s*(?:yo|y/o)?\s*[,.;)](?!\d)")


def _age_after(doc: Doc, t: Token) -> Iterator[Candidate]:
    m = _AGE_AFTER.match(doc.text, t.end + (2 if t.possessive else 0))
    if m is None:
        n = doc.next(t)
        # "(goes by jr), 17,": past the bracket the name closes
        if n is not None or doc.text[t.end : t.end + 1] != ")":
            return
    if m is not None:
        yield Candidate(m.start(1), m.end(1), "AGE", "age", 50, "chat")


def _typo(doc: Doc, low: str) -> bool:
    """One letter swapped or changed from a common word ("wierd", "freind")."""
    if len(low) < 4 or len(low) > 12:
        return False
    common = doc.lex.common_words
    for i in range(len(low) - 1):
        if low[:i] + low[i + 1] + low[i] + low[i + 2 :] in common:
            return True
    return False


_MEET = frozenset(
    "told tell asked ask texted text messaged msged emailed rang ring called call saw see met meet hugged invited "
    "thanked thank referred blocked unfollowed followed added dmed dm'd".split()
)


# verbs of telling whose object is a person, never a thing: "told amy", "asked ben"
_TELL = frozenset("told tell asked ask texted messaged msged emailed thanked hugged invited".split())


def _is_kin(t: Token) -> bool:
    """A relationship word, hyphenated too: "ex-bf", "step-dad"."""
    return t.lower in KIN or "-" in t.lower and t.head in KIN


def _kin_within(doc: Doc, t: Token, n: int) -> bool:
    p = t
    for _ in range(n):
        before = doc.prev(p)
        if before is None:
            return False
        if _is_kin(before):
            return True
        p = before
    return False


def _pair_word(doc: Doc, t: Token) -> bool:
    """One of "sione & mele", "priya n raj": no word, or a first name no dictionary knows."""
    lex = doc.lex
    return unknown_word(doc, t, strong=True) or (
        _plain_lower(t) and lex.is_first(t.lower) and not lex.is_word(t.lower) and not _chat(t.lower)
    )


_CLAUSE_OPEN = frozenset("so and but bc cos coz because then when if that said says w with also now".split())


# ---------------------------------------------------------------- initials
_NOT_INITIAL_AFTER = frozenset(
    """plan option vitamin type grade class hep level part section step stage appendix exhibit model form
    schedule category group team ward room block unit bay gate row floor lot axis cluster tier phase
    letter point size cup""".split()
)


# a person's role after a lone capital: "K is a cl", "T (cl, in her thirties)", "J (my supervisee) said"
_ROLES = (
    r"(?:cl|client|pt|patient|supervisee|student|trainee|intern|colleague|coworker|co-worker|friend|neighbou?r|"
    r"tenant|parent|mum|mom|dad|teen|kid|resident|member|participant|carer|caregiver|ex)"
)
_ROLE_AFTER = re.compile(
    r"\.?(?:[ \t]+(?:is|was|isnt|isn't|aint)[ \t]+(?:a|an|my|our|the|not[ \t]+a)[ \t]+(?:new[ \t]+|former[ \t]+|current[ \t]+)?"
    r"|[ \t]*\([ \t]*(?:my[ \t]+|a[ \t]+|our[ \t]+|new[ \t]+|former[ \t]+)?)" + _ROLES + r"s?\b",
    re.I,
)
# "Z.'s brother": a lone capital with a full stop, then a possessive and a person or thing of theirs
_DOTTED_OWNER = re.compile(r"\.['’]s[ \t]+(?P<w>[a-z]+)")


def _initials(doc: Doc) -> Iterator[Candidate]:
    dotted: set[str] = set()
    for c in _lone_initials(doc):
        if doc.text[c.end - 1 : c.end] == ".":
            dotted.add(doc.text[c.start])
        yield c
    if not dotted:
        return
    # "Z.'s brother … talk sense into Z. … tell Z. at": a person's dotted initial recurs
    for t in doc.tokens:
        if (
            t.text in dotted
            and doc.text[t.end : t.end + 1] == "."
            and not _INITIALS_RUN.match(doc.text, t.end + 1)
            and not doc.text[t.start - 1 : t.start] == "."
        ):
            yield Candidate(t.start, t.end + 1, "NAME", "person", 54, "chat")


# "A.M.", "A. M.": initials of two letters are another name than the one letter
_INITIALS_RUN = re.compile(r"[ \t]?[A-Z]\.")


def _lone_initials(doc: Doc) -> Iterator[Candidate]:
    for t in doc.tokens:
        txt = t.text
        if len(txt) != 1 or not txt.isupper() or txt == "I":
            continue
        prev = doc.prev(t)
        nxt = doc.next(t)
        gap = doc.gap(prev, t) if prev is not None else ""
        ngap = doc.gap(t, nxt) if nxt is not None else ""
        if prev is not None and prev.lower in _NOT_INITIAL_AFTER:
            continue
        after_dot = doc.text[t.end : t.end + 1] == "."
        if txt in "MF" and nxt is not None and nxt.text[:1].isdigit():
            continue  # "client M - 40", "pt F 32": a sex marker before an age
        # "pt M came in", "my client T", "her ex J"
        if prev is not None and prev.lower in KIN and gap == " " and not prev.possessive and txt != "A":
            yield Candidate(t.start, t.end + (1 if after_dot else 0), "NAME", "person", 58, "chat")
            continue
        # "K's text", "M's mum"
        if t.possessive and nxt is not None and nxt.lower in OWNED and ngap in (" ", "'s ", "’s "):
            yield Candidate(t.start, t.end, "NAME", "person", 56, "chat")
            continue
        # "Z.'s brother", "R.'s mum"
        if after_dot and (m := _DOTTED_OWNER.match(doc.text, t.end)) and (m.group("w") in OWNED or m.group("w") in KIN):
            yield Candidate(t.start, t.end + 1, "NAME", "person", 56, "chat")
            continue
        # "K is a cl", "T (cl, in her thirties)"
        if txt != "A" and _ROLE_AFTER.match(doc.text, t.end):
            yield Candidate(t.start, t.end + (1 if after_dot else 0), "NAME", "person", 56, "chat")
            continue
        # "T said", "M came in", "seen S. yesterday"
        if (
            nxt is not None
            and ngap in (" ", ". ")
            and nxt.lower in SPEECH
            and nxt.is_lower
            and (txt != "A" or ngap == ". ")
        ):
            yield Candidate(t.start, t.end + (1 if after_dot else 0), "NAME", "person", 54, "chat")


# ---------------------------------------------------------------- organisations
def _orgs(doc: Doc) -> Iterator[Candidate]:
    toks = doc.tokens
    lex = doc.lex
    table = chains()
    n = len(toks)
    i = 0
    while i < n:
        t = toks[i]
        entries = table.get(t.lower)
        if entries:
            hit = _chain_at(doc, i, entries)
            if hit is not None:
                j = hit
                single = j == i
                prev = doc.prev(t)
                if (
                    not single
                    or not lex.is_word(t.lower)
                    and t.lower not in lex.allow
                    or prev is not None
                    and prev.lower in ("at", "from")
                    and t.lower not in lex.common_words
                    and t.lower not in lex.allow
                ):
                    yield Candidate(t.start, toks[j].end, "ORG", "workplace", 48, "chat")
                    yield from _place_after(doc, toks[j])
                    i = j + 1
                    continue
        i += 1
    yield from _typed_orgs(doc)
    yield from _the_venue(doc)
    yield from _saints(doc)


def _chain_at(doc: Doc, i: int, entries: tuple[tuple[str, ...], ...]) -> int | None:
    toks = doc.tokens
    for words in entries:
        j = i + len(words) - 1
        if j >= len(toks):
            continue
        ok = True
        for k, w in enumerate(words):
            tk = toks[i + k]
            if tk.lower != w or (k and doc.gap(toks[i + k - 1], tk) not in (" ", "-", "")):
                ok = False
                break
        if ok and (len(words) > 1 or not toks[i].possessive or True):
            return j
    return None


def _place_after(doc: Doc, last: Token) -> Iterator[Candidate]:
    """ "bunnings moorabbin", "studio pilates newtown", "22 ormond rd, elwood":
    a town right after a venue or an address."""
    n = doc.next(last)
    if n is None or doc.gap(last, n) not in (" ", ", ") or last.possessive:
        return
    low = n.lower
    lex = doc.lex
    if not _plain_lower(n) and not n.is_cap or low in _FUNCTION or _chat(low) or low in lex.allow:
        return
    if lex.is_place(low) and not lex.is_word(low) or unknown_word(doc, n) and _plain_lower(n):
        # a two-word suburb: "west ryde", "north melbourne"
        yield Candidate(n.start, n.end, "LOCATION", "place", 44, "chat")


# verbs that introduce a business or a place of work; never inside its name
_VENUE_VERBS = frozenset(
    "owns own owned runs run ran manages manage managed works work worked sells sell sold opened opens started "
    "starts founded joined joins attends attend attended".split()
)


def _typed_orgs(doc: Doc) -> Iterator[Candidate]:
    """ "glenroy primary", "west ryde rovers", "the bay medical centre",
    "kwik fit", "city life church" (at least one word no dictionary knows,
    or a town): a lowercase run ending in a type word."""
    toks = doc.tokens
    for idx, t in enumerate(toks):
        kind = None
        head_start = idx
        if idx > 0 and (toks[idx - 1].lower, t.lower) in ORG_TYPES2 and doc.gap(toks[idx - 1], t) == " ":
            kind = ORG_TYPES2[(toks[idx - 1].lower, t.lower)]
            head_start = idx - 1
        elif t.lower in ORG_TYPES:
            kind = ORG_TYPES[t.lower]
        if kind is None or not t.is_lower:
            continue
        # the words before the type word: at most three, none a function word
        mods: list[Token] = []
        j = head_start - 1
        cur = toks[head_start]
        owned = False
        while j >= 0 and len(mods) < 3:
            p = toks[j]
            if doc.gap(p, cur) != " " or not p.is_lower or p.possessive and mods:
                break
            if p.lower in _FUNCTION or p.lower in ORG_TYPES or _chat(p.lower) or p.lower in KIN:
                break
            if p.lower in _VENUE_VERBS:
                owned = p.is_lower  # "thao owns lotus nails": the owner is no part of the shop,
                break  # and what one owns or runs, named by its type, is a name ("runs pasha bakery")
            mods.insert(0, p)
            cur = p
            j -= 1
        # "st brigids college": the saint rule takes it
        while mods and mods[0].lower in _GENERIC_MODS:
            mods.pop(0)
        if not mods:
            continue
        first = next((k for k, m in enumerate(mods) if _namey_mod(doc, m)), None)
        if first is None and owned and mods[0].lower not in _VENUE_GENERIC:
            first = 0
        if first is None:
            continue
        # the name starts at its first name-like word, or a word that opens
        # place names just before it ("west ryde rovers"); a verb before it
        # stays ("attends northside baptist church")
        if first > 0 and mods[first - 1].lower in _NAME_OPENERS:
            first -= 1
        mods = mods[first:]
        label = "LOCATION" if kind == "library" else "ORG"
        yield Candidate(mods[0].start, t.end, label, kind, 46, "chat")
        yield from _place_after(doc, t)


# venues whose "the <word>" form is a name: "at the imperial hotel", "from
# the bay medical centre" (but "the local pub", "the airport hotel")
_NAMED_WITH_THE = frozenset("hotel pub tavern inn arms hotel's".split())
_NAMED_WITH_THE2 = frozenset(
    {("medical", "centre"), ("medical", "center"), ("health", "centre"), ("family", "practice")}
)
_VENUE_GENERIC = _GENERIC_MODS | frozenset(
    "airport station beach seaside roadside corner pokies sports gay irish country motorway hospital uni "
    "student staff nearby usual dodgy fancy family".split()
)


def _the_venue(doc: Doc) -> Iterator[Candidate]:
    toks = doc.tokens
    for i in range(2, len(toks)):
        t = toks[i]
        if not t.is_lower:
            continue
        if t.lower in _NAMED_WITH_THE:
            mod_i = i - 1
        elif i >= 3 and (toks[i - 1].lower, t.lower) in _NAMED_WITH_THE2 and doc.gap(toks[i - 1], t) == " ":
            mod_i = i - 2
        else:
            continue
        # one or two words between "the" and the type: "the imperial hotel", "the red lion inn"
        first = mod_i - 1 if mod_i >= 3 and toks[mod_i - 1].lower != "the" else mod_i
        if first < 2:
            continue
        mods, the, slot = toks[first : mod_i + 1], toks[first - 1], toks[first - 2]
        if the.lower != "the" or slot.lower not in VENUE_SLOT or doc.gap(slot, the) != " ":
            continue
        if any(not _plain_lower(m) or doc.gap(m, toks[m.i + 1]) != " " for m in mods) or doc.gap(the, mods[0]) != " ":
            continue
        if any(_generic_venue_word(m.lower) for m in mods) or all(_common(doc, m.lower) for m in mods):
            continue
        yield Candidate(the.start, t.end, "ORG", "workplace", 46, "chat")


def _generic_venue_word(low: str) -> bool:
    return (
        low in _FUNCTION
        or low in _VENUE_GENERIC
        or _chat(low)
        or low in KIN
        or len(low) > 4
        and low.endswith(("ing", "ed"))
    )


def _common(doc: Doc, low: str) -> bool:
    lex = doc.lex
    return lex.is_word(low) and low in lex.common_words and not lex.is_place(low)


_NAME_OPENERS = frozenset(
    "north south east west upper lower new old port mount mt lake glen point saint st fort little great "
    "royal central inner outer".split()
)


def _namey_mod(doc: Doc, m: Token) -> bool:
    low = m.lower.rstrip("s") if m.lower.endswith("s") and len(m.lower) > 4 else m.lower
    lex = doc.lex
    if low in _GENERIC_MODS or _chat(m.lower) or m.lower in lex.allow:
        return False
    if not lex.is_word(m.lower) and not lex.near_word(m.lower) and m.is_alpha and len(m.lower) >= 3:
        return True
    return (lex.is_place(m.lower) or lex.is_place(low)) and m.lower not in lex.common_words


_SAINT = fast(
    re.compile(
        r"(?<![\w])(?:st|saint)\.?\s+(?P<n>[a-z][a-z'’]{2,20})\b",
    )
)
_MARIAN = fast(
    re.compile(
        r"(?<![\w])our\s+lady\s+(?:of\s+|queen\s+of\s+|star\s+of\s+|help\s+of\s+)(?:the\s+)?[a-z][a-z'’]{2,20}"
        r"(?:\s+(?!(?:and|or|but|in|at|on|for|to|is|was|the|a)\b)[a-z][a-z'’]{2,20})?",
    )
)
_DEVOTIONAL = fast(
    re.compile(
        r"(?<![\w])(?:sacred\s+heart|holy\s+(?:family|cross|trinity|spirit|name|rosary|redeemer|innocents|angels|"
        r"child)|christ\s+the\s+king|corpus\s+christi|mater\s+dei|mary\s+mackillop|good\s+shepherd)\s+"
        r"(?=(?:college|primary|school|church|parish|high|hospital|academy|cathedral)\b)"
    )
)


def _saints(doc: Doc) -> Iterator[Candidate]:
    """ "st brigids college", "st johns", "our lady of lourdes", "sacred heart
    primary": lowercase church and school names."""
    text = doc.text
    lex = doc.lex
    for m in _SAINT.finditer(text):
        word = m.group("n")
        low = word.lower().replace("’", "'")
        stem = low[:-2] if low.endswith("'s") else low[:-1] if low.endswith("s") else low
        if not (lex.is_first(stem) or lex.is_first(low)) or low in _FUNCTION or _chat(low):
            continue
        # "king st which": "st" after a name is a street, not a saint
        before = text[max(0, m.start() - 12) : m.start()].split()
        if before and before[-1].isdigit():
            continue
        end = m.end()
        tail = re.match(
            r"\s+(?:(?:catholic|anglican|primary|secondary|high|medical)\s+)?([a-z]+)\b", text[end : end + 40]
        )
        if tail and (tail.group(1) in ORG_TYPES or tail.group(1) in ("centre", "center", "school")):
            end += tail.end()
        yield Candidate(m.start(), end, "ORG", "church", 50, "chat")
    for rx in (_MARIAN, _DEVOTIONAL):
        for m in rx.finditer(text):
            end = m.end()
            tail = re.match(r"\s*([a-z]+)\b", text[end : end + 20])
            if tail and tail.group(1) in ORG_TYPES:
                end += tail.end()
            yield Candidate(m.start(), end, "ORG", "church", 50, "chat")


# ---------------------------------------------------------------- places
def _places(doc: Doc) -> Iterator[Candidate]:
    toks = doc.tokens
    lex = doc.lex
    for idx, t in enumerate(toks):
        low = t.lower
        # streets: "14 kellett st", "22/8 ormond rd", "on harrow rd", "mcleod street"
        if t.is_lower and (low in _STREET_ABBR or low in _STREET_FULL or low in _STREET_NUMBERED):
            c = _street(doc, idx)
            if c is not None:
                yield c
                yield from _place_after(doc, t)
            continue
        # "in the gold coast", "from palmerston north": a town of two or three words
        prev = doc.prev(t)
        if prev is not None and prev.lower in PLACE_SLOT | {"the"} and doc.gap(prev, t) == " " and _plain_lower(t):
            c = _multiword_place(doc, t, prev)
            if c is not None:
                yield c
                continue
        # "works at hillsong", "goes to westfield": a word no list knows, as a venue
        if (
            prev is not None
            and (prev.lower == "at" or prev.lower == "to" and _goes(doc, prev))
            and doc.gap(prev, t) == " "
            and _plain_lower(t)
            and unknown_word(doc, t)
            and len(low) >= 5
            and not lex.is_first(low)
            and _closes(doc, t)
        ):
            yield Candidate(t.start, t.end, "LOCATION", "place", 40, "chat")
            continue
        # "in footscray", "from moorabbin": a town no dictionary knows
        if prev is None or prev.lower not in PLACE_SLOT or doc.gap(prev, t) != " " or not _plain_lower(t):
            continue
        if low in _FUNCTION or _chat(low) or low in lex.allow or low in KIN or low in lex.regions:
            continue
        if lex.is_place(low) and not lex.is_word(low) and not (lex.is_first(low) and not _closes(doc, t)):
            yield Candidate(t.start, t.end, "LOCATION", "place", 44, "chat")
        elif (
            unknown_word(doc, t)
            and prev.lower != "to"
            and "-" not in low
            and len(low) >= 5
            and not lex.is_first(low)
            and _closes(doc, t)
        ):
            yield Candidate(t.start, t.end, "LOCATION", "place", 40, "chat")


def _goes(doc: Doc, to: Token) -> bool:
    p = doc.prev(to)
    return p is not None and p.lower in ("goes", "go", "went", "going", "gone", "moved", "drove", "walked", "got")


def _multiword_place(doc: Doc, t: Token, prev: Token) -> Candidate | None:
    """Two or three lowercase words that a gazetteer lists together, after a
    place slot ("from the gold coast", "in palmerston north"): at least one
    of them no English word, or the phrase closes its clause."""
    if prev.lower == "the":
        p2 = doc.prev(prev)
        if p2 is None or p2.lower not in PLACE_SLOT:
            return None
    lex = doc.lex
    words = [t]
    cur = t
    for _ in range(2):
        n = doc.next(cur)
        if n is None or doc.gap(cur, n) != " " or not _plain_lower(n) or n.lower in _FUNCTION:
            break
        words.append(n)
        cur = n
    if t.lower in _FUNCTION:
        return None
    for k in range(len(words), 1, -1):
        run = words[:k]
        phrase = " ".join(w.lower for w in run)
        if not lex.is_place(phrase) or phrase in lex.regions:
            continue
        if any(not lex.is_word(w.lower) for w in run) or _closes_strictly(doc, run[-1]):
            return Candidate(run[0].start, run[-1].end, "LOCATION", "place", 44, "chat")
    return None


_AFTER_PLACE = frozenset(
    "now and but so last next this for on with since originally lol tbh yesterday today tonight tomorrow "
    "though tho too again anymore".split()
)


def _closes_strictly(doc: Doc, t: Token) -> bool:
    """Punctuation, the end, or a word that cannot continue a place's name."""
    rest = doc.text[t.end : t.end + 1]
    if not rest or rest in ".,;:!?)\n":
        return True
    n = doc.next(t)
    return n is not None and doc.gap(t, n) == " " and n.lower in _AFTER_PLACE


def _closes(doc: Doc, t: Token) -> bool:
    rest = doc.text[t.end : t.end + 1]
    if not rest or rest in ".,;:!?)\n":
        return True
    n = doc.next(t)
    return n is not None and (n.lower in _FUNCTION or n.lower in SPEECH or n.lower in chat_words())


def _street(doc: Doc, idx: int) -> Candidate | None:
    toks = doc.tokens
    lex = doc.lex
    t = toks[idx]
    low = t.lower
    mods: list[Token] = []
    j = idx - 1
    cur = t
    while j >= 0 and len(mods) < 2:
        p = toks[j]
        if doc.gap(p, cur) != " " or p.possessive or not p.is_alpha:
            break
        if p.lower in _STREET_STOP or _chat(p.lower) or p.lower in KIN or p.lower in ORG_TYPES:
            break
        mods.insert(0, p)
        cur = p
        j -= 1
    if not mods or not mods[-1].is_lower:
        return None
    num = toks[j] if j >= 0 else None
    has_num = num is not None and doc.gap(num, mods[0]) == " " and re.fullmatch(r"\d{1,5}[a-z]?", num.text) is not None
    if not has_num and low in _STREET_NUMBERED:
        return None
    if (
        not has_num
        and (low in _STREET_NEED_NUMBER or not any(_namey_mod(doc, m) for m in mods))
        and low not in _STREET_ABBR
    ):
        return None
    start = mods[0].start
    if has_num and num is not None:  # has_num says num is there; mypy needs it said
        start = num.start
        # "22/8 ormond rd": a unit number before the slash
        k = doc.text.rfind(" ", 0, num.start)
        pre = doc.text[k + 1 : num.start]
        if re.fullmatch(r"\d{1,5}[a-z]?/", pre):
            start = k + 1
    elif low == "st":
        # "st" followed by a saint's name is a saint ("near st johns")
        n = doc.next(t)
        if n is not None and doc.gap(t, n) == " " and lex.is_first(n.lower.rstrip("s")) and not lex.is_word(n.lower):
            return None
    end = t.end + (1 if doc.text[t.end : t.end + 1] == "." and low in _STREET_ABBR else 0)
    return Candidate(start, end, "LOCATION", "address", 50, "chat")


# ---------------------------------------------------------------- ages
_N = r"(?:1[01]\d|[1-9]?\d)"
_SMALL = r"(?:one|two|three|four|five|six|seven|eight|nine|ten)"
_TEEN_WORD = (
    r"(?:eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|"
    r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine))?)"
)
# shared with the engine's "an age said of a removed name"
AGE_NUMBER, AGE_SMALL_WORD, AGE_TEEN_WORD = _N, _SMALL, _TEEN_WORD
_AGEVAL = r"(?P<a>" + _N + r"|" + _SMALL + r"|" + _TEEN_WORD + r")"
_NOT_UNIT = r"(?!\s*(?:%|percent|min|mins|minutes|hrs?|hours|days|weeks|wks|months|mins|sessions|times|am|pm|o'?clock|k\b|mg|kg|cm|km|pages|dollars|bucks|quid|x\b))"
AGE_NOT_UNIT = _NOT_UNIT
_AGES = [
    # sex and age: "(m 44)", "(F, 32)", "(male 61)", "(44m)", "(nb, 19)"
    re.compile(
        r"\(\s*(?:m|f|male|female|nb|enby|ftm|mtf|trans\s?[mf])\s*[,/]?\s*(?P<a>" + _N + r")\s*(?:yo|y/o|yrs?)?\s*[,)]",
        re.I,
    ),
    re.compile(r"\(\s*(?P<a>" + _N + r")\s*(?:yo|y/o)?\s*[,/]?\s*(?:m|f|male|female|nb)\s*\)", re.I),
    # compact sex and age after a client word: "pt f14", "client m 9", "my pt (f, 16)"
    re.compile(
        r"(?<![\w])(?:pt|client|cl|patient|kid|teen|referral)\s*,?\s*\(?\s*(?:m|f|nb)\s*,?\s*(?P<a>"
        + _N
        + r")(?![\w])",
        re.I,
    ),
    # "16f, anxiety", "(44m)", "24F w/ panic": the age, then the sex, opening a line or a bracket
    re.compile(r"(?:^|(?<=[\n(]))\s*(?P<a>" + _N + r")\s?(?:m|f|nb)(?=\s*(?:[,)/;:]|w/|with\b))", re.I | re.M),
    # pronouns, then the age: "(she/her, 15)", "she/they, 23", "(they/them, sixteen)"
    re.compile(
        r"(?<![\w/])(?:she|he|they|xe|ze|fae|it|any)/(?:her|hers|him|his|them|theirs|they|she|he|xem|xir|zir|hir|faer|it|any)"
        r"(?:/\w{1,6})?\s*,\s*(?:aged?\s+)?" + _AGEVAL + r"\b" + _NOT_UNIT,
        re.I,
    ),
    # a person word and the age in brackets: "(kiddo 6)", "(son, 12)", "(teen 15)"
    re.compile(
        r"\(\s*(?:kiddo|kid|child|son|daughter|teen|boy|girl|baby|bub|toddler|youth|pt|client|cl|age|aged|"
        r"grandson|granddaughter|nephew|niece|brother|sister|sibling)\s*,?\s*"
        + _AGEVAL
        + r"\s*(?:yo|y/o|yrs?)?\s*[,)]",
        re.I,
    ),
    # "turning eight", "turned 30 last week", "turns six"
    re.compile(
        r"(?<![\w])(?:turning|turned|turns|turn)\s+" + _AGEVAL + r"(?=\s*(?:$|[.,;:!?)]|soon|next|this|today|tomorrow|"
        r"tmrw|on|in|and|last|lol|yesterday|\s-))",
        re.I,
    ),
    # "back then 52,", "at the time 17", "was like 14", "shes like 16"
    re.compile(
        r"(?<![\w])(?:back\s+then|at\s+the\s+time|(?:was|is|shes|hes|she's|he's|theyre|they're)\s+like)\s+"
        + _AGEVAL
        + r"\b"
        + _NOT_UNIT,
        re.I,
    ),
    # "passed at 9", "died at 52"
    re.compile(r"(?<![\w])(?:passed|passed\s+away|died)\s+at\s+(?:age\s+)?" + _AGEVAL + r"\b" + _NOT_UNIT, re.I),
    # word ages under eleven: "the six-year-old", "a seven year old", "aged three"
    re.compile(r"(?<![\w])(?P<a>" + _SMALL + r")[-\s]?(?:year|yr)s?[-\s]?old\b", re.I),
    re.compile(r"(?<![\w])aged\s+(?P<a>" + _SMALL + r")\b" + _NOT_UNIT, re.I),
]
_AGES = [fast(rx) for rx in _AGES]


# a literal each pattern above needs (same order): a pattern whose needle is
# absent from the text cannot match, and is not run
_AGE_NEEDLES = (
    ("(",),
    ("(",),
    ("pt", "cl", "patient", "kid", "teen", "referral"),
    ("m", "f", "nb"),
    ("/",),
    ("(",),
    ("turn",),
    ("then", "time", "like"),
    ("passed", "died"),
    ("old",),
    ("aged",),
)


# "grandma is 90 this yr", "her bf whos 19", "my client who's 82": a person word, then the age
_KIN_AGE = fast(
    re.compile(
        r"(?<![\w])(?:" + "|".join(sorted((re.escape(k) for k in KIN if "'" not in k), key=len, reverse=True)) + r")"
        r"(?:\s*,)?\s+(?:(?:who|whos|who's|that)\s+(?:is\s+)?|is\s+|was\s+|s\s+|'s\s+|’s\s+)"
        r"(?:only\s+|like\s+|about\s+|nearly\s+|almost\s+|just\s+|barely\s+|already\s+)?"
        # a small number word only when the clause closes: "is one of my friends" is no age
        r"(?P<a>"
        + _N
        + r"|"
        + _TEEN_WORD
        + r"|"
        + _SMALL
        + r"(?=\s*(?:$|[.,;!?)]|now\b|this\b|next\b|today\b|yrs?\b|years?\b))"
        r")(?![\w.,/:]\d)(?![\w])" + _NOT_UNIT,
        re.I,
    )
)
# "born in 09", "born in '87": a birth year in two digits
_BORN = fast(re.compile(r"(?<![\w])born\s+(?:in\s+)?(?P<y>'?\d{2})(?![\w/.:])", re.I))


def _ages(doc: Doc) -> Iterator[Candidate]:
    text = doc.text
    low = text.lower()
    if any(ch.isdigit() for ch in text) or " is " in low:
        for m in _KIN_AGE.finditer(text):
            yield Candidate(m.start("a"), m.end("a"), "AGE", "age", 55, "chat")
    if "born" in low:
        for m in _BORN.finditer(text):
            yield Candidate(m.start("y"), m.end("y"), "DATE", "date", 55, "chat")
    for rx, needles in zip(_AGES, _AGE_NEEDLES, strict=True):
        if not any(n in low for n in needles):
            continue
        for m in rx.finditer(text):
            yield Candidate(m.start("a"), m.end("a"), "AGE", "age", 55, "chat")


# ---------------------------------------------------------------- dates
_WEEKDAY_ORDINAL = fast(
    re.compile(
        r"(?<![\w])(?:mon|tues?|weds?|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday)?\.?,?\s+"
        r"(?P<d>(?:the\s+)?(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th))(?![\w])",
        re.I,
    )
)


_ORDINAL_SUFFIX = re.compile(r"\d(?:st|nd|rd|th)\b", re.I)


def _dates(doc: Doc) -> Iterator[Candidate]:
    # the weekday stays, as elsewhere in the engine: alone it identifies nothing
    if not _ORDINAL_SUFFIX.search(doc.text):
        return
    for m in _WEEKDAY_ORDINAL.finditer(doc.text):
        yield Candidate(m.start("d"), m.end("d"), "DATE", "date", 55, "chat")


# ---------------------------------------------------------------- contacts
_TLD = r"(?:com|net|org|edu|gov|co|uk|au|nz|ie|ca|io|me|info|biz|us|de|fr|in|za|app|xyz)"
_DOT = r"(?:\s*[(\[{]\s*dot\s*[)\]}]\s*|\s+dot\s+)"
_AT = r"(?:\s*[(\[{]\s*at\s*[)\]}]\s*|\s+at\s+)"
_PART = r"[A-Za-z0-9_+-]{1,40}"
_SPELLED_EMAIL = re.compile(
    r"(?<![\w.])" + _PART + r"(?:(?:\.|" + _DOT + r")" + _PART + r"){0,4}"
    r"(?:"
    + _AT
    + r"|@)"
    + _PART
    + r"(?:(?:\.|"
    + _DOT
    + r")"
    + _PART
    + r"){0,3}(?:\.|"
    + _DOT
    + r")"
    + _TLD
    + r"(?![\w])",
    re.I,
)
# "jo.b at gmail", "kofi_22 at hotmail": a well-known mail provider named without its domain
_PROVIDER = fast(
    re.compile(
        r"\bat\s+(?:gmail|googlemail|hotmail|outlook|yahoo|icloud|live|bigpond|protonmail|proton|aol|gmx)\b", re.I
    )
)
_PROVIDER_EMAIL = re.compile(
    r"(?<![\w.])"
    + _PART
    + r"(?:\."
    + _PART
    + r"){0,3}"
    + _AT
    + r"(?:gmail|googlemail|hotmail|outlook|yahoo|icloud|live|bigpond|protonmail|proton|aol|gmx)(?![\w])",
    re.I,
)
_SPELLED_MARK = re.compile(r"\bdot\b|[(\[{]\s*(?:at|dot)\s*[)\]}]", re.I)
_REDDIT = fast(re.compile(r"(?<![\w/])/?u/[A-Za-z0-9_-]{3,20}(?![\w-])"))
_DISCORD = re.compile(r"(?<![\w#.])[A-Za-z][A-Za-z0-9_.]{1,31}#\d{4}(?!\d)")
_DIGIT_WORDS = {
    "zero": 1,
    "oh": 1,
    "o": 1,
    "nought": 1,
    "one": 1,
    "two": 1,
    "three": 1,
    "four": 1,
    "five": 1,
    "six": 1,
    "seven": 1,
    "eight": 1,
    "nine": 1,
}
_REPEATS = {"double": 2, "triple": 3}


_PLATFORM = fast(
    re.compile(
        r"(?<![\w])(?:snap|snapchat|sc|insta|ig|instagram|tiktok|tt|twitter|discord|onlyfans|telegram|kik|threads|"
        r"bluesky|steam|xbox|psn|gamertag|venmo|cashapp|paypal)(?:\s+(?:me|handle|name|username|id|tag|acct|account))?"
        r"\s*(?:is\s*|[:=]\s*|-\s*|@)(?P<h>@?[A-Za-z0-9][A-Za-z0-9_.]{2,29})(?![\w@])",
        re.I,
    )
)


def _handle_like(doc: Doc, h: str) -> bool:
    """A username, not a word: a digit, an underscore or dot, or no dictionary word."""
    h = h.lstrip("@").rstrip(".")
    if any(ch.isdigit() or ch in "_." for ch in h):
        return True
    low = h.lower()
    return not doc.lex.is_word(low) and low not in _FUNCTION and not _chat(low) and low not in doc.lex.allow


def _contacts(doc: Doc) -> Iterator[Candidate]:
    text = doc.text
    for m in _PLATFORM.finditer(text):
        h = m.group("h").rstrip(".")
        if _handle_like(doc, h):
            yield Candidate(m.start("h"), m.start("h") + len(h), "CONTACT", "handle", 80, "chat")
    # the costly address patterns only run when their marker word is there
    if _SPELLED_MARK.search(text):
        for m in _SPELLED_EMAIL.finditer(text):
            if _SPELLED_MARK.search(m.group()):
                yield Candidate(m.start(), m.end(), "CONTACT", "email", 85, "chat")
    if _PROVIDER.search(text):
        for m in _PROVIDER_EMAIL.finditer(text):
            yield Candidate(m.start(), m.end(), "CONTACT", "email", 84, "chat")
    if "u/" in text:
        for m in _REDDIT.finditer(text):
            yield Candidate(m.start(), m.end(), "CONTACT", "handle", 85, "chat")
    if "#" in text:
        for m in _DISCORD.finditer(text):
            yield Candidate(m.start(), m.end(), "CONTACT", "handle", 85, "chat")
    yield from _phone_words(doc)


def _phone_words(doc: Doc) -> Iterator[Candidate]:
    """ "oh four one two five five five oh nine eight": eight or more digits
    spoken as words make a phone number."""
    toks = doc.tokens
    i = 0
    while i < len(toks):
        j = i
        digits = 0
        mult = 1
        while j < len(toks):
            w = toks[j].lower
            if j > i and doc.gap(toks[j - 1], toks[j]) not in (" ", ", ", "-", " - "):
                break
            if w in _REPEATS:
                mult = _REPEATS[w]
            elif w in _DIGIT_WORDS:
                digits += mult
                mult = 1
            else:
                break
            j += 1
        if digits >= 8 and toks[j - 1].lower in _DIGIT_WORDS:
            yield Candidate(toks[i].start, toks[j - 1].end, "CONTACT", "phone", 80, "chat")
            i = j
        else:
            i = max(j, i + 1)


def find(doc: Doc) -> Iterator[Candidate]:
    yield from _contacts(doc)
    yield from _dates(doc)
    yield from _ages(doc)
    yield from _orgs(doc)
    yield from _places(doc)
    yield from _initials(doc)
    yield from _names(doc)


def _opens(doc: Doc, t: Token) -> bool:
    """The first word of the whole message (not merely the first word after one
    of our placeholders: a second pass must decide as the first did)."""
    return t.i == 0 and not doc.text[: t.start].strip(" \t\r\n\"'“‘(")
