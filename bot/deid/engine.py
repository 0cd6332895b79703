"""The de-identification engine: normalise, recognise, resolve, replace."""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Iterable, Sequence

from . import fastre, tails
from .fastre import fast
from .lexicons import Lexicons, get_lexicons
from .model import Candidate, DeidResult, Span
from .normalize import Normalized, clean_output, normalize
from .recognizers.base import Doc, Intervals
from .recognizers.chat import AGE_NOT_UNIT, AGE_NUMBER, AGE_SMALL_WORD, AGE_TEEN_WORD, KIN
from .recognizers.names import PERSON_CUES, TITLES
from .registry import DEFAULT, RECOGNIZERS
from .replace import PLACEHOLDER_RE, PersonBook, placeholder
from .review import review_warnings
from .review_spans import ReviewSpan, review_spans
from .tagger import Tagged, Tagger, get_tagger
from .tokens import MASK, Token

# Named days that contain a name: "St David's Day" must not become "St [Person A]'s Day"
_SAFE_PHRASES = fast(
    re.compile(
        r"\b(?:St\.?|Saint)\s+\w+['’]s\s+Day\b|\b(?:Mother|Father|Valentine|Presidents?|Martin Luther King(?: Jr\.?)?|"
        r"Columbus|Boxing|Labou?r|Memorial|Veterans|Remembrance|Thanksgiving|Christmas|New Year)['’]?s?\s+(?:Day|Eve)\b"
    )
)

# Theorists cited as such ("as Rogers wrote"): surnames too common to allowlist
_CITED = (
    r"(?:Carl\s+)?Rogers|(?:Aaron\s+|Judith\s+)?Beck|(?:Albert\s+)?Ellis|(?:Alfred\s+)?Adler|(?:Bren[eé]\s+)?Brown|"
    r"(?:Dan\s+)?Siegel|(?:Judith\s+)?Herman|(?:Sue\s+)?Johnson|(?:Alice\s+)?Miller|(?:Kristin\s+)?Neff|"
    r"(?:Melanie\s+)?Klein|(?:Karen\s+)?Horney|(?:Erich\s+)?Fromm|(?:Ken\s+)?Pope|(?:Irvin\s+)?Yalom"
)
# every citation names one of them as written: a text without any is not searched
_CITED_SURNAMES = tuple(alt.rsplit(")?", 1)[-1] for alt in _CITED.split("|(?:"))
# Full names of well-known theorists and writers: cited, never clients
_THEORISTS = fast(
    re.compile(
        r"\b(?:Carl\s+Rogers|Aaron\s+(?:T\.\s+)?Beck|Judith\s+Beck|Albert\s+Ellis|Irvin\s+(?:D\.\s+)?Yalom|Marsha\s+Linehan|"
        r"John\s+Bowlby|Mary\s+Ainsworth|(?:Donald|D\.\s*W\.)\s+Winnicott|Sigmund\s+Freud|Anna\s+Freud|Carl\s+(?:Gustav\s+)?Jung|"
        r"Fritz\s+Perls|Salvador\s+Minuchin|Virginia\s+Satir|(?:John|Julie)\s+Gottman|Bren[eé]\s+Brown|"
        r"Bessel\s+van\s+der\s+Kolk|(?:Dan|Daniel)\s+(?:J\.\s+)?Siegel|Jon\s+Kabat-Zinn|Judith\s+(?:Lewis\s+)?Herman|"
        r"Sue\s+Johnson|Esther\s+Perel|Viktor\s+Frankl|Abraham\s+Maslow|Erik\s+Erikson|Heinz\s+Kohut|Alfred\s+Adler|"
        r"Karen\s+Horney|Melanie\s+Klein|Erich\s+Fromm|Kristin\s+Neff|Stephen\s+Porges|Peter\s+Levine|Pat\s+Ogden|"
        r"Gabor\s+Mat[eé]|Steven\s+(?:C\.\s+)?Hayes|Paul\s+Gilbert|Richard\s+(?:C\.\s+)?Schwartz|Murray\s+Bowen|"
        r"Milton\s+(?:H\.\s+)?Erickson|Jean\s+Piaget|Alice\s+Miller|Ken(?:neth)?\s+(?:S\.\s+)?Pope|Ofer\s+Zur|"
        r"Thomas\s+Gutheil|Glen\s+Gabbard|Harry\s+Stack\s+Sullivan|Otto\s+Kernberg|Jeffrey\s+Young|Arnold\s+Lazarus|"
        r"Eric\s+Berne|Albert\s+Bandura|Jack\s+Kornfield|Tara\s+Brach|Thich\s+Nhat\s+Hanh|Pema\s+Ch[oö]dr[oö]n|"
        r"Martin\s+Seligman|Bruce\s+Perry|Peter\s+Fonagy|Anthony\s+Bateman|Janina\s+Fisher|Deb\s+Dana|"
        r"Francine\s+Shapiro|Donald\s+Meichenbaum|Michael\s+White|David\s+Epston|Insoo\s+Kim\s+Berg|Steve\s+de\s+Shazer|"
        r"William\s+Miller|Stephen\s+Rollnick|Leslie\s+Greenberg|Robert\s+Kegan|Nancy\s+McWilliams|Lori\s+Gottlieb|"
        r"Harriet\s+Lerner|Alice\s+Walker)(?![\w-])"
    )
)
_CITATIONS = fast(
    re.compile(
        r"\b(?:as|per|read|reread|re-read|reading|rereading|re-reading|quoting|quoted|citing|cited|according\s+to|like)\s+(?:"
        + _CITED
        + r")\b"
        r"|\b(?:"
        + _CITED
        + r")(?=\s+(?:wrote|writes|argued|argues|described|describes|suggests|suggested|calls|called|"
        r"talks|talked|says|said\s+that|would\s+say|puts\s+it|notes|noted)\b|['’]s\s+(?:concept|theory|model|work|book|idea|"
        r"notion|framework|approach|writing|research))"
    )
)

