"""Loads and validates prompts/principles.yaml and prompts/situations.yaml."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.texts import parse_yaml

from .text import normalize, tokens

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
PRINCIPLE_KEYS = (
    "objectivity",
    "confidentiality",
    "power",
    "transference",
    "dual_relationship",
    "caring_within_boundaries",
    "consultation",
)
_PRINCIPLE_FIELDS = (
    "title",
    "summary",
    "explanation",
    "why_it_matters",
    "self_check",
    "typical_situations",
    "crossing_vs_violation",
    "code_refs",
    "aliases",
    "fallback_why",
    "matching",
)
_SITUATION_FIELDS = ("key", "title", "principles", "triggers", "consider", "options", "say_it")
_CODES = (
    "APA",
    "ACA",
    "NASW",
    "AAMFT",
    "CPA",
    "BACP",
    "UKCP",
    "HCPC",
    "BPS",
    "PACFA",
    "PsyBA",
    "APS",
    "NZAC",
    "CCPA",
    "IACP",
    "PSI",
)
US_CODES = ("APA", "ACA", "NASW", "AAMFT")


class CatalogError(ValueError):
    pass


@dataclass(frozen=True)
class CodeRef:
    code: str
    section: str
    title: str
    gist: str

    def __str__(self) -> str:
        return f"{self.code} {self.section} ({self.title})"


@dataclass(frozen=True)
class Principle:
    key: str
    title: str
    summary: str
    explanation: str
    why_it_matters: str
    self_check: list[str]
    typical_situations: list[str]
    crossing_vs_violation: str | None
    code_refs: list[CodeRef]
    aliases: list[str]


@dataclass(frozen=True)
class Situation:
    key: str
    title: str
    principles: list[str]
    consider: list[str]
    options: list[str]
    say_it: list[str]
    code_refs: list[CodeRef]


@dataclass(frozen=True)
class Cue:
    """One weighted group of matching terms; `terms` are normalized token tuples."""

    label: str
    weight: float
    terms: tuple[tuple[str, ...], ...]
    why: str


@dataclass(frozen=True)
class CodeFamily:
    """The codes practitioners of one country follow, and what the app may cite of them.

    `refs`: principle key -> sections marked ✅ in the reference notes. Where a principle
    has none, `note` names the codes at the level of their principles (no numbers)."""

    key: str
    name: str
    codes: str
    aliases: tuple[str, ...]
    note: str
    refs: dict[str, list[CodeRef]]
    us: bool = False  # cites the principles' and situations' own (US) references
    situation_refs: dict[str, list[CodeRef]] = field(default_factory=dict)

    def refs_for(
        self, principle_keys: Sequence[str], catalog: Catalog, situation: Situation | None = None
    ) -> list[CodeRef]:
        if self.us:
            pool = (
                situation.code_refs
                if situation
                else [r for k in principle_keys[:1] for r in catalog.principles[k].code_refs]
            )
            return [r for r in pool if r.code in US_CODES]
        if situation is not None and situation.key in self.situation_refs:
            return list(self.situation_refs[situation.key])
        # without a situation of its own: the references of the principle the answer leads with
        return list(self.refs.get(principle_keys[0], [])) if principle_keys else []


@dataclass
class Catalog:
    principles: dict[str, Principle]
    situations: dict[str, Situation]
    disclaimer: str
    off_topic_text: str
    synonyms: dict[str, str]
    principle_cues: dict[str, list[Cue]]
    situation_triggers: dict[str, list[Cue]]
    fallback_why: dict[str, str]
    # a situation's `unless` terms rule it out ("has a plan to" for *a client has died*)
    situation_unless: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    # ... and its `requires` terms must be present (the parent *asks*, not merely appears)
    situation_requires: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    # words of other languages: a question in one gets a note that answers are in English
    language_words: dict[str, frozenset[str]] = field(default_factory=dict)
    language_names: dict[str, str] = field(default_factory=dict)
    # foreign word -> English word, so a question in another language can still be matched
    translations: dict[str, str] = field(default_factory=dict)
    code_families: dict[str, CodeFamily] = field(default_factory=dict)
    default_code_family: str = "us"
    context_terms: tuple[tuple[str, ...], ...] = ()
    # words for the people a practitioner serves: a question about one of them,
    # asked in a boundary app, is a boundary question even without a known cue
    client_terms: tuple[tuple[str, ...], ...] = ()
    admin_terms: tuple[tuple[str, ...], ...] = ()  # practice admin (billing, notes): needs a strong trigger
    ethics_terms: tuple[tuple[str, ...], ...] = ()
    relational_asks: tuple[tuple[str, ...], ...] = ()
    people_terms: tuple[tuple[str, ...], ...] = ()
    admin_roles: tuple[tuple[str, ...], ...] = ()  # admin_topics' people ("landlord"): admin, never masked
    ethics_subjects: tuple[
        tuple[str, ...], ...
    ] = ()  # "duty to warn": the codes' own subjects  # besides clients, whom an admin question may be about  # "can I accept", "problem?": asks about a person  # "is it appropriate": with practice context, on-topic
    surface_words: frozenset[str] = frozenset()  # unstemmed words of all vocabulary, for typo fixing
    # risk kind -> the principles an answer leads with when the risk recogniser finds that kind
    risk_principles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _names: dict[tuple[str, ...], str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for key, p in self.principles.items():
            for name in (key, key.replace("_", " "), p.title, *p.aliases):
                self._names.setdefault(tuple(normalize(name, self.synonyms)), key)

    def principle_for_name(self, text: str, cutoff: float = 0.82) -> str | None:
        """Key of the principle whose key/title/alias `text` names (typo-tolerant)."""
        toks = tuple(normalize(text, self.synonyms))
        if not toks:
            return None
        if toks in self._names:
            return self._names[toks]
        joined = {" ".join(k): v for k, v in self._names.items()}
        close = difflib.get_close_matches(" ".join(toks), list(joined), n=1, cutoff=cutoff)
        return joined[close[0]] if close else None

    def code_family(self, key: str | None) -> CodeFamily:
        return self.code_families.get(key or "") or self.code_families[self.default_code_family]

    def family_for_name(self, text: str) -> str | None:
        t = " ".join(text.lower().split())
        for fam in self.code_families.values():
            if t == fam.key or t in fam.aliases:
                return fam.key
        return None

    def find_principle(self, text: str) -> Principle | None:
        key = self.principle_for_name(text)
        return self.principles[key] if key else None


def _fail(path: Path, item: str, msg: str) -> CatalogError:
    return CatalogError(f"{path.name}: {item}: {msg}")


def _str_list(path: Path, item: str, name: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(path, item, f"'{name}' must be a non-empty list of strings")
    return value


def _text(path: Path, item: str, name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, item, f"'{name}' must be a non-empty string")
    return value.strip()


def _code_refs(path: Path, item: str, raw: Any, known: dict[str, CodeRef]) -> list[CodeRef]:
    refs = []
    for r in raw or []:
        if isinstance(r, str):
            # situations may cite a standard already described under a principle: "APA 3.05"
            if r not in known:
                raise _fail(path, item, f"code ref '{r}' is not defined under any principle")
            refs.append(known[r])
            continue
        if not isinstance(r, dict) or set(r) != {"code", "section", "title", "gist"}:
            raise _fail(path, item, f"code ref {r!r} needs exactly code, section, title, gist")
        if r["code"] not in _CODES:
            raise _fail(path, item, f"unknown code '{r['code']}' (expected one of {', '.join(_CODES)})")
        refs.append(CodeRef(*(str(r[k]).strip() for k in ("code", "section", "title", "gist"))))
    return refs


def _cues(path: Path, item: str, raw: Any, synonyms: dict[str, str]) -> list[Cue]:
    if not isinstance(raw, list) or not raw:
        raise _fail(path, item, "'matching' must be a non-empty list of cues")
    cues = []
    for i, c in enumerate(raw):
        where = f"{item} cue #{i + 1}"
        if not isinstance(c, dict) or not {"cue", "weight", "terms", "why"} <= set(c):
            raise _fail(path, where, "a cue needs cue, weight, terms and why")
        terms = tuple(t for t in (tuple(normalize(str(x), synonyms)) for x in c["terms"]) if t)
        cues.append(Cue(str(c["cue"]), float(c["weight"]), terms, _text(path, where, "why", c["why"])))
    return cues


def _triggers(path: Path, item: str, raw: Any, synonyms: dict[str, str]) -> list[Cue]:
    # triggers: {phrase: weight}; each phrase is its own cue so weights add up
    if not isinstance(raw, dict) or not raw:
        raise _fail(path, item, "'triggers' must be a mapping of phrase -> weight")
    best: dict[tuple[str, ...], tuple[str, float]] = {}
    for phrase, weight in raw.items():
        term = tuple(normalize(str(phrase), synonyms))
        # "message"/"messages" stem alike; count such variants once, at their highest weight
        if term and (term not in best or float(weight) > best[term][1]):
            best[term] = (str(phrase), float(weight))
    return [Cue(label, w, (term,), "") for term, (label, w) in best.items()]


def _code_families(path: Path, raw: Any, known: dict[str, CodeRef]) -> tuple[dict[str, CodeFamily], str]:
    if not raw:
        us = CodeFamily("us", "United States", "APA, ACA, NASW, AAMFT", ("us",), "", {}, us=True)
        return {"us": us}, "us"
    if not isinstance(raw, dict) or not isinstance(raw.get("families"), dict):
        raise _fail(path, "code_families", "needs 'default' and a 'families' mapping")
    out = {}
    for key, f in raw["families"].items():
        item = f"code family '{key}'"
        if not isinstance(f, dict):
            raise _fail(path, item, "must be a mapping")
        refs, own = {}, dict(known)
        for pk, rs in (f.get("refs") or {}).items():
            if pk not in PRINCIPLE_KEYS:
                raise _fail(path, item, f"unknown principle key '{pk}'")
            refs[pk] = _code_refs(path, f"{item} {pk}", rs, own)
            for r in refs[pk]:
                own.setdefault(f"{r.code} {r.section}", r)
        situation_refs = {
            str(sk): _code_refs(path, f"{item} {sk}", rs, own) for sk, rs in (f.get("situations") or {}).items()
        }
        out[str(key)] = CodeFamily(
            key=str(key),
            name=_text(path, item, "name", f.get("name")),
            codes=_text(path, item, "codes", f.get("codes")),
            aliases=tuple(str(a).lower() for a in f.get("aliases") or []),
            note=_text(path, item, "note", f.get("note")),
            refs=refs,
            us=bool(f.get("us")),
            situation_refs=situation_refs,
        )
    default = str(raw.get("default") or "")
    if default not in out:
        raise _fail(path, "code_families", f"default '{default}' is not a family")
    return out, default


def load_catalog(prompts_dir: str | Path | None = None) -> Catalog:
    base = Path(prompts_dir) if prompts_dir else PROMPTS_DIR
    ppath, spath = base / "principles.yaml", base / "situations.yaml"
    pdoc = _read(ppath)
    synonyms = {str(k).lower(): str(v).lower() for k, v in (pdoc.get("synonyms") or {}).items()}
    raw_principles = pdoc.get("principles")
    if not isinstance(raw_principles, dict):
        raise _fail(ppath, "principles", "missing top-level 'principles' mapping")
    for key in raw_principles:
        if key not in PRINCIPLE_KEYS:
            raise _fail(ppath, key, f"unknown principle key (expected one of {', '.join(PRINCIPLE_KEYS)})")

    principles: dict[str, Principle] = {}
    cues: dict[str, list[Cue]] = {}
    fallback: dict[str, str] = {}
    known_refs: dict[str, CodeRef] = {}
    for key in PRINCIPLE_KEYS:
        p = raw_principles.get(key)
        if not isinstance(p, dict):
            raise _fail(ppath, key, "principle is missing")
        missing = [f for f in _PRINCIPLE_FIELDS if f not in p]
        if missing:
            raise _fail(ppath, key, f"missing field(s): {', '.join(missing)}")
        refs = _code_refs(ppath, key, p["code_refs"], {})
        if not refs:
            raise _fail(ppath, key, "'code_refs' must not be empty")
        for r in refs:
            known_refs.setdefault(f"{r.code} {r.section}", r)
        cvv = p["crossing_vs_violation"]
        principles[key] = Principle(
            key=key,
            title=_text(ppath, key, "title", p["title"]),
            summary=_text(ppath, key, "summary", p["summary"]),
            explanation=_text(ppath, key, "explanation", p["explanation"]),
            why_it_matters=_text(ppath, key, "why_it_matters", p["why_it_matters"]),
            self_check=_str_list(ppath, key, "self_check", p["self_check"]),
            typical_situations=_str_list(ppath, key, "typical_situations", p["typical_situations"]),
            crossing_vs_violation=_text(ppath, key, "crossing_vs_violation", cvv) if cvv is not None else None,
            code_refs=refs,
            aliases=_str_list(ppath, key, "aliases", p["aliases"]),
        )
        cues[key] = _cues(ppath, key, p["matching"], synonyms)
        fallback[key] = _text(ppath, key, "fallback_why", p["fallback_why"])

    sdoc = _read(spath)
    raw_situations = sdoc.get("situations")
    if not isinstance(raw_situations, list) or not raw_situations:
        raise _fail(spath, "situations", "missing top-level 'situations' list")
    situations, triggers, unless, requires = {}, {}, {}, {}
    for i, s in enumerate(raw_situations):
        item = f"situation #{i + 1}" + (f" '{s.get('key')}'" if isinstance(s, dict) and s.get("key") else "")
        if not isinstance(s, dict):
            raise _fail(spath, item, "must be a mapping")
        missing = [f for f in _SITUATION_FIELDS if f not in s]
        if missing:
            raise _fail(spath, item, f"missing field(s): {', '.join(missing)}")
        key = _text(spath, item, "key", s["key"])
        if key in situations:
            raise _fail(spath, item, "duplicate key")
        keys = _str_list(spath, item, "principles", s["principles"])
        bad = [k for k in keys if k not in PRINCIPLE_KEYS]
        if bad:
            raise _fail(spath, item, f"unknown principle key(s): {', '.join(bad)}")
        if len(keys) > 3 or len(set(keys)) != len(keys):
            raise _fail(spath, item, "'principles' must list 1-3 distinct keys")
        situations[key] = Situation(
            key=key,
            title=_text(spath, item, "title", s["title"]),
            principles=keys,
            consider=_str_list(spath, item, "consider", s["consider"]),
            options=_str_list(spath, item, "options", s["options"]),
            say_it=_str_list(spath, item, "say_it", s["say_it"]),
            code_refs=_code_refs(spath, item, s.get("code_refs"), known_refs),
        )
        triggers[key] = _triggers(spath, item, s["triggers"], synonyms)
        unless[key] = tuple(t for t in (tuple(normalize(str(x), synonyms)) for x in s.get("unless") or []) if t)
        requires[key] = tuple(t for t in (tuple(normalize(str(x), synonyms)) for x in s.get("requires") or []) if t)

    surface: set[str] = set()
    for p in raw_principles.values():
        for c in p["matching"]:
            surface.update(w for t in c["terms"] for w in tokens(str(t)))
        surface.update(w for a in p["aliases"] for w in tokens(str(a)))
    for s in raw_situations:
        surface.update(w for t in s["triggers"] for w in tokens(str(t)))
    surface.update(w for t in pdoc.get("context_terms") or [] for w in tokens(str(t)))

    families, default_family = _code_families(ppath, pdoc.get("code_families"), known_refs)
    risk_principles: dict[str, tuple[str, ...]] = {}
    for kind, keys in (pdoc.get("risk_principles") or {}).items():
        keys = _str_list(ppath, f"risk_principles {kind}", "risk_principles", keys)
        bad = [k for k in keys if k not in PRINCIPLE_KEYS]
        if bad or len(keys) > 3:
            raise _fail(ppath, f"risk_principles {kind}", f"1-3 principle keys, not {', '.join(bad) or keys}")
        risk_principles[str(kind)] = tuple(keys)
    return Catalog(
        code_families=families,
        default_code_family=default_family,
        risk_principles=risk_principles,
        surface_words=frozenset(surface),
        principles=principles,
        situations=situations,
        disclaimer=_text(ppath, "disclaimer", "disclaimer", pdoc.get("disclaimer")),
        off_topic_text=_text(ppath, "off_topic", "off_topic", pdoc.get("off_topic")),
        synonyms=synonyms,
        principle_cues=cues,
        situation_triggers=triggers,
        situation_unless=unless,
        situation_requires=requires,
        fallback_why=fallback,
        language_words={
            str(lang): frozenset(str(d.get("words", "")).lower().split())
            for lang, d in (pdoc.get("languages") or {}).items()
        },
        language_names={str(lang): str(d.get("name", lang)) for lang, d in (pdoc.get("languages") or {}).items()},
        translations={
            str(k).lower(): str(v).lower()
            for d in (pdoc.get("languages") or {}).values()
            for k, v in (d.get("translations") or {}).items()
        },
        context_terms=tuple(
            t
            for t in (
                tuple(normalize(str(x), synonyms))
                for x in _str_list(ppath, "context_terms", "context_terms", pdoc.get("context_terms"))
            )
            if t
        ),
        admin_terms=tuple(
            t
            for t in (
                tuple(normalize(str(x), synonyms))
                for x in [
                    *(pdoc.get("admin_terms") or []),
                    *(w for ws in (pdoc.get("admin_topics") or {}).values() for w in ws or []),
                ]
            )
            if t
        ),
        ethics_terms=tuple(
            t for t in (tuple(normalize(str(x), synonyms)) for x in pdoc.get("ethics_terms") or []) if t
        ),
        client_terms=tuple(
            t for t in (tuple(normalize(str(x), synonyms)) for x in pdoc.get("client_terms") or []) if t
        ),
        relational_asks=tuple(
            t for t in (tuple(normalize(str(x), synonyms)) for x in pdoc.get("relational_asks") or []) if t
        ),
        people_terms=tuple(
            t for t in (tuple(normalize(str(x), synonyms)) for x in pdoc.get("people_terms") or []) if t
        ),
        admin_roles=tuple(
            t
            for t in (tuple(normalize(str(x), synonyms)) for x in (pdoc.get("admin_topics") or {}).get("roles") or [])
            if t
        ),
        ethics_subjects=tuple(
            t for t in (tuple(normalize(str(x), synonyms)) for x in pdoc.get("ethics_subjects") or []) if t
        ),
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = parse_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path.name}: invalid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise CatalogError(f"{path.name}: top level must be a mapping")
    return doc
