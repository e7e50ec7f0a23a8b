"""Swedish and English are both complete; UI text goes through ``t()``."""

from __future__ import annotations

import re
from pathlib import Path

from insightbank.tui.i18n import STRINGS, t

TUI = Path(__file__).resolve().parents[1] / "tui"
KEY = re.compile(r"""\bt\(\s*f?["']([a-z_]+\.[a-z_{}]+)["']""")
BINDING = re.compile(r"""Binding\([^)]*?["']((?:binding|screen)\.[a-z_]+)["']""")
NAMED = re.compile(r"""["']((?:screen|help)\.[a-z_]+)["']""")
#: widgets whose first argument is shown to the user
LITERAL = re.compile(r"""\b(?:Label|Button|Static|Checkbox|RadioButton|TabPane)\(\s*["'][A-Za-zÅÄÖåäö]""")
PLACEHOLDER = re.compile(r"""(?:placeholder|prompt|title|description)=["'][A-Za-zÅÄÖåäö]""")


def sources() -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in TUI.rglob("*.py")}


def used_keys() -> set[str]:
    keys: set[str] = set()
    for text in sources().values():
        for found in (*KEY.findall(text), *BINDING.findall(text), *NAMED.findall(text)):
            if "{" in found:  # f-string keys: settings.lang_{lang}
                prefix = found.split("{")[0]
                keys |= {k for k in STRINGS["sv"] if k.startswith(prefix)}
            else:
                keys.add(found)
    return keys


def test_both_languages_have_the_same_non_empty_keys() -> None:
    assert set(STRINGS["sv"]) == set(STRINGS["en"])
    for lang, strings in STRINGS.items():
        assert all(value.strip() for value in strings.values()), lang


def test_every_key_used_in_the_tui_has_a_translation() -> None:
    used = used_keys()
    assert len(used) > 100
    for lang in ("sv", "en"):
        missing = sorted(k for k in used if k not in STRINGS[lang])
        assert not missing, f"{lang} lacks {missing}"


def test_every_binding_description_is_a_key() -> None:
    from insightbank.tui.keymap import binding_groups

    for _title, bindings in binding_groups():
        for binding in bindings:
            assert binding.description in STRINGS["sv"], binding


def test_no_literal_user_facing_strings_in_widgets() -> None:
    offenders = [
        f"{path.name}:{m.group(0)}"
        for path, text in sources().items()
        for m in (*LITERAL.finditer(text), *PLACEHOLDER.finditer(text))
    ]
    assert not offenders


def test_swedish_keeps_å_ä_ö() -> None:
    assert "ä" in STRINGS["sv"]["screen.coverage"]
    assert t("missing.key") == "missing.key"


def test_every_text_key_is_used() -> None:
    """Texts of retired features go with them (bindings are looked up by description)."""
    used = used_keys()
    unused = sorted(k for k in STRINGS["sv"] if k not in used and not k.startswith("binding."))
    assert not unused