# Conditions named after people: "Asperger's", "Tourette syndrome", "Crohn's
# disease". Protected unless a title or a first name stands before the word
# ("Mrs Parkinson's car" is a person's)
_CONDITION_WORDS = r"(?:disease|syndrome|palsy|disorder|dementia|lymphoma|effect|phenomenon)"
_EPONYMS = fast(
    re.compile(
        # said on their own: "she has Asperger's", "early Alzheimer's"
        r"\b(?:Asperger|Tourette|Alzheimer|Parkinson|Crohn|Hashimoto|Ménière|Meniere|Munchausen|Hodgkin|Sjögren|Sjogren)"
        r"['’]s?(?![\w'’])(?!\s+(?:mum|mom|dad|husband|wife|son|daughter|partner|family|kids|house|car)\b)"
        r"(?:\s+" + _CONDITION_WORDS + r")?"
        # only with the condition word: "Down syndrome", "Bell's palsy", "Graves' disease"
        r"|\b(?:Asperger|Tourette|Alzheimer|Parkinson|Crohn|Huntington|Hashimoto|Addison|Cushing|Graves|Raynaud|"
        r"Ménière|Meniere|Hodgkin|Munchausen|Capgras|Korsakoff|Wernicke|Tay-Sachs|Ehlers-Danlos|Lyme|Bell|Down|"
        r"Cotard|Stockholm|Dunning-Kruger|Rett|Marfan|Klinefelter|Turner|Williams|Prader-Willi|Sjögren|Sjogren|Kawasaki)"
        r"(?:['’]s?)?\s+" + _CONDITION_WORDS + r"\b"
    )
)


def _eponym_owner(doc: Doc, start: int) -> bool:
    """A title or a first name right before: "Mrs Parkinson's", "Dana Parkinson's"."""
    tok = doc.token_at(start)
    p = doc.prev(tok) if tok is not None else None
    if p is None or tok is None or doc.gap(p, tok) not in (" ", ". "):
        return False
    return p.lower in ("mr", "mrs", "ms", "mx", "dr", "miss", "prof") or p.is_cap and not p.sent_start


_ALWAYS_EPONYM = re.compile(_CONDITION_WORDS + r"$")

_GUESSES = {"name", "safety_net", "gazetteer", "propagated"}

# Beyond this a post is not a dilemma; refusing is clearer than a slow preview.
MAX_CHARS = 200_000


class DeidInputError(ValueError):
    """The input cannot be de-identified as given (wrong type, far too long)."""


