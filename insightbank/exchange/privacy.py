"""The one personal-data scanner: every path that writes outside the bank runs its texts through it.

Insights are syntheses, never case notes, but a quote, a story, a term code or a study's contact
field can still carry a personal identity number, a phone number, an e-mail address or a name.
Packages, CSV/XLSX exports, ``stories export``, ``graph``, figures' labels (and the HTML and QDPX
exports) all scan here *before anything is written*, and stop with the list of hits or, with
``--redact``, replace them.

Public API (for every exporter):

- ``Text(file, record, field, text)``: one text and where it will be written.
- ``scan_texts(texts, names=None) -> list[Finding]``: every hit; a ``Finding`` names ``file``,
  ``record``, ``field``, ``kind`` and the hit (``str(finding)`` shows it masked).
- ``guard(texts, names=None, redact=False) -> (texts, findings)``: raises
  :class:`PersonalDataError` (exit code 2, nothing written) on any hit, or with ``redact=True``
  returns the texts with every hit replaced by a token (``[PERSONNUMMER]``, ``[TELEFON]``, …).
- ``Scanner(names).scan(text) -> list[Hit]`` and ``redact(text, hits)`` for a single text.
- ``Redactor(names=None)``: a callable that returns a label redacted (figures: a masked label
  is better than no figure); it keeps its ``findings``. ``names=None`` reads ``names.txt``.

Why the rules are as they are:
- **Normalisation is done once** (:func:`normalise`), and every detector reads its result:
  NFC, then per character NFKC (full-width digits), every dash (en dash, em dash, minus, …) to
  ``-``, every space (no-break, thin, narrow, tab) to a space, zero-width characters and soft
  hyphens removed, ``’`` to ``'``, brackets to ``(``/``)``, ``(at)``/``[at]``/``(snabel-a)`` to
  ``@`` and ``(dot)``/``(punkt)`` to ``.``. Offsets map back to the original, so a redaction
  replaces exactly what was written. Case is handled by the name pattern (``re.IGNORECASE``),
  so å, ä, ö are never folded.
- **Personal identity numbers** and coordination numbers (day + 60), with or without century,
  separated by nothing, ``-``, ``+``, a space or ``_`` (term codes such as
  ``familjen_svensson_811218_9876``), count only when the date exists and the Luhn digit fits:
  ten random digits are then a hit about one time in ten, a phone number almost never.
- **Phones**: ``0``-prefixed national numbers and ``+46``/``0046`` (with ``(0)``) in any
  grouping by spaces, ``-``, ``/``, ``.`` and brackets. Grouped numbers must look like Swedish
  numbers: a two-digit area code is ``08``, a subscriber number never starts with 0, and a
  series of equal steps (``05 10 15 20 25``) or a date is not a number to call.
- **Names** come from a list the bank keeps (``names.txt`` in the user's config directory, or
  ``--names FILE``). They match as whole words, in any case, with the Swedish genitive
  (``Annas``, ``Svenssons``, ``Lars'``); a name that is also a common word (``Bo``, ``Per``,
  ``Inga``, ``Klara``, …) matches only as written or in capitals.
- **A study's ``contact`` field** says who to call, so role mailboxes and switchboard numbers
  may stay there (``Text(..., contact=True)``): identity numbers, listed names, mobile numbers
  (``07…``, ``+46 7…``) and e-mails whose local part holds a listed or common name
  (``anna.svensson@…``) are hits there as anywhere.
- Hits are reported masked, so the report itself does not spread what it found.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path

import platformdirs
from sqlalchemy.engine import Connection

from insightbank.errors import ConfigError, InsightbankError
from insightbank.exchange.normal_form import normalise
from insightbank.storage.meta import get_meta

PNR = "personnummer"
PHONE = "telefon"
EMAIL = "e-post"
NAME = "namn"
TOKENS = {PNR: "[PERSONNUMMER]", PHONE: "[TELEFON]", EMAIL: "[E-POST]", NAME: "[NAMN]"}

_ALNUM_BEFORE, _ALNUM_AFTER = r"(?<![^\W_])", r"(?![^\W_])"  # a letter or digit, but "_" is a boundary
_PNR_RE = re.compile(
    _ALNUM_BEFORE + r"(?P<c>18|19|20)?(?P<y>\d{2})(?P<m>\d{2})(?P<d>\d{2})"
    r"(?P<sep>[ _]?[-+]?[ _]?)(?P<n>\d{4})" + _ALNUM_AFTER
)
_SEP = r"[ \-./()]*"
_PHONE_RE = re.compile(
    r"(?<![^\W_]|[+\d])(?:"
    rf"(?P<intl>(?:\+|00)46{_SEP}(?:\(0\){_SEP})?[1-9](?:{_SEP}\d){{6,8}})"
    rf"|(?P<nat>\(?0[1-9](?:{_SEP}\d){{6,9}})"
    r")(?!\d)"
)
_DATE_RE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-](?:19|20)?\d{2}")
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+ ?@ ?[\w-]+(?:\.[\w-]+)+")
#: Names that are also common Swedish words: matched only as written (and in capitals).
WORD_NAMES = frozenset(
    (
        *("bo", "per", "hans", "inga", "dag", "klara", "karl", "lisa", "stig", "sten", "björn", "ros", "rosa"),
        *("sol", "lo", "mats", "max", "tor", "fred", "lina", "axel", "maj", "juni", "april", "iris", "viola"),
        *("linnea", "vide", "ask", "storm", "vilja", "alf", "ulla", "saga", "hedda"),
    )
)
#: Common Swedish given names and surnames, for the one place where a role address and a
#: personal one look alike: the local part of an e-mail in a study's ``contact`` field.
COMMON_NAMES = frozenset(
    (
        *("anna", "eva", "maria", "karin", "sara", "lena", "kerstin", "emma", "ingrid", "marie", "malin"),
        *("jenny", "hanna", "linda", "elin", "johanna", "sofia", "annika", "susanne", "ida", "camilla", "elisabeth"),
        *("erik", "lars", "karl", "anders", "johan", "per", "mikael", "nils", "jan", "peter", "thomas", "daniel"),
        *("fredrik", "hans", "bengt", "magnus", "stefan", "mats", "oskar", "lisa", "ali", "mohammed", "ahmed"),
        *("andersson", "johansson", "karlsson", "nilsson", "eriksson", "larsson", "olsson", "persson", "svensson"),
        *("gustafsson", "pettersson", "jonsson", "jansson", "hansson", "bengtsson", "lindberg", "jakobsson"),
        *("magnusson", "lindström", "lindqvist", "lindgren", "berg", "axelsson", "lundberg", "mattsson"),
    )
)


@dataclass(frozen=True)
class Hit:
    """One piece of personal data in a text: what kind, and where (offsets in the NFC text)."""

    kind: str
    start: int
    end: int
    text: str

    def masked(self) -> str:
        """The hit with everything but its first characters (two at most, a third at most) hidden."""
        shown = min(2, len(self.text) // 3)
        head, tail = self.text[:shown], self.text[shown:]
        return head + re.sub(r"\w", "*", tail)


@dataclass(frozen=True)
class Text:
    """One text an exporter is about to write, and where: file (or resource), record, field."""

    file: str
    record: str
    field: str
    text: str
    contact: bool = False


@dataclass(frozen=True)
class Finding:
    """A hit with its place: which file or resource, which record, which field."""

    entity: str
    record_id: str
    field: str
    hit: Hit
    file: str = ""

    @property
    def record(self) -> str:
        return self.record_id

    @property
    def kind(self) -> str:
        return self.hit.kind

    def __str__(self) -> str:
        where = self.file or self.entity
        return f"{where} {self.record_id[:36]} {self.field}: {self.hit.kind} {self.hit.masked()!r}"


class PersonalDataError(InsightbankError):
    """An export found personal data and stopped; nothing was written."""

    exit_code = 2

    def __init__(self, findings: list[Finding], limit: int = 40) -> None:
        self.findings = findings
        lines = [f"  {f}" for f in findings[:limit]]
        if len(findings) > limit:
            lines.append(f"  … och {len(findings) - limit} till / and {len(findings) - limit} more")
        super().__init__(
            "\n".join(
                [
                    f"Exporten stoppades: {len(findings)} träffar på personuppgifter, inget skrevs / export stopped: "
                    f"{len(findings)} hits of personal data, nothing was written:",
                    *lines,
                    "Rätta texten i banken, eller exportera med --redact för att ersätta träffarna / fix the text in the "
                    "bank, or export with --redact to replace the hits.",
                ]
            )
        )


def luhn_ok(digits: str) -> bool:
    """The Luhn check used by Swedish personal identity numbers (over YYMMDDNNNC)."""
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _pnr_valid(match: re.Match[str]) -> bool:
    month, day, year = int(match["m"]), int(match["d"]), int((match["c"] or "20") + match["y"])
    if not 1 <= month <= 12:
        return False
    real_day = day - 60 if day > 60 else day  # 61–91: coordination number (samordningsnummer)
    if not 1 <= real_day <= calendar.monthrange(year if match["c"] else 2000, month)[1]:
        return False
    return luhn_ok(match["y"] + match["m"] + match["d"] + match["n"])


def _phone_valid(match: re.Match[str]) -> bool:
    """A candidate is a number to call only if it is grouped the way Swedish numbers are."""
    raw = match.group()
    if match["intl"]:
        return True
    if _DATE_RE.fullmatch(raw.strip("()")):
        return False
    groups = [g for g in re.split(r"[ \-./()]+", raw) if g]
    if len(groups) >= 4 and all(len(g) <= 2 for g in groups):
        steps = {int(b) - int(a) for a, b in pairwise(groups)}
        if len(steps) == 1:  # 05 10 15 20 25: a series, not a number
            return False
    if len(groups) == 1 or len(groups[0]) > 4:
        return True
    area, subscriber = groups[0], "".join(groups[1:])
    if len(area) == 2 and area != "08":
        return False
    return subscriber[:1] not in ("0", "") and 5 <= len(subscriber) <= 8


@dataclass(frozen=True)
class NameList:
    """The names that must not leave the bank, compiled into whole-word patterns."""

    names: tuple[str, ...] = ()

    def patterns(self) -> list[re.Pattern[str]]:
        genitive = r"(?:s|'s?|:s)?"
        loose = sorted({n for n in self.names if n and n.casefold() not in WORD_NAMES}, key=len, reverse=True)
        strict = sorted({v for n in self.names if n.casefold() in WORD_NAMES for v in (n, n.upper())}, key=len)
        out = []
        for variants, flags in ((loose, re.IGNORECASE), (strict[::-1], 0)):
            if variants:
                alternation = "|".join(re.escape(v) for v in variants)
                out.append(re.compile(rf"{_ALNUM_BEFORE}(?:{alternation}){genitive}{_ALNUM_AFTER}", flags))
        return out

    def pattern(self) -> re.Pattern[str] | None:
        """The first pattern (kept for callers that want one)."""
        found = self.patterns()
        return found[0] if found else None


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
    """Finds personal data in one text at a time (the name patterns are compiled once)."""

    def __init__(self, names: NameList | None = None) -> None:
        self._names = (names or NameList()).patterns()

    def scan(self, text: str, *, contact: bool = False) -> list[Hit]:
        """Every hit in ``text`` (offsets in its NFC form), without overlaps, in order.

        ``contact``: the text is a contact field, where role mailboxes and switchboards may stay.
        """
        original = unicodedata.normalize("NFC", text)
        n = normalise(original)
        plain = _without_ids(n.text)
        found: list[tuple[str, int, int]] = [(PNR, *m.span()) for m in _PNR_RE.finditer(plain) if _pnr_valid(m)]
        emails = [m for m in _EMAIL_RE.finditer(plain) if not contact or self._personal_address(m.group())]
        found += [(EMAIL, *m.span()) for m in emails]
        phones = [m for m in _PHONE_RE.finditer(plain) if _phone_valid(m) and (not contact or _mobile(m.group()))]
        found += [(PHONE, *_trim(m)) for m in phones]
        for pattern in self._names:
            found += [(NAME, *m.span()) for m in pattern.finditer(plain)]
        hits = []
        for kind, start, end in found:
            a, b = n.span(start, end)
            hits.append(Hit(kind, a, b, original[a:b]))
        return _without_overlaps(hits)

    def _personal_address(self, address: str) -> bool:
        local = address.split("@", 1)[0]
        tokens = {t for t in re.split(r"[._+\-\d]+", local.casefold()) if t}
        return bool(tokens & COMMON_NAMES) or any(p.search(local.replace(".", " ")) for p in self._names)


#: A canonical UUID: a record's id, never personal data, but its digit runs can look like a phone number
#: or a personal identity number (about one random UUID in 200 did).
_UUID_RE = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")


def _without_ids(text: str) -> str:
    """``text`` with every UUID blanked out, offsets kept."""
    return _UUID_RE.sub(lambda m: " " * len(m.group()), text)


def _mobile(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    national = re.sub(r"^(?:0046|46)0?", "0", digits) if number.lstrip("(").startswith(("+", "00")) else digits
    return national.startswith("07")


def _trim(match: re.Match[str]) -> tuple[int, int]:
    """A phone's span without an unmatched bracket or trailing separator."""
    start, end = match.span()
    text = match.group()
    if text.startswith("(") and ")" not in text:
        start += 1
    return start, end


