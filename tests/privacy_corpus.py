"""The personal-data corpus of issue 12: forms that must be found, and look-alikes that must not.

Shared by the scanner test and the export-path tests (tests/test_privacy_corpus.py). ``NAMES``
is the name list the bank is given.
"""

from __future__ import annotations

NAMES = ("Anna", "Svensson", "Kim", "Bo", "Per")

#: (text, the personal datum in it that must not leave)
POSITIVE: list[tuple[str, str]] = [
    # personal identity and coordination numbers
    ("pnr 811218-9876", "811218-9876"),
    ("pnr 811218–9876 (en dash)", "811218–9876"),
    ("pnr 811218—9876", "811218—9876"),
    ("pnr 811218 9876", "811218 9876"),
    ("pnr 811218\u00a09876", "811218\u00a09876"),
    ("pnr 811218\u20119876", "811218\u20119876"),
    ("pnr 811218\u22129876", "811218\u22129876"),
    ("pnr 19811218-9876", "19811218-9876"),
    ("pnr 198112189876", "198112189876"),
    ("pnr 8112189876", "8112189876"),
    ("pnr 811218+9876", "811218+9876"),
    ("pnr 811218 - 9876", "811218 - 9876"),
    ("samordningsnummer 811278-9873", "811278-9873"),
    ("samordningsnummer 19811278–9873", "19811278–9873"),
    ("pnr ８１１２１８-９８７６", "８１１２１８-９８７６"),
    # phone numbers
    ("ring 070-123 45 67", "070-123 45 67"),
    ("ring 0701234567", "0701234567"),
    ("ring +46 70 123 45 67", "+46 70 123 45 67"),
    ("ring +46701234567", "+46701234567"),
    ("ring 08-123 456 78", "08-123 456 78"),
    ("ring 031-12 34 56", "031-12 34 56"),
    ("ring (070) 123 45 67", "070) 123 45 67"),
    ("ring 070/123 45 67", "070/123 45 67"),
    ("ring 070.123 45 67", "070.123 45 67"),
    ("ring 070–123 45 67", "070–123 45 67"),
    ("ring +46 (0)70 123 45 67", "+46 (0)70 123 45 67"),
    ("ring 0046 70 123 45 67", "0046 70 123 45 67"),
    ("ring +46-70-123 45 67", "+46-70-123 45 67"),
    ("ring 08–123 456 78", "08–123 456 78"),
    ("ring 0708\u00a0123\u00a0456", "0708\u00a0123\u00a0456"),
    # e-mail
    ("skriv till anna.svensson@grums.se", "anna.svensson@grums.se"),
    ("skriv till anna.svensson(at)grums.se", "anna.svensson(at)grums.se"),
    ("skriv till anna.svensson [at] grums.se", "anna.svensson [at] grums.se"),
    ("skriv till kim(at)grums(dot)se", "kim(at)grums(dot)se"),
    ("skriv till KIM.L@GRUMS.SE", "KIM.L@GRUMS.SE"),
    ("skriv till kim_l (snabel-a) example.se", "kim_l (snabel-a) example.se"),
    # names from the list, in any case and the genitive
    ("det sa anna till oss", "anna"),
    ("Annas mamma kom", "Annas"),
    ("familjen Svenssons hus", "Svenssons"),
    ("ANNA ringde", "ANNA"),
    ("hos svensson", "svensson"),
    ("Kims pappa", "Kims"),
    ("Bo ringde", "Bo"),
    ("sa BO", "BO"),
    # local term codes
    ("familjen_svensson_811218_9876", "811218_9876"),
    ("kontakt_0701234567", "0701234567"),
]
#: texts with a personal datum hidden in a local term code: both parts must go
CODE_PARTS = {"familjen_svensson_811218_9876": ("svensson", "811218_9876")}

LOOK_ALIKE: list[str] = [
    "05 10 15 20 25",
    "10 20 30 40 50",
    "08 10 12 14 16",
    "Öppet 08.00-16.30",
    "Öppet 08.00–16.30 vardagar",
    "Möte 2026-03-14 kl 10-12",
    "Möte 08.11.2025 och 01.02.2025",
    "Budget 2025: 1 200 000 kr, 45 % fler",
    "671 81 Arvika",
    "Dnr 2024/0123",
    "SFS 2001:453",
    "Kommunens org.nr 212000-1769",
    "Fel kontrollsiffra 811218-9875",
    "Månad 13: 811318-9876",
    "Perioden 2019–2025",
    "Vi bor i Grums",
    "250 kr per månad",
    "Annika och Kimono-gruppen",
    "version 0.10.2 av 2024",
    "kansli@jouren.example",  # a role mailbox in a contact field (contact=True)
]
