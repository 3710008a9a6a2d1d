"""Reading derivation files: TOML transcriptions, and users' Markdown notes or notebooks.

A file becomes a Document of Sections of Formulas, each formula knowing the file and line
it came from, so every message can point at it. Files are data: nothing in them runs.
"""
from __future__ import annotations

import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import architectures, frontmatter, infer, spec, tomlpos
from .errors import GradauditError


class UndeclaredNetwork(GradauditError):
    """Notes that declare no network and do not define one by their forward pass and loss: exit 2 for a file
    named, a skipped file (named, with why) in a folder."""

MAX_FILE_BYTES = 20 * 1024 * 1024   # notebooks carry images in their outputs: the byte limit stays generous
MAX_FORMULAS = 5000                 # per file; the largest transcription holds ~200, and each formula costs an audit
MAX_SECTIONS = 100                  # per file; the largest holds 12, and each builds its numeric models (~0.2 s)
DEFAULT_LAYER = re.compile(r"L|[0-9]{1,3}")     # what the auditor can bind an unindexed W, b, Z, A to
SECTION_KEYS = {"id", "heading", "architecture", "shorthand", "default_layer", "superscript", "subscript",
                "aliases", "formula", "notation", "activation", "network", "names", "layer_variable"}
FORMULA_KEYS = {"id", "latex", "eq", "table", "heading", "line", "lhs", "pieces", "continues"}
OPTION_VALUES = {"shorthand": ("total", "per-example"), "superscript": ("power", "layer"),
                 "subscript": ("index", "layer"), "notation": ("strict", "informal"),
                "activation": ("sigmoid", "tanh", "relu", "softmax")}


@dataclass
class Formula:
    id: str
    latex: str
    file: str
    line: int                     # line in the derivation file (1-based)
    locator: str                  # where in the source document: "eq 12", "table 2, ...", heading
    lhs: str = ""                 # a left side given in the prose ("the dJ/dZ is equal to ...")
    continues: str = ""           # id of the formula this one continues ("= ..." lines)
    heading: str = ""             # the heading it is under in Markdown notes (line:title), or ""


@dataclass
class Section:
    id: str
    architecture: architectures.Architecture
    heading: str = ""
    shorthand: str = "total"
    default_layer: str | None = None
    superscript: str = "power"
    subscript: str = "index"
    notation: str = ""            # 'strict' | 'informal' | '' (from the architecture's document style)
    activation: str = ""          # scalar sections: what A = f(Z) is (sigmoid, tanh, relu, softmax)
    aliases: dict = field(default_factory=dict)
    formulas: list = field(default_factory=list)
    names: dict = field(default_factory=dict)   # the aliases declared as `names:`, by name -> line: each must be a quantity
    inferred: str = ""            # the front matter (YAML) of a network inferred from the notes' forward pass
    layer_variable: str = ""      # the letter the notes write a general layer with, when not l (Goodfellow's k)
    shorthand_open: bool = False  # inferred notes that never say whether dZ is one example's: a claim true either way
    layout_open: bool = False     # inferred from one example's forward pass (w^T x + b): the batch X's layout is open
    undetermined: str = ""        # a heading whose network is neither declared nor inferable: why (its formulas unsupported)
    shorthand_declared: bool = False   # the header says what dZ means (shorthand:); else the notes' formulas may
    words: frozenset = frozenset()     # the multi-letter names the notes use as quantities (tokens.words_in)


@dataclass
class Document:
    path: str
    document: str
    title: str
    sections: list
    notes: list = field(default_factory=list)   # (line, message): what the reader saw but did not audit


