"""Load and validate rule directories: rules, their sources and the shared lexicon.

A rule directory holds one YAML file per rule, plus optionally ``sources.yaml``
(the bibliography rules cite) and ``lexicon.yaml`` (named pattern fragments used
as ``{{name}}``). The bundled directory is always loaded first; a server can
stack its own directories on top, adding rules, sources and terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import re2

from bot.core.models import LexiconFile, Rule, Source, SourcesFile
from bot.core.yamlfile import RuleFileError, YamlDocument

SOURCES_FILE = "sources.yaml"
LEXICON_FILE = "lexicon.yaml"
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z0-9_-]+)\s*\}\}")
_MAX_EXPANSION_DEPTH = 8


def bundled_rules_dir() -> Path:
    """The rules shipped with ClaimCheck (inside the wheel, or ``rules/`` in a checkout)."""
    packaged = Path(str(resources.files("bot") / "_bundled_rules"))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


@dataclass(frozen=True)
class LoadedRule:
    rule: Rule
    path: Path
    document: YamlDocument = field(repr=False, compare=False)


@dataclass
class RuleSet:
    """Everything the engine needs, validated and with placeholders expanded."""

    rules: list[LoadedRule]
    sources: dict[str, Source]
    terms: dict[str, str]  # expanded lexicon terms
    directories: list[Path]
    source_locations: dict[str, str]  # source id -> "file:line", for messages

    def expand(self, pattern: str) -> str:
        return expand_placeholders(pattern, self.terms)

    def rule(self, rule_id: str) -> LoadedRule | None:
        return next((loaded for loaded in self.rules if loaded.rule.id == rule_id), None)


class UnknownTermError(KeyError):
    pass


def expand_placeholders(pattern: str, terms: dict[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in terms:
            raise UnknownTermError(name)
        return f"(?:{terms[name]})"

    return _PLACEHOLDER.sub(substitute, pattern)


RE2_MEMORY_BYTES = 64 << 20  # RE2's budget per regex and per set; the default 8 MiB thrashes on long messages
RE2_OPTIONS = re2.Options()
RE2_OPTIONS.max_mem = RE2_MEMORY_BYTES
RE2_OPTIONS.log_errors = False  # we report the error ourselves, with file and line


@lru_cache(maxsize=None)
def compiled(pattern: str) -> re2._Regexp:
    """``pattern`` compiled by RE2, once per process: loading the rules checks every
    pattern, and the engine then runs the very objects the check compiled."""
    return re2.compile(pattern, RE2_OPTIONS)


_MAX_SHOWN_FRAGMENT = 40


def check_re2(pattern: str, as_written: str) -> str | None:
    """None if RE2 accepts ``pattern``, else the reason, quoting ``as_written`` (before
    ``{{term}}`` expansion: the expanded form is unreadable and not what the author wrote)."""
    try:
        compiled(pattern)
    except re2.error as exc:
        text = exc.args[0].decode(errors="replace") if isinstance(exc.args[0], bytes) else str(exc.args[0])
        reason, _, fragment = text.partition(": ")
        if fragment and len(fragment) <= _MAX_SHOWN_FRAGMENT:
            reason += f" ({fragment})"
        return f"invalid RE2 pattern, {reason}: {as_written!r}"
    return None


def _load_lexicon(path: Path, raw_terms: dict[str, str], origins: dict[str, Path]) -> YamlDocument:
    document = YamlDocument(path)
    lexicon = document.validated(LexiconFile)
    for name, pattern in lexicon.terms.items():
        if name in raw_terms:
            raise document.error(("terms", name), f"term already defined in {origins[name]}")
        raw_terms[name] = pattern
        origins[name] = path
    return document


def _expand_terms(raw_terms: dict[str, str], documents: dict[Path, YamlDocument], origins: dict[str, Path]) -> dict[str, str]:
    expanded: dict[str, str] = {}

    def resolve(name: str, depth: int) -> str:
        if name in expanded:
            return expanded[name]
        document = documents[origins[name]]
        if depth > _MAX_EXPANSION_DEPTH:
            raise document.error(("terms", name), "terms refer to each other in a loop or too deeply")

        def substitute(match: re.Match[str]) -> str:
            inner = match.group(1)
            if inner not in raw_terms:
                raise document.error(("terms", name), f"unknown term {{{{{inner}}}}}")
            return f"(?:{resolve(inner, depth + 1)})"

        value = _PLACEHOLDER.sub(substitute, raw_terms[name])
        problem = check_re2(value, raw_terms[name])
        if problem:
            raise document.error(("terms", name), problem)
        expanded[name] = value
        return value

    for term in raw_terms:
        resolve(term, 0)
    return expanded


def _check_pattern(document: YamlDocument, location: tuple, pattern: str, terms: dict[str, str]) -> None:
    try:
        expanded = expand_placeholders(pattern, terms)
    except UnknownTermError as exc:
        raise document.error(location, f"unknown term {{{{{exc.args[0]}}}}} (define it in {LEXICON_FILE})") from None
    problem = check_re2(expanded, pattern)
    if problem:
        raise document.error(location, problem)


def load_ruleset(extra_dirs: list[Path] | tuple[Path, ...] = (), *, include_bundled: bool = True) -> RuleSet:
    """Load the bundled rules plus ``extra_dirs``; raise RuleFileError on the first problem."""
    directories = ([bundled_rules_dir()] if include_bundled else []) + [Path(d) for d in extra_dirs]
    raw_terms: dict[str, str] = {}
    term_origins: dict[str, Path] = {}
    lexicon_documents: dict[Path, YamlDocument] = {}
    sources: dict[str, Source] = {}
    source_locations: dict[str, str] = {}
    label_owners: dict[str, str] = {}  # members tell sources apart by label alone
    rule_documents: list[tuple[Path, YamlDocument]] = []

    for directory in directories:
        if not directory.is_dir():
            raise RuleFileError(directory, None, "", "rule directory does not exist")
        lexicon_path = directory / LEXICON_FILE
        if lexicon_path.exists():
            lexicon_documents[lexicon_path] = _load_lexicon(lexicon_path, raw_terms, term_origins)
        sources_path = directory / SOURCES_FILE
        if sources_path.exists():
            document = YamlDocument(sources_path)
            parsed = document.validated(SourcesFile)
            for index, source in enumerate(parsed.sources):
                if source.id in sources:
                    raise document.error(("sources", index, "id"), f"source id already defined in {source_locations[source.id]}")
                if source.label in label_owners:
                    raise document.error(("sources", index, "label"), f"label already used by source {label_owners[source.label]}")
                sources[source.id] = source
                source_locations[source.id] = f"{sources_path}:{document.line_of(('sources', index))}"
                label_owners[source.label] = source.id
        for path in sorted(directory.glob("*.y*ml")):
            if path.name in (SOURCES_FILE, LEXICON_FILE) or path.suffix not in (".yaml", ".yml"):
                continue
            rule_documents.append((path, YamlDocument(path)))

    terms = _expand_terms(raw_terms, lexicon_documents, term_origins)

    loaded: list[LoadedRule] = []
    seen_ids: dict[str, Path] = {}
    for path, document in rule_documents:
        rule = document.validated(Rule)
        if rule.id in seen_ids:
            raise document.error(("id",), f"rule id {rule.id!r} already used by {seen_ids[rule.id]}")
        seen_ids[rule.id] = path
        for index, pattern in enumerate(rule.patterns):
            _check_pattern(document, ("patterns", index), pattern, terms)
        for index, pair in enumerate(rule.context_patterns):
            _check_pattern(document, ("context_patterns", index, "message"), pair.message, terms)
            _check_pattern(document, ("context_patterns", index, "context"), pair.context, terms)
        for name in ("requires", "unless_before", "unless"):
            if getattr(rule, name):
                _check_pattern(document, (name,), getattr(rule, name), terms)
        for index, source_id in enumerate(rule.sources):
            if source_id not in sources:
                raise document.error(("sources", index), f"unknown source {source_id!r} (add it to {SOURCES_FILE})")
        loaded.append(LoadedRule(rule, path, document))

    return RuleSet(rules=loaded, sources=sources, terms=terms, directories=directories, source_locations=source_locations)