def _without_overlaps(hits: list[Hit]) -> list[Hit]:
    """Keep the first-found (strongest) hit where two overlap: pnr before e-mail, phone and name."""
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


def scan_texts(texts: Iterable[Text], names: NameList | None = None) -> list[Finding]:
    """Every hit in ``texts``, each naming its file, record and field."""
    scanner = Scanner(names)
    return [Finding(t.file, t.record, t.field, hit, t.file) for t in texts if t.text for hit in scanner.scan(t.text)]


def guard(
    texts: Iterable[Text], names: NameList | None = None, *, redact_hits: bool = False
) -> tuple[list[Text], list[Finding]]:
    """The check every exporter runs before writing: stop on any hit, or return the texts redacted."""
    scanner = Scanner(names)
    out: list[Text] = []
    findings: list[Finding] = []
    for t in texts:
        hits = scanner.scan(t.text, contact=t.contact) if t.text else []
        findings += [Finding(t.file, t.record, t.field, h, t.file) for h in hits]
        out.append(replace(t, text=redact(t.text, hits)) if hits else t)
    if findings and not redact_hits:
        raise PersonalDataError(findings)
    return out, findings


class Redactor:
    """Labels for figures, redacted: ``Redactor()(label, where)``; what it masked is in ``findings``."""

    def __init__(self, names: NameList | None = None, file: str = "") -> None:
        self._scanner = Scanner(load_names() if names is None else names)
        self.file = file
        self.findings: list[Finding] = []

    def __call__(self, text: str, record: str = "", field: str = "label") -> str:
        hits = self._scanner.scan(text) if text else []
        self.findings += [Finding(self.file, record, field, h, self.file) for h in hits]
        return redact(text, hits) if hits else text


EXPORTER_ENV = "INSIGHTBANK_EXPORTER"


def exporter_name(conn: Connection, given: str | None = None) -> str:
    """Who a package says exported it: ``--exported-by``, ``INSIGHTBANK_EXPORTER``, the bank setting
    ``exporter_name``, else the bank's ``name``; never the operating-system login, which names a person
    and went into every package unchecked (issue 12). The CLI shows it before it exports."""
    import os

    for value in (given, os.environ.get(EXPORTER_ENV), get_meta(conn, "exporter_name"), get_meta(conn, "name")):
        if value and value.strip():
            return value.strip()
    return "insightbank"
