"""Text normalisation for name matching: any script in, folded ASCII tokens out.

Lists write one name in many ways: "ООО «ТЕХНОЛОГИИ»", "OOO TEKHNOLOGII",
"Tekhnologii, OOO"; "محمد", "Mohammed", "MUHAMMAD"; "习近平", "Xi Jinping".
:func:`fold` turns any of them into lower-case ASCII words separated by single
spaces, using our own tables for Cyrillic and Arabic script (so that the output
is predictable and close to the romanisations the lists themselves use),
``pypinyin`` for Chinese characters and ``anyascii`` for everything else.

:func:`skeleton` then reduces one folded word to a phonetic key on which the
spelling variants of the romanisation schemes the lists mix collide:
BGN/PCGN, ISO 9, GOST, passport/ICAO and ad-hoc spellings of Russian names
(kh/h, zh/j/ž, ya/ia, yu/iu, ts/tz, -iy/-y/-ii) and the usual romanisations of
Arabic names (Muhammad/Mohammed/Mohamed, Hussein/Husayn). Vowels carry little
in either case (Arabic script does not write short vowels at all), so the key
keeps consonant classes only, plus a mark for a leading vowel.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii
from pypinyin import lazy_pinyin

# --- scripts -----------------------------------------------------------------

LATIN = "Latin"
CYRILLIC = "Cyrillic"
ARABIC = "Arabic"
CJK = "CJK"
HANGUL = "Hangul"
GREEK = "Greek"
OTHER = "Other"


def char_script(ch: str) -> str:
    """The script of one character, among the ones matching treats apart."""
    cp = ord(ch)
    if cp < 0x0250 or 0x1E00 <= cp <= 0x1EFF:
        return LATIN
    if 0x0400 <= cp <= 0x052F:
        return CYRILLIC
    if 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0xFB50 <= cp <= 0xFEFF:
        return ARABIC
    if 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF:
        return CJK
    if 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F:
        return HANGUL
    if 0x0370 <= cp <= 0x03FF or 0x1F00 <= cp <= 0x1FFF:
        return GREEK
    return OTHER


def script_of(text: str) -> str:
    """The dominant script of the letters in ``text`` (``Latin`` when there are none)."""
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            script = char_script(ch)
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return LATIN
    return max(counts.items(), key=lambda kv: kv[1])[0]


# --- Cyrillic ------------------------------------------------------------------

# Russian after BGN/PCGN (the scheme OFAC and OFSI mostly follow); the skeleton
# absorbs the other schemes' differences.
_RU: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "",
    "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Belarusian, Serbian, Macedonian, Kazakh letters seen on the lists
    "ў": "u", "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz",
    "ѓ": "gj", "ќ": "kj", "ѕ": "dz", "ә": "a", "ғ": "g", "қ": "k", "ң": "n",
    "ө": "o", "ұ": "u", "ү": "u", "һ": "h",
}  # fmt: skip
# Ukrainian differs where it matters: г is h, и is y, і is i.
_UK: dict[str, str] = {
    **_RU, "г": "h", "ґ": "g", "и": "y", "і": "i", "ї": "yi", "є": "ye", "х": "kh",
}  # fmt: skip
_UK_MARKERS = frozenset("іїєґІЇЄҐ")
_CYR_VOWELS = frozenset("аеёиоуыэюяіїєАЕЁИОУЫЭЮЯІЇЄ")


def _cyrillic_word(word: str) -> str:
    table = _UK if any(ch in _UK_MARKERS for ch in word) else _RU
    out: list[str] = []
    prev = ""
    for i, ch in enumerate(word):
        low = ch.lower()
        # BGN: е is "ye" at the start of a word and after a vowel or a sign.
        if low == "е" and (not prev or prev in _CYR_VOWELS or prev in "ьъЬЪ"):
            latin = "ye"
        else:
            latin = table.get(low, low)
        if ch != low:  # keep case: "Щукин" -> "Shchukin", "ЩУКИН" -> "SHCHUKIN"
            following = word[i + 1 : i + 2]
            latin = (
                latin.upper()
                if following.isupper() or not following.isalpha()
                else latin.capitalize()
            )
        out.append(latin)
        prev = ch
    return "".join(out)


# --- Arabic script (Arabic, Persian, Urdu, Pashto) -----------------------------

# One Latin letter group per letter, chosen to land on the spelling the lists
# use most ("kh", "sh", "dh", "gh"); long vowels become vowels, and the skeleton
# drops vowels anyway.
_AR: dict[str, str] = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ء": "", "ؤ": "u", "ئ": "i",
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d",
    "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d",
    "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f", "ق": "q", "ك": "k",
    "ل": "l", "م": "m", "ن": "n", "ه": "h", "ة": "a", "و": "u", "ي": "i",
    "ى": "a", "پ": "p", "چ": "ch", "ژ": "zh", "گ": "g", "ک": "k", "ی": "i",
    "ۀ": "a", "ہ": "h", "ھ": "h", "ے": "e", "ٹ": "t", "ڈ": "d", "ڑ": "r",
    "ں": "n", "ټ": "t", "ځ": "dz", "څ": "ts", "ډ": "d", "ړ": "r", "ږ": "zh",
    "ښ": "sh", "ګ": "g", "ڼ": "n", "ۍ": "i", "ې": "e", "ئ‌": "i",
}  # fmt: skip
_AR_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {
    chr(0x06F0 + i): str(i) for i in range(10)
}


def _arabic_word(word: str) -> str:
    out: list[str] = []
    n = len(word)
    for i, ch in enumerate(word):
        if ch in _AR_DIGITS:
            out.append(_AR_DIGITS[ch])
            continue
        if ch == "و" or ch == "ي" or ch == "ی":
            # Word-initial waw/ya are consonants followed by an unwritten vowel
            # (Walid, Yahya, Yusuf); elsewhere they are long vowels.
            if i == 0:
                out.append("wa" if ch == "و" else "ya")
            else:
                out.append("u" if ch == "و" else "i")
            continue
        if ch == "ع":
            # A word-initial ain is heard as a vowel in romanisations (Ali, Omar).
            out.append("a" if i == 0 else "")
            continue
        if ch == "ه" and i == n - 1 and i > 0:
            out.append("h")
            continue
        out.append(_AR.get(ch, ""))
    text = "".join(out)
    # The article is written joined: الرحمن -> al rahman.
    if text.startswith("al") and len(text) > 4 and word.startswith("ال"):
        text = "al " + text[2:]
    return text


# --- Chinese, Korean -----------------------------------------------------------


def _han_run(run: str) -> str:
    # One token per syllable; matching joins adjacent syllables when the other
    # side writes "Jinping" as one word.
    return " ".join(lazy_pinyin(run, errors="ignore"))


_CAPITAL_SPLIT = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _hangul_run(run: str) -> str:
    # anyascii gives Revised Romanisation glued by capitals ("GimJeongEun").
    return " ".join(_CAPITAL_SPLIT.split(anyascii(run))).lower()


# --- folding -------------------------------------------------------------------

_APOSTROPHES = "'’‘ʼʻʿʾ`´′ʹ"
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_DOTTED_ACRONYM = re.compile(r"\b(?:[a-z]\.){2,}")
_MARKS_TRANS = str.maketrans({ch: "" for ch in _APOSTROPHES})


def _translit_run(script: str, run: str) -> str:
    if script == CYRILLIC:
        return " ".join(_cyrillic_word(w) for w in re.split(r"(\W+)", run) if w)
    if script == ARABIC:
        parts = re.split(r"([^\w\u064B-\u065F\u0670]+)", run)
        return "".join(
            _arabic_word(re.sub("[\u064b-\u065f\u0670\u0640]", "", p))
            if p and p[0].isalnum()
            else p
            for p in parts
        )
    if script == CJK:
        return f" {_han_run(run)} "
    if script == HANGUL:
        return f" {_hangul_run(run)} "
    return anyascii(run)


def transliterate(text: str) -> str:
    """``text`` in ASCII letters, script by script, case kept where the script has case."""
    text = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    run: list[str] = []
    run_script = LATIN
    for ch in text:
        script = char_script(ch) if (ch.isalpha() or ch.isdigit()) else run_script
        if script != run_script and run:
            out.append(_translit_run(run_script, "".join(run)))
            run = []
        run_script = script
        run.append(ch)
    if run:
        out.append(_translit_run(run_script, "".join(run)))
    return "".join(out)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces: the form every comparison uses.

    Apostrophes and glottal marks vanish inside words ("MANA'A" -> "manaa",
    "'ABD" -> "abd"), dotted acronyms close up ("L.L.C." -> "llc"), every other
    punctuation mark separates words, "&" reads "and".
    """
    text = text.translate(_MARKS_TRANS)
    text = transliterate(text).lower().replace("&", " and ")
    text = text.translate(_MARKS_TRANS)
    text = _DOTTED_ACRONYM.sub(lambda m: m.group(0).replace(".", "") + " ", text)
    return _SEPARATORS.sub(" ", text).strip()


