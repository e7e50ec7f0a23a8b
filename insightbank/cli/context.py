"""What every command gets: the chosen bank (opened lazily), the language and the actor."""

from __future__ import annotations

import os
from functools import cached_property

import click

from insightbank.bank import open_bank
from insightbank.config import current_actor, resolve_db_url
from insightbank.storage.engine import Bank
from insightbank.vocabulary import Vocabulary

LANGS = ("sv", "en")


class AppContext:
    def __init__(self, db: str | None, lang: str | None) -> None:
        self.db_option = db
        self.lang = lang or os.environ.get("INSIGHTBANK_LANG", "sv")
        self.actor = current_actor()

    @cached_property
    def url(self) -> str:
        return resolve_db_url(self.db_option)

    @cached_property
    def bank(self) -> Bank:
        return open_bank(self.url)

    def vocab(self) -> Vocabulary:
        from insightbank import vocabulary

        with self.bank.reading() as conn:
            return vocabulary.load(conn)

    def close(self) -> None:
        if "bank" in self.__dict__:
            self.bank.dispose()


pass_app = click.make_pass_decorator(AppContext)


def split_values(values: tuple[str, ...] | list[str] | None) -> list[str]:
    """Repeated options and ``;``-separated values, flattened."""
    out: list[str] = []
    for value in values or ():
        out.extend(v.strip() for v in value.split(";") if v.strip())
    return out
