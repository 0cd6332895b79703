"""The YAML content: complete, valid, and citing only confirmed standards."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.principles import CatalogError, get_catalog, load_catalog
from bot.principles.catalog import PROMPTS_DIR

# Standards marked ✅ in shared/data/ethics_references.md (section number seen in a
# stored source). Anything ◐ or UNCONFIRMED there must not be cited, so it is not here.
CONFIRMED = {
    "APA": {
        "Preamble",
        "Principle A",
        "Principle E",
        "1.04",
        "1.05",
        "2.06",
        "2.06(a)",
        "3.02",
        "3.04",
        "3.05",
        "3.05(a)",
        "3.06",
        "3.08",
        "4.01",
        "4.02",
        "4.04",
        "4.05",
        "4.06",
        "4.07",
        "6.05",
        "7.05",
        "7.07",
        "10.02",
        "10.05",
        "10.06",
        "10.07",
        "10.08",
        "10.10",
    },
    "ACA": {
        "A.1.a",
        "A.4",
        "A.5",
        "A.5.d",
        "A.5.e",
        "A.6",
        "A.6.a",
        "A.6.b",
        "A.6.d",
        "A.6.e",
        "A.10.e",
        "A.10.f",
        "A.12",
        "B.1.b",
        "B.1.c",
        "B.1.d",
        "B.7",
        "C.6.a",
        "E.13",
        "F.3.a",
        "H.6.a",
        "H.6.b",
        "H.6.c",
        "H.6.d",
    },
    "NASW": {
        "1.03(i)",
        "1.06",
        "1.06(a)",
        "1.06(b)",
        "1.06(c)",
        "1.06(d)",
        "1.06(e)",
        "1.06(f)",
        "1.06(g)",
        "1.06(h)",
        "1.07",
        "1.07(a)",
        "1.07(c)",
        "1.07(i)",
        "1.07(j)",
        "1.07(q)",
        "1.09",
        "1.09(a)",
        "1.09(b)",
        "1.09(c)",
        "1.09(d)",
        "1.10",
        "1.13(b)",
        "2.02",
        "2.05",
        "2.05(a)",
        "2.05(b)",
        "2.05(c)",
        "2.06",
        "4.05",
        "4.05(b)",
    },
    "AAMFT": {
        "Preamble",
        "1.3",
        "1.4",
        "1.5",
        "1.7",
        "1.9",
        "1.11",
        "1.13",
        "2.1",
        "2.2",
        "2.4",
        "2.7",
        "3.9",
        "4.1",
        "4.6",
        "6.1",
        "6.2",
        "6.3",
        "8.5",
    },
    # 4th-edition standard numbers are unconfirmed; only the four principles may be cited
    "CPA": {"Principle I", "Principle II", "Principle III", "Principle IV"},
}
KEYS = {
    "objectivity",
    "confidentiality",
    "power",
    "transference",
    "dual_relationship",
    "caring_within_boundaries",
    "consultation",
}


def test_all_seven_principles_complete():
    cat = get_catalog()
    assert set(cat.principles) == KEYS
    for key, p in cat.principles.items():
        assert p.key == key
        for name in ("title", "summary", "explanation", "why_it_matters"):
            assert getattr(p, name).strip(), (key, name)
        assert "\n" not in p.summary, key
        assert len(p.self_check) >= 3 and len(p.typical_situations) >= 3, key
        assert p.aliases and p.code_refs, key
    assert sum(p.crossing_vs_violation is not None for p in cat.principles.values()) >= 6


def test_situations_count_and_fields():
    cat = get_catalog()
    assert len(cat.situations) >= 25
    for s in cat.situations.values():
        assert 1 <= len(s.principles) <= 3 and set(s.principles) <= KEYS, s.key
        assert s.consider and s.options and s.say_it, s.key
        assert cat.situation_triggers[s.key], s.key


def test_code_refs_only_confirmed_standards():
    cat = get_catalog()
    refs = [(p.key, r) for p in cat.principles.values() for r in p.code_refs]
    refs += [(s.key, r) for s in cat.situations.values() for r in s.code_refs]
    bad = [(item, r.code, r.section) for item, r in refs if r.section not in CONFIRMED.get(r.code, set())]
    assert not bad
    assert all(r.title and r.gist for _, r in refs)


def test_disclaimer_and_off_topic_text():
    cat = get_catalog()
    assert "not legal advice" in cat.disclaimer
    assert "stricter" in cat.disclaimer
    assert cat.off_topic_text.startswith("I can help with")


@pytest.fixture()
def prompts_copy(tmp_path: Path) -> Path:
    for name in ("principles.yaml", "situations.yaml"):
        shutil.copy(PROMPTS_DIR / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, fn) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def test_copy_loads_from_overridden_dir(prompts_copy):
    assert len(load_catalog(prompts_copy).situations) == len(get_catalog().situations)


def test_missing_principle_field_names_file_and_item(prompts_copy):
    _edit(prompts_copy / "principles.yaml", lambda d: d["principles"]["power"].pop("self_check"))
    with pytest.raises(CatalogError, match=r"principles\.yaml: power: missing field\(s\): self_check"):
        load_catalog(prompts_copy)


def test_missing_principle_names_it(prompts_copy):
    _edit(prompts_copy / "principles.yaml", lambda d: d["principles"].pop("consultation"))
    with pytest.raises(CatalogError, match=r"principles\.yaml: consultation"):
        load_catalog(prompts_copy)


def test_unknown_principle_key_in_situation(prompts_copy):
    def bad(d):
        d["situations"][2]["principles"] = ["power", "frienship"]

    _edit(prompts_copy / "situations.yaml", bad)
    key = yaml.safe_load((prompts_copy / "situations.yaml").read_text())["situations"][2]["key"]
    with pytest.raises(
        CatalogError, match=rf"situations\.yaml: situation #3 '{key}': unknown principle key\(s\): frienship"
    ):
        load_catalog(prompts_copy)


def test_missing_situation_field(prompts_copy):
    _edit(prompts_copy / "situations.yaml", lambda d: d["situations"][0].pop("say_it"))
    with pytest.raises(CatalogError, match=r"situations\.yaml: situation #1 .*say_it"):
        load_catalog(prompts_copy)


def test_undefined_short_code_ref(prompts_copy):
    _edit(prompts_copy / "situations.yaml", lambda d: d["situations"][0].__setitem__("code_refs", ["APA 99.9"]))
    with pytest.raises(CatalogError, match=r"situations\.yaml: .*APA 99\.9"):
        load_catalog(prompts_copy)


def test_invalid_yaml_names_file(prompts_copy):
    (prompts_copy / "situations.yaml").write_text("situations: [\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"situations\.yaml: invalid YAML"):
        load_catalog(prompts_copy)


@pytest.mark.parametrize(
    "text,key",
    [
        ("dual", "dual_relationship"),
        ("Multiple Relationships", "dual_relationship"),
        ("multiple relatinships", "dual_relationship"),
        ("DUAL_RELATIONSHIP", "dual_relationship"),
        ("countertransference", "transference"),
        ("counter-transference", "transference"),
        ("transferance", "transference"),
        ("power imbalance", "power"),
        ("Power", "power"),
        ("privacy", "confidentiality"),
        ("confidentiallity", "confidentiality"),
        ("impartiality", "objectivity"),
        ("objectivty", "objectivity"),
        ("supervision", "consultation"),
        ("Seeking consultation", "consultation"),
        ("caring within boundaries", "caring_within_boundaries"),
        ("caring", "caring_within_boundaries"),
    ],
)
def test_find_principle(text, key):
    p = get_catalog().find_principle(text)
    assert p is not None and p.key == key


@pytest.mark.parametrize("text", ["", "pizza", "how do I reset my password", "weather tomorrow"])
def test_find_principle_none(text):
    assert get_catalog().find_principle(text) is None
