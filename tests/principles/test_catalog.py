"""The YAML content: complete, valid, and citing only confirmed standards."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.principles import CatalogError, get_catalog, load_catalog
from bot.principles.catalog import PROMPTS_DIR

from .references import confirmed_sections

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


def all_code_refs(cat):
    """Every code reference the content can show: principles, situations and code families."""
    refs = [(p.key, r) for p in cat.principles.values() for r in p.code_refs]
    refs += [(s.key, r) for s in cat.situations.values() for r in s.code_refs]
    for fam in getattr(cat, "code_families", {}).values():
        refs += [(f"{fam.key}:{k}", r) for k, rs in fam.refs.items() for r in rs]
        refs += [(f"{fam.key}:{k}", r) for k, rs in fam.situation_refs.items() for r in rs]
    return refs


def test_code_refs_only_confirmed_standards():
    """Every cited section is marked ✅ for its code in docs/ethics_references.md."""
    confirmed = confirmed_sections()
    refs = all_code_refs(get_catalog())
    bad = [(item, r.code, r.section) for item, r in refs if r.section not in confirmed.get(r.code, ())]
    assert not bad
    assert all(r.title and r.gist for _, r in refs)


def test_reference_table_reader_tells_confirmed_from_unconfirmed():
    c = confirmed_sections()
    assert {"3.05", "10.08", "4.06"} <= c["APA"] and {"B.5", "B.5.b", "A.6.e"} <= c["ACA"]
    assert {"1.4", "1.7"} <= c["AAMFT"] and "1.13(b)" in c["NASW"]
    assert {"GP33", "GP55", "GP60"} <= c["BACP"] and {"1.8", "1.12", "2.10"} <= c["HCPC"] and "para 7" in c["UKCP"]
    assert "4.9" in c["PsyBA"]
    # ◐, UNCONFIRMED and ⚠️ are not citable
    assert not {"3.05(b)", "3.05(c)"} & c["APA"]
    assert not {"C.2.g", "A.5.c", "A.4.b", "I.1.b"} & c["ACA"]
    assert not {"2.10", "1.11"} & c["NASW"] and not {"3.3", "3.4", "7.6"} & c["AAMFT"]
    assert not {"GP34", "GP35", "GP36", "GP37"} & c["BACP"] and "7.1" not in c["HCPC"]
    assert not c["CPA"] - {"Principle I", "Principle II", "Principle III"}
    assert not (c["BPS"] | c["PACFA"] | c["NZAC"] | c["CCPA"] | c["IACP"] | c["PSI"] | c["APS"])


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


def test_corrected_citations():
    cat = get_catalog()

    def cited(key):
        return {f"{r.code} {r.section}": r for r in cat.situations[key].code_refs}

    assert "AAMFT 1.4" in cited("sexual_contact_current_client") and "AAMFT 1.7" not in cited(
        "sexual_contact_current_client"
    )
    minors = cited("parents_of_minor")
    assert {"ACA B.5", "ACA B.5.b"} <= set(minors) and "ACA B.7" not in minors
    assert cited("bartering")["NASW 1.13(b)"].title == "Payment for Services"
    a6e = [r for _, r in all_code_refs(cat) if (r.code, r.section) == ("ACA", "A.6.e")]
    assert a6e and all("former clients" in r.gist and "current" not in r.gist for r in a6e)
    # A.6.e is about former clients: not cited for situations about current clients only
    assert "ACA A.6.e" not in cited("hiring_client") and "ACA A.6.e" not in cited("business_with_client")


def test_disclaimer_reads_well_outside_the_us():
    d = get_catalog().disclaimer
    assert "state or provincial" not in d and "regulator" in d and "where you practise" in d


def test_code_families_cover_the_countries_and_name_no_unconfirmed_numbers():
    import re

    cat = get_catalog()
    assert set(cat.code_families) == {"us", "uk", "australia", "nz", "canada", "ireland"}
    assert cat.default_code_family == "us"
    for fam in cat.code_families.values():
        assert set(fam.situation_refs) <= set(cat.situations), fam.key
        # the principle-level note never prints a section number (those go in refs, checked above)
        assert not re.search(r"\b\d+\.\d+|\bGP\d+|\bpara \d+|\b[A-Z]\.\d", fam.note), fam.key
    for name, key in [("uk", "uk"), ("England", "uk"), ("Aotearoa", "nz"), ("australia", "australia"), ("x", None)]:
        assert cat.family_for_name(name) == key
    # US answers cite US codes only (CPA belongs to Canada)
    us = cat.code_families["us"]
    for s in cat.situations.values():
        assert all(r.code in ("APA", "ACA", "NASW", "AAMFT") for r in us.refs_for(s.principles, cat, s))
