"""The import screen's conflict, trust and preview texts (Swedish, English): a part of the TUI's
catalogue, merged into :data:`insightbank.tui.i18n.STRINGS` (one catalogue, kept in modules for size)."""

from __future__ import annotations

FIELDS: dict[str, tuple[str, str]] = {
    "statement": ("Insikt", "Statement"),
    "perspectives": ("Perspektiv", "Perspectives"),
    "description": ("Beskrivning", "Description"),
    "subpopulations": ("Delpopulationer", "Subpopulations"),
    "shifts": ("Förflyttningar", "Shifts"),
    "themes": ("Teman", "Themes"),
    "cross_cutting": ("Tvärgående", "Cross-cutting"),
    "study_id": ("Studie (id)", "Study (id)"),
    "municipality": ("Kommun", "Municipality"),
    "organisation_type": ("Organisationstyp", "Organisation type"),
    "date": ("Datum", "Date"),
    "sensitivity": ("Känslighet", "Sensitivity"),
    "status": ("Status", "Status"),
    "quotes": ("Citat", "Quotes"),
    "title": ("Titel", "Title"),
    "organisation": ("Organisation", "Organisation"),
    "methods": ("Metoder", "Methods"),
    "period_start": ("Period från", "Period from"),
    "period_end": ("Period till", "Period to"),
    "participants": ("Deltagare", "Participants"),
    "perspectives_reached": ("Nådda perspektiv", "Perspectives reached"),
    "contact": ("Kontakt", "Contact"),
    "raw_material_location": ("Råmaterialet finns", "Raw material kept at"),
}

PAIRS: dict[str, tuple[str, str]] = {
    **{f"conflict.field_{name}": pair for name, pair in FIELDS.items()},
    # the conflict list on the import screen
    "conflicts.title": ("Olösta konflikter", "Unresolved conflicts"),
    "conflicts.none": ("Inga olösta konflikter.", "No unresolved conflicts."),
    "conflicts.count": (
        "{n} poster ändrades både här och hos avsändaren. Enter öppnar en.",
        "{n} records changed both here and at the sender. Enter opens one.",
    ),
    "conflicts.col_sender": ("Avsändare", "Sender"),
    "conflicts.col_kind": ("Typ", "Kind"),
    "conflicts.col_theirs": ("Deras version", "Their version"),
    "conflicts.resolved": ("Löst: {done} (vald av {actor}).", "Resolved: {done} (chosen by {actor})."),
    # the conflict modal
    "conflict.title": ("Konflikt: {entity} {id} från {sender}", "Conflict: {entity} {id} from {sender}"),
    "conflict.entity_insight": ("insikt", "insight"),
    "conflict.entity_study": ("studie", "study"),
    "conflict.hint": (
        "≠ skiljer sig · o behåll vår · t ta deras · m slå samman (Enter på ett fält: vilken sida) · Esc avbryter",
        "≠ differs · o keep ours · t take theirs · m merge (Enter on a field: which side) · Esc cancels",
    ),
    "conflict.deletion_hint": (
        "Avsändaren har raderat posten. o behåll vår (blir vår egen) · t radera även här · Esc avbryter",
        "The sender deleted the record. o keep ours (it becomes our own) · t delete it here too · Esc cancels",
    ),
    "conflict.col_field": ("Fält", "Field"),
    "conflict.col_merge": ("Samman", "Merge"),
    "conflict.ours": ("Vår", "Ours"),
    "conflict.theirs": ("Deras", "Theirs"),
    "conflict.pick_ours": ("vår", "ours"),
    "conflict.pick_theirs": ("deras", "theirs"),
    "conflict.pick_both": ("båda", "both"),
    "conflict.keep_ours": ("Behåll vår", "Keep ours"),
    "conflict.keep_theirs": ("Ta deras", "Take theirs"),
    "conflict.merge": ("Slå samman", "Merge"),
    "conflict.cancel": ("Avbryt", "Cancel"),
    "conflict.no_merge": (
        "En radering kan inte slås samman: behåll vår eller ta deras.",
        "A deletion cannot be merged: keep ours or take theirs.",
    ),
    "conflict.deleted": ("(raderad hos avsändaren)", "(deleted at the sender)"),
    "conflict.not_here": ("(finns inte här längre)", "(no longer here)"),
    "binding.keep_ours": ("Behåll vår", "Keep ours"),
    "binding.keep_theirs": ("Ta deras", "Take theirs"),
    "binding.merge": ("Slå samman", "Merge"),
    "binding.conflicts": ("Konflikterna", "The conflicts"),
    "binding.preview": ("Förhandsgranska", "Preview"),
    # trust after a refusal, and the preview
    "trust.question": (
        "Importen stoppades: {reason}\n\nLita på avsändaren {sender}, fingeravtryck {fingerprint}?\n"
        "Jämför fingeravtrycket med avsändaren först (telefon, e-post). Ja betror nyckeln för den banken "
        "(som --trust-new-sender) och importerar.",
        "The import was stopped: {reason}\n\nTrust the sender {sender}, fingerprint {fingerprint}?\n"
        "Check the fingerprint with the sender first (phone, e-mail). Yes trusts the key for that bank "
        "(as --trust-new-sender) and imports.",
    ),
    "trust.unsigned_question": (
        "Importen stoppades: {reason}\n\nImportera det osignerade paketet från {sender} ändå?\n"
        "Ingen kan visa att det kommer från avsändaren. Ja importerar det (som --allow-unsigned).",
        "The import was stopped: {reason}\n\nImport the unsigned package from {sender} anyway?\n"
        "Nobody can show that it comes from the sender. Yes imports it (as --allow-unsigned).",
    ),
    "trust.declined": (
        "Inget importerades; avsändaren betroddes inte.",
        "Nothing was imported; the sender was not trusted.",
    ),
    "transfer.preview": ("Förhandsgranska", "Preview"),
    "preview.title": ("Förhandsgranskning av {name}", "Preview of {name}"),
    "preview.counts": (
        "Importen skulle skapa {created}, uppdatera {updated}, radera {deleted} och ge {conflicts} konflikter "
        "({skipped} oförändrade). Inget har skrivits än.",
        "The import would create {created}, update {updated}, delete {deleted} and leave {conflicts} conflicts "
        "({skipped} unchanged). Nothing has been written yet.",
    ),
    "preview.go_on": ("Importera", "Import"),
    "preview.cancelled": ("Förhandsgranskat; inget importerades.", "Previewed; nothing was imported."),
    # the dashboard's recent imports
    "dashboard.kind_package": ("paket", "package"),
    "dashboard.kind_sheet": ("kalkylark", "spreadsheet"),
    "dashboard.kind_stories": ("berättelser", "stories"),
}