def tokenize(text: str) -> list[str]:
    """The folded words of ``text``."""
    folded = fold(text)
    return folded.split(" ") if folded else []


# --- phonetic skeleton -----------------------------------------------------------

_PHONETIC = re.compile(
    r"^y(?=[aeiou])|^i(?=[aeou])"  # Yevgeny/Evgeny, Yusuf/Iusuf, Iakov, Iosif
    r"|dzh|dj|shch|tsch|sch|tch|tsh"
    r"|(?<=[aeiouyl])kh$"  # Sheikh/Sheik
    r"|sh|ch|zh|ts|tz|cz|sz|kh|x"
    r"|w|ph|v|th|dh|gh|ck|q|c|g|z"
    r"|(?<=[aeiouyl])h$"  # Abdullah/Abdulla, Hamzah/Hamza, عبدالله
)
# Applied in one pass to a folded word. Groups of letters that romanisation
# schemes use for one sound map to one class letter: sibilants (sh, ch, zh, ts,
# tz, s, z, and ISO 9's š/ž/č once the diacritic is gone) to "s"; kh/h to "h";
# c/ck/q/g/gh to "k" (Qasem/Ghasem/Kasem, Ghulam/Gulam: qaf and ghain are written
# q, gh, g or k); ph/v and a word-initial w to "f"; th to "t"; dh to "d"; dj/dzh
# to "j"; x to "ks". A w inside a word is dropped: in Marwan/مروان, Nawaf it is
# (mostly) the vowel waw.
_PHONETIC_MAP = {
    "dzh": "j", "dj": "j", "shch": "s", "tsch": "s", "sch": "s", "tch": "s", "tsh": "s",
    "sh": "s", "ch": "s", "zh": "s", "ts": "s", "tz": "s", "cz": "s", "sz": "s", "kh": "h",
    "x": "ks", "ph": "f", "v": "f", "th": "t", "dh": "d", "gh": "k", "ck": "k", "q": "k",
    "g": "k", "z": "s",
}  # fmt: skip
_VOWELS = frozenset("aeiouy")


