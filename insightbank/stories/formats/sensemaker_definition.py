"""SenseMaker® definitions: both layouts, every story text, and what cannot be stored named.

Two layouts exist: the old one lists ``signifiers`` at the top level, the newer one (real
exports, ADemo's own) puts them under ``sections``, each section holding its signifiers. Both
give the same framework. R wrote the files, so many values are one-element lists.

What becomes what, and why:

- ``triad``, ``dyad`` and ``list`` are questions as before; ``imageselect`` is a single choice
  whose options are the images (the data cell holds the chosen image's address).
- ``stones`` become one ``stone`` question per stone: a 2-D position (x, y) on the canvas.
- ``freetext``: the declared ``fragment_signifier_id`` is the story's main text; every other
  free text, fragments included, is a text question, so NISER-style frameworks keep all six.
- ``uniqueid`` is a text question (the teller's identifier is a field of the story).
- A list item with an ``other_signifier_id`` keeps the free text it links to with the choice.
- ``photo``, ``audio``, ``map``, ``embedded``, ``constrainedmatrix`` and linked frameworks
  cannot be stored; they are named in the import report with counts. Layout elements
  (``label``, ``save``, ``navigation``) hold no answers.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from insightbank.errors import InputFileError, Problem
from insightbank.schema.json import JsonObject
from insightbank.stories.frameworks import Framework, Option, Question, check_question

LAYOUT = ("label", "save", "navigation")
SKIPPED_NAMES = {
    "photo": "foto/photo",
    "audio": "ljud/audio",
    "map": "karta/map",
    "embedded": "inbäddat ramverk/embedded framework",
    "constrainedmatrix": "matris/constrained matrix",
}


def one(value: Any) -> Any:
    """R's one-element lists, unwrapped."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def plain(text: Any) -> str:
    """A title without its HTML: tags become spaces, entities are decoded."""
    raw = html.unescape(str(one(text) or ""))
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(raw)).split())


@dataclass
class Definition:
    """A framework plus what the data reader needs to fill it."""

    framework: Framework
    fragment: str
    notes: list[str] = field(default_factory=list)
    stones: dict[str, tuple[str, str]] = field(default_factory=dict)  # question id -> (stones id, stone id)
    others: dict[str, dict[str, str]] = field(default_factory=dict)  # list id -> item id -> free-text id
    skipped: dict[str, tuple[str, str]] = field(default_factory=dict)  # signifier id -> (type, title)


def signifiers(raw: Any, path: Path) -> list[JsonObject]:
    """The signifiers of either layout, in page order."""
    if isinstance(raw, dict) and isinstance(raw.get("signifiers"), list):
        return [s for s in raw["signifiers"] if isinstance(s, dict)]
    if isinstance(raw, dict) and isinstance(raw.get("sections"), list):
        sections = [s for s in raw["sections"] if isinstance(s, dict)]
        sections.sort(key=lambda s: _order(s.get("order")))
        return [s for sec in sections for s in (sec.get("signifiers") or []) if isinstance(s, dict)]
    if isinstance(raw, list) and raw and isinstance(raw[0], dict) and "settings" in raw[0]:
        message = (
            "det här är en layoutfil (…_Layout.json), ingen definition / this is a layout file, not a definition: "
            "ge definitionen / give the definition (…_Definition.json)"
        )
    else:
        message = "saknas båda / both missing: inte en SenseMaker-definition / not a SenseMaker definition"
    raise InputFileError([Problem(str(path), None, "signifiers/sections", None, message)])


def _order(value: Any) -> float:
    try:
        return float(one(value))
    except (TypeError, ValueError):
        return 0.0


def read_definition(path: Path) -> Definition:
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputFileError(
            [Problem(str(path), None, None, None, f"inte en SenseMaker-definition / not a definition JSON: {exc}")]
        ) from None
    found = signifiers(raw, path)
    declared = str(one(raw.get("fragment_signifier_id")) or "")
    texts = [s for s in found if one(s.get("type")) == "freetext"]
    fragment = _main_text(texts, declared)
    if not fragment:
        raise InputFileError(
            [Problem(str(path), None, "fragment", None, "ingen berättelsetext / no story-text signifier")]
        )
    name = str(one(raw.get("name")) or path.stem)
    fw = Framework(name, plain(raw.get("description")) or name, str(one(raw.get("language")) or "en"))
    out = Definition(fw, fragment)
    for s in found:
        _add(out, s, path)
    if declared and declared != fragment:
        out.notes.append(
            f"fragment_signifier_id {declared!r} är ingen fritext / is not a free text; "
            f"huvudtext / main text: {fragment!r}"
        )
    linked = raw.get("linked_frameworks") if isinstance(raw, dict) else None
    if isinstance(linked, list) and linked:
        out.notes.append(
            f"länkade ramverk / linked frameworks: {len(linked)} hoppades över / skipped (importera var för sig / "
            "import each on its own)"
        )
    return out


