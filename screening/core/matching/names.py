"""Name analysis: one raw name in, typed tokens out.

A token is a folded word (or a recognised phrase) with a class that says how
much it can tell two parties apart: a distinctive name word, a legal form
("OOO" = LLC), a generic word ("trading", "технологии"), a place, a title
("Haji", "General"), a particle ("al", "bin"), a stopword, a number or an
initial. Classes and keys are computed once per list name when the index is
built, and once per query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from screening.core.matching import tables
from screening.core.matching.text import LATIN, fold, script_of, skeleton
from screening.core.model import EntityKind

# Token classes. Plain ints: they are compared millions of times.
NAME = 0
LEGAL = 1
GENERIC = 2
LOCATION = 3
TITLE = 4
PARTICLE = 5
STOP = 6
NUMBER = 7
INITIAL = 8
PATRONYMIC = 9

CLASS_LABELS = {
    NAME: "name",
    LEGAL: "legal form",
    GENERIC: "generic word",
    LOCATION: "place",
    TITLE: "title",
    PARTICLE: "particle",
    STOP: "stopword",
    NUMBER: "number",
    INITIAL: "initial",
    PATRONYMIC: "patronymic",
}
# Classes whose agreement is evidence of identity (the rest only decorate a name).
INFORMATIVE = frozenset({NAME, NUMBER})
CONCEPTS = frozenset({LEGAL, GENERIC, LOCATION})


@dataclass(frozen=True, slots=True)
class Token:
    """One analysed word of a name.

    ``form`` is the folded word, or the canonical label of a recognised phrase
    ("llc"); ``key`` is the phonetic skeleton for name words and ``#label`` for
    concepts, so that retrieval and equality can use one field; ``text`` is
    the folded surface the token came from ("obshchestvo s ogranichennoy ...").
    """

    form: str
    key: str
    cls: int
    text: str
    group: str = ""  # given-name equivalence group, if any
    abjad: bool = False  # romanised from a script that leaves vowels out (Arabic)


@dataclass(frozen=True, slots=True)
class NameForm:
    """An analysed name: its tokens, script, and how the analysis changed it."""

    raw: str
    folded: str
    script: str
    kind: EntityKind | None
    tokens: tuple[Token, ...]

    @property
    def informative(self) -> tuple[Token, ...]:
        return tuple(t for t in self.tokens if t.cls in INFORMATIVE)

    @property
    def exact_key(self) -> str:
        """Tokens in sorted order: equal for names equal up to case, marks, script and order."""
        return " ".join(sorted(t.form for t in self.tokens if t.cls not in (STOP, TITLE)))

    def notes(self) -> list[str]:
        """What normalisation did, for explanations ("legal form OOO=LLC", "transliterated")."""
        out: list[str] = []
        for tok in self.tokens:
            if tok.cls == LEGAL and tok.text != tok.form:
                out.append(f"legal form {tok.text.upper()}={tok.form.upper()}")
        if self.script != LATIN:
            out.append(f"transliterated from {self.script}")
        return out


# --- phrase tables, folded once ----------------------------------------------------

Phrase = tuple[str, ...]


def _pinyin_spacings(spelling: str) -> list[str]:
    """A table spelling folded; Chinese ones also as pinyin words ("youxian gongsi", "youxiangongsi").

    Pinyin is written with a space per syllable, per two-syllable word, or not
    at all; the characters themselves come out one token per syllable.
    """
    folded = fold(spelling)
    if script_of(spelling) != "CJK":
        return [folded]
    syllables = folded.split()
    pairs = " ".join("".join(syllables[i : i + 2]) for i in range(0, len(syllables), 2))
    return list(dict.fromkeys([folded, pairs, "".join(syllables)]))


@lru_cache(maxsize=262144)
def _match_key(word: str) -> str:
    """How a word is looked up in the phrase tables.

    Long words with a long skeleton by skeleton, so "aktsionernoye"/"aktsionernoe"
    and "tekhnologii"/"technology" meet; others only as spelt, since shorter
    ones collide ("synesis"/"science", "hangkong"/"hongkong").
    """
    if len(word) < 9:
        return word
    key = skeleton(word)
    return "~" + key if len(key.lstrip("_")) >= 4 else word


def _phrase_table(
    *sources: tuple[int, dict[str, tuple[str, ...]]],
) -> dict[str, list[tuple[Phrase, int, str]]]:
    """First word's match key -> (phrase match keys, class, label), longest phrase first."""
    table: dict[str, list[tuple[Phrase, int, str]]] = {}
    seen: set[Phrase] = set()
    for cls, mapping in sources:
        for label, spellings in mapping.items():
            # Pinyin only as spelt: its skeletons collide ("hangkong" 航空 / "hongkong"),
            # also where a table writes the pinyin out in Latin letters.
            pinyin = {v for sp in spellings if script_of(sp) == "CJK" for v in _pinyin_spacings(sp)}
            for spelling in (label.replace("_", " "), *spellings):
                cjk = script_of(spelling) == "CJK" or fold(spelling) in pinyin
                for variant in _pinyin_spacings(spelling):
                    words = tuple("=" + w if cjk else _match_key(w) for w in variant.split())
                    if not words or words in seen:
                        continue
                    seen.add(words)
                    table.setdefault(words[0], []).append((words, cls, label))
    for options in table.values():
        options.sort(key=lambda o: -len(o[0]))
    return table


