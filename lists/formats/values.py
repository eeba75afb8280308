"""Field values as official lists write them, cleaned into the entry model's parts.

Shared by the list parsers: whitespace and placeholder clean-up, the
numbered multi-values of UK lists ("(1) Russia (2) Ukraine"), countries,
name languages, and identifier types read from a number's label and shape
(a Russian INN is 10 or 12 digits, an OGRN 13 or 15).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache

import pycountry

from screening.core.countries import to_iso2
from screening.core.model import Country, CountryRole, Identifier, IdentifierType

# Cell contents that mean "nothing here" on some list or other.
# ("na" is not among them: it is Namibia's ISO code.)
_EMPTY = {"", "-", "--", "n/a", "none", "null", "nil", "unknown", "-0-"}
# "(1)", "(1-3)", "(1) to (6)"; one or two digits, so "(495)" in a phone number is not one.
_NUMBERED = re.compile(
    r"\(\s*\d{1,2}\s*(?:(?:-|–|to)\s*\d{1,2}\s*)?\)(?:\s*(?:to|-|–)\s*\(\s*\d{1,2}\s*\))?\s*"
)


def clean(value: object) -> str | None:
    """The value as stripped text with runs of whitespace made one space, or None when empty."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).replace("\u00a0", " ").replace("\u202f", " ")
    text = " ".join(text.split())
    if text.lower() in _EMPTY:
        return None
    return text


def clean_name(value: object) -> str | None:
    """A cleaned name without the quotes some lists wrap around it ('"KOMID"' is KOMID)."""
    text = clean(value)
    if text and len(text) > 2 and text[0] in "\"'“«" and text[-1] in "\"'”»":
        text = clean(text[1:-1])
    return text


def split_numbered(value: object) -> list[str]:
    """The items of a UK-style numbered value ("(1) A (2) B", "(1-3) A (4) B"), cleaned.

    A value without numbering is one item. Trailing full stops, which the
    lists put between items, are dropped.
    """
    text = clean(value)
    if text is None:
        return []
    parts = _NUMBERED.split(text)
    items = [clean(part.strip(" .;,")) for part in parts]
    return [item for item in items if item]


def unique(items: Iterable[str | None]) -> tuple[str, ...]:
    """The non-empty items, each once, in first-seen order."""
    return tuple(dict.fromkeys(item for item in items if item))


def country(label: str | None, role: CountryRole) -> Country | None:
    """A :class:`Country` for a list's country text; "XX" when the text names no country we know."""
    text = clean(label)
    if text is None:
        return None
    return Country(code=to_iso2(text) or "XX", role=role, label=text)


def country_code(value: str | None) -> str | None:
    """The ISO code for an ISO code or country name, or None ("00", the EU's "unknown", included)."""
    text = clean(value)
    if text is None or text == "00":
        return None
    return to_iso2(text)


@cache
def language_code(label: str | None) -> str | None:
    """The ISO 639-1 code (or 639-3 when there is none) for a language name such as "Russian"."""
    text = clean(label)
    if text is None:
        return None
    for part in re.split(r"[/,]", text):
        try:
            language = pycountry.languages.lookup(part.strip())
        except LookupError:
            continue
        code = getattr(language, "alpha_2", None) or getattr(language, "alpha_3", None)
        if code:
            return str(code).lower()
    return None


def is_latin(text: str) -> bool:
    """True when every letter in ``text`` is Latin script (accents allowed)."""
    for char in text:
        if char.isalpha() and not unicodedata.name(char, "").startswith("LATIN"):
            return False
    return True


# Labels in front of registration numbers, and the identifier type each names.
# When the words before a number hold several labels, the one nearest the
# number wins ("Registration Number/OGRN: 105..." is an OGRN).
_LABELS: tuple[tuple[re.Pattern[str], IdentifierType], ...] = (
    (
        re.compile(r"\b(?:OGRN|OGRNIP|PSRN|SRN)\b|ОГРН|State Registration Number", re.I),
        IdentifierType.OGRN,
    ),
    (re.compile(r"\bKPP\b|КПП", re.I), IdentifierType.KPP),
    (re.compile(r"Unified Social Credit|\bUSCC\b", re.I), IdentifierType.USCC),
    (re.compile(r"\bLEI\b|Legal Entity (?:Identifier|Number)", re.I), IdentifierType.LEI),
    (re.compile(r"\bSWIFT\b|\bBIC\b", re.I), IdentifierType.SWIFT),
    (re.compile(r"\bIMO\b", re.I), IdentifierType.IMO),
    (re.compile(r"\b(?:INN|TIN|Tax|Taxpayer|VAT|Fiscal)\b|ИНН|УНН", re.I), IdentifierType.TAX_ID),
    (
        re.compile(r"\b(?:OKTMO|OKPO|BIK|SPARK|ICP|Government Gazette|License|Licence)\b", re.I),
        IdentifierType.OTHER,
    ),
    (
        re.compile(r"regist|company no|company number|\b(?:BR|CR|BRN|CRN|BIN|UEN)\b", re.I),
        IdentifierType.REGISTRATION,
    ),
)
_RUSSIAN_LABEL = re.compile(r"\b(?:INN|OGRN|KPP|Russia|Russian)\b|ИНН|ОГРН|КПП", re.I)
_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_LEI = re.compile(r"^[A-Z0-9]{18}\d{2}$")
# An id-like token: letters, digits and inner separators.
_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|[./\-](?=[A-Za-z0-9]))*")
_DATE_TOKEN = re.compile(r"^\d{1,2}[./]\d{1,2}[./]\d{4}$")
_INN_KPP = re.compile(r"^(\d{10})/(\d{9})$")
_MIN_DIGITS = 5  # fewer digits are house numbers, licence counters, list item numbers