class Deidentifier:
    """Stateless per call: lexicons are loaded once and only read afterwards,
    so one instance may serve many threads."""

    def __init__(
        self,
        recognizers: Iterable[str] = DEFAULT,
        *,
        safety_net: bool = True,
        lexicons: Lexicons | None = None,
        max_chars: int = MAX_CHARS,
        tagger: Tagger | bool = True,
    ) -> None:
        names = [r for r in recognizers if safety_net or r != "safety_net"]
        unknown = [r for r in names if r not in RECOGNIZERS]
        if unknown:
            raise ValueError(f"unknown recognisers: {unknown}")
        self._recognizers = [RECOGNIZERS[r] for r in names]
        self._propagate = "name" in names or "safety_net" in names
        self.lex = lexicons or get_lexicons()
        self.max_chars = max_chars
        # the statistical tagger (bot/deid/tagger.py): a second opinion on what the rules left
        self._tagger: Tagger | None = get_tagger() if tagger is True else tagger or None

    # public API ---------------------------------------------------------
    def redact(self, text: str, terms: Sequence[str] = ()) -> DeidResult:
        return self.redact_many([text], terms=terms)[0]

    def redact_many(self, texts: Sequence[str], terms: Sequence[str] = ()) -> list[DeidResult]:
        texts = list(texts)
        for t in texts:
            self._check(t)
        term_tuple = tuple(t for t in (terms or ()) if isinstance(t, str))
        norms = [normalize(t) for t in texts]
        docs = [Doc(_unshout(_mask_placeholders(n.text), self.lex), self.lex, term_tuple) for n in norms]
        prot = [self._protected(d) for d in docs]  # once per text: the recognisers and the tagger both ask
        cands = [self._candidates(d, p) for d, p in zip(docs, prot, strict=True)]
        unsure: list[list[Tagged]] = [[] for _ in docs]
        # names confirmed by the rules recur everywhere; done before the tagger, so that
        # it sees them removed, as it does on a second pass over the output (and in training)
        if self._propagate:
            names = _name_surfaces(docs, cands)
            if names:
                for d, c in zip(docs, cands, strict=True):
                    c.extend(_propagate(d, names))
        if self._tagger is not None:
            for k, (d, c) in enumerate(zip(docs, cands, strict=True)):
                sure, unsure[k] = self._tagged(d, c, prot[k])
                c.extend(x for x in sure if not (x.label == "NAME" and _word_not_name(d, x)))
        book = PersonBook.for_texts(texts)
        out = []
        for text, norm, doc, cs in zip(texts, norms, docs, cands, strict=True):
            merged = _resolve(doc.text, _with_particles(doc, cs))
            merged = _places_not_people(doc, _resolve(doc.text, _name_parts(doc, merged)))
            # "[Herbert Macaulay] way", "[brimbank] civic centre": the head goes with the name
            merged = _places_not_people(doc, _resolve(doc.text, tails.extend(doc, merged)))
            # "ji-woo is 15", "[Marco] was 27": an age said of a removed name; "her oma
            # [hilde]": a kin word before a name is no part of it
            merged = _resolve(doc.text, _ages_of_names(doc, _kin_not_name(doc, merged)))
            out.append(self._result(text, norm, merged, book))
            # what it kept but is unsure about (kept apart from the recognisers)
            out[-1].review = review_spans(doc, merged, norm, out[-1].spans)
            if unsure[len(out) - 1]:
                out[-1].review = _with_tagger_review(out[-1], unsure[len(out) - 1], norm, merged)
        _review_everywhere(texts, norms, docs, out)
        fastre.forget()  # the pattern index keeps no text past the call
        return out

    def analyze(self, text: str, terms: Sequence[str] = ()) -> list[Span]:
        return self.redact(text, terms).spans

    # internals ----------------------------------------------------------
    def _check(self, text: object) -> None:
        if not isinstance(text, str):
            raise DeidInputError(f"expected str, got {type(text).__name__}")
        if len(text) > self.max_chars:
            raise DeidInputError(f"text is {len(text)} characters; the limit is {self.max_chars}")

    def _candidates(self, doc: Doc, prot: tuple[Intervals, Intervals] | None = None) -> list[Candidate]:
        if not doc.text.strip():
            return []
        protected, regions = prot or self._protected(doc)
        out: list[Candidate] = []
        for rec in self._recognizers:
            for c in rec(doc):
                if c.end <= c.start:
                    continue
                if protected and protected.overlaps(c.start, c.end):
                    continue
                if regions and c.source in _GUESSES and regions.contains(c.start, c.end):
                    continue
                if c.label == "NAME" and c.source in ("name", "chat") and _word_not_name(doc, c):
                    continue
                if c.label in ("ORG", "NAME") and c.source in ("org", "name") and _generic_venue(doc, c):
                    continue
                out.append(c)
        return out

    def _tagged(
        self, doc: Doc, cands: list[Candidate], prot: tuple[Intervals, Intervals] | None = None
    ) -> tuple[list[Candidate], list[Tagged]]:
        """The tagger's sure words as candidates, and its unsure ones; never inside
        what the engine keeps on purpose (named days, cited theorists, regions)."""
        if self._tagger is None or not doc.text.strip():
            return [], []
        protected, regions = prot or self._protected(doc)
        keep = [Candidate(a, b, "") for a, b in zip(protected._starts, protected._ends, strict=True)]
        keep += [Candidate(a, b, "") for a, b in zip(regions._starts, regions._ends, strict=True)]
        return self._tagger.find(doc, [*cands, *keep])

    def _protected(self, doc: Doc) -> tuple[Intervals, Intervals]:
        protected = [m.span() for m in _SAFE_PHRASES.finditer(doc.text)]
        if any(n in doc.text for n in _CITED_SURNAMES):
            protected += [m.span() for m in _CITATIONS.finditer(doc.text)]
        protected += [m.span() for m in _THEORISTS.finditer(doc.text)]
        for m in _EPONYMS.finditer(doc.text):
            # "Mrs Parkinson's car", "Dana Down's kids" are people; "Down syndrome" never is
            if _ALWAYS_EPONYM.search(m.group()) or not _eponym_owner(doc, m.start()):
                protected.append(m.span())
        # "New South Wales", "Tamil Nadu": a guess made from the words alone
        # (a name, the net, the gazetteer) never sits inside a region's name;
        # an address or "Town, Region" that contains one is still found
        regions = Intervals(m.span() for m in self.lex.region_phrases.finditer(doc.text))
        return Intervals(protected), regions

    def _result(self, text: str, norm: Normalized, merged: list[Candidate], book: PersonBook) -> DeidResult:
        spans: list[Span] = []
        mapped = []
        for c in merged:
            a, b = norm.to_original(c.start, c.end)
            surface = norm.text[c.start : c.end]
            ph = book.letter_for(surface) if c.label == "NAME" else placeholder(c.label, c.kind, surface)
            mapped.append((a, b, c, ph))
        # text shown backwards (a right-to-left override) maps back out of order
        mapped.sort(key=lambda m: (m[0], -m[1]))
        for a, b, c, ph in mapped:
            if spans and a < spans[-1].end:
                a = spans[-1].end
            if b <= a:
                continue
            spans.append(Span(a, b, c.label, c.kind, ph))
        pieces = []
        pos = 0
        removed: dict[str, int] = {}
        for s in spans:
            pieces.append(text[pos : s.start])
            pieces.append(s.placeholder)
            pos = s.end
            removed[s.label] = removed.get(s.label, 0) + 1
        pieces.append(text[pos:])
        return DeidResult(clean_output("".join(pieces)), spans, removed, review_warnings(norm.text, merged))


