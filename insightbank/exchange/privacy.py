"""Finding personal data in text before it leaves the bank, and redacting it.

Insights are syntheses, never case notes, but a quote can still carry a personal identity
number, a phone number, an e-mail address or a name. An export scans every text field and
either stops with the list of hits or, with ``--redact``, replaces them.

Why the rules are as they are:
- Personal identity numbers (personnummer, and coordination numbers with day + 60) are
  accepted with or without century and separator, but only when the date is plausible and
  the Luhn check digit fits: ten random digits are then a hit about one time in ten,
  and a phone number almost never.
- Names come from a list the bank keeps (``names.txt`` in the user's config directory, or
  ``--names FILE``). They match as whole words with the case they are written in (and in
  capitals), because many Swedish names are also words ("Bo", "Vera", "Hugo").
- Hits are reported masked, so the report itself does not spread what it found.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from insightbank.errors import ConfigError

PNR = "personnummer"
PHONE = "telefon"
EMAIL = "e-post"
NAME = "namn"
TOKENS = {PNR: "[PERSONNUMMER]", PHONE: "[TELEFON]", EMAIL: "[E-POST]", NAME: "[NAMN]"}

_PNR_RE = re.compile(
    r"(?<![\d\w])(?P<c>19|20)?(?P<y>\d{2})(?P<m>\d{2})(?P<d>\d{2})(?P<sep>[-+]?)(?P<n>\d{4})(?![\d\w])"
)
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\d{1,3}[\s-]?(?:\(0\)[\s-]?)?[1-9](?:[\s-]?\d){5,11}|0[1-9](?:[\s-]?\d){6,9})(?![\d])"
)
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class Hit:
    """One piece of personal data in a text: what kind, and where."""

    kind: str
    start: int
    end: int
    text: str

    def masked(self) -> str:
        """The hit with everything but its first two characters hidden."""
        head, tail = self.text[:2], self.text[2:]
        return head + re.sub(r"\w", "*", tail)


def luhn_ok(digits: str) -> bool:
    """The Luhn check used by Swedish personal identity numbers (over YYMMDDNNNC)."""
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _pnr_valid(match: re.Match[str]) -> bool:
    month, day = int(match["m"]), int(match["d"])
    if not 1 <= month <= 12:
        return False
    if not (1 <= day <= 31 or 61 <= day <= 91):  # 61–91: coordination number (samordningsnummer)
        return False
    return luhn_ok(match["y"] + match["m"] + match["d"] + match["n"])


@dataclass(frozen=True)
class NameList:
    """The names that must not leave the bank, compiled into one whole-word pattern."""

    names: tuple[str, ...] = ()

    def pattern(self) -> re.Pattern[str] | None:
        variants = {v for name in self.names for v in (name, name.upper()) if v}
        if not variants:
            return None
        alternation = "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True))
        return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")


def default_names_file() -> Path:
    return Path(platformdirs.user_config_dir("insightbank", appauthor=False)) / "names.txt"


def load_names(extra: Path | None = None) -> NameList:
    """Names from the user's ``names.txt`` (if any) and ``extra``: one per line, ``#`` comments."""
    names: list[str] = []
    for path in (default_names_file(), extra):
        if path is None or (path == default_names_file() and not path.exists()):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: kan inte läsa namnlistan / cannot read the name list: {exc}") from None
        names.extend(_names_in(text))
    return NameList(tuple(dict.fromkeys(names)))


def _names_in(text: str) -> Iterable[str]:
    for line in text.splitlines():
        name = unicodedata.normalize("NFC", line.split("#", 1)[0].strip())
        if name:
            yield name


class Scanner:
    """Finds personal data in one text at a time (the name pattern is compiled once)."""

    def __init__(self, names: NameList | None = None) -> None:
        self._names = (names or NameList()).pattern()

    def scan(self, text: str, *, contact: bool = False) -> list[Hit]:
        """Every hit in ``text``, without overlaps, in order.

        ``contact`` is for a study's contact field, which exists to say who to call: role
        addresses and numbers may stay there, identity numbers and listed names may not.
        """
        text = unicodedata.normalize("NFC", text)
        hits = [Hit(PNR, m.start(), m.end(), m.group()) for m in _PNR_RE.finditer(text) if _pnr_valid(m)]
        if not contact:
            hits += [Hit(EMAIL, m.start(), m.end(), m.group()) for m in _EMAIL_RE.finditer(text)]
            hits += [Hit(PHONE, m.start(), m.end(), m.group()) for m in _PHONE_RE.finditer(text)]
        if self._names is not None:
            hits += [Hit(NAME, m.start(), m.end(), m.group()) for m in self._names.finditer(text)]
        return _without_overlaps(hits)


def _without_overlaps(hits: list[Hit]) -> list[Hit]:
    """Keep the first-found (strongest) hit where two overlap: pnr before phone, e-mail before name."""
    kept: list[Hit] = []
    for hit in hits:
        if all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def redact(text: str, hits: list[Hit]) -> str:
    """``text`` with every hit replaced by a token that says what was there."""
    text = unicodedata.normalize("NFC", text)
    out, last = [], 0
    for hit in sorted(hits, key=lambda h: h.start):
        out.append(text[last : hit.start])
        out.append(TOKENS[hit.kind])
        last = hit.end
    out.append(text[last:])
    return "".join(out)


@dataclass(frozen=True)
class Finding:
    """A hit with its place: which record, which field."""

    entity: str
    record_id: str
    field: str
    hit: Hit

    def __str__(self) -> str:
        return f"{self.entity} {self.record_id[:8]} {self.field}: {self.hit.kind} {self.hit.masked()!r}"
