"""Triage on intake: a suggested level and scope flags, each with its reason.

Nothing here drops or refuses a ticket: the contract's exclusions ("What is out of
scope") are flagged, with the reason shown to the agent and told to the customer.
The rules are deliberately simple so that an agent can see why a flag was raised
(``evidence`` lists the words that matched).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sladesk.policy import Policy

#: Who sees a flag: ``all`` (agents and the customer) or ``agents`` only.
EVERYONE = "all"
AGENTS = "agents"


@dataclass(frozen=True, slots=True)
class Flag:
    """A reason an agent should look twice at a ticket; never a refusal."""

    code: str
    title: str
    message: str
    pointer: str = ""
    audience: str = EVERYONE
    evidence: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "message": self.message,
            "pointer": self.pointer,
            "audience": self.audience,
            "evidence": list(self.evidence),
        }


# -- suggested level ------------------------------------------------------------------

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "or",
        "and",
        "on",
        "in",
        "to",
        "is",
        "are",
        "not",
        "no",
        "with",
        "without",
        "for",
        "by",
        "from",
        "as",
        "at",
        "be",
        "it",
        "its",
        "this",
        "that",
        "number",
        "some",
        "large",
        "small",
    ]
)
_WORD = re.compile(r"[a-z][a-z'-]+")


def _stem(word: str) -> str:
    """Return a crude stem: drop common suffixes, keep six letters ("crashes" -> "crash")."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:6]


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and len(w) >= 3}


@functools.lru_cache(maxsize=1024)
def _characteristic_stems(characteristic: str) -> frozenset[str]:
    """``_stems`` of a policy's level characteristic (the same few on every intake)."""
    return frozenset(_stems(characteristic))


@dataclass(frozen=True, slots=True)
class Suggestion:
    severity: str
    reason: str
    matched: tuple[str, ...]  # the characteristics that matched


def suggest_severity(policy: Policy, *, text: str) -> Suggestion | None:
    """Suggest a level from the policy's level characteristics, or None if nothing matches.

    A characteristic (e.g. "production system hangs or crashes") matches when at least
    two of its content words (one, for a one-word characteristic), compared by crude
    stems, appear in the text. The level with the most matching characteristics wins; a
    tie goes to the more urgent level (an agent lowers it with a reason).
    """
    words = _stems(text)
    best: tuple[int, int, str, list[str]] | None = None
    for severity in policy.severities.values():
        matched = []
        for characteristic in severity.characteristics:
            content = _characteristic_stems(characteristic)
            if not content:
                continue
            hits = content & words
            if len(hits) >= min(2, len(content)):
                matched.append(characteristic)
        if matched and (best is None or (len(matched), -severity.rank) > (best[0], -best[1])):
            best = (len(matched), severity.rank, severity.id, matched)
    if best is None:
        return None
    _, _, level, matched = best
    quoted = "; ".join(f"'{m}'" for m in matched)
    return Suggestion(
        severity=level,
        reason=f'{level} suggested: the description matches {quoted} (policy, "Severity levels")',
        matched=tuple(matched),
    )


# -- language ---------------------------------------------------------------------------

#: The languages the detector tells apart (English plus those customers most often write).
DETECTED_LANGUAGES = (
    "ENGLISH",
    "GERMAN",
    "FRENCH",
    "SPANISH",
    "PORTUGUESE",
    "ITALIAN",
    "DUTCH",
    "RUSSIAN",
    "CHINESE",
    "JAPANESE",
)
#: Fewer letters than this and the text is not judged (too short to tell).
MIN_LETTERS = 20
_CODE_BLOCK = re.compile(r"```.*?```", re.DOTALL)
_NOISE = re.compile(r"https?://\S+|\S+@\S+|\S*[/\\_=<>{}\[\]0-9]\S*")


@functools.cache
def _detector() -> Any:
    """Build the lingua detector once per process (low-accuracy mode: fast, small)."""
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in DETECTED_LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def warm_up(policy: Policy | None = None) -> None:
    """Build the language detector and the policy's characteristic stems now, not on the
    first ticket (a web process calls this before serving: ``core.startup``)."""
    from sladesk.policy import get_policy

    _detector()
    suggest_severity(policy or get_policy(), text="warm up")


def prose_of(text: str) -> str:
    """Return ``text`` without code blocks, URLs, addresses, paths and tokens with digits."""
    return " ".join(_NOISE.sub(" ", _CODE_BLOCK.sub(" ", text)).split())


def detect_language(text: str) -> str | None:
    """Return the language name (``"GERMAN"``) of ``text``, or None if too short to tell."""
    prose = prose_of(text)
    if sum(ch.isalpha() for ch in prose) < MIN_LETTERS:
        return None
    found = _detector().detect_language_of(prose)
    return None if found is None else str(found.name)


# -- scope flags ------------------------------------------------------------------------

