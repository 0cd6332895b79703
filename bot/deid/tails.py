"""Every part of a place or an organisation goes with it (issue 9).

A removed name, place or organisation followed by the head noun of a street,
a place or an organisation is that street, place or organisation, and the head
goes too: "[Herbert Macaulay] way" is an address, "[brimbank] civic centre" a
landmark, "[telus] health" a workplace, "[rondebosch] boys" a school, "[Gulberg]
III" a place. Left behind, the common word is a clue and the placeholder a lie
("[Person A] way"). The same grammar in lowercase chat, where no capital marks
a street: "on college st", "lives off kauri rd" (a preposition, one or two
words that are not function words, a street type).

Runs after the candidates are resolved; works on the normalised text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .model import Candidate
from .recognizers.base import Doc
from .recognizers.chat import SPEECH
from .recognizers.orgs import HEADS
from .tokens import Token

# street types (lowercase); "court", "close", "place" and "dr" are too often words or titles
STREET_HEADS = frozenset(
    "st street rd road ave avenue blvd boulevard ln lane drive way crescent cres terrace tce parade pde highway hwy "
    "marg nagar mews grove square sq esplanade quay wharf parkway pkwy walk".split()
)
# places a name heads: "victoria island", "erskine park", "hsr layout", "andheri east"
PLACE_HEADS = frozenset(
    "park island heights layout colony estate village beach bay hills valley junction sector extension "
    "east west north south apartments apts flats towers tower residency residences enclave mansions".split()
)
# a school named after its place or founder: "rondebosch boys", "rosewood middle"
SCHOOL_HEADS = frozenset("boys girls high middle primary grammar college secondary".split())
# words that may stand between the name and its head: "brimbank civic centre"
MODIFIERS = frozenset(
    "civic community medical sports leisure memorial regional district general central public shopping business "
    "distribution family country golf tennis rugby football cricket bowling yacht winter boys girls high "
    "primary grammar health town city".split()
)
# organisation heads that do not follow a person's name as a business: "jess school called"
_NOT_AFTER_PERSON = frozenset(
    "school schools health care group practice therapy therapies counseling counselling services recovery wellness "
    "psychology psychiatry medical surgery trust city high middle primary secondary press media law kitchen "
    "market company co bar club farm studio studios store shop inn psych physio dental vets daycare tutoring".split()
)
# generic services after a town: "the galway group", "brisbane care"
_NOT_AFTER_PLACE = frozenset(
    "group groups care services therapy therapies counseling counselling practice wellness recovery psychology "
    "psychiatry".split()
)
_ROMAN = frozenset({"II", "III", "IV", "VI", "VII", "VIII", "IX"})
# "k road": a one-letter street name before these
_ROADS = frozenset({"road", "rd", "st", "street"})
_DIRECTIONS = frozenset({"n", "s", "e", "w", "nw", "ne", "sw", "se"})
# before a name that is a street: "lives off herbert macaulay way", "on smith rd"
_STREET_CUES = frozenset("on off along down up onto near lives live living corner at in from to by via".split())
_NOT_STREET_NAMES = frozenset(
    "the a an my your his her our their its this that these those same wrong right long other another one no any "
    "every each which what whole half main memory easy hard high low slow fast middle open new old".split()
)
_FUNCTIONISH = frozenset(
    "i me we you he she it they them us him and or but so if of in on at to for from by with is are was were be "
    "been am do did does done have has had will would can could should may might must not".split()
)


def _same_case(anchor: Token, t: Token) -> bool:
    if anchor.is_lower:
        return t.is_lower
    return not t.is_lower


def _tail_kind(word: str, label: str, upper: str) -> tuple[str, str] | None:
    """(label, kind) of the whole once this head is taken, or None if it is no head here."""
    if upper in _ROMAN:
        return (label, "place") if label == "LOCATION" else None
    if word in STREET_HEADS:
        return ("LOCATION", "address")
    if word in PLACE_HEADS:
        if label == "NAME" and word == "park":
            return ("NAME", "person")  # "soo-ah park": a surname
        return None if label == "ORG" else ("LOCATION", "place")
    if word in SCHOOL_HEADS:
        return None if label == "NAME" else ("ORG", "school")
    kind = HEADS.get(word)
    if kind is None or word.endswith("'s"):
        return None
    if label == "NAME" and word in _NOT_AFTER_PERSON or label == "LOCATION" and word in _NOT_AFTER_PLACE:
        return None
    return ("ORG", "" if kind == "landmark" else kind)


def _street_cue_before(doc: Doc, first: Token) -> bool:
    p = doc.prev(first)
    if p is None:
        return False
    return p.lower in _STREET_CUES or p.text[:1].isdigit()


# a unit, floor or plot before an address: "Unit 4, Mill Lane", "2nd Floor, Kamla Heights", "H.No. 221, Gali No. 4"
_UNIT_BEFORE = re.compile(
    r"(?i:(?:unit|flat|apt|apartment|suite|ste|level|lvl|floor|shop|office|plot|house|block|door|gali|lane|ward|h\.\s?no|"
    r"no)\.?\s*(?:no\.?\s*)?#?\d+[a-z]?|\d+(?:st|nd|rd|th)\s+floor)\s*,\s*$"
)


def _with_unit(doc: Doc, c: Candidate) -> Candidate:
    start = c.start
    for _ in range(3):
        m = _UNIT_BEFORE.search(doc.text, max(0, start - 30), start)
        if m is None:
            break
        start = m.start()
    if start == c.start:
        return c
    return Candidate(start, c.end, "LOCATION", "address", c.priority, c.source)


_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)\s+$")
_PLACE_LAST = STREET_HEADS | PLACE_HEADS | {"floor", "heights", "colony", "layout"}


def _street_named(doc: Doc, c: Candidate) -> Candidate | None:
    """A "name" of capitalised words ending in a street or place word is that
    street or place ("Kamla Heights", "Shastri Nagar", "2nd Floor")."""
    last = _last_token(doc, c)
    if last is None or not last.is_cap or last.lower not in _PLACE_LAST or doc.lex.is_first(last.lower):
        return None
    first = doc.token_at(c.start)
    if first is None or first is last and last.lower in PLACE_HEADS:
        return None  # "West" alone
    start = c.start
    m = _ORDINAL.search(doc.text, max(0, start - 8), start)
    if m is not None:
        start = m.start()
    return Candidate(start, c.end, "LOCATION", "address", c.priority, c.source)


def extend(doc: Doc, merged: list[Candidate]) -> list[Candidate]:
    """Each NAME/LOCATION/ORG candidate grown over a head noun right after it
    (with up to two modifiers before the head), relabelled by that head."""
    out: list[Candidate] = []
    changed = False
    for c in merged:
        new = _extended(doc, c) if c.label in ("NAME", "LOCATION", "ORG") else None
        if new is None and c.label == "NAME":
            new = _street_named(doc, c)
        if (new or c).label == "ORG":
            of = _of_place(doc, new or c)
            new = of if of is not None else new
        if (new or c).label in ("LOCATION", "ORG"):
            unit = _with_unit(doc, new or c)
            new = unit if unit is not (new or c) else new
        if new is None:
            out.append(c)
        else:
            out.append(new)
            changed = True
    return out if changed else merged


# heads whose name goes on with "of" and a place: "free wesleyan church of tonga",
# "Presbyterian Church of Queens", "the Baptist Union of Victoria"
_OF_HEADS = frozenset(
    "church churches parish cathedral chapel mosque temple synagogue congregation assembly diocese union society "
    "association federation council university college institute academy school hospital bank".split()
)


def _of_place(doc: Doc, c: Candidate) -> Candidate | None:
    """An organisation ending in such a head, then "of" and a place (a place or region
    the lists know, in the case of the name; at most two words)."""
    last = _last_token(doc, c)
    if last is None or last.lower not in _OF_HEADS or last.possessive:
        return None
    of = doc.next(last)
    if of is None or of.lower != "of" or doc.gap(last, of) != " ":
        return None
    lex = doc.lex
    end = None
    t: Token | None = of
    for _ in range(2):
        q = doc.next(t) if t is not None else None
        if q is None or doc.gap(t, q) != " " or not _same_case(last, q):  # type: ignore[arg-type]
            break
        if not (lex.is_place(q.lower) or q.lower in lex.regions):
            break
        end = q.end
        t = q
        if q.possessive:
            break
    if end is None:
        return None
    return Candidate(c.start, end, c.label, c.kind, c.priority, c.source or "tail")


def _last_token(doc: Doc, c: Candidate) -> Token | None:
    first = doc.token_at(c.start)
    if first is None:
        return None
    t = first
    while True:
        q = doc.next(t)
        if q is None or q.end > c.end:
            break
        t = q
    return t if t.end == c.end else None


_NOT_SURNAMES = frozenset(
    "just now then too again here there today tonight tomorrow yesterday lol haha ok okay though tho also even "
    "still only really very well back home away out over".split()
)
_NOT_INITIAL_LETTERS = frozenset("a i u n k y".split())
_AFTER_NAME_END = re.compile(r"\s*(?:[.,;:!?)\]\"'’]|$)")


def _surname_or_initial(doc: Doc, c: Candidate, last: Token) -> Candidate | None:
    """After a lowercase given name: a surname closing the mention ("keisha brown,")
    or an initial ("destiny r.")."""
    q = doc.next(last)
    if q is None or doc.gap(last, q) != " " or not q.is_lower or not q.is_alpha:
        return None
    low = q.lower
    ends = _AFTER_NAME_END.match(doc.text, q.end + (2 if q.possessive else 0)) is not None
    common = doc.lex.is_word(low) and low in doc.lex.common_words
    if common and (low.endswith(("ing", "ly", "ed")) or low in _NOT_SURNAMES):
        return None
    if not ends and len(low) > 1 and not common:
        r = doc.next(q)
        ends = r is not None and doc.gap(q, r) == " " and r.lower in SPEECH  # "tomasz king said"
    if len(low) == 1:
        if low in _NOT_INITIAL_LETTERS or not ends:
            return None
    elif not (doc.lex.is_surname(low) and ends and low not in _FUNCTIONISH and low not in doc.lex.allow):
        return None
    if not doc.lex.is_first(last.lower) or last.possessive:
        return None
    return Candidate(c.start, q.end, c.label, c.kind, c.priority, c.source)


# words that lead a place's name: "san telmo", "port [louis]", "glen [eden]"
_PLACE_PREFIXES = frozenset(
    "san santa santo sao são st saint port mount mt glen upper lower little great new east west north south "
    "fort lake cape el la le los las".split()
)


def _prefixed(doc: Doc, c: Candidate, first: Token) -> Candidate | None:
    p = doc.prev(first)
    if p is None or doc.gap(p, first) != " " or p.lower not in _PLACE_PREFIXES or not _same_case(first, p):
        return None
    pp = doc.prev(p)
    if pp is not None and (pp.lower in ("the", "a", "my", "his", "her", "their", "our") or pp.possessive):
        return None  # "the new [place]", "her little [name]"
    return Candidate(p.start, c.end, c.label, c.kind, c.priority, c.source)


def _extended(doc: Doc, c: Candidate) -> Candidate | None:
    last = _last_token(doc, c)
    first = doc.token_at(c.start)
    if last is None or first is None or last.possessive:
        return None
    if c.label == "LOCATION" and c.kind != "address":
        pre = _prefixed(doc, c, first)
        if pre is not None:
            return pre
    if c.label == "NAME" and last.is_lower and first is last:
        grown = _surname_or_initial(doc, c, last)
        if grown is not None:
            return grown
    run: list[Token] = []
    t = last
    for _ in range(3):
        q = doc.next(t)
        if q is None or doc.gap(t, q) != " " or q.sent_start or not _same_case(last, q):
            break
        run.append(q)
        t = q
        if q.possessive:
            break
    # the longest prefix of the run that is modifiers then one head
    for n in range(len(run), 0, -1):
        head = run[n - 1]
        if any(x.lower not in MODIFIERS for x in run[: n - 1]):
            continue
        got = _tail_kind(head.lower, c.label, head.text)
        if got is None:
            continue
        label, kind = got
        if c.label == "NAME" and label == "LOCATION" and not _street_cue_before(doc, first):
            continue  # "told sam park rules" stays a person; "lives off herbert macaulay way" is a street
        if c.label == "NAME" and label == "ORG" and (n > 1 or last.is_lower != head.is_lower):
            continue
        end = head.end
        # "queen st w": a direction after a street
        after = doc.next(head)
        if kind == "address" and after is not None and doc.gap(head, after) == " " and after.lower in _DIRECTIONS:
            end = after.end
        return Candidate(c.start, end, label, kind, c.priority, c.source or "tail")
    return None


def lowercase_streets(doc: Doc) -> Iterator[Candidate]:
    """Streets in lowercase chat: a place preposition (or a house number), one or
    two words that are not function words, then a street type: "on college st",
    "off kauri rd w", "22b kauri st". Capitalised streets are the location
    recogniser's."""
    toks = doc.tokens
    for t in toks:
        if not t.is_lower or t.lower not in STREET_HEADS or t.sent_start:
            continue
        words: list[Token] = []
        p = doc.prev(t)
        while p is not None and len(words) < 2 and doc.gap(p, words[0] if words else t) == " " and p.is_lower:
            if p.lower in _NOT_STREET_NAMES or p.lower in _FUNCTIONISH or p.lower in _STREET_CUES:
                break
            if not p.is_alpha or len(p.text) < 2 and (p.lower in ("a", "i", "u") or t.lower not in _ROADS):
                break
            words.insert(0, p)
            p = doc.prev(p)
        if not words or p is None or doc.gap(p, words[0]) != " ":
            continue
        cue = p.lower in _STREET_CUES and p.lower not in ("in", "at", "to", "from", "by") or p.text[:1].isdigit()
        if t.lower == "way" and any(doc.lex.is_word(w.lower) and w.lower in doc.lex.common_words for w in words):
            continue  # "on the way", "on its own way": "way" after a common word is the word
        if not cue:
            continue
        start = p.start if p.text[:1].isdigit() else words[0].start
        end = t.end
        after = doc.next(t)
        if after is not None and doc.gap(t, after) == " " and after.lower in _DIRECTIONS:
            end = after.end
        yield Candidate(start, end, "LOCATION", "address", 62, "location")