def _with_tagger_review(
    res: DeidResult, unsure: list[Tagged], norm: Normalized, merged: list[Candidate]
) -> list[ReviewSpan]:
    """The tagger's half-beliefs as review spans, beside the rules' ones (one per word)."""
    gone = Intervals((c.start, c.end) for c in merged)
    removed = Intervals((s.start, s.end) for s in res.spans)
    have = Intervals((r.start, r.end) for r in res.review)
    extra = []
    for t in unsure:
        if gone.overlaps(t.start, t.end):
            continue
        a, b = norm.to_original(t.start, t.end)
        if b <= a or removed.overlaps(a, b) or have.overlaps(a, b):
            continue
        extra.append(ReviewSpan(a, b, t.reason))
    return sorted([*res.review, *extra])


# "a Nail Salon", "any Dental Clinic", "at farmers market": a kind of place, not one place
_INDEFINITE = frozenset("a an any another some every each".split())
_VENUE_PREPS = frozenset("at to from near outside by behind".split())


def _generic_venue(doc: Doc, c: Candidate) -> bool:
    """An organisation made of dictionary words only, said as a kind of place: after
    "a"/"any"/"another"… ("works at a Nail Salon"), or in lowercase right after a place
    preposition with no word a place list knows ("saw me at farmers market"). A named
    one has a word of its own ("at a Starbucks", "at ironbark crossfit")."""
    first = doc.token_at(c.start)
    if first is None:
        return False
    lex = doc.lex
    toks = [t for t in doc.tokens[first.i : first.i + 8] if t.end <= c.end]
    if len(toks) < 2 or any(not t.is_alpha or t.possessive or not lex.is_word(t.lower) for t in toks):
        return False
    p = doc.prev(first)
    if p is None or doc.gap(p, first) != " ":
        return False
    if p.lower in _INDEFINITE:
        return True
    return (
        p.lower in _VENUE_PREPS
        and all(t.is_lower for t in toks)
        and not any(
            t.lower in ("st", "saint", "mt")
            or (lex.is_place(t.lower) or lex.is_first(t.lower) or lex.is_surname(t.lower))
            and t.lower not in lex.common_words
            for t in toks
        )
    )


# people's words, never a name on their own in lowercase: "my clients aunty mere", "boy is 14"
_PERSON_WORDS = KIN | frozenset(
    "boy boys girl girls man men woman women lady kid kids child children baby teen teenager youth elder "
    "elders family whanau whānau aunties uncles".split()
)
_CUE_WORDS = frozenset(PERSON_CUES) | frozenset(TITLES)


def _word_not_name(doc: Doc, c: Candidate) -> bool:
    """A lowercase single word the name rules took that is a person word ("aunty",
    "boy") or an English verb or plural form no list gives as a given name
    ("flies", "outranks"): the word, not a name."""
    tok = doc.token_at(c.start)
    if tok is None or tok.end != c.end or not tok.is_lower or tok.possessive:
        return False
    low = tok.lower
    lex = doc.lex
    if low in _PERSON_WORDS:
        return True
    if low in _CUE_WORDS:
        return not lex.is_first(low)
    if lex.is_first(low) or len(low) < 5 or not low.endswith("s"):
        return False
    stems = (low[:-1], low[:-2] if low.endswith("es") else "", low[:-3] + "y" if low.endswith("ies") else "")
    return any(st and lex.is_word(st) and not lex.is_first(st) for st in stems)


_NAMEY_REASONS = frozenset(
    {
        "unknown_name_slot",
        "unknown_place_slot",
        "word_as_name",
        "initial",
        "looks_like_a_name",
        "looks_like_a_place",
        "looks_like_an_organisation",
    }
)


def _review_everywhere(texts: list[str], norms: list[Normalized], docs: list[Doc], out: list[DeidResult]) -> None:
    """A word pointed out as a possible name is pointed out wherever else it
    stands, in every text of the submission: "aunty mere" is checked, so is
    "mere rang mum" two sentences on. A word the dictionary knows recurs only
    in the same case ("faith" pointed at as a name; "have faith" is not)."""
    seen: dict[str, str] = {}
    for text, res in zip(texts, out, strict=True):
        for r in res.review:
            if r.reason in _NAMEY_REASONS:
                w = text[r.start : r.end]
                if w.isalpha() or w.replace("-", "").isalpha():
                    seen.setdefault(w.lower(), r.reason)
                    seen.setdefault("\0" + w, r.reason)
    if not seen:
        return
    for norm, doc, res in zip(norms, docs, out, strict=True):
        removed = Intervals((sp.start, sp.end) for sp in res.spans)
        have = Intervals((r.start, r.end) for r in res.review)
        extra = []
        for tok in doc.tokens:
            reason = seen.get(tok.lower)
            if reason is None:
                continue
            if doc.lex.is_word(tok.lower) and "\0" + tok.text not in seen:
                continue
            a, b = norm.to_original(tok.start, tok.end)
            if b <= a or removed.overlaps(a, b) or have.overlaps(a, b):
                continue
            extra.append(ReviewSpan(a, b, reason))
        if extra:
            res.review = sorted([*res.review, *extra])