_THIRD_PARTY = re.compile(
    r"\b(third[- ]party|plug-?ins?|integrations?|installers?|bitnami|helm charts?|"
    r"(?:docker|container|vm|marketplace) images?)\b",
    re.IGNORECASE,
)
_DEVELOPMENT = re.compile(
    r"\b(develop(?:ing|ment)?\s+(?:a|an|our|my)\s+\w+|sdk|source code|compil(?:e|ing)|"
    r"build(?:ing)? from source|writ(?:e|ing) (?:a|an|our|my) (?:plugin|bot|integration|app)|"
    r"webhook code|our code|my code)\b",
    re.IGNORECASE,
)
_PROFESSIONAL_SERVICES = re.compile(
    r"\b(training|performance tuning|tune (?:our|the) performance|capacity planning|"
    r"sizing|install(?:ation)? service|upgrade service|"
    r"(?:do|perform|handle) (?:the|our) (?:installation|install|upgrade|migration) for us)\b",
    re.IGNORECASE,
)
_REMOTE_ADMIN = re.compile(
    r"\b(remote (?:session|access|administration|desktop)|ssh (?:in)?to our|log ?in to our (?:server|system)s?|"
    r"administer our)\b",
    re.IGNORECASE,
)
_API_WORDS = re.compile(r"\b(api|endpoint|rest|websocket)\b", re.IGNORECASE)
_DEFECT_WORDS = re.compile(r"\b(bug|defect|broken|wrong|error|fails?|incorrect)\b", re.IGNORECASE)
_CODE_SIGNS = re.compile(
    r"```|^\s*(?:curl|http|import|from \S+ import|def |func |function |const |let |var |package |"
    r"public |class |\$ |>>> )|\brequests\.(?:get|post|put|delete)\(|\bfetch\(",
    re.IGNORECASE | re.MULTILINE,
)
CODE_EXTENSIONS = frozenset(
    {
        ".py",
        ".js",
        ".ts",
        ".go",
        ".java",
        ".rb",
        ".php",
        ".sh",
        ".cs",
        ".kt",
        ".json",
        ".http",
        ".txt",
    }
)


def _exclusion(policy: Policy, code: str) -> tuple[str, str, str]:
    """Return the policy's (title, reason, pointer) for exclusion ``code`` (or defaults)."""
    for exclusion in policy.exclusions:
        if exclusion.id == code:
            return exclusion.title, exclusion.reason, exclusion.pointer or ""
    return code.replace("_", " "), "", ""


def _flag(policy: Policy, code: str, finding: str, evidence: Iterable[str] = ()) -> Flag:
    title, reason, pointer = _exclusion(policy, code)
    message = f"{finding}. {reason}".strip() if reason else finding
    unique = tuple(dict.fromkeys(e.lower() for e in evidence))
    return Flag(code=code, title=title, message=message, pointer=pointer, evidence=unique)


def scope_flags(
    policy: Policy,
    *,
    subject: str,
    description: str,
    category: str,
    attachment_names: Sequence[str] = (),
    door_flags: Iterable[tuple[str, str]] = (),
) -> list[Flag]:
    """Return the contract's exclusions this request seems to fall under, each with its reason.

    ``door_flags`` are the door's ``(code, message)`` flags: an unsupported server release
    becomes the ``unsupported_release`` scope flag.
    """
    text = f"{subject}\n{description}"
    flags: list[Flag] = []
    for code, message in door_flags:
        if code == "unsupported_release":
            flags.append(_flag(policy, "unsupported_release", message))
    language = detect_language(text)
    if language is not None and language != "ENGLISH":
        flags.append(
            _flag(
                policy,
                "language",
                f"the request seems to be written in {language.title()}",
                [language],
            )
        )
    if found := _THIRD_PARTY.findall(text):
        flags.append(
            _flag(policy, "third_party", "the request mentions third-party software", _words(found))
        )
    if found := _DEVELOPMENT.findall(text):
        flags.append(
            _flag(
                policy,
                "development_question",
                "the request looks like a development question",
                _words(found),
            )
        )
    if _is_api_defect(text, category=category) and not _has_sample_code(
        description, attachment_names
    ):
        flags.append(
            _flag(
                policy,
                "api_defect_without_sample",
                "a suspected API defect without sample code that reproduces it",
                _words(_API_WORDS.findall(text)),
            )
        )
    if found := _PROFESSIONAL_SERVICES.findall(text):
        flags.append(
            _flag(
                policy,
                "professional_services",
                "the request asks for professional services",
                _words(found),
            )
        )
    if found := _REMOTE_ADMIN.findall(text):
        flags.append(
            _flag(
                policy,
                "remote_administration",
                "the request asks for remote administration",
                _words(found),
            )
        )
    return flags


def _words(found: Iterable[Any]) -> list[str]:
    return [f if isinstance(f, str) else next((g for g in f if g), "") for f in found]


def _is_api_defect(text: str, *, category: str) -> bool:
    if category == "api_defect":
        return True
    return category == "bug" and bool(_API_WORDS.search(text)) and bool(_DEFECT_WORDS.search(text))


def _has_sample_code(description: str, attachment_names: Sequence[str]) -> bool:
    if _CODE_SIGNS.search(description):
        return True
    return any(name.lower().endswith(ext) for name in attachment_names for ext in CODE_EXTENSIONS)