# organisation heads that end a named place in lowercase chat ("at ironbark crossfit",
# "attend guru nanak gurdwara"); the generic ones ("group", "care", "services") never do
_LOWER_ORG_KINDS = frozenset({"church", "team", "workplace", "clinic", "hospital", "school"})
_GENERIC_HEADS = frozenset(
    "group groups care services service practice health therapy therapies counseling counselling city high middle "
    "primary secondary market company co law media press design kitchen school schools trust recovery wellness "
    "psychology psychiatry medical surgery associates partners inc ltd llc corp corporation agency firm store shop "
    "bar club farm foundation supply supplies insurance".split()
)
_VENUE_CUES = frozenset("at from through attend attends attended attending joined join joins".split())


def lowercase_orgs(doc: Doc) -> Iterator[Candidate]:
    """Organisation grammar in lowercase chat: a venue word ("at", "from",
    "attends"), one to three words with at least one no common word, then a
    typed head noun: "at ironbark crossfit", "attend guru nanak gurdwara",
    "from shanti studio". Capitalised names are the organisation recogniser's."""
    for t in doc.tokens:
        if not t.is_lower or t.sent_start:
            continue
        kind = HEADS.get(t.lower)
        if kind not in _LOWER_ORG_KINDS or t.lower in _GENERIC_HEADS:
            continue
        words: list[Token] = []
        p = doc.prev(t)
        while p is not None and len(words) < 3 and doc.gap(p, words[0] if words else t) == " ":
            low = p.lower
            if not p.is_lower or p.possessive or low in _FUNCTIONISH or low in _NOT_STREET_NAMES or low in _VENUE_CUES:
                break
            if not (p.is_alpha or p.text.isdigit()):
                break
            words.insert(0, p)
            p = doc.prev(p)
        if not words or p is None or doc.gap(p, words[0]) != " " or p.lower not in _VENUE_CUES:
            continue
        if not any(not w.text.isdigit() and _proper_word(doc, w.lower) for w in words):
            continue
        yield Candidate(words[0].start, t.end, "ORG", "" if kind == "landmark" else kind, 48, "org")


def _proper_word(doc: Doc, low: str) -> bool:
    """No dictionary word, or a name or place the lists know that is no common word."""
    lex = doc.lex
    if low in lex.allow:
        return False
    if not lex.is_word(low):
        return not lex.near_word(low)
    return low not in lex.common_words and (lex.is_first(low) or lex.is_place(low) or lex.is_surname(low))


# "Sector 15, Noida", "Phase 2, Mohali", "Block C, ...": numbered parts of a town
_SECTOR = re.compile(r"(?<![\w])(?i:sector|phase)\s+\d{1,3}[A-Za-z]?(?=\s*,\s*\w|\s+(?i:of|in)\b)")


def sectors(doc: Doc) -> Iterator[Candidate]:
    for m in _SECTOR.finditer(doc.text):
        yield Candidate(m.start(), m.end(), "LOCATION", "address", 60, "location")