def identifier_type(
    labelled: IdentifierType | None, value: str, *, russian: bool
) -> IdentifierType:
    """The identifier type for a number, from its label (if any) and its shape.

    Russian numbers are told apart by length: INN 10 or 12 digits, OGRN 13
    (OGRNIP 15), KPP 9. Shape alone decides only where the list says the
    number is Russian (``russian``), so a 10-digit number of another country
    is never called an INN.
    """
    digits = value.isdigit()
    if labelled in (None, IdentifierType.TAX_ID, IdentifierType.REGISTRATION) and _USCC.match(
        value
    ):
        return IdentifierType.USCC
    if labelled is IdentifierType.TAX_ID:
        if russian and digits and len(value) in (10, 12):
            return IdentifierType.INN
        return IdentifierType.TAX_ID
    if labelled is IdentifierType.OGRN:
        return (
            IdentifierType.OGRN
            if digits and len(value) in (13, 15)
            else IdentifierType.REGISTRATION
        )
    if labelled in (None, IdentifierType.REGISTRATION) and russian and digits:
        if len(value) in (13, 15):
            return IdentifierType.OGRN
        if labelled is None and len(value) in (10, 12):
            return IdentifierType.INN
        if labelled is None and len(value) == 9:
            return IdentifierType.KPP
    if labelled is not None:
        return labelled
    if _LEI.match(value) and not digits:
        return IdentifierType.LEI
    return IdentifierType.REGISTRATION


def registration_identifiers(text: str | None, *, russian: bool) -> list[Identifier]:
    """The numbers in a free-text registration field, each typed by its label and shape.

    Handles what the UK lists write: "(1) OGRN: 1027700456024 (2) INN: 7725075060",
    "TIN - 7703104630", "9709056472 - Russia INN", "7704734000/770301001 (Russia)".
    Dates ("dated 27/07/1992") and numbers of fewer than five digits are left out.
    """
    value = clean(text)
    if value is None:
        return []
    tokens = [
        m for m in _TOKEN.finditer(value) if sum(c.isdigit() for c in m.group(0)) >= _MIN_DIGITS
    ]
    out: list[Identifier] = []
    previous_end = 0
    for index, match in enumerate(tokens):
        token = match.group(0)
        before = value[previous_end : match.start()]
        previous_end = match.end()
        if _DATE_TOKEN.match(token):
            continue
        next_start = tokens[index + 1].start() if index + 1 < len(tokens) else len(value)
        after = value[match.end() : next_start]
        label, label_text = _label(before)
        if label is None:
            # "9709056472 - Russia INN": a label right after the number.
            trailing = re.match(r"^\s*[-–:]?\s*(?:Russia\s+)?[A-Za-zА-Яа-я/]+", after)
            if trailing:
                label, label_text = _label(trailing.group(0))
        is_russian = russian or bool(_RUSSIAN_LABEL.search(before + after))
        pair = _INN_KPP.match(token)
        if pair and is_russian:
            out.append(Identifier(IdentifierType.INN, pair.group(1), country="RU"))
            out.append(Identifier(IdentifierType.KPP, pair.group(2), country="RU"))
            continue
        kind = identifier_type(label, token, russian=is_russian)
        note = label_text if kind in (IdentifierType.OTHER, IdentifierType.TAX_ID) else None
        out.append(Identifier(kind, token, country=default_country(kind), note=note))
    return list(dict.fromkeys(out))


def _label(text: str) -> tuple[IdentifierType | None, str | None]:
    """The identifier type named nearest the end of ``text`` (the words before a number)."""
    best: tuple[int, IdentifierType] | None = None
    for pattern, kind in _LABELS:
        for found in pattern.finditer(text):
            if best is None or found.start() > best[0]:
                best = (found.start(), kind)
    if best is None:
        return None, None
    note = text[best[0] :].strip(" :-–(")
    if note.count(")") > note.count("("):
        note = note.rstrip(" )")
    return best[1], clean(note)


def default_country(kind: IdentifierType) -> str | None:
    """The country an identifier type implies on its own: Russian INN, OGRN and KPP are RU."""
    return "RU" if kind in (IdentifierType.INN, IdentifierType.OGRN, IdentifierType.KPP) else None


def document_type(text: str | None) -> IdentifierType:
    """The identifier type a document name describes ("Passport", "Numéro de passeport", "tazkira")."""
    value = (clean(text) or "").lower()
    if re.search(r"pass(?:port|eport)|pasaporte|laissez", value):
        return IdentifierType.PASSPORT
    if re.search(r"fiscal|tax|\btin\b|\binn\b", value):
        return IdentifierType.TAX_ID
    if re.search(
        r"identi|\bid\b|tazkira|civil|national|social security|personalausweis|citizen", value
    ):
        return IdentifierType.NATIONAL_ID
    return IdentifierType.OTHER


def iter_text(values: Iterable[object]) -> Iterator[str]:
    """The cleaned, non-empty texts among ``values``."""
    for value in values:
        text = clean(value)
        if text:
            yield text