def _read_text(path: Path) -> str:
    try:
        info = path.stat()
    except OSError as exc:
        raise GradauditError(f"cannot read: {exc.strerror}", file=str(path)) from None
    if not stat.S_ISREG(info.st_mode):   # a FIFO or device would block or never end
        raise GradauditError("not a regular file", file=str(path))
    size = info.st_size
    if size > MAX_FILE_BYTES:
        raise GradauditError(f"file is {size // (1024 * 1024)} MB; the limit is {MAX_FILE_BYTES // (1024 * 1024)} MB",
                             file=str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GradauditError(f"cannot read: {exc.strerror}", file=str(path)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise GradauditError(f"not UTF-8 text (byte {exc.start})", file=str(path), line=line) from None
    # a byte-order mark and Windows line ends are how some editors save text, not content
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def load_toml(path: Path) -> Document:
    text = _read_text(path)
    if not text.strip():
        raise GradauditError("empty derivation file", file=str(path), line=1)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        if line is None:
            m = re.search(r"line (\d+)", str(exc))
            line = int(m.group(1)) if m else (len(text.splitlines()) if "end of document" in str(exc) else None)
        raise GradauditError(f"invalid TOML: {exc}", file=str(path), line=line) from None
    sections_data = data.get("section")
    if not isinstance(sections_data, list) or not sections_data:
        raise GradauditError("no [[section]] in this derivation file", file=str(path), line=1)
    starts, latex_keys = tomlpos.positions(text)
    if len(sections_data) > MAX_SECTIONS:
        first_over = starts.get(("section", MAX_SECTIONS), 1)
        raise GradauditError(f"{len(sections_data)} sections in one file; the limit is {MAX_SECTIONS}: split it",
                             file=str(path), line=first_over)
    sections, seen_ids = [], set()
    for number, sec in enumerate(sections_data):
        sline = starts.get(("section", number))
        if not isinstance(sec, dict):
            raise GradauditError("a section must be a table", file=str(path), line=sline)
        unknown = set(sec) - SECTION_KEYS
        if unknown:
            raise GradauditError(f"unknown section key(s): {', '.join(sorted(unknown))}", file=str(path), line=sline)
        if "architecture" not in sec and "network" not in sec:
            raise GradauditError(f"section {sec.get('id', number + 1)!r} names no architecture and declares no "
                                 f"[section.network]", file=str(path), line=sline)
        arch = network_of({k: sec[k] if k == "network" else str(sec[k]) for k in ("network", "architecture") if k in sec},
                          {"architecture": sline, "network": sline}, path)
        options = {}
        for key, allowed in OPTION_VALUES.items():
            if key in sec:
                if sec[key] not in allowed:
                    raise GradauditError(f"{key} must be one of {', '.join(allowed)}", file=str(path), line=sline)
                options[key] = sec[key]
        if "default_layer" in sec:
            _check_default_layer(sec["default_layer"], path, sline, arch)
        _check_activation(arch, options, path, sline)
        aliases = sec.get("aliases", {})
        names = sec.get("names", {})
        for table in (aliases, names):
            if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
                raise GradauditError("aliases and names must map names to LaTeX strings", file=str(path), line=sline)
        aliases = {**aliases, **names}
        section_id = _check_id(sec.get("id", number + 1), "section", path, sline)
        if section_id in {x.id for x in sections}:
            raise GradauditError(f"duplicate section id {section_id!r}", file=str(path), line=sline)
        section = Section(id=section_id, architecture=arch, heading=str(sec.get("heading", "")),
                          default_layer=str(sec["default_layer"]) if "default_layer" in sec else None,
                          aliases=dict(aliases), names={name: sline for name in names}, **options)
        formulas = sec.get("formula", [])
        if not isinstance(formulas, list):
            raise GradauditError("formula must be [[section.formula]] tables", file=str(path), line=sline)
        for k, f in enumerate(formulas):
            fline = tomlpos.formula_line(starts, latex_keys, number, k) or sline
            if not isinstance(f, dict) or "latex" not in f:
                raise GradauditError("a formula without latex", file=str(path), line=fline)
            if not isinstance(f["latex"], str):
                raise GradauditError("latex must be a string", file=str(path), line=fline)
            _check_count(sum(len(s.formulas) for s in sections) + len(section.formulas), path, fline)
            unknown = set(f) - FORMULA_KEYS
            if unknown:
                raise GradauditError(f"unknown formula key(s): {', '.join(sorted(unknown))}", file=str(path), line=fline)
            fid = _check_id(f.get("id", f"{section.id}.{len(section.formulas) + 1}"), "formula", path, fline)
            if fid in seen_ids:
                raise GradauditError(f"duplicate formula id {fid!r}", file=str(path), line=fline)
            seen_ids.add(fid)
            for key in ("lhs", "continues"):
                if key in f and not isinstance(f[key], str):
                    raise GradauditError(f"{key} must be a string", file=str(path), line=fline)
            if f.get("continues") and f["continues"] not in {g.id for g in section.formulas}:
                raise GradauditError(f"continues {f['continues']!r}: no formula of that id comes before it in "
                                     f"section {section.id!r}", file=str(path), line=fline)
            section.formulas.append(Formula(id=fid, latex=f["latex"], file=str(path), line=fline or 0,
                                            locator=_locator(f), lhs=str(f.get("lhs", "")),
                                            continues=str(f.get("continues", ""))))
        sections.append(section)
    return Document(path=str(path), document=str(data.get("document", path.name)), title=str(data.get("title", "")),
                    sections=sections)


def _check_activation(arch, options: dict, path: Path, line) -> None:
    """The activations system is every activation at once: a section must say which one its A = f(Z) is."""
    if arch.convention == "scalar" and not arch.graph and "activation" not in options:
        raise GradauditError(f"architecture {arch.id} needs an activation: "
                             f"{', '.join(OPTION_VALUES['activation'])}", file=str(path), line=line)


def _check_default_layer(value, path: Path, line, arch=None) -> None:
    if not DEFAULT_LAYER.fullmatch(str(value)):
        raise GradauditError(f"default_layer must be L or a layer number, got {str(value)[:40]!r}", file=str(path),
                             line=line)
    if str(value) != "L":
        top = 99 if arch is None or arch.general else arch.parameter_layers
        if not 1 <= int(value) <= top:
            raise GradauditError(f"default_layer {value} is not a layer of {arch.id if arch else 'the network'} "
                                 f"(layers 1..{top})", file=str(path), line=line)


def _check_id(value, what: str, path: Path, line) -> str:
    """An id is printed into reports (and GitHub annotations): one short printable line, nothing to inject."""
    text = str(value)
    if not text or len(text) > 100 or not text.isprintable():
        raise GradauditError(f"{what} id must be one printable line of at most 100 characters, got {text[:40]!r}",
                             file=str(path), line=line)
    return text


def _check_count(count: int, path: Path, line) -> None:
    """Refuse a file with more formulas than any document writes: each costs an audit, so time stays bounded.
    (An overlong formula is the parser's to refuse: it becomes unsupported, the file's others are audited.)"""
    if count >= MAX_FORMULAS:
        raise GradauditError(f"more than {MAX_FORMULAS} formulas in one file; split it", file=str(path), line=line)


def _locator(f: dict) -> str:
    parts = []
    if "eq" in f:
        parts.append(f"eq ({f['eq']})")
    if "table" in f:
        parts.append(f"table {f['table']}")
    if "heading" in f:
        parts.append(f"heading \"{f['heading']}\"")
    if "line" in f:
        parts.append(f"line {f['line']}")
    return ", ".join(parts)


# ---- notes files (Markdown, notebooks, LaTeX): their readers are in gradaudit.sources -----------------

NOTES_KEYS = (SECTION_KEYS - {"id", "heading", "formula", "aliases"}) | {"alias", "title", "network", "names"}


def network_of(options: dict, lines: dict, path: Path) -> architectures.Architecture:
    """The network a header declares: `network:` (a spec, spec.py) or `architecture: ID` (a built-in)."""
    if "network" in options and "architecture" in options:
        raise GradauditError("give either 'network:' or 'architecture:', not both (a network may start from a "
                             "built-in with 'architecture:' inside it)", file=str(path), line=lines.get("architecture"))
    if "network" in options:
        try:
            return spec.load(options["network"])
        except spec.SpecError as exc:
            line = lines.get(f"network.{exc.key}", lines.get("network")) if exc.key else lines.get("network")
            raise GradauditError(exc.message, file=str(path), line=line) from None
    try:
        return architectures.get(options["architecture"])
    except GradauditError as exc:
        raise GradauditError(exc.message, file=str(path), line=lines["architecture"]) from None


def _notes_section(options: dict, lines: dict, path: Path) -> Section:
    arch = network_of(options, lines, path)
    kwargs = {}
    for key, allowed in OPTION_VALUES.items():
        if key in options:
            if options[key] not in allowed:
                raise GradauditError(f"{key} must be one of {', '.join(allowed)}", file=str(path), line=lines[key])
            kwargs[key] = options[key]
    if "default_layer" in options:
        _check_default_layer(options["default_layer"], path, lines["default_layer"], arch)
    _check_activation(arch, kwargs, path, lines.get("architecture", lines.get("network")))
    names = {name: lines.get(f"aliases.{name}") for name in options.get("names", ())}
    variable = str(options.get("layer_variable", ""))
    if variable and not (len(variable) == 1 and variable.isalpha() and variable not in "lL"):
        raise GradauditError("layer_variable is the one letter the notes write a general layer with (k in h^{(k)})",
                             file=str(path), line=lines.get("layer_variable"))
    return Section(id="notes", architecture=arch, default_layer=options.get("default_layer"),
                   aliases=options.get("aliases", {}), names=names, layer_variable=variable,
                   shorthand_declared="shorthand" in options, **kwargs)


def inferred_section(formulas: list, options: dict, lines: dict, path: Path, context=()) -> Section:
    """A section for notes that declare no network: the network their forward pass and loss define (infer.py).
    What the notes' header does set (names, shorthand, notation) wins over what is inferred."""
    try:
        found = infer.infer(formulas, context)
    except infer.Underdetermined as exc:
        raise UndeclaredNetwork(f"no network is declared and the notes do not define one: {exc.message}",
                                file=str(path), line=exc.line) from None
    merged = {**found.options, **options, "network": found.network}
    merged["aliases"] = {**found.options.get("aliases", {}), **options.get("aliases", {})}
    merged["names"] = set(found.options.get("names", ())) | set(options.get("names", ()))
    section = _notes_section(merged, {**found.lines, **lines}, path)
    section.inferred = found.yaml()
    section.shorthand_open = "shorthand" not in merged and section.architecture.averaging == "mean"
    section.layout_open = found.layout_open and "convention" not in options.get("network", {})
    section.formulas = list(formulas)
    return section


def adopt_inferred_names(section: Section) -> bool:
    """A declared network's section whose notes write their own forward pass: the names that forward pass gives
    the quantities (Bishop's a_j for the pre-activation, CS231n's H) are read as the notes mean them, as
    inference reads undeclared notes, when the forward pass defines the same layers as declared. Declared
    `names:` and options win; a forward pass that defines another network is reported by the audit instead."""
    try:
        found = infer.infer(section.formulas)
    except infer.Underdetermined:
        return False
    arch, written = section.architecture, found.network.get("layers")
    if not _same_layers(arch, written):
        return False
    section.aliases, section.names = dict(section.aliases), dict(section.names)   # sections share the header's
    renamed = found.options.get("renamed_letters", set())
    declared = {_letter_of(name) for name in section.aliases}
    written = {infer.canonical_name(name) for name in section.aliases}   # a_j declared is the a_{j} inferred
    for name, target in found.options.get("aliases", {}).items():
        letter = _letter_of(name)
        meaningful = letter in ("W", "w", "b", "B", "Z", "z", "A", "a", "X", "x", "Y", "y")
        if name in found.options.get("unit_names", ()):
            if letter in declared or section.default_layer is not None:
                continue   # the notes' own names or default layer for that letter win over its unit letters
        elif meaningful and letter not in renamed and name not in found.options.get("bias_weights", ()):
            continue   # a letter the notes mostly use as the tool reads it: one slip does not rename it
        if name not in section.aliases and infer.canonical_name(name) not in written:
            section.aliases[name] = target
            section.names[name] = found.lines.get(f"aliases.{name}")
    if found.options.get("layer_variable") and not section.layer_variable:
        section.layer_variable = found.options["layer_variable"]
    if found.options.get("subscript") == "layer":
        section.subscript = "layer"
    if found.network.get("biases") is False and arch.biases:
        section.architecture = spec.without_biases(arch)   # no layer of the notes writes a bias
    return True


def _letter_of(name: str) -> str:
    """The letter of a name as the notes write it (a of a_{j}, w of w^{(1)}_{j0}, y of \\hat{y})."""
    letter = re.match(r"\\?[A-Za-z]+", name.replace("\\hat{", "").replace("\\mathcal{", ""))
    return letter.group(0) if letter else name


def adopt_document_letters(section: Section, read: list) -> None:
    """A section with no forward pass of its own (PRML's summary of the recursion) in notes whose every forward
    pass writes y for the network's output and t for the target: the notes' letters mean the same there."""
    def output_and_target(other: Section) -> bool:
        depth = other.architecture.parameter_layers
        outputs = {f"A^{{[{depth}]}}", "A^{[L]}"}
        return any(re.fullmatch(r"y(_\{\w\})?", k) and v in outputs for k, v in other.aliases.items()) \
            and other.aliases.get("t") == "Y"
    if not read or not all(output_and_target(other) for other in read) \
            or any(re.match(r"[yt](_|$)", k) for k in section.aliases):
        return
    arch = section.architecture
    section.aliases, section.names = dict(section.aliases), dict(section.names)
    section.aliases["y"] = "A^{[L]}" if arch.general else f"A^{{[{arch.parameter_layers}]}}"
    section.aliases["t"] = "Y"
    line = next(other.names.get("t") for other in read)
    section.names["y"] = section.names["t"] = line


def read_shorthand(section: Section) -> None:
    """A declared network whose header does not say what dZ means: the notes' own formulas say it by majority
    (dW = \\frac{1}{m} dZ A^T: one example's), as for inferred notes; if they do not, a claim right under one
    reading only is `notation`."""
    if section.shorthand_declared or section.architecture.averaging != "mean":
        return
    reading = infer.shorthand_reading(infer.statements(section.formulas))
    if reading:
        section.shorthand = reading
    else:
        section.shorthand_open = True


def read_target_letter(section: Section) -> None:
    """Notes that write t as a quantity, where neither t nor y is named: Bishop's letters (PRML, and the texts that
    follow it), t the target and y the network's output, as in E = \\frac{1}{2} \\sum_q \\|t_q - y_q\\|^2. Without
    this the y of such notes would be read as the target and t as nothing."""
    if any(re.match(r"\\?(?:hat\{)?[ty](?![A-Za-z])", key) for key in section.aliases):
        return
    if not infer.writes_quantity(section.formulas, "t"):
        return
    section.aliases, section.names = dict(section.aliases), dict(section.names)
    section.aliases.update({"t": "Y", "y": "A^{[L]}"})


def _same_layers(arch, written) -> bool:
    """Do the declared layers and those the forward pass writes agree (the generic g agrees with any)?"""
    def agree(a, b):
        return a == b or "g" in (a, b)
    if isinstance(written, str):
        if not arch.general:
            return False
        hidden, out = (x.strip() for x in written.replace("x (L-1)", "").split(","))
        return agree(arch.hidden.activation, hidden) and agree(arch.output.activation, out)
    dense = [layer.activation for layer in getattr(arch, "layers", ()) if layer.kind == "dense"]
    return not arch.general and len(dense) == len(written) and all(map(agree, dense, written))


NOTES_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".ipynb": "notebook", ".tex": "latex"}


def load(path: Path, inline: bool = False) -> Document:
    """Any derivation file; `inline` also reads `$a = b$` equalities of notes files as formulas."""
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return load_toml(path)
    if suffix in (".md", ".markdown"):
        return load_markdown(path, inline=inline)
    if suffix == ".ipynb":
        return load_notebook(path, inline=inline)
    if suffix == ".tex":
        from .sources.latex import load_latex
        return load_latex(path, inline=inline)
    raise GradauditError("not a derivation file (.toml, .md, .ipynb or .tex)", file=str(path))


def collect(paths) -> list[tuple[Path, bool]]:
    """(file, found in a folder) for the derivation files named, or found in the folders named, in a stable
    order. A notes file found in a folder whose network can be neither read nor inferred is skipped, not refused."""
    files = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise GradauditError("no such file or folder", file=str(p))
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.suffix.lower() in (".toml", *NOTES_SUFFIXES)
                           and q.is_file() and q.name.lower() != "readme.md" and ".ipynb_checkpoints" not in q.parts)
            if not found:
                raise GradauditError("no derivation files (.toml, .md, .ipynb or .tex) in this folder", file=str(p))
            files.extend((q, True) for q in found)
        else:
            files.append((p, False))
    return files