def _words(items: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Each word its own label."""
    return {fold(item).replace(" ", "_") or item: (item,) for item in items}


_ORG_PHRASES = _phrase_table(
    (LEGAL, tables.LEGAL_FORMS),
    (GENERIC, tables.GENERIC_WORDS),
    (LOCATION, tables.LOCATIONS),
    (PARTICLE, {"al": tables.PARTICLES["al"]}),
    (STOP, _words(tables.STOPWORDS)),
)
_PERSON_PHRASES = _phrase_table((TITLE, tables.PERSON_TITLES), (PARTICLE, tables.PARTICLES))
_VESSEL_PREFIXES = frozenset(
    {("mv",), ("m", "v"), ("mt",), ("m", "t"), ("ss",), ("fv",), ("m", "s")}
)
_VESSEL_PHRASES = _phrase_table((STOP, _words(("of", "the", "and", "no", "nr", "number"))))

_GIVEN: dict[str, str] = {}
_GIVEN_BY_KEY: dict[str, set[str]] = {}
for _group, _spellings in tables.GIVEN_NAMES.items():
    for _spelling in (_group, *_spellings):
        _word = fold(_spelling).replace(" ", "")
        _GIVEN.setdefault(_word, _group)
        _GIVEN_BY_KEY.setdefault(skeleton(_word), set()).add(_group)
# Arabic script leaves vowels out, so its words find their group by skeleton,
# where the skeleton points to one group only.
_GIVEN_ABJAD = {
    key: next(iter(groups)) for key, groups in _GIVEN_BY_KEY.items() if len(groups) == 1
}

# Legal forms of one or two letters read as such only at either end of a name:
# "AS" in "AS SAHAB" is an Arabic article, in "ARGUMENT AS" a legal form.
_SHORT_LEGAL = 3

# "Abdul", "Abdel", "Abdur-" + name: the article of "Abd al-X" glued on.
_ABD_PREFIX = re.compile(r"^abd(?:[aeiou]{1,2}(?:l|r|s|z|n|t|d|sh)?)?(?=[a-z]{3,}$)")
_ALLAH = frozenset(
    {
        "allah",
        "alla",
        "ullah",
        "ulla",
        "illah",
        "illa",
        "lah",
        "llah",
        "ellah",
        "ollah",
        "allh",
        "llh",
    }
)


def _split_arabic(word: str) -> list[str]:
    """ "abdurrahman" -> ["abd", "rahman"], "abdullah" -> ["abd", "allah"]; else [word]."""
    if not word.startswith("abd") or len(word) <= 5:
        if word in ("abdul", "abdel", "abdal", "abdol", "abdoul", "abdur", "abdus", "abdou"):
            return ["abd"]
        return [word]
    match = _ABD_PREFIX.match(word)
    if not match:
        return [word]
    rest = word[match.end() :]
    # "abdurrahman": the doubled sun letter belongs to the name after the article.
    if rest in _ALLAH or rest in ("la", "lla"):
        return ["abd", "allah"]
    return ["abd", rest]


# Russian, Ukrainian and Belarusian patronymics: a father's given name, shared by
# many; lists give or omit them at will.
_PATRONYMIC = re.compile(
    r"(?:ovich|evich|ovych|evych|ovitch|evitch|avich|ovna|evna|ivna|ichna|ovicz)$"
)


def _name_token(word: str, abjad: bool, persons: bool) -> Token:
    if any(ch.isdigit() for ch in word):
        return Token(word, word, NUMBER, word)
    if persons and len(word) >= 7 and _PATRONYMIC.search(word):
        return Token(word, skeleton(word), PATRONYMIC, word)
    if word in _ALLAH:
        word = "allah"
    key = skeleton(word)
    group = ""
    if persons:
        group = _GIVEN.get(word, "") or (_GIVEN_ABJAD.get(key, "") if abjad else "")
    return Token(word, key, NAME, word, group=group, abjad=abjad)


# Classes that name a person; a person name without any is made of titles.
_PERSONAL = frozenset({NAME, NUMBER, INITIAL, PATRONYMIC})
_ARTICLES = frozenset({"al", "el", "ul", "ar", "as", "ad", "an", "at", "az", "ash"})


def _scan(
    words: list[str],
    phrases: dict[str, list[tuple[Phrase, int, str]]],
    min_words: int = 1,
) -> list[tuple[Phrase, int, str]]:
    """Greedy longest-phrase segmentation; unknown words come back with class NAME."""
    out: list[tuple[Phrase, int, str]] = []
    keys = [_match_key(w) for w in words]
    exact = ["=" + w for w in words]

    def matches(start: int, phrase: Phrase) -> bool:
        if start + len(phrase) > n:
            return False
        return all(p == keys[start + k] or p == exact[start + k] for k, p in enumerate(phrase))

    i = 0
    n = len(words)
    while i < n:
        options = phrases.get(keys[i], [])
        if exact[i] in phrases:
            options = sorted([*options, *phrases[exact[i]]], key=lambda o: -len(o[0]))
        for phrase, cls, label in options:
            size = len(phrase)
            if size < min_words or not matches(i, phrase):
                continue
            if i == 0 and n > 1 and size == 1 and words[0] in _ARTICLES:
                # "AS SAHAB", "AL QAIDA": an Arabic article, not a legal form.
                out.append(((words[0],), PARTICLE, "al"))
                i += 1
                break
            if cls == LEGAL and size == 1 and len(words[i]) <= _SHORT_LEGAL and 0 < i < n - 1:
                # A short legal form mid-name counts only before another legal form ("CO LTD").
                nxt = [*phrases.get(keys[i + 1], ()), *phrases.get(exact[i + 1], ())]
                if not any(c == LEGAL and matches(i + 1, p) for p, c, _ in nxt):
                    continue
            out.append((tuple(words[i : i + size]), cls, label))
            i += size
            break
        else:
            out.append(((words[i],), NAME, ""))
            i += 1
    return out


@lru_cache(maxsize=131072)
def analyse(raw: str, kind: EntityKind | None) -> NameForm:
    """Analyse one name as a party of ``kind`` (``None``: infer organisations from legal forms)."""
    folded = fold(raw)
    script = script_of(raw)
    words = folded.split()
    abjad = script == "Arabic"
    if kind is None:
        org_scan = _scan(words, _ORG_PHRASES)
        effective = (
            EntityKind.ORGANIZATION
            if any(cls == LEGAL for _, cls, _ in org_scan)
            else EntityKind.PERSON
        )
    else:
        effective = kind
    tokens: list[Token] = []
    if effective is EntityKind.PERSON:
        # Pinyin syllables ("bin", "de") are not Arabic or European particles.
        segments = (
            [((w,), NAME, "") for w in words] if script == "CJK" else _scan(words, _PERSON_PHRASES)
        )
        for phrase, cls, label in segments:
            if cls == NAME:
                for part in _split_arabic(phrase[0]):
                    if len(part) == 1 and not part.isdigit():
                        tokens.append(Token(part, part, INITIAL, part))
                    else:
                        tokens.append(_name_token(part, abjad, persons=True))
            else:
                text = " ".join(phrase)
                tokens.append(Token(label, "#" + label, cls, text))
        if not any(t.cls in _PERSONAL for t in tokens) and any(t.cls == TITLE for t in tokens):
            # A name of titles only ("Haji Sahib", "SAHAB") is a by-name: its
            # titles are what names the person, so they count as name words.
            tokens = [
                (
                    t
                    if t.cls != TITLE
                    else Token("al", "#al", PARTICLE, word)
                    if word in _ARTICLES
                    else _name_token(word, abjad, persons=True)
                )
                for t in tokens
                for word in (t.text.split() if t.cls == TITLE else (t.text,))
            ]
    else:
        if effective in (EntityKind.VESSEL, EntityKind.AIRCRAFT):
            for prefix in sorted(_VESSEL_PREFIXES, key=len, reverse=True):
                if tuple(words[: len(prefix)]) == prefix and len(words) > len(prefix):
                    tokens.append(Token("mv", "#mv", TITLE, " ".join(prefix)))
                    words = words[len(prefix) :]
                    break
            segments = _scan(words, _VESSEL_PHRASES)
        elif script == "CJK":
            # Pinyin syllables: only phrases of two or more syllables are words
            # ("you xian gong si", "ke ji"); single syllables are not stopwords.
            segments = _scan(words, _ORG_PHRASES, min_words=2)
        else:
            segments = _scan(words, _ORG_PHRASES)
        pending: list[str] = []  # consecutive single letters: "A B C" is the acronym "abc"

        def flush() -> None:
            if pending:
                word = "".join(pending)
                tokens.append(_name_token(word, abjad, persons=False))
                pending.clear()

        for phrase, cls, label in segments:
            # Runs of single letters (an acronym spelt out) and of Chinese
            # syllables (one word written without spaces) close up into one word.
            if cls == NAME and (script == "CJK" or (len(phrase[0]) == 1 and phrase[0].isalpha())):
                pending.append(phrase[0])
                continue
            flush()
            if cls == NAME:
                for part in _split_arabic(phrase[0]):
                    tokens.append(_name_token(part, abjad, persons=False))
            else:
                tokens.append(Token(label, "#" + label, cls, " ".join(phrase)))
        flush()
    return NameForm(raw=raw, folded=folded, script=script, kind=kind, tokens=tuple(tokens))


_OPEN = "([（"
_CLOSE = ")]）"
_ANNOTATION = re.compile(
    r"^\s*(?:original script|a\.?k\.?a\.?|f\.?k\.?a\.?|n\.?k\.?a\.?|formerly|also known as|"
    r"previously|former name|in [a-z]+ script|short name|abbreviation|abbreviated)\s*[:,]?\s*",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")


def _split_top(text: str) -> tuple[str, list[str]]:
    """Text outside brackets, and the contents of each top-level bracket (nesting kept)."""
    outside: list[str] = []
    inner: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in _OPEN:
            if depth > 0:
                current.append(ch)
            depth += 1
        elif ch in _CLOSE and depth > 0:
            depth -= 1
            if depth == 0:
                inner.append("".join(current))
                current = []
            else:
                current.append(ch)
        elif depth > 0:
            current.append(ch)
        else:
            outside.append(ch)
    if current:  # an unclosed bracket: read its text as outside
        outside.append(" " + "".join(current))
    return "".join(outside), inner


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip(" ,;.-")


def _split_semicolons(text: str) -> list[str]:
    """Split on semicolons outside brackets."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth > 0:
            depth -= 1
        if ch in ";；" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


def _variants(text: str, out: list[str]) -> None:
    for part in _split_semicolons(text):
        outside, inner = _split_top(part)
        base = _clean(_ANNOTATION.sub("", outside))
        contents = [c for c in inner if _clean(_ANNOTATION.sub("", c))]
        if base and any(ch.isalpha() for ch in base) and base not in out:
            out.append(base)
        for content in contents:
            _variants(_ANNOTATION.sub("", content), out)
        # One short bracket is often part of the name: "(HONG KONG)", "(JuA)".
        if (
            base
            and len(contents) == 1
            and len(contents[0].split()) <= 3
            and not _ANNOTATION.match(contents[0])
            and not any(ch in contents[0] for ch in ";；" + _OPEN)
        ):
            whole = _clean(re.sub(f"[{re.escape(_OPEN + _CLOSE)}]", " ", part))
            if whole not in out:
                out.append(whole)


def name_variants(raw: str) -> list[str]:
    """The names a raw name string stands for.

    Lists put alternative spellings in brackets or after semicolons: "حسن غول
    (Hassan Ghul; Hassan Gul)", "JAMAAT-UL-AHRAR (JuA)", "Abubakar (original
    script: Абубакар)", "Qasim Soleimani; Qasem Sulaimani". The result is each
    name outside brackets, each bracketed or semicolon-separated alternative,
    and - when a bracket holds one short part ("(HONG KONG)", "(JuA)") - the
    whole text with the brackets dropped. A plain name comes back alone.
    """
    if not any(ch in raw for ch in _OPEN + ";；"):
        return [raw]
    out: list[str] = []
    _variants(raw, out)
    return out or [raw]


def clear_caches() -> None:
    """Forget the memoised results of this module's functions."""
    analyse.cache_clear()
    _match_key.cache_clear()