def _main_text(texts: list[JsonObject], declared: str) -> str:
    ids = [str(one(s.get("id"))) for s in texts]
    if declared in ids:
        return declared
    fragments = [sid for sid, s in zip(ids, texts, strict=True) if one(s.get("fragment"))]
    return fragments[0] if fragments else ""


def _add(out: Definition, s: JsonObject, path: Path) -> None:
    kind, sid = one(s.get("type")), str(one(s.get("id")))
    content = _dict(s.get("content"))
    if kind in LAYOUT or sid == out.fragment:
        return
    questions = _questions(out, kind, sid, s, content)
    if questions is None:
        out.skipped[sid] = (str(kind), plain(s.get("title")))
        return
    for q in questions:
        check_question(q, f"{path}, signifier {sid}")
        out.framework.questions.append(q)


def _title(s: JsonObject, sid: str) -> str:
    return plain(s.get("title")) or plain(s.get("name")) or sid


def _questions(out: Definition, kind: Any, sid: str, s: JsonObject, content: JsonObject) -> list[Question] | None:
    title, allow_na = _title(s, sid), bool(one(s.get("allow_na")))
    if kind in ("triad", "dyad"):
        labels = [
            Option(str(one(lab["id"])), plain(lab.get("text"))) for lab in _items(content.get("labels")) if "id" in lab
        ]
        return [Question(sid, kind, title, labels, allow_na=allow_na)]
    if kind == "list":
        return [_list(out, sid, title, allow_na, content)]
    if kind == "imageselect":
        images = [str(one(i.get("default") or i.get("id") or "")) for i in _items(content.get("items"))]
        options = [Option(url, url.rsplit("/", 1)[-1] or url) for url in dict.fromkeys(u for u in images if u)]
        return [Question(sid, "choice", title, options, allow_na=allow_na, max=1)]
    if kind in ("freetext", "uniqueid"):
        return [Question(sid, "text", title, allow_na=allow_na)]
    if kind == "stones":
        return _stones(out, sid, title, allow_na, content)
    return None


def _dict(value: Any) -> JsonObject:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[JsonObject]:
    """Items or labels: a list of dicts; R writes an empty ``{}`` where there are none."""
    return [i for i in value if isinstance(i, dict)] if isinstance(value, list) else []


def _list(out: Definition, sid: str, title: str, allow_na: bool, content: JsonObject) -> Question:
    raw_items = _items(content.get("items"))
    items = [Option(str(one(i["id"])), plain(i.get("title"))) for i in raw_items if "id" in i]
    links = {str(one(i["id"])): str(one(i["other_signifier_id"])) for i in raw_items if i.get("other_signifier_id")}
    if links:
        out.others[sid] = links
    most, least = one(content.get("max_responses")), one(content.get("min_responses"))
    most = _count(most)
    return Question(
        sid,
        "choice",
        title,
        items,
        allow_na=allow_na,
        multi=most is None or most > 1,
        max=most,
        min=_count(least),
    )


def _count(value: Any) -> int | None:
    """``max_responses``/``min_responses``: a whole number, or none when blank or unreadable."""
    try:
        return int(float(value)) if value not in (None, "", [], {}) else None
    except (TypeError, ValueError):
        return None


def _stones(out: Definition, sid: str, title: str, allow_na: bool, content: JsonObject) -> list[Question]:
    axis = _dict(content.get("axis"))
    poles = []
    for name in ("x", "y"):
        a = _dict(axis.get(name))
        poles.append(Option(name, plain(a.get("name")) or name))
    found = []
    for stone in _items(content.get("stones")):
        qid = f"{sid}_{one(stone.get('id'))}"
        out.stones[qid] = (sid, str(one(stone.get("id"))))
        found.append(Question(qid, "stone", f"{title}: {plain(stone.get('title'))}", poles, allow_na=allow_na))
    return found


def skipped_notes(d: Definition, counts: dict[str, int]) -> list[str]:
    """One line per signifier that could not be stored, with how many answers it held."""
    lines = []
    for sid, (kind, title) in d.skipped.items():
        name = SKIPPED_NAMES.get(kind, f"okänd typ/unknown type {kind!r}")
        lines.append(
            f"{name} {title!r} [{sid}]: {counts.get(sid, 0)} svar hoppades över / answers skipped "
            "(kan inte lagras / cannot be stored)"
        )
    return lines
