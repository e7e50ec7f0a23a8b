"""Signifier frameworks: the questions a story is signified with.

A framework is plain data (YAML or JSON, schema in ``schema/framework.schema.json``). Question
kinds: ``triad`` (three corners, a point as three proportions summing to 1), ``dyad`` (two
poles, a value 0–1), ``choice`` (single or multi, with min/max), ``text`` (a follow-up) and
``stone`` (one stone placed on a 2-D canvas: x and y in 0–1, its two axes as options).
The story itself (title and text) is not a question. N/A is allowed per question and stored
as N/A, never as a number. Question ids are the ids the question had in its source, so
patterns and exports speak the source's language.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from insightbank.errors import ValidationError
from insightbank.schema.json import JsonObject

KINDS = ("triad", "dyad", "choice", "text", "stone")
CORNERS = {"triad": 3, "dyad": 2, "stone": 2}
OPTION_KEYS = {"triad": "corners", "dyad": "poles", "choice": "options", "stone": "axes"}


@dataclass(frozen=True)
class Option:
    """A triad corner, a dyad pole or a choice item."""

    id: str
    label: str


@dataclass
class Question:
    id: str
    kind: str
    title: str
    options: list[Option] = field(default_factory=list)
    allow_na: bool = False
    multi: bool = False
    min: int | None = None
    max: int | None = None
    about: str = "story"  # whose answer: story, participant, annotation or eliciting (NarraFirma's roles)

    def label_of(self, option_id: str) -> str:
        return next((o.label for o in self.options if o.id == option_id), option_id)

    def option_index(self) -> dict[str, int]:
        return {o.id: i for i, o in enumerate(self.options)}


@dataclass
class Prompt:
    """A prompting (eliciting) question: what the teller was asked to tell about."""

    id: str
    text: str


@dataclass
class Framework:
    name: str
    title: str
    language: str = "sv"
    prompts: list[Prompt] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    description: str = ""

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        known = ", ".join(q.id for q in self.questions)
        raise ValidationError(
            f"Ramverket {self.name!r} har ingen fråga / has no question {question_id!r} (finns / known: {known})"
        )

    def to_dict(self) -> JsonObject:
        """The framework in the shape of ``schema/framework.schema.json`` (YAML/JSON files)."""
        out: JsonObject = {"name": self.name, "title": self.title, "language": self.language}
        if self.description:
            out["description"] = self.description
        if self.prompts:
            out["prompts"] = [asdict(p) for p in self.prompts]
        out["questions"] = [_question_dict(q) for q in self.questions]
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)


def _question_dict(q: Question) -> JsonObject:
    out: JsonObject = {"id": q.id, "type": q.kind, "title": q.title}
    key = OPTION_KEYS.get(q.kind)
    if key:
        out[key] = [{"id": o.id, "label": o.label} for o in q.options]
    if q.allow_na:
        out["allow_na"] = True
    if q.multi:
        out["multi"] = True
    out |= {k: v for k, v in (("min", q.min), ("max", q.max)) if v is not None}
    if q.about != "story":
        out["about"] = q.about
    return out


def _options(raw: Any, where: str) -> list[Option]:
    out = []
    for i, item in enumerate(raw or []):
        if isinstance(item, str):
            out.append(Option(item, item))
        elif isinstance(item, dict) and "id" in item:
            out.append(Option(str(item["id"]), str(item.get("label", item["id"]))))
        else:
            raise ValidationError(f"{where}: alternativ / option {i + 1} behöver id / needs an id: {item!r}")
    return out


def _question(raw: JsonObject, where: str) -> Question:
    kind = raw.get("type", raw.get("kind"))
    if kind not in KINDS:
        raise ValidationError(
            f"{where}: okänd frågetyp / unknown question type {kind!r} (välj / choose {', '.join(KINDS)})"
        )
    if not raw.get("id"):
        raise ValidationError(f"{where}: frågan saknar id / the question has no id")
    options = _options(raw.get("corners") or raw.get("poles") or raw.get("options") or raw.get("axes"), where)
    q = Question(
        id=str(raw["id"]),
        kind=kind,
        title=str(raw.get("title", raw["id"])),
        options=options,
        allow_na=bool(raw.get("allow_na", False)),
        multi=bool(raw.get("multi", False)),
        min=raw.get("min"),
        max=raw.get("max"),
        about=str(raw.get("about", "story")),
    )
    check_question(q, where)
    return q


def check_question(q: Question, where: str) -> None:
    """Shape rules a schema cannot say well: corner counts, unique ids, min ≤ max."""
    need = CORNERS.get(q.kind)
    if need and len(q.options) != need:
        raise ValidationError(
            f"{where}: {q.kind} {q.id!r} behöver / needs {need} hörn/poler, har / has {len(q.options)}"
        )
    if q.kind == "choice" and not q.options:
        raise ValidationError(f"{where}: flervalsfrågan / choice {q.id!r} har inga alternativ / has no options")
    ids = [o.id for o in q.options]
    if len(set(ids)) != len(ids):
        raise ValidationError(f"{where}: {q.id!r} har dubbla alternativ-id / duplicate option ids")
    if q.min is not None and q.max is not None and q.min > q.max:
        raise ValidationError(f"{where}: {q.id!r} min {q.min} > max {q.max}")


def from_dict(raw: JsonObject, where: str = "ramverk/framework") -> Framework:
    if not isinstance(raw, dict) or not raw.get("name"):
        raise ValidationError(f"{where}: ett ramverk behöver ett namn / a framework needs a name")
    questions = [_question(q, f"{where}, fråga/question {i + 1}") for i, q in enumerate(raw.get("questions") or [])]
    ids = [q.id for q in questions]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValidationError(f"{where}: dubbla fråge-id / duplicate question ids {dupes}")
    prompts = [
        Prompt(str(p["id"]), str(p.get("text", p["id"]))) if isinstance(p, dict) else Prompt(f"p{i + 1}", str(p))
        for i, p in enumerate(raw.get("prompts") or [])
    ]
    return Framework(
        name=str(raw["name"]),
        title=str(raw.get("title", raw["name"])),
        language=str(raw.get("language", "sv")),
        prompts=prompts,
        questions=questions,
        description=str(raw.get("description", "")),
    )


def from_json(text: str) -> Framework:
    """A framework as stored in the bank (:meth:`Framework.to_json`)."""
    return from_dict(json.loads(text))


def load(path: Path) -> Framework:
    """A framework file, YAML or JSON."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValidationError(f"{path}: kan inte läsa ramverket / cannot read the framework: {exc}") from None
    return from_dict(raw, str(path))


def shipped_names() -> list[str]:
    folder = resources.files("insightbank.schema") / "frameworks"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def shipped(name: str) -> Framework:
    """One of the Swedish frameworks that come with insightbank (``schema/frameworks``)."""
    if name not in shipped_names():
        raise ValidationError(
            f"Inget medföljande ramverk / no shipped framework {name!r} (finns / known: {', '.join(shipped_names())})"
        )
    text = (resources.files("insightbank.schema") / "frameworks" / f"{name}.yaml").read_text(encoding="utf-8")
    return from_dict(yaml.safe_load(text), f"schema/frameworks/{name}.yaml")


def schema() -> JsonObject:
    text = (resources.files("insightbank.schema") / "framework.schema.json").read_text(encoding="utf-8")
    return dict(json.loads(text))
