"""Load a site file (YAML) and report every error with file, line and field.

PyYAML's node tree keeps the line of every key and item; pydantic gives the path of
every error. Walking the path down the node tree gives the line to report, so a
wrong file fails as ``borough.yaml:412: sites[0].areas[2].cameras[5].kind: ...``
rather than as a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from watchkeeper.cameras.schemas import SiteFile
from watchkeeper.errors import ConfigError

__all__ = ["format_loc", "load_site_file", "parse_site_text"]

Loc = tuple[str | int, ...]


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def _line_of(root: yaml.Node | None, loc: Loc) -> int:
    """1-based line of the deepest node on ``loc`` that exists in the file."""
    node = root
    line = (root.start_mark.line + 1) if root is not None else 1
    for part in loc:
        nxt: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    nxt = value
                    line = key.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            nxt = node.value[part]
        if nxt is None:
            break
        node = nxt
        line = max(line, nxt.start_mark.line + 1) if isinstance(part, int) else line
    return line


def parse_site_text(text: str, name: str) -> SiteFile:
    """Validate a site file's text; ``name`` is used in messages."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise ConfigError(f"{name}:{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{name}:1: a site file must be a mapping with 'clients' and 'sites'")
    try:
        site = SiteFile.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(
                p for p in err["loc"] if not isinstance(p, str) or not p.startswith("function")
            )
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{name}:{_line_of(root, loc)}: {format_loc(loc)}: {msg}")
        raise ConfigError("\n".join(lines)) from exc
    problems = site.problems()
    if problems:
        raise ConfigError(
            "\n".join(
                f"{name}:{_line_of(root, loc)}: {format_loc(loc)}: {msg}" for loc, msg in problems
            )
        )
    return site


def load_site_file(path: Path) -> SiteFile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    return parse_site_text(text, str(path))
