"""Reading rule files: size limits, includes, shipped templates, and a bounded cache."""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from os import PathLike
from pathlib import Path
from threading import Lock
from typing import Any

from leadflow.errors import ConfigurationError, RuleSyntaxError
from leadflow.lead import STANDARD_ACTIVITY_KINDS
from leadflow.reasons import STANDARD_REASONS
from leadflow.rules import _arguments as arguments
from leadflow.rules._check.implication import FILE_WORK
from leadflow.rules._compile.assemble import SHIPPED_TEMPLATES, assemble
from leadflow.rules._facts import CUSTOM_TYPES, FIELD_TYPES
from leadflow.rules._files import checked_text, decode_error, read_bytes, stamp
from leadflow.rules._selftest import compile_tests
from leadflow.rules._syntax import nodes
from leadflow.rules._syntax.builder import build
from leadflow.rules._syntax.parser import did_you_mean, error_at, parse_tree, raise_all
from leadflow.rules.ruleset import RuleSet

__all__ = ("MAX_BYTES", "MAX_INCLUDES", "TEMPLATES", "load", "parse", "template_text")

MAX_BYTES = 200_000
"""Most bytes of UTF-8 accepted per rule file, and for all files of a rule set together
(includes and templates): any rule set within it parses and checks in about 2 s or less on a
2-core machine (it was 1,000,000: a valid file of 0.96 MB took 4.7 to 12 s)."""

MAX_INCLUDES = 32
"""Most files (includes and templates) one rule set may read."""

TEMPLATES = SHIPPED_TEMPLATES
"""Qualification templates shipped with leadflow, usable with ``use bant`` and so on."""

_CACHE_SIZE = 64
_NAME = re.compile(r"[a-z][a-z0-9_]*")


def _unknown_template(shown: str, name: str) -> str:
    """The message for an unknown template ``name`` (written as ``shown``)."""
    return f"unknown template {shown}{did_you_mean(name, TEMPLATES)}; templates: " + ", ".join(
        TEMPLATES
    )


def template_text(name: str) -> str:
    """The text of a shipped template (``bant``, ``champ`` or ``meddic``).

    Raises:
        ConfigurationError: no template has that name.

    >>> "qualification bant" in template_text("bant")
    True
    """
    arguments.typed(name, "name", str, "a template name such as 'bant'")
    if name not in TEMPLATES:
        raise ConfigurationError(
            _unknown_template(repr(name), name),
            field="template",
            value=name,
            expected=", ".join(TEMPLATES),
        )
    return files("leadflow.rules").joinpath("templates", f"{name}.lf").read_text("utf-8")


@dataclass(frozen=True)
class _Options:
    fields: tuple[tuple[str, str], ...]
    kinds: frozenset[str]
    reasons: frozenset[str]
    allow_outside: bool
    max_bytes: int


def _options(
    fields: Mapping[str, str] | None,
    activity_kinds: Iterable[str],
    reasons: Iterable[str] | None,
    allow_outside: bool,  # noqa: FBT001 - internal helper
    max_bytes: int,
) -> _Options:
    if fields is not None:
        arguments.typed(fields, "fields", Mapping, "a mapping of field name to type")
    declared = dict(fields or {})
    for name, type_ in declared.items():
        arguments.typed(name, "fields", str, "a mapping of field names (text) to types")
        arguments.typed(type_, f"fields[{name!r}]", str, "'text', 'number' or 'flag'")
        if not _NAME.fullmatch(name) or name in FIELD_TYPES:
            raise ConfigurationError(
                f"custom field name {name!r} must be lower_snake_case and not a lead field",
                field="fields",
                value=name,
            )
        if type_ not in CUSTOM_TYPES:
            raise ConfigurationError(
                f"custom field {name!r} has unknown type {type_!r}; expected text, number or flag",
                field="fields",
                value=type_,
                expected="text, number or flag",
            )
    kinds_given = arguments.names(activity_kinds, "activity_kinds", "['partner_referral']")
    kinds = frozenset(STANDARD_ACTIVITY_KINDS) | frozenset(kinds_given)
    if reasons is not None:
        reasons = arguments.names(reasons, "reasons", "['student', 'competitor']")
    codes = frozenset(STANDARD_REASONS if reasons is None else reasons)
    arguments.typed(allow_outside, "allow_outside", bool, "True or False")
    arguments.typed(max_bytes, "max_bytes", int, "a whole number of bytes")
    return _Options(tuple(sorted(declared.items())), kinds, codes, allow_outside, max_bytes)