_MASK = MASK  # neither a word nor a space, so no recogniser sees a word there


def _mask_placeholders(text: str) -> str:
    """Our own placeholders are opaque on a second pass: their words
    ("Person", "A") must neither be found nor serve as context. Same length,
    so offsets are unchanged."""
    if "[" not in text:
        return text
    return PLACEHOLDER_RE.sub(lambda m: _MASK * len(m.group()), text)


_LINE = re.compile(r"[^\n]+")
_SHOUT_WORD = re.compile(r"[^\W\d_]{2,}(?:['’][^\W\d_]+)?")


def _unshout(text: str, lex: Lexicons) -> str:
    """A line written in capitals says nothing by its capitals: there, an English
    word is read in lowercase and any other word as a name would be written
    ("I SAW SARAH AT THE CLINIC" is read "i saw Sarah at the clinic"), so the
    recognisers neither take the sentence for an organisation nor miss the name.
    Acronyms stay as they are. Same length, so offsets are unchanged."""
    if sum(map(str.isupper, text)) < 6:
        return text
    edits: list[tuple[int, str]] = []
    for line in _LINE.finditer(text):
        words = list(_SHOUT_WORD.finditer(text, line.start(), line.end()))
        upper = [w for w in words if w.group().isupper()]
        # capitalised words (names, mostly) and our placeholders count neither way,
        # so that a second pass over our own output decides the same
        lower = sum(w.group().islower() for w in words)
        if len(upper) < 3 or len(upper) < 0.75 * (len(upper) + lower):
            continue
        for w in upper:
            word = w.group()
            low = word.lower()
            if low in lex.acronyms and low not in lex.allow:
                continue
            new = low if lex.is_word(low) or low in lex.allow else word[0] + word[1:].lower()
            if len(new) == len(word):
                edits.append((w.start(), new))
    if not edits:
        return text
    pieces, pos = [], 0
    for at, new in edits:
        pieces.append(text[pos:at])
        pieces.append(new)
        pos = at + len(new)
    pieces.append(text[pos:])
    return "".join(pieces)


def _resolve(text: str, cands: list[Candidate]) -> list[Candidate]:
    """Overlapping proposals become one span covering all of them (a partial
    overlap would leave part of a name visible); the strongest names it."""
    cands = sorted((_tidy(text, c) for c in cands), key=lambda c: (c.start, -c.end))
    out: list[Candidate] = []
    cluster: list[Candidate] = []
    end = -1
    for c in cands:
        if c.end <= c.start:
            continue
        if cluster and c.start < end:
            cluster.append(c)
            end = max(end, c.end)
            continue
        if cluster:
            out.append(_merge(cluster))
        cluster, end = [c], c.end
    if cluster:
        out.append(_merge(cluster))
    return out


_SURE = 40


def _merge(cluster: list[Candidate]) -> Candidate:
    # the proposal that saw the whole thing names it ("Dale's Auto & Tire" is
    # a workplace even though "Dale" alone is a name); ties go to the surer one
    # a weak guess (the safety net's "John A" as a business) never names what a
    # recogniser with evidence found inside it ("John", a person)
    best = max(cluster, key=lambda c: (c.priority >= _SURE, c.end - c.start, c.priority))
    s = min(c.start for c in cluster)
    e = max(c.end for c in cluster)
    return Candidate(s, e, best.label, best.kind, best.priority, best.source)


_EDGE = ' \t\r\n,;:!?"“”()[]{}'


def _tidy(text: str, c: Candidate) -> Candidate:
    s, e = c.start, c.end
    # a phone's opening bracket stays when its closing one is inside: "(208) 555-0142"
    keep_bracket = c.kind == "phone" and text[s : s + 1] == "(" and ")" in text[s:e]
    while s < e and text[s] in _EDGE and not (keep_bracket and s == c.start):
        s += 1
    while e > s and text[e - 1] in _EDGE:
        e -= 1
    if (s, e) == (c.start, c.end):
        return c
    return Candidate(s, e, c.label, c.kind, c.priority, c.source)


_PARTICLE_WORDS = frozenset(
    (
        "van",
        "von",
        "de",
        "del",
        "della",
        "der",
        "den",
        "da",
        "di",
        "du",
        "le",
        "la",
        "ap",
        "ab",
        "bin",
        "binti",
        "bint",
        "ibn",
        "al",
        "el",
        "dos",
        "das",
        "ter",
        "ten",
        "zu",
        "ben",
    )
)
_NOT_BEFORE_PARTICLE = frozenset(
    ("the", "a", "an", "his", "her", "my", "their", "our", "your", "this", "that", "in", "into")
)


