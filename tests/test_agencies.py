"""Agency files (TOML/YAML): fields, checks, errors naming the entry and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow.agencies import parse_agencies
from workflow.errors import InvalidField

TOML = """
[[agency]]
code = "city"
name = "常熟市人民政府办公室"
letter_prefix = "常政办依申"
reconsideration_body = "苏州市人民政府"
court = "苏州市姑苏区人民法院"
contact = "0512-52000000"

[[agency]]
code = "env"
name = "苏州市常熟生态环境局"
parent_code = "city"
letter_prefix = "常环依申"
reconsideration_body = "苏州市生态环境局"
court = "常熟市人民法院"
contact = "0512-52000002"
vertically_managed = true
region = "gx"
"""

YAML = """
agencies:
  - code: city
    name: 常熟市人民政府办公室
    letter_prefix: 常政办依申
    reconsideration_body: 苏州市人民政府
    court: 苏州市姑苏区人民法院
    contact: "0512-52000000"
  - code: housing
    name: 常熟市住房和城乡建设局
    parent: city
    letter_prefix: 常住建依申
    reconsideration_body: 常熟市人民政府
    court: 常熟市人民法院
    contact: "0512-52000001"
    address: 江苏省常熟市某路某号
"""


def test_toml() -> None:
    city, env = parse_agencies(TOML)
    assert city.parent_code is None and env.parent_code == "city"
    assert env.vertically_managed and env.region == "gx" and env.timezone == "Asia/Shanghai"


def test_yaml_with_parent_alias() -> None:
    _, housing = parse_agencies(YAML, fmt="yaml")
    assert housing.parent_code == "city" and housing.address == "江苏省常熟市某路某号"


def test_the_demo_file_parses() -> None:
    demo = Path(__file__).parents[1] / "service" / "requests" / "demo_agencies.toml"
    if not demo.exists():
        pytest.skip("demo data not present")
    assert len(parse_agencies(demo.read_text(encoding="utf-8"))) >= 2


@pytest.mark.parametrize(("text", "field"), [
    (TOML.replace('court = "常熟市人民法院"\n', ""), "agency[1](env).court"),
    (TOML.replace('code = "env"', 'code = "city"').replace('parent_code = "city"\n', ""), "agency[1](city).code"),
    (TOML.replace('vertically_managed = true', 'vertically_managed = "yes"'), "agency[1](env).vertically_managed"),
    (TOML.replace('region = "gx"', 'timezone = "Mars/Olympus"'), "agency[1](env).timezone"),
    (TOML.replace('region = "gx"', 'colour = "red"'), "agency[1](env).colour"),
    (TOML.replace('code = "env"', 'code = "env lab"'), "agency[1](env lab).code"),
    (TOML.replace('parent_code = "city"', 'parent_code = "env"'), "agency[1](env).parent_code"),
    (TOML + '\n[[agency]]\ncode = "x"\n', "agency[2](x).name"),
])
def test_errors_name_entry_and_field(text: str, field: str) -> None:
    with pytest.raises(InvalidField) as err:
        parse_agencies(text)
    assert err.value.field == field


def test_parent_cycle() -> None:
    looped = TOML.replace('code = "city"\n', 'code = "city"\nparent_code = "env"\n', 1)
    with pytest.raises(InvalidField, match="loops"):
        parse_agencies(looped)


def test_malformed_files() -> None:
    with pytest.raises(InvalidField) as err:
        parse_agencies("[[agency]\n")
    assert err.value.field == "file"
    with pytest.raises(InvalidField):
        parse_agencies("a: [", fmt="yaml")
    with pytest.raises(InvalidField):
        parse_agencies("nothing = 1")
    with pytest.raises(InvalidField) as err:
        parse_agencies(TOML, fmt="json")
    assert err.value.field == "format"


HOUSING_TOML = """
[[agency]]
code = "housing"
name = "常熟市住房和城乡建设局"
parent_code = "city"
letter_prefix = "常住建依申"
reconsideration_body = "常熟市人民政府"
court = "常熟市人民法院"
contact = "0512-52000001"
"""


def test_import_warns_about_a_reconsideration_body_that_does_not_fit(db_url: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    wrong = TOML.replace('reconsideration_body = "苏州市生态环境局"', 'reconsideration_body = "常熟市人民政府"')
    stale = wrong + HOUSING_TOML.replace("常熟市人民政府", "苏州市住房和城乡建设局")
    path = tmp_path / "agencies.toml"
    path.write_text(stale, encoding="utf-8")
    got = CliRunner().invoke(app, ["agency", "import", str(path)])
    assert got.exit_code == 0, got.output
    assert "3 agencies created" in got.output  # a warning, not a refusal: a person settles the name
    warnings = [line for line in got.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2, got.output
    assert warnings[0].startswith("warning: env: wrong reconsideration body") and "上一级主管部门" in warnings[0]
    assert warnings[1].startswith("warning: housing: wrong reconsideration body") and "本级人民政府" in warnings[1]
    path.write_text(TOML, encoding="utf-8")
    again = CliRunner().invoke(app, ["agency", "import", str(path)])
    assert again.exit_code == 0 and "warning" not in again.output, again.output


def test_the_demo_agencies_name_fitting_reconsideration_bodies() -> None:
    from datetime import date

    from service.agencies.service import body_warnings

    demo = Path(__file__).parents[1] / "service" / "requests" / "demo_agencies.toml"
    assert body_warnings(parse_agencies(demo.read_text(encoding="utf-8")), on=date(2026, 1, 1)) == []