@dataclass
class _Reader:
    options: _Options
    root: Path | None
    texts: dict[str, str] = field(default_factory=dict)
    # per include: the path as written (joined to its folder), the file it led to, that file's
    # modification and status-change times and size: the cache checks them all (a link may be
    # pointed elsewhere)
    stamps: list[tuple[str, str, tuple[int, int, int]]] = field(default_factory=list)
    templates: set[str] = field(default_factory=set)
    reading: list[str] = field(default_factory=list)
    included: set[str] = field(default_factory=set)
    size: int = 0  # bytes read so far, all files together

    def expand(
        self, text: str, source: str, here: Path | None, pos: nodes.Pos | None = None
    ) -> list[nodes.Statement]:
        """The statements of ``text``; ``pos``: the line that includes it (``None``: the root)."""
        text = checked_text(text, source, self.options.max_bytes)
        self.size += len(text.encode("utf-8"))
        if pos is not None and self.size > self.options.max_bytes:
            limit = self.options.max_bytes
            raise self.fail(
                pos,
                f"the files of this rule set have {self.size:,} bytes together with "
                f"{source}; the limit is {limit:,}",
            )
        self.texts[source] = text
        statements = build(parse_tree(text, source), text, source)
        out: list[nodes.Statement] = []
        errors: list[RuleSyntaxError] = []
        omitted = 0
        for s in statements:
            try:
                if isinstance(s, nodes.Include):
                    out.extend(self.include(s, here))
                elif isinstance(s, nodes.Use):
                    out.extend(self.use(s))
                else:
                    out.append(s)
            except RuleSyntaxError as error:
                errors.extend(error.errors)
                omitted += error.omitted
        raise_all(errors, omitted=omitted)
        return out

    def name(self, path: str) -> str:
        """How a file is named in messages: relative to the root folder when inside it."""
        resolved = Path(path)
        if self.root is not None and resolved.is_relative_to(self.root):
            return str(resolved.relative_to(self.root))
        return path

    def fail(self, pos: nodes.Pos, message: str) -> RuleSyntaxError:
        return error_at(self.texts.get(pos.source, ""), pos.source, pos.line, pos.column, message)

    def count(self, pos: nodes.Pos) -> None:
        if len(self.texts) >= MAX_INCLUDES:
            raise self.fail(pos, f"too many files: a rule set may read at most {MAX_INCLUDES}")

    def use(self, s: nodes.Use) -> list[nodes.Statement]:
        if s.template not in TEMPLATES:
            raise self.fail(s.pos, _unknown_template(f"'{s.template}'", s.template))
        source = f"{s.template}.lf"
        if source in self.texts:
            return []  # like an include, a template is read once per rule set
        self.count(s.pos)
        statements = self.expand(template_text(s.template), source, None, s.pos)
        self.templates.update(q.name for q in statements if isinstance(q, nodes.Qualification))
        return [q for q in statements if not isinstance(q, nodes.TestBlock)]

    def include(self, s: nodes.Include, here: Path | None) -> list[nodes.Statement]:
        if here is None or self.root is None:
            raise self.fail(
                s.pos,
                "include needs a file to be relative to: use load(path), or "
                "parse(text, base_dir=...)",
            )
        if "\x00" in s.path:
            raise self.fail(s.pos, "an include path cannot contain the character \\x00")
        target = Path(s.path)
        if target.is_absolute():
            raise self.fail(s.pos, f"include path '{s.path}' must be relative to this file")
        try:
            path = (here / target).resolve()
        except (OSError, RuntimeError, ValueError) as error:
            raise self.fail(s.pos, f"cannot read include '{s.path}': {error}") from None
        if not self.options.allow_outside and not path.is_relative_to(self.root):
            raise self.fail(
                s.pos,
                f"include '{s.path}' points outside {self.root}; pass "
                "allow_outside=True to allow it",
            )
        if str(path) in self.reading:
            cycle = [*self.reading[self.reading.index(str(path)) :], str(path)]
            raise self.fail(
                s.pos,
                f"include '{s.path}' makes a cycle: " + " -> ".join(map(self.name, cycle)),
            )
        if str(path) in self.included:
            return []  # each file is read once per rule set
        self.count(s.pos)
        limit = self.options.max_bytes
        try:
            data, status = read_bytes(path, limit)
            if len(data) > limit:
                raise self.fail(
                    s.pos, f"include '{s.path}' has more than {limit:,} bytes, the limit"
                )
            text = data.decode("utf-8")
        except OSError as error:
            raise self.fail(
                s.pos, f"cannot read include '{s.path}': {error.strerror or error}"
            ) from None
        except UnicodeDecodeError as error:
            message = decode_error(data, error)
            raise self.fail(s.pos, f"cannot read include '{s.path}': {message}") from None
        self.stamps.append((str(here / target), str(path), stamp(status)))
        source = self.name(str(path))
        self.included.add(str(path))
        self.reading.append(str(path))
        try:
            return self.expand(text, source, path.parent, s.pos)
        finally:
            self.reading.pop()


