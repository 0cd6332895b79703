"""LOCATION: street addresses, postcodes, "Town, ST" and a gazetteer of towns."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..fastre import fast
from ..model import Candidate
from .base import Doc, scan

_STREET_TYPES = (
    r"(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|Ln|Lane|Ct|Court|Dr|Drive|Way|Pl|Place|"
    r"Cres|Crescent|Terrace|Tce|Close|Pkwy|Parkway|Hwy|Highway|Cir|Circle|Sq|Square|Row|Grove|"
    r"Gardens|Gdns|Walk|Mews|Parade|Pde|Trail|Trl|Loop|Pike|Alley|Esplanade|Quay|Wharf|Hill|Rise|Green|"
    # housing estates and UK/IE address words: "5 Church View", "12 Seafield Heights"
    r"View|Heights|Park|Manor|Lawns?|Vale|Meadows?|Downs|Orchard|Cottages|Villas|Estate|Brae|Wynd|Glade|Marg|Nagar)"
)
# bounded: a run of capitals joined by hyphens ("A-A-A-…") would otherwise be
# rescanned to its end from every capital inside it (quadratic)
_CAPW = r"[A-Z][\w'’.-]{0,40}"
_UNIT = r"(?:,?\s*(?:[Aa]pt|[Aa]partment|[Aa]pp|[Ss]uite|[Ss]te|[Uu]nit|[Ff]lat|[Ff]l|[Ff]loor|[Rr]m|[Rr]oom|#)\.?\s*#?[A-Za-z0-9-]+)"
_US_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM "
    "NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR"
).split()
_CA_PROV = "AB BC MB NB NL NS NT NU ON PE QC SK YT".split()
_AU_STATES = "NSW VIC QLD SA WA TAS NT ACT".split()
_REGION_ABBR = r"(?:" + "|".join(sorted(set(_US_STATES + _CA_PROV + _AU_STATES), key=len, reverse=True)) + r")"

# 1423 Elm St, Apt 4B / 3/27 Park Road / 1450 W Pratt Blvd / 14 Banksia Crescent
ADDRESS = fast(
    re.compile(
        r"(?<![\w/])(?:(?:Apt|Unit|Flat)\s*\w+,?\s*)?\d{1,6}[A-Za-z]?(?:[/-]\d{1,5}[A-Za-z]?)?\s+"
        r"(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?\s+)?"
        r"(?:" + _CAPW + r"\s+){0,3}" + _STREET_TYPES + r"\b\.?"
        # a direction after the street type: "Lake Shore Blvd W", "Queen St E"
        r"(?:\s+(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\b\.?)?" + _UNIT + r"?"
        # ", Morningside QLD 4170" / ", Rosanna VIC 3084" / ", Boise, ID 83702"
        r"(?:,\s*(?:"
        + _CAPW
        + r"\s+){0,2}?"
        + _CAPW
        + r"(?:,?\s+"
        + _REGION_ABBR
        + r")?(?:\s+\d{4,5}(?:-\d{4})?)?(?=[\s,.;)]|$))?"
    )
)
# French, Spanish and Italian street words come first and in lowercase: "88 rue Saint-Jean, app. 3"
ADDRESS_ROMANCE = fast(
    re.compile(
        r"(?<![\w/])\d{1,5}[A-Za-z]?,?\s+(?:rue|avenue|av\.|boul\.|boulevard|chemin|ch\.|route|rang|place|allée|"
        r"calle|avenida|av|paseo|plaza|via|viale|piazza|corso|rua|travessa)\s+(?:(?:de|du|des|la|le|del|di|da|dos)\s+)?"
        r"[A-ZÀ-Ý][\w'’-]*(?:\s+[A-ZÀ-Ý][\w'’-]*){0,3}" + _UNIT + r"?"
    )
)
# Hollis Ave, Fremont St, Water St — no number
# without a number only the unmistakable street words count ("the District Court" is no street)
STREET = re.compile(
    r"(?<![\w])(?:" + _CAPW + r"\s+){1,3}(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|Ln|Lane|Cres|Crescent|"
    r"Pkwy|Parkway|Hwy|Highway|Drive|Dr(?!\.?[ \t]+(?!(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec))[A-Z][a-z]))\b\.?(?!\w)"
)  # "Dr Patel", "Then Dr. Amir Patel": a title before a name, not Drive
ROUTE = fast(
    re.compile(r"(?<![\w])(?:Route|Rte|Highway|Hwy|Interstate|US|SR|State Route|County Road)[- ](?=\d)\d{1,4}\b")
)
# Roundup, MT / Boise, ID / Smithers, BC / Hoboken, NJ
_REGION_NAMES = (
    r"(?:Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|"
    r"Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|"
    r"Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|"
    r"North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|"
    r"Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming|Alberta|"
    r"British Columbia|Manitoba|New Brunswick|Newfoundland|Nova Scotia|Ontario|Quebec|Québec|Saskatchewan|"
    r"Queensland|New South Wales|Victoria|Tasmania|Western Australia|South Australia|[A-Z][a-z]+shire)"
)
# Roundup, MT / Boise, ID / Sandpoint, Idaho: a region named right after a town goes with it
TOWN_STATE = re.compile(
    r"(?<![\w])(?P<town>(?:"
    + _CAPW
    + r"\s+){0,2}"
    + _CAPW
    + r"),\s+(?:"
    + _REGION_ABBR
    + "|"
    + _REGION_NAMES
    + r")(?![\w])"
)
US_ZIP = fast(re.compile(r"(?<![\w$£€.,-])\d{5}(?:-\d{4})?(?![\w%]|,\d|\.\d)"))
UK_POSTCODE = re.compile(r"(?<![\w])(?:[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})(?![\w])")
# Irish Eircodes: a routing key (letter, two digits, or D6W) and a four-character
# identifier with at least one letter: "H54 X2Y7", "D02 AF30", "T12 Y9KH"
EIRCODE = fast(
    re.compile(
        r"(?<![\w])(?:[AC-FHKNPRTV-Y]\d{2}|D6W)\s?(?=[0-9AC-FHKNPRTV-Y]{0,3}[AC-FHKNPRTV-Y])[0-9AC-FHKNPRTV-Y]{4}(?![\w])"
    )
)
# a capitalised town right before a postcode is part of the address, even
# one that is also a region's name: "Québec G1R 1P6", "Stellenbosch 7600"
TOWN_BEFORE_POSTCODE = re.compile(
    r"(?<![\w])(?P<town>[A-ZÀ-Ý][\w'’-]{1,40}(?:\s+[A-ZÀ-Ý][\w'’-]{1,40})?),?\s+(?P<pc>[A-Z]\d[A-Z]\s?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}|(?:[AC-FHKNPRTV-Y]\d{2}|D6W)\s?[0-9AC-FHKNPRTV-Y]{4})(?![\w])"
)
# South African and Indian postcodes after a known town: "Soweto 1804", "Bengaluru 560034"
TOWN_NUMERIC_POSTCODE = re.compile(
    r"(?<![\w])(?P<town>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?),?\s+(?P<pc>\d{4}|\d{3}\s?\d{3})(?![\w,.]\d|\w)"
)
# Dutch postcodes before their town: "1031 CC Amsterdam", "5656 AE Eindhoven" (SA, SD and SS are never issued)
NL_POSTCODE = fast(
    re.compile(
        r"(?<![\w])[1-9]\d{3}\s?(?!SA|SD|SS|AD|BC|CE)[A-Z]{2}\s+(?P<town>[A-Z][a-zà-ÿ]{2,}(?:-[A-Z][a-zà-ÿ]+)?)\b"
    )
)
CA_POSTCODE = re.compile(r"(?<![\w])[A-Z]\d[A-Z]\s?\d[A-Z]\d(?![\w])")
AU_POSTCODE = fast(re.compile(r"(?<![\w])(?:" + "|".join(_AU_STATES) + r")\s+(?P<pc>\d{4})(?![\w])"))
POSTCODE_CUE = re.compile(
    r"(?:zip|postcode|post code|postal code|zip code|pin|pincode|pin code|eircode)\s*(?:is|:|#|-)?\s*(?P<pc>\d{6}|\d{3}\s\d{3}|\d{4,5}|[A-Z0-9]{2,4}\s?[A-Z0-9]{3})\b",
    re.I,
)
COUNTY = re.compile(
    r"(?<![\w])(?:(?:Co\.?|County)\s+" + _CAPW + r"|" + _CAPW + r"\s+(?:County|Parish|Borough|Township|Twp)|"
    r"(?:Lake|Mount|Mt\.?|Port|Fort|Ft\.?|Cape|Glen|Isle\s+of)\s+" + _CAPW + r")(?![\w])"
)
SHIRE = re.compile(r"(?<![\w])[A-Z][a-z]+shire(?![\w])")

_CODE_BEFORE = re.compile(r"(?:cpt|icd(?:-10)?|code|codes|dsm(?:-5)?|hcpcs)\s*[:#]?\s*$", re.IGNORECASE)
# words that introduce a place: "in Decatur", "moved to Boise", "from Chengdu"
LOC_CUES = {
    "in",
    "to",
    "from",
    "near",
    "outside",
    "around",
    "past",
    "toward",
    "towards",
    "across",
    "at",
    "on",
    "of",
    "via",
    "into",
    "between",
}
# "in Koramangala, Bangalore": the word after a place and a comma is the larger place
PLACE_PAIR = fast(
    re.compile(r"\b(?:in|from|near|outside|to)\s+[A-Z][\w'’-]+,\s(?P<b>[A-Z][a-z][\w'’-]*)\b(?!\s+[A-Z])")
)
_CODE_WORDS = {"eircode", "postcode", "zip", "pin", "code", "postal", "address", "is", "at"}
_NOT_TOWN = {"the", "a", "an", "my", "our", "his", "her", "their", "this", "that"}


FIELD = re.compile(
    r"(?im)^[ \t•*-]*(?:address|home address|location|town|city|suburb|neighbou?rhood|lives in|based in|hometown)"
    r"[ \t]*[:\-–][ \t]*(?P<value>[^\n;()]{2,80})"
)


def find(doc: Doc) -> Iterator[Candidate]:
    text = doc.text
    for m in FIELD.finditer(text):
        value = m.group("value").rstrip(" .")
        if value[:1].isupper() or value[:1].isdigit():
            yield Candidate(m.start("value"), m.start("value") + len(value), "LOCATION", "address", 76, "address")
    for rx in (ADDRESS, ADDRESS_ROMANCE):
        for m in scan(rx, text):
            yield Candidate(m.start(), _trim(text, m.start(), m.end()), "LOCATION", "address", 88, "address")
    for m in scan(STREET, text):
        s = _skip_leading_stopwords(doc, m.start(), m.end())
        # a street needs a name: "I'm Dr. Kim" has none
        if s is not None and " " in text[s : m.end()].strip():
            yield Candidate(s, _trim(text, s, m.end()), "LOCATION", "address", 70, "address")
    for m in scan(ROUTE, text):
        yield Candidate(m.start(), m.end(), "LOCATION", "address", 70, "address")
    for m in scan(TOWN_STATE, text):
        s = _skip_leading_stopwords(doc, m.start("town"), m.end("town"))
        if s is not None:
            yield Candidate(s, m.end(), "LOCATION", "town", 75, "town")
    for m in scan(TOWN_BEFORE_POSTCODE, text):
        if m.group("town").lower() in _CODE_WORDS:
            continue
        s = _skip_leading_stopwords(doc, m.start("town"), m.end("town"))
        if s is not None:
            yield Candidate(s, m.end(), "LOCATION", "address", 78, "postcode")
    for m in scan(TOWN_NUMERIC_POSTCODE, text):
        pc = m.group("pc").replace(" ", "")
        if len(pc) == 4 and pc[:2] in ("19", "20"):
            continue  # "Sydney 2000" reads as a year too often
        town = m.group("town").lower()
        if doc.lex.is_place(town) or doc.lex.is_place(town.split()[-1]):
            yield Candidate(m.start("pc"), m.end("pc"), "LOCATION", "postcode", 70, "postcode")
    for m in scan(EIRCODE, text):
        yield Candidate(m.start(), m.end(), "LOCATION", "postcode", 80, "postcode")
    for rx, kind in ((UK_POSTCODE, "postcode"), (CA_POSTCODE, "postcode")):
        for m in scan(rx, text):
            yield Candidate(m.start(), m.end(), "LOCATION", kind, 80, "postcode")
    for m in NL_POSTCODE.finditer(text):
        if doc.lex.is_place(m.group("town").lower()):  # the town goes with it
            yield Candidate(m.start(), m.end(), "LOCATION", "address", 80, "postcode")
    for m in scan(AU_POSTCODE, text):
        yield Candidate(m.start(), m.end(), "LOCATION", "postcode", 80, "postcode")
    for m in scan(POSTCODE_CUE, text):
        yield Candidate(m.start("pc"), m.end("pc"), "LOCATION", "postcode", 80, "postcode")
    for m in scan(US_ZIP, text):
        if _CODE_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            continue  # "CPT 90837": a billing code
        # a five-digit number in a dilemma is a zip far more often than not;
        # either way it is safer gone
        yield Candidate(m.start(), m.end(), "LOCATION", "postcode", 60, "postcode")
    for rx in (COUNTY, SHIRE):
        for m in scan(rx, text):
            s = _skip_leading_stopwords(doc, m.start(), m.end())
            if s is not None:
                yield Candidate(s, m.end(), "LOCATION", "town", 65, "gazetteer")
    yield from _gazetteer(doc)
    for m in PLACE_PAIR.finditer(text):
        second = doc.token_at(m.start("b"))
        lex = doc.lex
        if (
            second is not None
            and second.end == m.end("b")
            and not second.is_upper
            and second.lower not in lex.allow
            and second.lower not in lex.regions
            and second.lower not in _NOT_TOWN
            and second.lower not in lex.common_words
            and second.lower not in lex.acronyms
        ):
            yield Candidate(second.start, second.end, "LOCATION", "town", 44, "gazetteer")


def _trim(text: str, s: int, e: int) -> int:
    while e > s and text[e - 1] in " ,.":
        # keep "St." only when it is the abbreviation's own dot
        if text[e - 1] == "." and re.search(r"\b(?:St|Ave|Rd|Blvd|Ln|Ct|Dr|Pl|Cres|Pkwy|Hwy|Cir|Sq)\.$", text[s:e]):
            break
        e -= 1
    return e


def _skip_leading_stopwords(doc: Doc, s: int, e: int) -> int | None:
    """'The Main St' -> 'Main St'; sentence-initial words like 'Got' are not part of a name."""
    tok = doc.token_at(s)
    while tok is not None and tok.end < e:
        if (
            tok.lower in _NOT_TOWN
            or tok.lower in doc.lex.allow
            or (tok.sent_start and doc.lex.is_word(tok.lower) and not doc.lex.is_place(tok.lower))
        ):
            nxt = doc.next(tok)
            if nxt is None or nxt.start >= e:
                return None
            tok = nxt
            continue
        return tok.start
    return s if tok is not None else None


def _gazetteer(doc: Doc) -> Iterator[Candidate]:
    """Towns from GeoNames. A town that is also an English word ("Hope",
    "Reading") needs a place cue before it; a lowercase one too ("in scarborough")."""
    lex = doc.lex
    toks = doc.tokens
    n = len(toks)
    i = 0
    while i < n:
        t = toks[i]
        if not t.is_alpha or t.lower in lex.allow or t.lower in lex.regions:
            i += 1
            continue
        hit = 0
        # longest match first, up to 3 words ("Saratoga Springs", "Dinas Mawddwy"); the
        # longer keys only when a listed place of several words starts with this one
        longer = t.lower in ("mt", "st") or lex.place_prefix(t.lower)
        for k in (3, 2, 1) if longer else (1,):
            if i + k > n:
                continue
            span = toks[i : i + k]
            if any(doc.gap(a, b) not in (" ", "-") or a.possessive for a, b in zip(span, span[1:], strict=False)):
                continue
            key = " ".join(x.lower for x in span)
            if k == 1:
                key = t.lower
            if lex.is_place(key) or (
                span[0].lower in ("mt", "st")
                and lex.is_place(
                    ("mount " if span[0].lower == "mt" else "saint ") + " ".join(x.lower for x in span[1:])
                )
            ):
                hit = k
                break
        if not hit:
            i += 1
            continue
        span = toks[i : i + hit]
        prev = doc.prev(t)
        cue = prev is not None and prev.lower in LOC_CUES and not prev.possessive
        caps = all(x.is_cap for x in span)
        wordy = all(lex.is_word(x.lower) or lex.is_first(x.lower) for x in span)
        pp = doc.prev(prev) if prev is not None else None
        lower_unknown = (
            hit == 1
            and t.is_lower
            and len(t.text) >= 4
            and not lex.is_word(t.lower)
            and not lex.is_rare_word(t.lower)
            and not lex.is_first(t.lower)
            and (cue or prev is not None and prev.lower == "the" and pp is not None and pp.lower in LOC_CUES)
        )
        # "Jefferson Park (Chicago)": a capitalised place name alone in brackets
        bracketed = (
            caps
            and not t.is_upper
            and doc.text[span[0].start - 1 : span[0].start] == "("
            and doc.text[span[-1].end : span[-1].end + 1] == ")"
        )
        if (
            (caps and not wordy and not t.is_upper)
            or (cue and (caps or not wordy) and not t.is_upper)
            or lower_unknown
            or bracketed
        ):
            yield Candidate(
                span[0].start, span[-1].end, "LOCATION", "town", 55 if cue or bracketed else 45, "gazetteer"
            )
            # "Koramangala, Bangalore": a capitalised word after a town and a
            # comma is the larger town (regions and weekdays stay)
            after = doc.next(span[-1])
            if (
                after is not None
                and doc.gap(span[-1], after) == ", "
                and after.is_cap
                and not after.is_upper
                and after.lower not in lex.allow
                and after.lower not in lex.regions
                and after.lower not in _NOT_TOWN
                and after.lower not in lex.common_words
                and after.is_alpha
            ):
                yield Candidate(after.start, after.end, "LOCATION", "town", 44, "gazetteer")
            i += hit
            continue
        i += 1
