"""Invalid scheme and overlay files are refused at load, naming the file, the line and the fault."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scoring import SchemeError, load_scheme

SCHEMES = Path(__file__).resolve().parent.parent / "schemes"

GOOD = """\
[scheme]
id = "t"
title = "test"
document = "X〔2026〕1号"
year = 2026
scale = 100

[[grading.band]]
grade = "优秀"
min = 90

[[grading.band]]
grade = "不合格"

[[category]]
id = "c"
name = "依申请公开"
kind = "deduct"
points = 15

[[category.item]]
id = "11"
name = "答复"

[[category.item.rule]]
id = "11.late"
when = "ogi.reply_late"
points = -5
clause = "未在法定期限内答复的，一次扣5分"
"""


def write(tmp_path: Path, text: str, name: str = "t.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_good_file_loads(tmp_path):
    s = load_scheme(write(tmp_path, GOOD))
    assert s.id == "t" and s.categories[0].items[0].rules[0].line == line_of(GOOD, "[[category.item.rule]]")


@pytest.mark.parametrize(("change", "needle", "message"), [
    # TOML syntax: the parser's own line.
    (('points = -5', 'points = = -5'), "points = = -5", "TOML syntax"),
    # A deduction written as a bonus.
    (('points = -5', 'points = 5'), "points = 5", "must deduct"),
    # An unknown key (a typo) is refused, not ignored.
    (('when = "ogi.reply_late"', 'whem = "ogi.reply_late"'), "whem", "unknown key 'whem'"),
    # An unknown category kind.
    (('kind = "deduct"', 'kind = "minus"'), 'kind = "minus"', "expected one of"),
    # A number given as text.
    (('points = 15', 'points = "15"'), 'points = "15"', "must be a number"),
    # Missing year.
    (('year = 2026\n', ''), "[scheme]", "needs 'year'"),
])
def test_invalid_files_name_file_and_line(tmp_path, change, needle, message):
    old, new = change
    text = GOOD.replace(old, new)
    path = write(tmp_path, text)
    with pytest.raises(SchemeError) as info:
        load_scheme(path)
    err = info.value
    assert err.path == str(path)
    assert str(err).startswith(f"{path}:{err.line}: ")
    assert message in err.message
    assert err.line == line_of(text, needle), str(err)


def load_error(tmp_path: Path, text: str) -> SchemeError:
    with pytest.raises(SchemeError) as info:
        load_scheme(write(tmp_path, text))
    return info.value


@pytest.mark.parametrize(("text", "message", "needle"), [
    # Bands must run from the highest down.
    (GOOD.replace('grade = "不合格"', 'grade = "不合格"\nmin = 95'), "highest down", "min = 95"),
    # A deduct category needs its full marks.
    (GOOD.replace("points = 15\n", ""), "needs 'points'", "[[category]]"),
    # Ids are unique across the scheme: the second item "11" is refused at its id line.
    (GOOD + '\n[[category.item]]\nid = "11"\nname = "again"\n', "duplicate id '11'", 'id = "11"\nname = "again"'),
])
def test_semantic_errors_point_at_the_line(tmp_path, text, message, needle):
    err = load_error(tmp_path, text)
    assert message in err.message
    head, _, _ = text.partition(needle) if "\n" in needle else (None, None, None)
    expected = len(head.splitlines()) + 1 if head is not None else line_of(text, needle)
    assert err.line == expected, str(err)


def test_overlay_errors_name_the_overlay(tmp_path):
    shutil.copy(SCHEMES / "sanmenxia-2017.toml", tmp_path / "sanmenxia-2017.toml")
    overlay = (SCHEMES / "sanmenxia-2017.example-overlay.toml").read_text(encoding="utf-8")
    bad = overlay.replace('"ysq-review.corrected" = -2', '"ysq-review.corected" = -2')
    path = write(tmp_path, bad, "o.toml")
    with pytest.raises(SchemeError) as info:
        load_scheme(path)
    assert info.value.path == str(path)
    assert "ysq-review.corected" in info.value.message
    assert info.value.line == line_of(bad, "ysq-review.corected")
    # A rule left without points.
    missing = overlay.replace('"ysq-review.corrected" = -2\n', "")
    with pytest.raises(SchemeError, match="no points for rule 'ysq-review.corrected'"):
        load_scheme(write(tmp_path, missing, "o2.toml"))
    # A wrong sign.
    sign = overlay.replace('"ysq-handle.late" = -2', '"ysq-handle.late" = 2')
    with pytest.raises(SchemeError) as info:
        load_scheme(write(tmp_path, sign, "o3.toml"))
    assert info.value.line == line_of(sign, '"ysq-handle.late" = 2')
    # A base that does not exist.
    with pytest.raises(SchemeError, match="not found"):
        load_scheme(write(tmp_path, overlay.replace('base = "sanmenxia-2017"', 'base = "nowhere"'), "o4.toml"))


def test_component_weights_must_add_up(tmp_path):
    text = (SCHEMES / "suzhou-2020.toml").read_text(encoding="utf-8").replace("weight = 0.40", "weight = 0.45")
    with pytest.raises(SchemeError, match="add up to 1.05"):
        load_scheme(write(tmp_path, text))


def test_rule_without_clause_names_file_and_line(tmp_path):
    # Every reading is marked with the document's own words: a rule without them is refused at its table.
    text = GOOD.replace('clause = "未在法定期限内答复的，一次扣5分"\n', "")
    err = load_error(tmp_path, text)
    assert "needs 'clause'" in err.message and err.line == line_of(text, "[[category.item.rule]]")
    # A forced outcome too.
    forced = GOOD + '\n[[forced]]\nid = "fraud"\nname = "弄虚作假"\nwhen = "x.fraud"\noutcome = "grade"\ngrade = "不合格"\n'
    err = load_error(tmp_path, forced)
    assert "needs 'clause'" in err.message and err.line == line_of(forced, "[[forced]]")


def test_unknown_unit_type_names_file_and_line(tmp_path):
    text = GOOD.replace('name = "答复"\n', 'name = "答复"\napplies_to = ["county", "county_gov"]\n')
    err = load_error(tmp_path, text)
    assert "unknown unit type 'county'" in err.message and err.line == line_of(text, "applies_to")
    # Sub-unit groups are checked against the same vocabulary.
    suzhou = (SCHEMES / "suzhou-2020.toml").read_text(encoding="utf-8").replace('type = "township"', 'type = "town"')
    err = load_error(tmp_path, suzhou)
    assert "unknown unit type 'town'" in err.message and err.line == line_of(suzhou, 'type = "town"')


def test_judgement_items_take_amounts_and_bonus_items_add(tmp_path):
    # An item left to the assessor's judgement cannot take counts (its amounts are per case).
    text = GOOD.replace('name = "答复"\n', 'name = "答复"\njudgement = true\nentry = "count"\n')
    assert "takes amounts" in load_error(tmp_path, text).message
    # A bonus item inside a deduct category must add.
    text = GOOD.replace('name = "答复"\n', 'name = "答复"\nkind = "bonus"\n')
    err = load_error(tmp_path, text)
    assert "adds points" in err.message and err.line == line_of(text, "points = -5")


def test_document_words_for_groups_and_averages_belong_to_their_rules(tmp_path):
    """group_name needs a group_by; average_name is for relative_to_average rules only."""
    text = GOOD.replace('points = 15\n', 'points = 15\ngroup_name = "账号"\n')
    err = load_error(tmp_path, text)
    assert "has no group_by" in err.message and err.line == line_of(text, "group_name")
    text = GOOD.replace('points = -5\n', 'points = -5\naverage_name = "全市平均分"\n')
    err = load_error(tmp_path, text)
    assert "only applies to relative_to_average" in err.message and err.line == line_of(text, "average_name")
    s = load_scheme(write(tmp_path, GOOD.replace('points = 15\n', 'points = 15\ngroup_by = "account"\n'
                                                 'group_name = "账号"\n')))
    assert s.categories[0].group_name == "账号"