def _compile(
    text: str,
    source: str,
    here: Path | None,
    root: Path | None,
    options: _Options,
    reading: str | None = None,
) -> tuple[RuleSet, list[Any]]:
    reader = _Reader(options, root)
    if reading:
        reader.reading.append(reading)
        reader.included.add(reading)
    statements = tuple(reader.expand(text, source, here))
    program, check = assemble(
        statements,
        reader.texts,
        custom=dict(options.fields),
        kinds=options.kinds,
        reasons=options.reasons,
        templates=reader.templates,
    )
    tests = compile_tests(statements, program, check, options.reasons) if not check.errors else ()
    raise_all(check.errors, omitted=check.omitted)
    notes: tuple[str, ...] = ()
    if (at := check.work.stopped_at) is not None:
        notes = (
            f"{at.source}:{at.line}: the check for lines that can never match stopped here, "
            f"having used the rule set's budget of work ({FILE_WORK:,} units)",
        )
    return RuleSet(program, tests, source, notes), reader.stamps


class _Cache:
    """A small LRU of compiled rule sets; an entry is reused only while its includes are unchanged."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[Any, tuple[RuleSet, list[Any]]] = OrderedDict()
        self.lock = Lock()
        self.hits = 0

    def get(self, key: Any) -> RuleSet | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            rules, stamps = entry
            for written, path, kept in stamps:
                try:
                    stat = Path(path).stat()
                    if str(Path(written).resolve()) != path:
                        return None
                except (OSError, RuntimeError):
                    return None
                if stamp(stat) != kept:
                    return None
            self.entries.move_to_end(key)
            self.hits += 1
            return rules

    def put(self, key: Any, rules: RuleSet, stamps: list[Any]) -> None:
        with self.lock:
            self.entries[key] = (rules, stamps)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


_CACHE = _Cache(_CACHE_SIZE)


def parse(
    text: str,
    *,
    source: str = "<rules>",
    base_dir: str | PathLike[str] | None = None,
    fields: Mapping[str, str] | None = None,
    activity_kinds: Collection[str] = (),
    reasons: Iterable[str] | None = None,
    allow_outside: bool = False,
    max_bytes: int = MAX_BYTES,
) -> RuleSet:
    """Parse and check rule text; the same text with the same options is served from a cache.

    Args:
        text: the rules.
        source: the name shown in error messages and ``explain()``.
        base_dir: the folder ``include`` lines are relative to (and may not leave).
        fields: custom lead fields (``lead.custom``) the rules may read, name → ``"text"``,
            ``"number"`` or ``"flag"``.
        activity_kinds: activity kinds the host records beyond the standard ones.
        reasons: knock-out reason codes; default: :data:`leadflow.reasons.STANDARD_REASONS`.
        allow_outside: let includes reach outside ``base_dir`` (via ``..``).
        max_bytes: the most bytes accepted per file, and for all files of the rule set
            together (includes and templates).

    Raises:
        RuleSyntaxError: the text does not parse or fails a static check; ``.errors`` holds
            the errors found (the first ``MAX_KEPT``; ``.omitted`` counts the rest).
        ConfigurationError: ``fields`` declares a bad name or type, or ``base_dir`` is unusable.
        ArgumentTypeError: an argument has the wrong type (``parse(b"...")``,
            ``reasons="student"``); the message names it.

    >>> parse("mql when employees >= 50 and demo_requets within 30 days", source="x.lf")
    Traceback (most recent call last):
    ...
    leadflow.errors.RuleSyntaxError: x.lf:1:30: unknown activity kind 'demo_requets' (did you mean 'demo_request'?)
      mql when employees >= 50 and demo_requets within 30 days
                                   ^
    """
    arguments.typed(text, "text", str, "the rules as text (str); decode bytes first")
    arguments.typed(source, "source", str, "a name for messages (text)")
    options = _options(fields, activity_kinds, reasons, allow_outside, max_bytes)
    root = None
    if base_dir is not None:
        folder = arguments.path_text(base_dir, "base_dir")
        try:
            root = Path(folder).resolve()
        except (OSError, RuntimeError) as error:
            raise ConfigurationError(
                f"cannot use base_dir {folder!r}: {error}", field="base_dir", value=folder
            ) from None
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    key = ("text", digest, source, str(root), options)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    rules, stamps = _compile(text, source, root, root, options)
    _CACHE.put(key, rules, stamps)
    return rules


def load(
    path: str | PathLike[str],
    *,
    fields: Mapping[str, str] | None = None,
    activity_kinds: Collection[str] = (),
    reasons: Iterable[str] | None = None,
    allow_outside: bool = False,
    max_bytes: int = MAX_BYTES,
) -> RuleSet:
    """Load a rule file; includes are relative to its folder and may not leave it.

    Loading an unchanged file again (same path, times and size, unchanged includes)
    returns the cached :class:`RuleSet`. Options are as for :func:`parse`.

    Raises:
        RuleSyntaxError: the file does not parse or fails a static check.
        ConfigurationError: the file cannot be read (a path holding ``\x00`` included), or
            ``fields`` is bad.
        ArgumentTypeError: an argument has the wrong type (``load(None)``, ``load(b"x.lf")``).

    >>> from importlib.resources import files
    >>> path = str(files("leadflow.rules") / "templates" / "champ.lf")
    >>> rules = load(path)
    >>> rules.qualification_names, load(path) is rules
    (('champ',), True)
    """
    path = arguments.path_text(path, "path")
    options = _options(fields, activity_kinds, reasons, allow_outside, max_bytes)
    try:
        file = Path(path).resolve()
        stat = file.stat()
    except (OSError, RuntimeError) as error:
        why = getattr(error, "strerror", None) or error
        raise ConfigurationError(
            f"cannot read rule file {path!r}: {why}", field="path", value=path
        ) from None
    key = ("file", str(file), stamp(stat), options)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    try:
        data, _ = read_bytes(file, max_bytes)
        if len(data) > max_bytes:
            first = data[: data.find(b"\n")].decode("utf-8", "replace")
            raise error_at(
                first, str(path), 1, 1, f"the file has more than {max_bytes:,} bytes, the limit"
            )
        text = data.decode("utf-8")
    except OSError as error:
        raise ConfigurationError(
            f"cannot read rule file {str(path)!r}: {error.strerror or error}",
            field="path",
            value=path,
        ) from None
    except UnicodeDecodeError as error:
        raise ConfigurationError(
            f"cannot read rule file {str(path)!r}: {decode_error(data, error)}",
            field="path",
            value=path,
        ) from None
    rules, stamps = _compile(text, str(path), file.parent, file.parent, options, str(file))
    _CACHE.put(key, rules, stamps)
    return rules