def _phonetic_sub(match: re.Match[str]) -> str:
    found = match.group()
    start = match.start()
    word = match.string
    if start == 0 and found in ("y", "i"):
        return ""
    if found == "w":
        return "f" if start == 0 else ""
    if found == "c":
        return "s" if word[start + 1 : start + 2] in ("e", "i", "y") else "k"
    if (
        match.end() == len(word)
        and found in ("h", "kh")
        and start > 0
        and word[start - 1] in "aeiouyl"
    ):
        return ""
    return _PHONETIC_MAP[found]


@lru_cache(maxsize=262144)
def _phonetic(word: str) -> str:
    return _PHONETIC.sub(_phonetic_sub, word)


@lru_cache(maxsize=262144)
def skeleton(word: str) -> str:
    """A phonetic key of one folded word: consonant classes, doubled ones once.

    A leading vowel is kept as "_" so that "Ahmad" (_hmd) and "Hamid" (hmd) stay
    apart. Medial "w"/"y" count as vowels: Arabic script writes the long vowels
    with the same letters. Digits are kept as they are.
    """
    if not word or word.isdigit():
        return word
    text = _phonetic(word)
    if not text:
        return word
    lead = "_" if text[0] in _VOWELS else ""
    out: list[str] = []
    for ch in text:
        if ch in _VOWELS:
            continue
        if out and out[-1] == ch:
            continue
        out.append(ch)
    key = lead + "".join(out)
    return key if key.strip("_") else word


@lru_cache(maxsize=262144)
def vowel_frame(word: str) -> str:
    """The skeleton with each run of vowels kept as one "a": where a word has vowels.

    Romanisations disagree on which vowels, rarely on where: "soleimani" and
    "salman" share the skeleton "slmn" but not the frame ("salamana" vs
    "salman"), while "mohammed" and "muhammad" share both.
    """
    if not word or word.isdigit():
        return word
    out: list[str] = []
    for ch in _phonetic(word):
        ch = "a" if ch in _VOWELS else ch
        if out and out[-1] == ch:
            continue
        out.append(ch)
    return "".join(out)


_COARSE = str.maketrans({"s": "t", "d": "t", "j": "k", "h": None, "_": None})


@lru_cache(maxsize=262144)
def coarse(key: str) -> str:
    """A coarser key from a skeleton, for words romanised from Arabic script.

    Arabic, Persian and Urdu romanisations disagree on the dental and sibilant
    letters (ض as d or z, ث as th or s, ذ as dh, z or d) and on h; this key
    merges them, so "fdl" (فضل) meets "Fazal" and "thna" (ثناء) meets "Sana".
    """
    out: list[str] = []
    for ch in key.translate(_COARSE):
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


def clear_caches() -> None:
    """Forget the memoised results of this module's functions."""
    fold.cache_clear()
    _phonetic.cache_clear()
    skeleton.cache_clear()
    vowel_frame.cache_clear()
    coarse.cache_clear()
