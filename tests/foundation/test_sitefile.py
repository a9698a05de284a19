from pathlib import Path

import pytest

from watchkeeper.config.sitefile import load_site_file, parse_site_text
from watchkeeper.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]

BAD = """\
clients:
  - id: acme
    name: Acme
sites:
  - id: tc
    name: Town Centre
    areas:
      - id: high
        name: High Street
        cameras:
          - id: TC-001
            name: Market Place
            kind: ptz
            retention_days: 0
          - id: TC-002
            name: Bus station
            kind: dome
            colour: red
          - id: TC-003
            name: Car park
            kind: fixed
            owner: nobody
          - id: TC-004
            name: Park
            kind: fixed
            status: active
"""


def test_bad_site_file_names_file_line_and_field() -> None:
    with pytest.raises(ConfigError) as err:
        parse_site_text(BAD, "borough.yaml")
    lines = str(err.value).splitlines()
    assert "borough.yaml:14: sites[0].areas[0].cameras[0].retention_days:" in lines[0]
    assert any(
        line.startswith("borough.yaml:17: sites[0].areas[0].cameras[1].kind:") for line in lines
    )
    assert any(
        line.startswith("borough.yaml:18: sites[0].areas[0].cameras[1].colour: Extra")
        for line in lines
    )
    assert any("cameras[3]" in line and "DPIA" in line for line in lines)


def test_unknown_owner_and_duplicates_are_found_with_lines() -> None:
    text = BAD.replace("retention_days: 0", "retention_days: 31").replace("kind: dome", "kind: ptz")
    text = text.replace("            colour: red\n", "").replace(
        "status: active", "status: planned"
    )
    text = text.replace("id: TC-004", "id: TC-001")
    with pytest.raises(ConfigError) as err:
        parse_site_text(text, "b.yaml")
    msg = str(err.value)
    assert "b.yaml:21: sites[0].areas[0].cameras[2].owner: owner 'nobody' is not a client" in msg
    assert "b.yaml:22: sites[0].areas[0].cameras[3].id: camera id 'TC-001' is used twice" in msg


def test_yaml_syntax_error_has_a_line() -> None:
    with pytest.raises(ConfigError, match=r"^x.yaml:3: not valid YAML"):
        parse_site_text("sites:\n  - id: a\n   name: [\n", "x.yaml")


def test_sample_borough_matches_the_service() -> None:
    site = load_site_file(ROOT / "examples" / "borough.yaml")
    cams = [c for _, _, c in site.cameras()]
    council = [c for c in cams if c.owner == "council"]
    assert len(cams) == 138
    assert len(council) == 99
    assert sum(c.kind == "ptz" for c in council) == 73
    assert sum(c.kind == "fixed" for c in council) == 26
    assert len({c.owner for c in cams} - {"council"}) >= 2
    assert all(c.location.latitude and c.location.longitude for c in cams)