# ---- every part of a name goes with it ------------------------------------------
# a suffix after a name: "Robert Hale Jr", "Robert Hale III", "T.J. Baker, Sr"
_SUFFIX = re.compile(r",?[ \t]+(?:(?i:jr|sr|jnr|snr)(?![\w'’])|(?:II|III|IV)(?![\w'’]))")
# middle initials and the name after them: "John A. Smith", "Kofi J. R. Mensah", "Dana A Smith"
_INITIALS_THEN_WORD = re.compile(
    r"(?:(?:[ \t]*[A-Z]\.){1,3}|[ \t]+[A-Z](?=[ \t]))[ \t]*(?P<w>[A-Z][\w'’-]{1,40})(?![\w'’-])"
)
# after a name made of initials ("T.J.", "J.R.") or ending in one ("Kofi J."): the family name
_WORD_AFTER = re.compile(r"\.?[ \t]+(?P<w>[A-Z][\w'’-]{1,40})(?![\w'’-])")
_ENDS_IN_INITIAL = re.compile(r"(?:^|[\s.])[A-Z]\.?$")
_INITIALS_BEFORE = re.compile(r"(?<![\w.'’])(?:[A-Z]\.[ \t]*){1,3}$")
# lowercase chat: "jo-ann b. smith"
_LOWER_INITIAL_THEN_WORD = re.compile(r"(?:[ \t]+[a-z]\.){1,2}[ \t]*(?P<w>[a-z][\w'’-]{1,40})(?![\w'’-])")


def _name_word(doc: Doc, w: str) -> bool:
    """A word that may finish a name: a known name, or no English word."""
    low = w.lower()
    if low in doc.lex.allow:
        return False
    return doc.lex.is_surname(low) or doc.lex.is_first(low) or not doc.lex.is_word(low)


def _name_parts(doc: Doc, merged: list[Candidate]) -> list[Candidate]:
    """Middle initials, suffixes and the family name after initials stay with the
    name they belong to; the extended span overlaps (and so merges with) a name
    found on its own after it."""
    text = doc.text
    out = []
    for c in merged:
        if c.label != "NAME":
            out.append(c)
            continue
        end = c.end
        start = c.start
        b = _INITIALS_BEFORE.search(text, max(0, c.start - 12), c.start)
        if b and b.start() < c.start:
            start = b.start()  # "R. Okafor", "J. R. Mensah"
        for _ in range(3):  # "T.J. Baker Sr": initials, family name, suffix
            surface = text[c.start : end]
            m = _INITIALS_THEN_WORD.match(text, end)
            if m and _name_word(doc, m.group("w")):
                end = m.end()
                continue
            if (
                surface.replace(".", "").isupper()
                and len(surface.replace(".", "")) <= 3
                or _ENDS_IN_INITIAL.search(surface)
            ):
                m = _WORD_AFTER.match(text, end)
                if m and _name_word(doc, m.group("w")):
                    end = m.end()
                    continue
            if surface.islower():
                m = _LOWER_INITIAL_THEN_WORD.match(text, end)
                if m and doc.lex.is_surname(m.group("w")):
                    end = m.end()
                    continue
            m = _SUFFIX.match(text, end)
            if m:
                end = m.end()
                continue
            break
        same = (start, end) == (c.start, c.end)
        out.append(c if same else Candidate(start, end, c.label, c.kind, c.priority, c.source))
    return out


# ---- what is said around a removed detail ------------------------------------------
def _kin_not_name(doc: Doc, merged: list[Candidate]) -> list[Candidate]:
    """A name span opening with lowercase kin or person words ("oma hilde", "aunty
    nellie", "nani shanti") starts at the name: the kin word is what says who they are."""
    out = []
    for c in merged:
        tok = doc.token_at(c.start) if c.label == "NAME" else None
        start = c.start
        while (
            tok is not None
            and tok.is_lower
            and not tok.possessive
            and tok.lower in _PERSON_WORDS
            and tok.lower not in _PARTICLE_WORDS  # "Mrs da Silva": a particle of the name
        ):
            nxt = doc.next(tok)
            if nxt is None or nxt.end > c.end or doc.gap(tok, nxt) != " ":
                break
            start = nxt.start
            tok = nxt
        out.append(c if start == c.start else Candidate(start, c.end, c.label, c.kind, c.priority, c.source))
    return out


# "is 15", "was only 27", "'s 16", "turned 40", "who's 82": an age said of the person just named
_AGE_OF_NAME = re.compile(
    r"(?:\s*,)?\s+(?:(?:who|whos|who's|who’s|that)\s+(?:is\s+)?|is\s+|was\s+|['’]s\s+|turned\s+|turns\s+|"
    r"just\s+turned\s+)(?:only\s+|like\s+|about\s+|nearly\s+|almost\s+|just\s+|barely\s+|already\s+)?"
    r"(?P<a>"
    + AGE_NUMBER
    + r"|"
    + AGE_TEEN_WORD
    + r"|"
    + AGE_SMALL_WORD
    + r"(?=\s*(?:$|[.,;!?)]|now\b|this\b|next\b|today\b|yrs?\b|years?\b)))"
    r"(?![\w.,/:]\d)(?![\w])(?!\s*(?:year|yr)s?\b(?![\s-]*old\b))" + AGE_NOT_UNIT,
    re.I,
)


def _ages_of_names(doc: Doc, merged: list[Candidate]) -> list[Candidate]:
    out = list(merged)
    for c in merged:
        if c.label != "NAME":
            continue
        m = _AGE_OF_NAME.match(doc.text, c.end)
        if m is not None:
            out.append(Candidate(m.start("a"), m.end("a"), "AGE", "age", 55, "name_age"))
    return out


