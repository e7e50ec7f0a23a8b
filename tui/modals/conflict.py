"""One import conflict, theirs and ours field by field; returns the person's choice.

``o`` keeps ours, ``t`` takes theirs, ``m`` merges: per field the side the CLI's ``--keep merge``
takes (tags and quotes from both, else ours where filled in), and Enter on a field changes it
(ours → theirs → both). The screen resolves through :func:`insightbank.tui.conflict_services.resolve`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Static

from insightbank.tui.base import BankModal
from insightbank.tui.conflict_services import ConflictView, FieldView, entity_label
from insightbank.tui.format import short
from insightbank.tui.i18n import t


@dataclass(frozen=True)
class Resolution:
    """What the person chose: ``keep`` (ours, theirs, merge) and, for a merge, the fields they changed."""

    keep: str
    picks: dict[str, str] = field(default_factory=dict)


def pick_label(pick: str) -> str:
    """vår / deras / båda: what a merge takes for a field."""
    return t(f"conflict.pick_{pick}")


class ConflictModal(BankModal[Resolution | None]):
    BINDINGS: ClassVar = [
        Binding("o", "choose('ours')", "binding.keep_ours"),
        Binding("t", "choose('theirs')", "binding.keep_theirs"),
        Binding("m", "choose('merge')", "binding.merge"),
        Binding("escape", "cancel", "binding.close"),
    ]

    def __init__(self, view: ConflictView) -> None:
        super().__init__()
        self.view = view
        self.picks: dict[str, str] = {f.name: f.merged for f in view.fields}

    def compose(self) -> ComposeResult:
        view = self.view
        entity = entity_label(view.entity)
        with Vertical(classes="dialog wide", id="conflict"):
            yield Static(
                f"[b]{escape(t('conflict.title', entity=entity, id=view.record_id[:8], sender=view.sender))}[/b]"
            )
            yield Static(t("conflict.deletion_hint") if view.deleted else t("conflict.hint"), classes="dim")
            yield DataTable(id="conflict-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="conflict-field", classes="panel")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("conflict.keep_ours"), id="ours", variant="primary")
                yield Button(t("conflict.keep_theirs"), id="theirs", variant="warning")
                yield Button(t("conflict.merge"), id="merge", disabled=view.deleted)
                yield Button(t("conflict.cancel"), id="cancel")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        wide = self.app.size.width >= 110
        value_width = 30 if wide else 18
        table.add_column(t("conflict.col_field"), width=18 if wide else 17, key="field")
        table.add_column(t("conflict.ours"), width=value_width, key="ours")
        table.add_column(t("conflict.theirs"), width=value_width, key="theirs")
        if not self.view.deleted:
            table.add_column(t("conflict.col_merge"), width=7, key="merge")
        for item in self.view.fields:
            table.add_row(*self._cells(item, value_width), key=item.name)
        table.focus()
        self._show_field(0)

    def _cells(self, item: FieldView, width: int) -> list[Text]:
        style = "bold" if item.differs else "dim"
        cells = [
            Text(("≠ " if item.differs else "  ") + item.label, style=style),
            Text(short(item.ours, width), style=style),
            Text(short(item.theirs, width), style=style),
        ]
        if not self.view.deleted:
            cells.append(Text(pick_label(self.picks[item.name]) if item.differs else "", style=style))
        return cells

    def _show_field(self, row: int) -> None:
        """The highlighted field in full (the table cuts long values)."""
        if not 0 <= row < len(self.view.fields):
            return
        item = self.view.fields[row]
        lines = [
            f"[b]{escape(item.label)}[/b]",
            f"{t('conflict.ours')}: {escape(item.ours)}",
            f"{t('conflict.theirs')}: {escape(item.theirs)}",
        ]
        self.query_one("#conflict-field", Static).update("\n".join(lines))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_field(event.cursor_row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a differing field: which side a merge takes there (ours → theirs → both)."""
        event.stop()
        item = self.view.fields[event.cursor_row]
        if self.view.deleted or not item.differs:
            return
        order = ["ours", "theirs", "both"] if item.both else ["ours", "theirs"]
        self.picks[item.name] = order[(order.index(self.picks[item.name]) + 1) % len(order)]
        table = self.query_one(DataTable)
        table.update_cell(item.name, "merge", Text(pick_label(self.picks[item.name]), style="bold"))

    def chosen_picks(self) -> dict[str, str]:
        """The fields where the person changed what a merge takes (the rest merge as the CLI does)."""
        return {f.name: self.picks[f.name] for f in self.view.fields if f.differs and self.picks[f.name] != f.merged}

    def action_choose(self, keep: str) -> None:
        if keep == "merge" and self.view.deleted:
            self.notify(t("conflict.no_merge"), severity="warning")
            return
        self.dismiss(Resolution(keep, self.chosen_picks() if keep == "merge" else {}))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self.action_choose(str(event.button.id))
