"""The header of a notes file: where it is, and the options it sets.

Markdown and notebooks open with a `---` block of YAML (as Jekyll, MkDocs and Jupyter Book
write it); other readers (a LaTeX comment block, a cell magic) hand their header text to
`parse` the same way, so every kind of notes file accepts the same keys with the same errors.

YAML is read with PyYAML's SafeLoader (never `yaml.load`): nothing in a header runs. On top
of it: a key given twice is refused (YAML itself keeps the last one silently), at most
MAX_ALIASES `*alias` references (a billion-laughs header stays small), and the line of every
key is kept so that each message points at it. The older one-line form
`alias: NAME = QUANTITY`, one line per name, is read before the YAML (it repeats its key).
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path

import yaml

from .errors import GradauditError

FRONT = re.compile(r"\A\s*---[ \t]*\n(.*?)\n---\s*\n", re.S)
ALIAS_LINE = re.compile(r"^alias[ \t]*:(.*)$")
MAX_ALIASES = 50
MAX_HEADER_BYTES = 64 * 1024


def split(text: str) -> tuple[str, int, int] | None:
    """(header text, its first line number, the offset where the body starts), or None without a header."""
    m = FRONT.match(text)
    if not m:
        return None
    return m.group(1), text.count("\n", 0, m.start(1)) + 1, m.end()


class _Duplicate(Exception):
    def __init__(self, key, first, again):
        super().__init__(key)
        self.key, self.first, self.again = key, first, again


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys and bounds alias references."""

    def __init__(self, stream):
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                event = self.peek_event()
                raise yaml.composer.ComposerError(None, None, f"more than {MAX_ALIASES} YAML aliases (*name)",
                                                  event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                raise yaml.constructor.ConstructorError(None, None, "a key must be text", key_node.start_mark)
            if key in seen:
                raise _Duplicate(key, seen[key], key_node.start_mark.line)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def yaml_value(block: str, first: int, path: Path):
    """The YAML value of a header and the node tree (for key lines); a syntax error names its line."""
    loader = _Loader(block)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first + mark.line if mark is not None else first
        problem = exc.problem or exc.context or "invalid YAML"
        raise GradauditError(f"front matter is not valid YAML: {problem}", file=str(path), line=line) from None
    except yaml.YAMLError as exc:
        raise GradauditError(f"front matter is not valid YAML: {exc}", file=str(path), line=first) from None
    except _Duplicate as exc:
        raise GradauditError(f"front matter key '{exc.key}' is given twice (line {first + exc.first} and here)",
                             file=str(path), line=first + exc.again) from None
    finally:
        loader.dispose()
    return data, node


def key_lines(node, first: int) -> dict:
    """The line of every key: 'network' and its keys as 'network.loss', 'names' as 'names.<key>'."""
    lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            lines[key] = first + key_node.start_mark.line
            if isinstance(value_node, yaml.MappingNode):
                for sub_key, _ in value_node.value:
                    lines[f"{key}.{sub_key.value}"] = first + sub_key.start_mark.line
    return lines


def parse(block: str, first: int, path: Path, known: set) -> tuple[dict, dict]:
    """The options a header sets and the line of each; `known` are the keys gradaudit reads.

    `alias: NAME = QUANTITY` lines and the `aliases:`/`names:` mappings all become options['aliases'];
    their lines are in lines['aliases.<NAME>'].
    """
    if len(block) > MAX_HEADER_BYTES:
        raise GradauditError(f"front matter is longer than {MAX_HEADER_BYTES // 1024} KB", file=str(path), line=first)
    aliases, alias_lines, kept = {}, {}, []
    for number, line in enumerate(block.split("\n"), start=first):
        m = ALIAS_LINE.match(line)
        if m is None:
            kept.append(line)
            continue
        kept.append("")   # keep the numbering of the lines YAML reads
        name, eq, target = re.sub(r"\s+#.*$", "", m.group(1)).strip().partition("=")
        if not eq or not name.strip() or not target.strip():
            raise GradauditError("an alias line reads 'alias: NAME = QUANTITY'", file=str(path), line=number)
        aliases[name.strip()] = target.strip()
        alias_lines[name.strip()] = number
    data, node = yaml_value("\n".join(kept), first, path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise GradauditError(f"front matter must be 'key: value' lines (a YAML mapping), not a {type(data).__name__}",
                             file=str(path), line=first)
    lines = key_lines(node, first)
    options = {}
    for key, value in data.items():
        key = str(key)
        if key in ("aliases", "names"):
            for name, target in _mapping_of_text(value, key, path, lines.get(key, first)).items():
                if name in aliases:
                    raise GradauditError(f"the name {name} is given twice (line {alias_lines[name]} and here)",
                                         file=str(path), line=lines.get(f"{key}.{name}", lines.get(key, first)))
                aliases[name] = target
                alias_lines[name] = lines.get(f"{key}.{name}", lines.get(key, first))
                if key == "names":
                    options.setdefault("names", set()).add(name)
            continue
        options[key] = value if key == "network" else _scalar(value, key, path, lines.get(key, first))
    if aliases:
        options["aliases"] = aliases
        lines.update({f"aliases.{name}": n for name, n in alias_lines.items()})
    for key in options:
        # other keys (author, date, tags) belong to other tools; a near miss of ours is a typo that would be ignored
        near = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.75)
        if key not in known and key not in ("aliases", "names") and near:
            raise GradauditError(f"unknown front matter key '{key}': did you mean '{near[0]}'?", file=str(path),
                                 line=lines.get(key, first))
    if "architecture" not in options and "network" not in options:
        raise GradauditError("front matter declares no network (add 'network:' with its layers and loss, or "
                             "'architecture: ID'; see gradaudit list)", file=str(path), line=1)
    return options, lines


def _mapping_of_text(value, key: str, path: Path, line: int) -> dict:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise GradauditError(f"{key} must map each name to the quantity it stands for, in LaTeX "
                             f"(e.g. '\\delta^{{l}}': 'dZ^{{[l]}}')", file=str(path), line=line)
    return {k.strip(): v.strip() for k, v in value.items()}


def _scalar(value, key: str, path: Path, line: int) -> str:
    """An option's value as text; a list or mapping where one value belongs is refused (other tools' keys pass)."""
    if isinstance(value, (dict, list)):
        if key in ("title", "tags", "author", "authors", "date", "categories", "keywords", "description"):
            return str(value)
        return value   # another tool's structured key: kept, and refused below only if gradaudit reads it
    return "" if value is None else str(value)