# ---- a place or an organisation is not shown as a person ---------------------------
_PLACE_PREPS = {"in", "near", "outside", "around", "across", "throughout", "toward", "towards", "via"}
_MOVE_PREPS = {"to", "from", "on"}
# "in our part of Gwynedd", "the manager of Bunnings Ballarat"
_PLACE_OF = {"part", "parts", "area", "north", "south", "east", "west", "centre", "center", "middle", "outskirts"}
_PLACE_OF |= {"edge", "side", "town", "city", "village", "county", "region", "suburbs", "island", "coast", "state"}
_ORG_OF = {"manager", "owner", "director", "ceo", "head", "member", "members", "staff", "president", "founder"}
_ORG_OF |= {"coach", "captain", "principal", "chair", "board", "employee", "employees", "branch", "franchise"}
_ORG_OF |= {"landlord", "landlady", "publican", "licensee", "regulars", "customers", "patrons"}
# "moved to Hamilton", "the drive out to Dorchester": a destination
_MOTION = {"moved", "move", "moving", "moves", "relocated", "relocating", "drive", "drove", "driving", "flew", "fly"}
_MOTION |= {"flying", "travel", "travelled", "traveled", "commute", "commutes", "commuting", "trip", "trips", "out"}
_MOTION |= {"bus", "buses", "train", "trains", "ferry", "road", "back", "home", "emigrated", "returned", "visit"}
# "a gift card to Nordstrom", "a voucher for Bunnings"
_BOUGHT = {"card", "voucher", "certificate", "coupon", "membership", "subscription", "gift"}
# "a town as small as Red Lodge", "a village called Nether Wallop"
_SETTLEMENTS = {"town", "towns", "city", "village", "suburb", "island", "county", "hamlet", "community", "place"}


# "confided in Dana", "interested in Dana": a person after "in"
_IN_PERSON = {"confide", "confided", "confides", "confiding", "believe", "believed", "interest", "interested"}
_IN_PERSON |= {"trust", "faith", "invested", "disappointed", "involved", "jealous", "see", "saw", "sees", "seen"}


def _person_before_in(doc: Doc, prep_tok: Token) -> bool:
    q = doc.prev(prep_tok)
    return q is None or q.lower in _IN_PERSON


def _settlement_before(doc: Doc, tok: Token) -> bool:
    for n in range(1, 5):
        q = doc.prev(tok, n)
        if q is None:
            return False
        if q.lower in _SETTLEMENTS:
            return True
    return False


def _places_not_people(doc: Doc, merged: list[Candidate]) -> list[Candidate]:
    """A name in a place's slot is a place ("sentencing in Hamilton", "lives in
    Jesmond", "the buses out to Dorchester"), or a business ("works at Westpac",
    "the Portland Timbers game"), not a phantom person with a letter of their own."""
    out: list[Candidate] = []
    lex = doc.lex
    for c in merged:
        if c.label != "NAME" or c.source == "terms":
            out.append(c)
            continue
        if out and out[-1].label == "LOCATION" and doc.text[out[-1].end : c.start] == ", ":
            # "Mulholland Dr, Los Angeles", "Jesmond, Newcastle": the town after a place
            out.append(Candidate(c.start, c.end, "LOCATION", "place", c.priority, c.source))
            continue
        first = doc.token_at(c.start)
        p = doc.prev(first) if first is not None else None
        toks = [t for t in doc.tokens[first.i : first.i + 8] if t.end <= c.end] if first is not None else []
        if p is None or first is None or not toks or doc.gap(p, first) != " " or toks[-1].possessive:
            out.append(c)
            continue
        placey = any(lex.is_place(t.lower) for t in toks)
        firsty = lex.is_first(toks[0].lower) and len(toks[0].text) > 1
        surname = any(lex.is_surname(t.lower) for t in toks)
        prep = p.lower
        new = None
        if prep in _PLACE_PREPS and (placey or not firsty or not _person_before_in(doc, p)):
            new = ("LOCATION", "place")
        elif prep == "at" and not firsty:
            new = ("LOCATION", "place") if placey else ("ORG", "")
        elif prep in _MOVE_PREPS and placey and not firsty and (prep != "on" or not surname):
            new = ("LOCATION", "place")
        elif prep == "on" and not firsty and not surname and not placey and p.i > 0 and not p.sent_start:
            new = ("LOCATION", "place")
        elif prep == "of" and (pp := doc.prev(p)) is not None and pp.lower in _PLACE_OF | _ORG_OF:
            new = ("LOCATION", "place") if pp.lower in _PLACE_OF else ("ORG", "")
        elif prep in ("to", "from") and (pp := doc.prev(p)) is not None and pp.lower in _MOTION:
            new = ("LOCATION", "place")
        elif prep in ("to", "for", "from") and not firsty and (pp := doc.prev(p)) is not None and pp.lower in _BOUGHT:
            new = ("ORG", "")
        elif prep in ("as", "like", "called", "named") and _settlement_before(doc, p):
            new = ("LOCATION", "place")
        elif prep == "the" and not firsty:
            new = ("LOCATION", "place") if placey and len(toks) == 1 else ("ORG", "")
        if new is None:
            out.append(c)
        else:
            out.append(Candidate(c.start, c.end, new[0], new[1], c.priority, c.source))
    return out