def load_markdown(path: Path, text: str | None = None, **options) -> Document:
    """A Markdown notes file (or its text); read by gradaudit.sources.markdown."""
    from .sources.markdown import load_markdown as read
    return read(path, text, **options)


def load_notebook(path: Path, **options) -> Document:
    from .sources.notebook import load_notebook as read
    return read(path, **options)


# ---- a network named on the command line: --network FILE -------------------------------------------------

def load_network(path: Path) -> architectures.Architecture:
    """The network a YAML file declares (its `network:` mapping, or the file is the spec itself), or the one
    a notes file's front matter declares; registered so every command can name it by its id."""
    text = _read_text(path)
    if path.suffix.lower() in NOTES_SUFFIXES:   # a notes file: the network its header declares
        return load(path).sections[0].architecture
    block, first = text, 1
    header = frontmatter.split(text + "\n")
    if header is not None:
        block, first, _ = header
    if not block.strip():
        raise GradauditError("empty network file: write the network's layers and loss", file=str(path), line=1)
    data, node = frontmatter.yaml_value(block, first, path)
    lines = frontmatter.key_lines(node, first)
    if isinstance(data, dict) and "network" in data:
        return network_of({"network": data["network"]}, lines, path)
    if isinstance(data, dict):   # the spec's keys at the top level
        nested = {f"network.{k}": v for k, v in lines.items()}
        return network_of({"network": data}, {**nested, "network": first}, path)
    raise GradauditError("a network file is a YAML mapping with the network's keys (layers, loss, ...)",
                         file=str(path), line=first)


def architecture_arg(arch_id: str | None, network: str | None) -> architectures.Architecture:
    """The architecture a command names: a built-in id, or --network FILE (exactly one of them)."""
    if (arch_id is None) == (network is None):
        raise GradauditError("name an architecture (see `gradaudit list`) or give --network FILE, not both")
    if network is not None:
        return load_network(Path(network))
    return architectures.get(arch_id)
