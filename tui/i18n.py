"""Every user-facing string of the TUI, in Swedish (the default) and English.

``t(key, **values)`` looks a key up in the current language. ``tests/test_tui_i18n.py``
fails when a key used in ``tui/`` is missing from either language, when the two languages
have different keys, and when a literal string is put straight into a widget.
"""

from __future__ import annotations

from insightbank import i18n as core_i18n
from insightbank.tui.i18n_imports import PAIRS as IMPORT_PAIRS
from insightbank.tui.i18n_stories import PAIRS as STORY_PAIRS

_PAIRS: dict[str, tuple[str, str]] = {
    # app, palette, screens
    "app.subtitle": ("insiktsbank med berättelseanalys", "insight bank with narrative sensemaking"),
    "app.error": ("Fel", "Error"),
    "error.database": (
        "Databasfel: {detail}. Banken kan vara skadad eller borta; kontrollera filen eller servern.",
        "Database error: {detail}. The bank may be damaged or gone; check the file or the server.",
    ),
    "error.unexpected": ("Oväntat fel ({kind}): {detail}", "Unexpected error ({kind}): {detail}"),
    "screen.dashboard": ("Översikt", "Dashboard"),
    "screen.browser": ("Insikter", "Insights"),
    "screen.capture": ("Ny insikt", "New insight"),
    "screen.studies": ("Studier", "Studies"),
    "screen.coverage": ("Vita fläckar", "White spots"),
    "screen.stories": ("Berättelser", "Stories"),
    "screen.transfer": ("Import/export", "Import/export"),
    "screen.settings": ("Inställningar", "Settings"),
    "palette.go_to": ("Gå till skärmen", "Go to the screen"),
    "palette.help": ("Alla kortkommandon", "Every key binding"),
    "palette.language": ("Byt språk", "Switch language"),
    "palette.key": ("Tangent", "Key"),
    "palette.placeholder": ("Sök kommandon och skärmar …", "Search commands and screens …"),
    # bindings
    "binding.help": ("Hjälp", "Help"),
    "binding.quit": ("Avsluta", "Quit"),
    "binding.import_stories": ("Importera berättelser", "Import stories"),
    "binding.palette": ("Kommandopalett", "Command palette"),
    "binding.show_menu": ("Visa menyn", "Show the menu"),
    "binding.reload": ("Uppdatera", "Reload"),
    "binding.new_insight": ("Ny insikt", "New insight"),
    "binding.search": ("Sök", "Search"),
    "binding.focus_detail": ("Detaljer (rulla)", "Details (scroll)"),
    "binding.next_page": ("Nästa sida", "Next page"),
    "binding.previous_page": ("Föregående sida", "Previous page"),
    "binding.edit": ("Redigera", "Edit"),
    "binding.delete": ("Ta bort", "Delete"),
    "binding.clear_filters": ("Rensa filter", "Clear filters"),
    "binding.save_next": ("Spara och nästa", "Save and next"),
    "binding.cancel": ("Avbryt", "Cancel"),
    "binding.close": ("Stäng", "Close"),
    "binding.yes": ("Ja", "Yes"),
    "binding.no": ("Nej", "No"),
    "binding.add_study": ("Ny studie", "Add study"),
    "binding.open_insights": ("Visa studiens insikter", "Show the study's insights"),
    "binding.register": ("Registrera", "Register"),
    "binding.open_bank": ("Öppna banken", "Open the bank"),
    "binding.venn": ("Venn/värmekarta", "Venn/heatmap"),
    "binding.swap_axes": ("Byt axlar", "Swap axes"),
    "binding.cell_move": ("Flytta mellan celler", "Move between cells"),
    "binding.open_cell": ("Visa cellens insikter", "List the cell's insights"),
    "binding.toggle_perspective": ("Växla perspektiv 1/2/3", "Toggle perspective 1/2/3"),
    "binding.picker_next": ("Nästa förslag", "Next suggestion"),
    "binding.picker_previous": ("Föregående förslag", "Previous suggestion"),
    "binding.triad_move": ("Flytta punkten", "Move the point"),
    "binding.triad_jump": (
        "Hoppa: 8 topp, 1/3 hörn, 4/6/2 kanter, 5 mitten",
        "Jump: 8 top, 1/3 corners, 4/6/2 edges, 5 centre",
    ),
    "binding.dyad_move": ("Flytta reglaget", "Move the slider"),
    "binding.dyad_jump": ("Hoppa: 1 vänster pol, 5 mitten, 9 höger pol", "Jump: 1 left pole, 5 middle, 9 right pole"),
    "binding.not_applicable": ("Ej tillämpligt (N/A)", "Not applicable (N/A)"),
    "binding.collection": ("Byt samling", "Switch collection"),
    "binding.patterns": ("Mönster", "Patterns"),
    "binding.clusters": ("Kluster", "Clusters"),
    "binding.plot": ("Triangeldiagram", "Ternary plot"),
    "binding.capture_story": ("Ny berättelse", "New story"),
    "binding.open_stories": ("Visa berättelserna", "Open the stories"),
    "binding.more": ("Mer av dessa", "More like these"),
    "binding.fewer": ("Färre av dessa", "Fewer like those"),
    "binding.run": ("Kör", "Run"),
    # common
    "common.yes": ("Ja", "Yes"),
    "common.no": ("Nej", "No"),
    "col.statement": ("Insikt", "Insight"),
    "col.perspectives": ("Persp.", "Persp."),
    "col.marks_legend": ("K R I = klienter, riskgrupper, invånare", "C R P = clients, risk groups, the public"),
    "col.municipality": ("Kommun", "Municipality"),
    "col.status": ("Status", "Status"),
    "col.study": ("Studie", "Study"),
    "col.title": ("Titel", "Title"),
    # dashboard
    "dashboard.loading": ("Laddar …", "Loading …"),
    "dashboard.insights": ("{n} insikter", "{n} insights"),
    "dashboard.studies": ("{n} studier", "{n} studies"),
    "dashboard.latest": ("Senaste insikterna", "Latest insights"),
    "dashboard.empty": (
        "Banken är tom. Börja med F4 (ny insikt), F8 (importera en insiktskarta eller ett paket) "
        "eller kör insightbank demo för en svensk demobank.",
        "The bank is empty. Start with F4 (new insight), F8 (import an insight map or a package) "
        "or run insightbank demo for a Swedish demo bank.",
    ),
    "dashboard.empty_spots": (
        "Inga insikter än, så inga vita fläckar att visa.",
        "No insights yet, so no white spots to show.",
    ),
    "dashboard.white_spots": (
        "Största vita fläckarna (perspektiv × målgrupp)",
        "Top white spots (perspective × subpopulation)",
    ),
    "dashboard.no_spots": ("Inga vita fläckar.", "No white spots."),
    "dashboard.imports": ("Senaste importer", "Recent imports"),
    "dashboard.no_imports": ("Inga importer än.", "No imports yet."),
    "dashboard.imports_legend": ("+nya ~ändrade !konflikter", "+new ~updated !conflicts"),
    # browser
    "browser.filters": ("Filter", "Filters"),
    "browser.any": ("alla", "any"),
    "browser.search": ("Sök i text (/) …", "Search the text (/) …"),
    "browser.pager": (
        "Sida {page} av {pages} · {total} insikter · PgUp/PgDn byter sida · {marks}",
        "Page {page} of {pages} · {total} insights · PgUp/PgDn turn pages · {marks}",
    ),
    "browser.no_selection": ("Välj en insikt för att se detaljer.", "Pick an insight to see its details."),
    "browser.no_results": ("Inga insikter passar filtren.", "No insights match the filters."),
    "browser.confirm_delete": (
        "Ta bort insikten?\n\n”{statement}”\n\nDet går inte att ångra.",
        "Delete this insight?\n\n“{statement}”\n\nThis cannot be undone.",
    ),
    "browser.deleted": ("Insikten togs bort.", "The insight was deleted."),
    "detail.evidence": ("Belägg", "Evidence"),
    "detail.stories": ("Länkade berättelser", "Linked stories"),
    "detail.similar": ("Liknande insikter", "Similar insights"),
    "detail.corroboration": ("Bekräftelse", "Corroboration"),
    "detail.none": ("inga", "none"),
    "detail.keys": (
        "Pilar rullar · s liknande insikter · Esc stänger",
        "Arrows scroll · s similar insights · Esc closes",
    ),
    # capture
    "capture.title": ("Ny insikt", "New insight"),
    "capture.edit_title": ("Redigera insikt", "Edit insight"),
    "capture.statement": ("Insikt (formulering)", "Insight (statement)"),
    "capture.statement_hint": (
        "Vad lärde ni er? Skriv insikten, Tab går vidare.",
        "What did you learn? Type it, Tab moves on.",
    ),
    "capture.venn_region": ("Venn-område", "Venn region"),
    "capture.no_region": ("inget perspektiv valt (tryck 1, 2, 3)", "no perspective chosen (press 1, 2, 3)"),
    "capture.only": ("enbart", "only"),
    "capture.no_study": ("ingen studie", "no study"),
    "capture.description": ("Beskrivning", "Description"),
    "capture.quote": ("Citat (belägg)", "Quote (evidence)"),
    "capture.speaker_role": ("Vem sa det (roll, aldrig namn)", "Who said it (role, never a name)"),
    "capture.keys_hint": (
        "Tab nästa fält · 1/2/3 perspektiv · skriv + Enter väljer term · Ctrl+S sparar och börjar nästa · Esc tömmer",
        "Tab next field · 1/2/3 perspectives · type + Enter picks a term · Ctrl+S saves, starts the next · Esc clears",
    ),
    "capture.saving": ("Sparar …", "Saving …"),
    "capture.saved": ("Insikten sparades.", "The insight was saved."),
    "capture.saved_next": (
        "Sparad ({id}). Skriv nästa insikt; studien {study} är kvar.",
        "Saved ({id}). Type the next insight; the study {study} stays.",
    ),
    "capture.saved_no_study": (
        "Sparad. Skriv nästa insikt (ingen studie vald).",
        "Saved. Type the next insight (no study chosen).",
    ),
    "capture.quote_hint": ("Enter lägger till, fler citat på samma sätt", "Enter adds it; more quotes the same way"),
    "capture.quotes_none": ("Inga citat än.", "No quotes yet."),
    "capture.from_study": ("som studien", "as the study"),
    "capture.date": ("Datum", "Date"),
    "capture.date_hint": ("ÅÅÅÅ-MM-DD", "YYYY-MM-DD"),
    "capture.bad_date": ("Datum: {value!r} är inte ÅÅÅÅ-MM-DD", "Date: {value!r} is not YYYY-MM-DD"),
    "capture.confirm_clear": (
        "Tömma formuläret? Det du skrivit sparas inte.",
        "Clear the form? What you typed is not saved.",
    ),
    "capture.confirm_discard_edit": ("Släppa ändringarna? De sparas inte.", "Drop the changes? They are not saved."),
    "capture.confirm_quit": (
        "Ett formulär har osparad text. Avsluta ändå?",
        "A form holds unsaved text. Quit anyway?",
    ),
    "capture.updated": ("Ändringen sparades.", "The change was saved."),
    "picker.placeholder": ("skriv för att söka (sv/en)", "type to search (sv/en)"),
    "picker.none": ("inget valt", "none chosen"),
    # studies
    "studies.search": ("Sök studier (/) …", "Search studies (/) …"),
    "studies.methods": ("Metoder", "Methods"),
    "studies.insights": ("Insikter", "Insights"),
    "studies.count": (
        "{n} studier · a: ny studie · Enter: studiens insikter",
        "{n} studies · a: add · Enter: its insights",
    ),
    "studies.add_title": ("Ny studie: har någon frågat detta förut?", "New study: has anyone asked this before?"),
    "studies.title": ("Vad vill ni ta reda på? (studiens titel)", "What do you want to find out? (the study's title)"),
    "studies.title_hint": ("t.ex. Unga vuxnas väg till stöd", "e.g. How young adults find support"),
    "studies.asked_hint": (
        "Skriv titeln: tidigare studier och insikter om samma sak visas här.",
        "Type the title: earlier studies and insights on the same thing appear here.",
    ),
    "studies.asked_none": (
        "Ingen i banken verkar ha frågat detta förut.",
        "Nobody in the bank seems to have asked this before.",
    ),
    "studies.asked_yes": (
        "Detta har frågats förut, läs och ring innan ni frågar igen:",
        "This has been asked before, read and call before asking again:",
    ),
    "studies.organisation": ("Organisation", "Organisation"),
    "studies.form_keys": ("Ctrl+S registrerar · Esc avbryter", "Ctrl+S registers · Esc cancels"),
    "studies.need_title": ("Studien behöver en titel.", "The study needs a title."),
    "studies.saved": (
        "Studien registrerades och blir standard för nya insikter.",
        "The study was registered and is now the default for new insights.",
    ),
    # coverage map
    "coverage.rows": ("Rader", "Rows"),
    "coverage.period": ("Period", "Period"),
    "coverage.from": ("från ÅÅÅÅ-MM-DD", "from YYYY-MM-DD"),
    "coverage.to": ("till ÅÅÅÅ-MM-DD", "to YYYY-MM-DD"),
    "coverage.bad_date": ("Period: {value!r} är inte ÅÅÅÅ-MM-DD", "Period: {value!r} is not YYYY-MM-DD"),
    "coverage.legend": (
        "[on rgb(120,20,20)] ·0 [/] tom vit fläck  [on rgb(150,90,10)] ·3 [/] färre än väntat/gammal  "
        "[on rgb(20,60,120)] 5 [/] ljusare = fler insikter",
        "[on rgb(120,20,20)] ·0 [/] empty white spot  [on rgb(150,90,10)] ·3 [/] fewer than expected/stale  "
        "[on rgb(20,60,120)] 5 [/] lighter = more insights",
    ),
    "coverage.cols": ("Kolumner", "Columns"),
    "coverage.white_spot": ("Vit fläck:", "White spot:"),
    "coverage.cell": ("{n} insikter i cellen.", "{n} insights in the cell."),
    "coverage.keys": (
        "Pilar flyttar · Enter listar cellens insikter · s byter axlar · v Venn · r uppdatera",
        "Arrows move · Enter lists the cell's insights · s swaps axes · v Venn · r reload",
    ),
    "coverage.cell_count": ("{n} insikter, {shown} visas.", "{n} insights, {shown} shown."),
    "coverage.venn_title": (
        "De sju Venn-områdena (● = perspektivet ingår)",
        "The seven Venn regions (● = perspective included)",
    ),
    "coverage.venn_legend": (
        "Ordning: Klienter/brukare, Riskgrupper, Invånare i allmänhet. Rött = inga insikter.",
        "Order: clients, risk groups, residents in general. Red = no insights.",
    ),
    # settings
    "settings.bank": ("Bank (fil eller databas-URL)", "Bank (file or database URL)"),
    "settings.bank_hint": ("t.ex. ~/grums.sqlite eller postgresql://…", "e.g. ~/grums.sqlite or postgresql://…"),
    "settings.open_bank": ("Öppna bank", "Open bank"),
    "settings.bank_opened": ("Banken öppnades.", "The bank was opened."),
    "settings.language": ("Språk", "Language"),
    "settings.lang_sv": ("Svenska", "Swedish"),
    "settings.lang_en": ("Engelska", "English"),
    "settings.engine": ("Textmotor (likhet mellan insikter)", "Embedding engine (insight similarity)"),
    "settings.engine_saved": ("Textmotorn är nu {name}.", "The engine is now {name}."),
    "settings.engine_env": (
        "INSIGHTBANK_ENGINE är satt och går före bankens inställning.",
        "INSIGHTBANK_ENGINE is set and overrides the bank's setting.",
    ),
    # help
    "help.global": ("Överallt", "Everywhere"),
    "help.capture_widgets": ("Registrering: perspektiv och termväljare", "Capture: perspectives and term pickers"),
    "help.triad": ("Triad", "Triad"),
    "help.dyad": ("Dyad", "Dyad"),
    "help.heatmap": ("Värmekarta", "Heatmap"),
    "help.dialogs": ("Dialoger", "Dialogs"),
    "help.palette": (
        "Ctrl+P öppnar kommandopaletten: alla åtgärder, sökbara.",
        "Ctrl+P opens the command palette: every action, searchable.",
    ),
}

_PAIRS.update(STORY_PAIRS)
_PAIRS.update(IMPORT_PAIRS)

STRINGS: dict[str, dict[str, str]] = {
    "sv": {key: sv for key, (sv, _en) in _PAIRS.items()},
    "en": {key: en for key, (_sv, en) in _PAIRS.items()},
}
LANGUAGES = tuple(STRINGS)


def set_language(lang: str) -> None:
    """The TUI's language is the core's (:mod:`insightbank.i18n`): one state for every text."""
    core_i18n.set_language(lang if lang in STRINGS else "sv")


def language() -> str:
    return core_i18n.language() or "sv"


def t(key: str, **values: object) -> str:
    """The text for ``key`` in the current language (the key itself if it is missing)."""
    text = STRINGS[language()].get(key, key)
    return text.format(**values) if values else text


def core(message: object) -> str:
    """A core message (an ``InsightbankError``'s text) in the current language only."""
    return core_i18n.localise(str(message), language())
