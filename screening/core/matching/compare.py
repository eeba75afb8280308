"""Name-to-name comparison: align the tokens of two analysed names and score the alignment.

Each query word is paired with at most one listed word (greedy, best
similarity first); words one side writes apart and the other together
("Xi Jin Ping" / "Xi Jinping", "Sana Ullah" / "Sanaullah") are paired as joins.

The score is a weighted Dice coefficient::

    score = sum(sim * (wq + wc)) / (sum(wq + wc) + 2 * leftovers)

over the paired words, where a word's weight ``w`` is its class weight (a
legal form weighs little, a distinctive word a lot) times its rarity on the
indexed lists. Words left over cost their class weight (not their rarity: a
common given name proves little when it agrees, but two different given
names contradict as much as two rare ones):

* left over on both sides, they contradict each other (``CONTRADICTION``);
* on the query side only, the query says more than the list (``UNMATCHED_QUERY``);
* on the listed side only, the list gives a fuller name: patronymics, lineage,
  titles (``UNMATCHED_LISTED``, up to ``LISTED_OMISSION_CAP`` words' worth,
  and more when the matched words prove little: ``OMISSION_REFERENCE``).

Only legal forms or generic words agreeing, or numbers disagreeing, cap or cut
the score. The constants below were set on the development split of the
cross-list evaluation set; see ``benchmarks/matching_eval.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from screening.core.matching.names import (
    CONCEPTS,
    GENERIC,
    INFORMATIVE,
    INITIAL,
    LEGAL,
    LOCATION,
    NAME,
    NUMBER,
    PARTICLE,
    PATRONYMIC,
    STOP,
    TITLE,
    Token,
)
from screening.core.matching.text import coarse, skeleton, vowel_frame

# How much each class can tell two parties apart (multiplied by rarity).
CLASS_WEIGHT: dict[int, float] = {
    NAME: 1.0,
    NUMBER: 1.0,
    INITIAL: 0.25,
    LEGAL: 0.12,
    GENERIC: 0.25,
    LOCATION: 0.35,
    TITLE: 0.1,
    PARTICLE: 0.08,
    STOP: 0.04,
    PATRONYMIC: 0.5,
}
# Cost of words left unmatched: on both sides (a contradiction), on the query
# side only, on the listed side only (lists carry patronymics and titles).
CONTRADICTION = 1.0
UNMATCHED_QUERY = 0.5
UNMATCHED_LISTED = 0.3
LISTED_OMISSION_CAP = 1.5
# Matched evidence (sum of matched distinctive weights) below which omissions weigh more.
OMISSION_REFERENCE = 2.0
# Similarity given to two spellings with the same phonetic skeleton.
SKELETON_SIM = 0.9
# Given names of one equivalence group (Aleksandr / Oleksandr, Yusuf / Joseph).
GROUP_SIM = 0.92
# Names of two different groups compare by spelling, but no higher than this.
OTHER_GROUP_CAP = 0.5
# Words romanised from Arabic script that agree on the coarse key only.
COARSE_SIM = 0.8
# Words romanised from Arabic script agreeing on a one-consonant skeleton.
ABJAD_SHORT_SIM = 0.7
# One skeleton, vowel frames one or more edits apart.
FRAME_NEAR_SIM = 0.82
FRAME_FAR_SIM = 0.7
# An initial against a name that starts with it.
INITIAL_SIM = 0.8
# Two different legal forms still agree that both parties are companies.
LEGAL_OTHER_SIM = 0.5
# When no distinctive word agrees (only legal forms, generic words, titles).
NO_EVIDENCE_CAP = 0.3
# Numbers on both sides and none of them agree ("ZAVOD 1" / "ZAVOD 2").
NUMBER_CONFLICT_FACTOR = 0.6
# Joined words pair up only this alike.
MIN_JOIN_SIM = 0.75
# Edit-distance similarity is (1 - edits / length) to this power.
FUZZY_EXPONENT = 1.5
# Whether thin evidence also makes the query's own extra words count more.
THIN_QUERY = False
# Latin spellings that agree on the coarse key and on where the vowels are.
COARSE_LATIN_SIM = 0.75
# A word with a glued-on article against the word without it.
GLUED_ARTICLE = 0.95


def edit_budget(length: int) -> int:
    """Edits tolerated in a word of ``length`` letters: none up to 3, then one per 4 letters."""
    if length <= 3:
        return 0
    if length <= 5:
        return 1
    if length <= 9:
        return 2
    return 3


def edit_sim(a: str, b: str) -> float:
    """1 - edits / length when the edits are within :func:`edit_budget`, else 0."""
    return _fuzzy(a, b)


_BUDGETS = tuple(edit_budget(n) for n in range(11))


def _fuzzy(a: str, b: str) -> float:
    la, lb = len(a), len(b)
    budget = _BUDGETS[la if la < lb else lb] if la < 11 or lb < 11 else _BUDGETS[10]
    if budget == 0 or abs(la - lb) > budget:
        return 0.0
    dist = Levenshtein.distance(a, b, score_cutoff=budget)
    if dist > budget:
        return 0.0
    # Steeper than linear: two edits in eight letters is another surname as often as not.
    return float((1.0 - dist / (la if la > lb else lb)) ** FUZZY_EXPONENT)


def token_sim(q: Token, c: Token) -> float:
    """Similarity of two analysed words in [0, 1]."""
    if q.form == c.form:
        return 1.0 if q.cls == c.cls or (q.cls in INFORMATIVE) == (c.cls in INFORMATIVE) else 0.0
    qc, cc = q.cls, c.cls
    if qc == NAME and cc == NAME:
        return _name_sim(q, c)
    if qc == NUMBER or cc == NUMBER:
        return 0.0
    if qc in CONCEPTS or cc in CONCEPTS:
        return LEGAL_OTHER_SIM if qc == LEGAL and cc == LEGAL else 0.0
    if qc == INITIAL or cc == INITIAL:
        if qc == INITIAL and cc == NAME and c.form[0] == q.form:
            return INITIAL_SIM
        if cc == INITIAL and qc == NAME and q.form[0] == c.form:
            return INITIAL_SIM
        return 0.0
    if qc == PATRONYMIC or cc == PATRONYMIC:
        if qc != cc:
            return 0.0
        return _spelling_sim(q.form, q.key, c.form, c.key, q.abjad or c.abjad)
    return 0.0


def _name_sim(q: Token, c: Token) -> float:
    """:func:`token_sim` of two name words spelt differently."""
    if q.group and c.group:
        if q.group == c.group:
            return GROUP_SIM
        # Two known, different names (Hassan / Hussein) share a skeleton but not an identity.
        return min(OTHER_GROUP_CAP, _fuzzy(q.form, c.form))
    sim = _spelling_sim(q.form, q.key, c.form, c.key, q.abjad or c.abjad)
    if sim < SKELETON_SIM:
        # An article glued on one side: "ELKADDAFI" / "QADHAFI", "ALHOBO" / "HABU".
        glued_q = q.form[:2] in _GLUED
        if glued_q != (c.form[:2] in _GLUED):
            a, b = (q, c) if glued_q else (c, q)
            if len(a.form) >= 6:
                rest = a.form[2:]
                sim = max(
                    sim,
                    GLUED_ARTICLE
                    * _spelling_sim(rest, skeleton(rest), b.form, b.key, q.abjad or c.abjad),
                )
    return sim


_GLUED = ("al", "el")


def _spelling_sim(qf: str, qk: str, cf: str, ck: str, abjad: bool) -> float:
    """Similarity of two spellings (forms and skeletons) of what may be one word."""
    best = 0.0
    if qk == ck and (abjad or (_has_vowel(qf) and _has_vowel(cf))):
        # Latin words without vowels are abbreviations ("CST", "GTSST"): their
        # letters are not sounds, so they compare by spelling only.
        core = len(qk) - (1 if qk[:1] == "_" else 0)
        if abjad:
            # One consonant ("Yahya" is y-h-y, its skeleton "_h") says less.
            best = SKELETON_SIM if core >= 2 else (ABJAD_SHORT_SIM if core == 1 else 0.0)
        elif core >= 3:
            # One skeleton, but vowels in other places: another name (Soleimani / Salman).
            frames = Levenshtein.distance(vowel_frame(qf), vowel_frame(cf), score_cutoff=2)
            best = (
                SKELETON_SIM if frames == 0 else (FRAME_NEAR_SIM if frames == 1 else FRAME_FAR_SIM)
            )
        elif core >= 1:
            # Short skeletons ("_l" for Ali, Eli, Ola) need the spelling to agree too.
            best = min(SKELETON_SIM, 0.5 + _fuzzy(qf, cf))
    if abjad:
        # Vowels are missing on one side: compare skeletons, then coarse keys.
        if best == 0.0:
            qc, cc = coarse(qk), coarse(ck)
            if qc == cc and len(qc) >= 2:
                best = COARSE_SIM if len(qc) >= 3 else COARSE_SIM - 0.05
            elif (
                len(qk) >= 4 and len(ck) >= 4 and Levenshtein.distance(qk, ck, score_cutoff=1) <= 1
            ):
                best = COARSE_SIM - 0.05
        return best
    fuzzy = _fuzzy(qf, cf)
    if fuzzy > best:
        best = fuzzy
    if (
        best < COARSE_LATIN_SIM
        and len(qk) >= 3
        and len(ck) >= 3
        and (qk[0] == "_") == (ck[0] == "_")
    ):
        # Ghathafi / Qadhafi: dentals and sibilants swapped, vowels in the same
        # places (a leading one too: "Yujong" is not "Jong").
        qc, cc = coarse(qk), coarse(ck)
        keys_agree = (qc == cc and len(qc) >= 3) or (
            len(qk) >= 5 and len(ck) >= 5 and Levenshtein.distance(qk, ck, score_cutoff=1) <= 1
        )
        if (
            keys_agree
            and Levenshtein.distance(vowel_frame(qf), vowel_frame(cf), score_cutoff=1) <= 1
        ):
            best = COARSE_LATIN_SIM
    return best


_VOWELS = frozenset("aeiouy")


def _has_vowel(word: str) -> bool:
    return not _VOWELS.isdisjoint(word)


SUBSTANTIVE = frozenset({GENERIC, LOCATION, TITLE})
_SIM_CACHE: dict[str, dict[str, float]] = {}
# Memo of token similarities: one row per query word, cleared when it holds this
# many rows (a row holds one entry per listed word the query word was compared with).
_SIM_CACHE_MAX = 50_000
_JOIN_CACHE_MAX = 200_000


def clear_caches() -> None:
    """Forget the memoised similarities of words and of joined words."""
    _SIM_CACHE.clear()
    _JOIN_CACHE.clear()


def token_uid(tok: Token) -> str:
    """A string naming everything :func:`token_sim` looks at in a token."""
    return (
        f"{tok.cls}{'a' if tok.abjad else ''}{tok.group and '=' + tok.group}:{tok.form}:{tok.key}"
    )


def sim_row(q: Token, uid: str | None = None) -> dict[str, float]:
    """The cache row of one query token (``uid``: its :func:`token_uid`, if known):
    listed token uid -> similarity."""
    if uid is None:
        uid = token_uid(q)
    row = _SIM_CACHE.get(uid)
    if row is None:
        if len(_SIM_CACHE) >= _SIM_CACHE_MAX:
            _SIM_CACHE.clear()
        row = _SIM_CACHE[uid] = {}
    return row


# Side, _Run and Alignment are not frozen: they are made for every query name and
# hit, and frozen dataclasses are several times slower to make. Treat them as
# read-only all the same.
@dataclass(slots=True)
class Alignment:
    """The scored alignment of a query name with a listed name."""

    score: float
    pairs: tuple[tuple[str, str, float], ...]  # (query words, listed words, similarity)
    unmatched_query: tuple[str, ...]
    unmatched_listed: tuple[str, ...]
    number_conflict: bool
    no_evidence: bool


@dataclass(slots=True)
class Side:
    """One name ready for alignment: tokens, their uids, agreement and disagreement weights.

    ``weights`` (class weight x rarity) measure what agreement on a word proves;
    ``costs`` (class weight alone) what its absence costs: a common given name
    proves little when it agrees, but two different given names contradict as
    strongly as two rare ones.
    """

    tokens: tuple[Token, ...]
    uids: tuple[str, ...]
    weights: tuple[float, ...]
    costs: tuple[float, ...]
    informative: bool  # holds a distinctive word (a name word or a number)
    runs: tuple[_Run, ...]  # runs of adjacent words that may be one word elsewhere
    numbers: bool  # holds a number
    substance: int  # generic words, places and titles: what a name without name words has

    @classmethod
    def of(cls, tokens: tuple[Token, ...], weights: tuple[float, ...]) -> Side:
        classes = [t.cls for t in tokens]
        return cls(
            tokens,
            tuple([token_uid(t) for t in tokens]),
            weights,
            tuple([CLASS_WEIGHT[c] for c in classes]),
            not INFORMATIVE.isdisjoint(classes),
            _runs(tokens),
            NUMBER in classes,
            len([c for c in classes if c in SUBSTANTIVE]),
        )


@dataclass(slots=True)
class _Run:
    """2-3 adjacent name words (particles allowed inside) and their joined spellings."""

    start: int
    end: int
    joined: str  # "nuraldin"
    bare: str  # particles left out: "nurdin"
    abjad: bool
    heads: frozenset[str]  # first letters and skeleton first letters a partner may start with


def _runs(tokens: tuple[Token, ...]) -> tuple[_Run, ...]:
    out: list[_Run] = []
    n = len(tokens)
    for start in range(n - 1):
        if tokens[start].cls not in (NAME, PARTICLE):
            continue
        for end in (start + 2, start + 3):
            if end > n:
                break
            last = tokens[end - 1].cls  # the words before it were looked at already
            if last != NAME:
                if last == PARTICLE:
                    continue
                break
            run = tokens[start:end]
            joined = "".join([t.form for t in run])
            bare = "".join([t.form for t in run if t.cls == NAME])
            heads = {joined[0], bare[0], skeleton(joined)[:1], skeleton(bare)[:1]}
            abjad = run[0].abjad or run[1].abjad or (end - start == 3 and run[2].abjad)
            out.append(_Run(start, end, joined, bare, abjad, frozenset(heads)))
    return tuple(out)


_JOIN_CACHE: dict[tuple[str, str, str, bool], float] = {}


def _join_sim(run: _Run, other: Token) -> float:
    """Similarity of adjacent words read as one ("sana ullah") to one word ("sanaullah")."""
    joined, bare = run.joined, run.bare
    if other.form == joined or other.form == bare:
        return 1.0
    abjad = other.abjad or run.abjad
    key = (joined, bare, other.form, abjad)
    cached = _JOIN_CACHE.get(key)
    if cached is None:
        if len(_JOIN_CACHE) >= _JOIN_CACHE_MAX:
            _JOIN_CACHE.clear()
        cached = _JOIN_CACHE[key] = _join_spelling(joined, bare, other, abjad)
    return cached


def join_sim(joined: str, bare: str, other: Token, abjad: bool) -> float:
    """Similarity of adjacent words read as one (``joined``; ``bare`` without particles)
    to one word ``other``, as alignment rates such a join."""
    if other.form == joined or other.form == bare:
        return 1.0
    return _join_spelling(joined, bare, other, abjad or other.abjad)


def _join_spelling(joined: str, bare: str, other: Token, abjad: bool) -> float:
    best = 0.0
    for form in {joined, bare}:
        if abs(len(other.form) - len(form)) <= 3:
            best = max(best, _fuzzy(form, other.form))
        # Skeletons of joined words meet too easily ("hwi choe" / "hafiz"): the
        # vowel frame must agree as well, unless one side has no vowels to compare.
        if best < SKELETON_SIM and (abjad or vowel_frame(form) == vowel_frame(other.form)):
            best = max(
                best, _spelling_sim(form, skeleton(form), other.form, other.key, abjad) * 0.95
            )
    return best


def _join_pass(
    q: Side, c: Side, used_q: list[bool], used_c: list[bool]
) -> list[tuple[float, list[int], list[int]]]:
    """Pair runs of 2-3 adjacent unmatched words on one side with one word on the other."""
    found: list[tuple[float, list[int], list[int]]] = []
    for side_a, side_b, used_a, used_b, a_is_query in (
        (q, c, used_q, used_c, True),
        (c, q, used_c, used_q, False),
    ):
        if not side_a.runs:
            continue
        free_b = [j for j, t in enumerate(side_b.tokens) if not used_b[j] and t.cls == NAME]
        if not free_b:
            continue
        for run in side_a.runs:
            if True in used_a[run.start : run.end]:
                continue
            for j in free_b:
                if used_b[j]:
                    continue
                other = side_b.tokens[j]
                abjad = run.abjad or other.abjad
                if not abjad:
                    # Vowelless Arabic-script words are shorter than their romanisations,
                    # and start with other letters; Latin ones must look alike.
                    size_o = len(other.form)
                    if abs(size_o - len(run.joined)) > 3 and abs(size_o - len(run.bare)) > 3:
                        continue
                    if other.form[0] not in run.heads and other.key[:1] not in run.heads:
                        continue
                sim = _join_sim(run, other)
                if sim >= MIN_JOIN_SIM:
                    for k in range(run.start, run.end):
                        used_a[k] = True
                    used_b[j] = True
                    span = list(range(run.start, run.end))
                    found.append((sim, span, [j]) if a_is_query else (sim, [j], span))
                    break
    return found


_Group = tuple[float, list[int], list[int]]


def _align(
    q: Side, rows: list[dict[str, float]], c: Side, floor: float = 0.0
) -> tuple[float, list[_Group], list[bool], list[bool], bool, bool]:
    # Written for speed: it runs for every scored name.
    qtoks, ctoks = q.tokens, c.tokens
    cuids = c.uids
    n, m = len(qtoks), len(ctoks)
    edges: list[tuple[float, int, int]] = []
    append = edges.append
    for i, qt in enumerate(qtoks):
        row = rows[i]
        get = row.get
        for j, uid in enumerate(cuids):
            sim = get(uid)
            if sim is None:
                sim = row[uid] = token_sim(qt, ctoks[j])
            if sim > 0.0:
                append((sim, i, j))
    used_q = [False] * n
    used_c = [False] * m
    groups: list[_Group] = []
    if edges:
        edges.sort(reverse=True)
        for sim, i, j in edges:
            if used_q[i] or used_c[j]:
                continue
            used_q[i] = True
            used_c[j] = True
            groups.append((sim, [i], [j]))
    qw, cw = q.weights, c.weights
    paired = len(groups)
    if (
        paired < n
        and paired < m
        and (q.runs or c.runs)
        and _joins_may_reach(groups, q, c, used_q, used_c, floor)
    ):
        groups.extend(_join_pass(q, c, used_q, used_c))

    num = 0.0
    den = 0.0
    evidence = 0.0
    for sim, qi, cj in groups:
        if len(qi) == 1 and len(cj) == 1:
            i = qi[0]
            wq = qw[i]
            wc = cw[cj[0]]
        else:
            i = qi[0]
            wq = sum(qw[k] for k in qi)
            wc = sum(cw[k] for k in cj)
        num += sim * (wq + wc)
        den += wq + wc
        if qtoks[i].cls in INFORMATIVE:
            evidence += sim * wq
    lost_q = 0.0
    for cost, used in zip(q.costs, used_q, strict=True):
        if not used:
            lost_q += cost
    lost_c = 0.0
    for cost, used in zip(c.costs, used_c, strict=True):
        if not used:
            lost_c += cost
    # Words left over on both sides contradict each other; on one side only, they
    # were omitted by the other (a patronymic, a title, a second given name).
    clash = lost_q if lost_q < lost_c else lost_c
    # Lists give full names (patronymics, lineage, titles): how many words a listed
    # name has beyond the query says little once the matched words are specific,
    # so the listed-side omission is counted up to a cap. The less the matched
    # words prove (one common given name), the more that omission counts.
    omitted = lost_c - clash
    if omitted > LISTED_OMISSION_CAP:
        omitted = LISTED_OMISSION_CAP
    thin = OMISSION_REFERENCE / evidence if 0.0 < evidence < OMISSION_REFERENCE else 1.0
    den += 2.0 * (
        CONTRADICTION * clash
        + UNMATCHED_QUERY * (thin if THIN_QUERY else 1.0) * (lost_q - clash)
        + UNMATCHED_LISTED * thin * omitted
    )
    score = num / den if den > 0 else 0.0
    no_evidence = evidence <= 0.0
    if no_evidence and (q.informative or q.substance < 2 or lost_q > 0.0 or lost_c > 0.0):
        # Only legal forms, generic words, places or titles agree. That is evidence
        # only when the query has nothing else, holds two such words at least, and
        # both names agree in full ("HONG KONG ELECTRONICS", "Haji Mullah Sahib";
        # not "HONG KONG", "CORP").
        score = min(score, NO_EVIDENCE_CAP)
    conflict = False
    if q.numbers and c.numbers and lost_q and lost_c:
        conflict = any(qtoks[i].cls == NUMBER and not used_q[i] for i in range(n)) and any(
            ctoks[j].cls == NUMBER and not used_c[j] for j in range(m)
        )
        if conflict:
            score *= NUMBER_CONFLICT_FACTOR
    return score, groups, used_q, used_c, conflict, no_evidence


def _free_run(runs: tuple[_Run, ...], used: list[bool]) -> bool:
    for r in runs:
        k = r.start
        if not used[k] and not used[k + 1] and (r.end - k == 2 or not used[k + 2]):
            return True
    return False


def _joins_may_reach(
    groups: list[_Group], q: Side, c: Side, used_q: list[bool], used_c: list[bool], floor: float
) -> bool:
    """Whether joining leftover words could lift the score to ``floor``.

    A join needs a run of free adjacent words on one side; the bound has every
    leftover name word on both sides matched perfectly, nothing else charged.
    """
    if not _free_run(q.runs, used_q) and not _free_run(c.runs, used_c):
        return False
    qw, cw = q.weights, c.weights
    spare = 0.0
    free_q = free_c = False
    for i, t in enumerate(q.tokens):
        if not used_q[i] and (t.cls == NAME or t.cls == PARTICLE):
            spare += qw[i]
            free_q = free_q or t.cls == NAME
    if not free_q:
        return False
    for j, t in enumerate(c.tokens):
        if not used_c[j] and (t.cls == NAME or t.cls == PARTICLE):
            spare += cw[j]
            free_c = free_c or t.cls == NAME
    if not free_c:
        return False
    num = 0.0
    den = 0.0
    for sim, qi, cj in groups:
        pair = qw[qi[0]] + cw[cj[0]]
        num += sim * pair
        den += pair
    return (num + spare) / (den + spare) >= floor


def name_score(q: Side, rows: list[dict[str, float]], c: Side, floor: float = 0.0) -> float:
    """Similarity of two analysed names in [0, 1]; ``rows`` from :func:`sim_row` per query token.

    Below ``floor`` the score may be computed less thoroughly (joined words are
    not tried when they could not lift it to ``floor``); it stays below ``floor``.
    """
    if not q.tokens or not c.tokens:
        return 0.0
    return _align(q, rows, c, floor)[0]


RawAlignment = tuple[float, list[_Group], list[bool], list[bool], bool, bool]


def align_raw(q: Side, rows: list[dict[str, float]], c: Side, floor: float = 0.0) -> RawAlignment:
    """:func:`name_score` with the alignment it rests on, kept for :func:`explain_alignment`."""
    if not q.tokens or not c.tokens:
        return 0.0, [], [False] * len(q.tokens), [False] * len(c.tokens), False, True
    return _align(q, rows, c, floor)


def explain_alignment(q: Side, c: Side, raw: RawAlignment) -> Alignment:
    """The readable form of an alignment: paired words, leftovers, flags."""
    score, groups, used_q, used_c, conflict, no_evidence = raw
    qtoks, ctoks = q.tokens, c.tokens
    pairs: list[tuple[str, str, float]] = []
    # Groups in query word order (a group's query words are in order already).
    for sim, qi, cj in sorted(groups, key=lambda g: g[1][0]):
        pairs.append(
            (
                qtoks[qi[0]].text if len(qi) == 1 else " ".join([qtoks[i].text for i in qi]),
                ctoks[cj[0]].text if len(cj) == 1 else " ".join([ctoks[j].text for j in cj]),
                round(sim, 3),
            )
        )
    return Alignment(
        score,
        tuple(pairs),
        tuple([t.text for t, used in zip(qtoks, used_q, strict=True) if not used]),
        tuple([t.text for t, used in zip(ctoks, used_c, strict=True) if not used]),
        conflict,
        no_evidence,
    )


def align(q: Side, c: Side) -> Alignment:
    """:func:`name_score` with the alignment behind it, for explanations."""
    return explain_alignment(q, c, align_raw(q, [sim_row(t) for t in q.tokens], c))