def _with_particles(doc: Doc, cands: list[Candidate]) -> list[Candidate]:
    """A name's lowercase particles go with it, whoever found the name:
    "Later de la Fuente emailed", "[net: Yanaba] van der Merwe". A particle
    right before a NAME candidate (after no determiner: "the van Sione
    drove") is added to it; so is a particle run between a NAME and a
    capitalised word."""
    names = [c for c in cands if c.label == "NAME"]
    if not names:
        return cands
    extra: list[Candidate] = []
    for c in names:
        t = doc.token_at(c.start)
        if t is None:
            continue
        j, first = doc.prev(t), None
        while (
            j is not None
            and j.lower in _PARTICLE_WORDS
            and j.text.islower()
            and doc.gap(j, t if first is None else first) == " "
        ):
            first = j
            j = doc.prev(j)
        if first is not None and not (j is not None and j.lower in _NOT_BEFORE_PARTICLE and doc.gap(j, first) == " "):
            # backwards: "Later de la Fuente emailed"
            extra.append(Candidate(first.start, c.end, c.label, c.kind, c.priority, c.source))
    starts = [x.start for x in doc.tokens]
    for c in names:
        # forwards: "[Yanaba] van der Merwe"
        i = bisect.bisect_left(starts, c.end) - 1
        last = doc.tokens[i] if i >= 0 else None
        if last is None or last.end != c.end or last.possessive:
            continue
        j, k = doc.next(last), 0
        prev_tok = last
        while (
            j is not None
            and k < 3
            and doc.gap(prev_tok, j) == " "
            and j.text.islower()
            and (
                j.lower in _PARTICLE_WORDS
                or j.lower in ("an", "na")
                and prev_tok.lower in ("mac", "mc", "nic", "ó", "o", "ua")
            )
        ):
            prev_tok, j, k = j, doc.next(j), k + 1
        if k and j is not None and doc.gap(prev_tok, j) == " " and j.is_cap and j.lower not in doc.lex.allow:
            extra.append(Candidate(c.start, j.end, c.label, c.kind, c.priority, c.source))
    return cands + extra if extra else cands


def _name_surfaces(docs: list[Doc], cands: list[list[Candidate]]) -> dict[str, bool]:
    """Name words confirmed somewhere, mapped to 'match in any case?'."""
    out: dict[str, bool] = {}
    for doc, cs in zip(docs, cands, strict=True):
        starts = [t.start for t in doc.tokens]
        # what a surer recogniser called a place or an organisation is not a name
        # the net's guess may spread ("flies out of Karratha": the gazetteer's town)
        other = Intervals((c.start, c.end) for c in cs if c.label in ("LOCATION", "ORG") and c.priority >= _SURE)
        for c in cs:
            if c.label != "NAME" or c.source not in ("name", "terms", "safety_net"):
                continue
            from_net = c.source == "safety_net"
            if from_net and other and other.contains(c.start, c.end) and _after_place_word(doc, c.start):
                continue
            i = bisect.bisect_left(starts, c.start)
            while i < len(doc.tokens) and doc.tokens[i].start < c.end:
                tok = doc.tokens[i]
                i += 1
                if tok.end > c.end or not tok.is_alpha or len(tok.text) < 2:
                    continue
                low = tok.lower
                if low in doc.lex.allow or low in out and out[low]:
                    continue
                after_particle = (
                    i >= 2 and doc.tokens[i - 2].lower in _PARTICLE_WORDS and doc.tokens[i - 2].start >= c.start
                )
                if (
                    from_net
                    and doc.lex.is_word(low)
                    and not (tok.is_cap and tok.start > c.start and (doc.lex.is_surname(low) or after_particle))
                ):
                    # the net's span ran over ordinary words ("… Catholic
                    # Church"); but a surname after the suspect in a span
                    # the net called a person recurs ("Yanaba Hill … Hill said")
                    continue
                # a name that is also a word only recurs as a name when
                # capitalised; so does one only the safety net suspected
                out[low] = out.get(low, False) or not (from_net or doc.lex.is_word(low))
    return out


_PLACE_WORDS = frozenset("in from of to near at around outside into across via".split())


def _after_place_word(doc: Doc, start: int) -> bool:
    tok = doc.token_at(start)
    p = doc.prev(tok) if tok is not None else None
    return p is not None and p.lower in _PLACE_WORDS and doc.gap(p, tok) == " "  # type: ignore[arg-type]


def _propagate(doc: Doc, names: dict[str, bool]) -> list[Candidate]:
    out = []
    for tok in doc.tokens:
        any_case = names.get(tok.lower)
        if any_case is None:
            continue
        # initials used as a name ("DJ") recur in capitals
        if any_case or tok.is_cap or tok.is_upper and len(tok.text) <= 3 and tok.lower not in doc.lex.acronyms:
            out.append(Candidate(tok.start, tok.end, "NAME", "person", 57, "propagated"))
    return out


_ENGINE: Deidentifier | None = None
_ENGINE_LOCK = threading.Lock()


def get_engine() -> Deidentifier:
    """The shared engine, built on first use."""
    global _ENGINE
    if _ENGINE is None:
        with _ENGINE_LOCK:
            if _ENGINE is None:
                _ENGINE = Deidentifier()
    return _ENGINE
