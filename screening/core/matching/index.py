"""The in-memory match index: analysed list names, an inverted index, and screening.

Built once per set of list versions (:meth:`MatchIndex.build`); everything
about a listed name (tokens, classes, skeletons, weights) is computed then.
A query is analysed, its distinctive words are expanded through the word
vocabulary of the lists (same spelling, same phonetic skeleton, one consonant
edit away, same given-name group, or a join of adjacent words), each listed
word rated with the similarity alignment will give it. The names that hold
enough of the query's words are then estimated from those similarities and
their own leftover words, and only the best estimated are scored.

Postings are kept per partition (source x entity kind), so a query restricted
to persons on one list never touches the others.
"""

from __future__ import annotations

import gc
import math
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from screening.core.matching.compare import (
    CLASS_WEIGHT,
    CONTRADICTION,
    LISTED_OMISSION_CAP,
    MIN_JOIN_SIM,
    OMISSION_REFERENCE,
    UNMATCHED_LISTED,
    UNMATCHED_QUERY,
    RawAlignment,
    Side,
    align_raw,
    edit_budget,
    join_sim,
    sim_row,
    token_sim,
    token_uid,
)
from screening.core.matching.features import (
    FEATURES,
    Comparison,
    NameMatch,
    applicable,
    entry_countries,
    evaluate,
    identifier_families,
    normalise_identifier,
    qualifier_gain,
    score_of,
)
from screening.core.matching.names import (
    INITIAL,
    LEGAL,
    NAME,
    NUMBER,
    PARTICLE,
    PATRONYMIC,
    NameForm,
    Token,
    analyse,
    name_variants,
)
from screening.core.matching.text import coarse, skeleton, vowel_frame
from screening.core.matching.types import ALGORITHM_VERSION, Feature, Hit, MatchPolicy, PartyQuery
from screening.core.model import EntityKind, Identifier, ListEntry, NameKind

# Token rarity: weight = class weight x (FLOOR + (1 - FLOOR) x min(1, idf / IDF_FULL)).
RARITY_FLOOR = 0.25
IDF_FULL = 6.5
# Factors on a listed name's score by how the list presents the name.
NAME_KIND_FACTOR: dict[NameKind, float] = {
    NameKind.PRIMARY: 1.0,
    NameKind.ALIAS: 1.0,
    NameKind.ORIGINAL_SCRIPT: 1.0,
    NameKind.FORMER: 0.97,
    NameKind.WEAK_ALIAS: 1.0,  # the weak_alias_match feature weight discounts these
}
# Names scored per query at most, best estimate first.
MAX_SCORED = 12
# Skeletons at least this long are also looked up one edit away (Khalik / Khalid).
NEAR_MIN_KEY = 3
# Names of one entry scored at most (best estimates first).
NAMES_PER_ENTRY = 2
# A name is scored when its estimated score is within this margin of review. Word
# sets are retrieved when their bound is: a name's estimate does not exceed the
# bound of the query words it holds.
SCORING_MARGIN = 0.08
# Memos of word expansions (least recently used dropped beyond this many).
_CACHE_MAX = 30_000
# Queries with more distinctive words than this are not retrieved by word sets.
_ENUMERATE_UP_TO = 4
# Names are grouped by cost in quarter steps up to this many steps (8.0).
_COST_STEP = 0.25
_COST_SLOTS = 33

_COMPATIBLE: dict[EntityKind, frozenset[EntityKind]] = {
    EntityKind.PERSON: frozenset({EntityKind.PERSON}),
    EntityKind.ORGANIZATION: frozenset({EntityKind.ORGANIZATION}),
    EntityKind.VESSEL: frozenset({EntityKind.VESSEL}),
    EntityKind.AIRCRAFT: frozenset({EntityKind.AIRCRAFT}),
}
_RETRIEVED = (NAME, NUMBER)
_LISTED_COST = (NAME, NUMBER, INITIAL)  # classes a listed name's cost counts
_RARE = (NAME, NUMBER, PATRONYMIC)  # classes whose weight depends on rarity
# A listed name's shape: its cost in quarter steps and its number of words, as one int.
_SHAPE_WORDS = 64


def _shape(cost: float, words: int) -> int:
    """A listed name's cost (in quarter steps) and number of distinctive words, as one int."""
    return int(cost / _COST_STEP + 0.5) * _SHAPE_WORDS + min(words, _SHAPE_WORDS - 1)


_SUBSETS: dict[int, tuple[tuple[int, tuple[int, ...]], ...]] = {}


def _subsets(n: int) -> tuple[tuple[int, tuple[int, ...]], ...]:
    """The non-empty subsets of ``range(n)``, smallest first, as (bit mask, members)."""
    found = _SUBSETS.get(n)
    if found is None:
        found = _SUBSETS[n] = tuple(
            (sum(1 << c for c in combo), combo)
            for size in range(1, n + 1)
            for combo in combinations(range(n), size)
        )
    return found


def _deletes(key: str) -> list[str]:
    """A skeleton with one letter left out, each way (for one-edit lookups)."""
    return [key[:i] + key[i + 1 :] for i in range(len(key))]


@dataclass(frozen=True, slots=True)
class _Listed:
    """One listed name as the index keeps it."""

    entry: int
    kind: NameKind
    form: NameForm
    side: Side
    cost: float  # what its distinctive words cost when left unmatched


# A listed name scored: (score, name, query form, query side, alignment).
_Scored = tuple[float, int, NameForm, Side, RawAlignment]
# Names grouped by how alike their word is to a query word, most alike first.
_Tiers = tuple[tuple[float, frozenset[int]], ...]
_ExpandKey = tuple[str, frozenset[int] | None]
_Expansion = tuple[frozenset[int], _Tiers, _ExpandKey]
# Words of one skeleton: romanised from Arabic script; in Latin letters, with their
# spellings and vowel frames; positions among those of the Latin ones with a glued article.
_CoarseWords = tuple[list[int], list[int], list[str], list[str], list[int]]
_GLUED = ("al", "el")
_BUDGETS = tuple(edit_budget(n) for n in range(11))  # edit_budget(n) for n <= 10


@dataclass(frozen=True, slots=True)
class _Word:
    """A distinctive query word (or a join of two) and the listed names holding it."""

    covers: tuple[int, ...]  # positions among the query's distinctive words
    names: frozenset[int]
    tiers: _Tiers  # ``names`` split by the similarity of their word to this one
    key: _ExpandKey  # what the expansion into names is memoised under


class MatchIndex:
    """All names of a set of list entries, analysed and indexed for screening.

    Read-only once built, apart from memos of word expansions and similarities
    that later queries reuse; sharing one index between threads is safe under
    the GIL (a memo may be computed twice, never wrongly).
    """

    def __init__(self, entries: list[ListEntry], version_label: str) -> None:
        """Use :meth:`build`."""
        self.version_label = version_label
        self._entries = entries
        self._names: list[_Listed] = []
        self._entry_names: list[list[int]] = [[] for _ in entries]
        self._entry_countries: list[tuple[str, ...] | None] = [None] * len(entries)
        self._name_cost: list[float] = []
        self._name_entry: list[int] = []  # per name, its entry
        self._name_shape: list[int] = []  # per name, see _shape()
        self._cost_sets: list[frozenset[int]] = []
        self._by_entity_id: dict[str, int] = {}
        self._partitions: dict[tuple[str, EntityKind], int] = {}
        self._parts_memo: dict[
            tuple[EntityKind | None, frozenset[str] | None], frozenset[int] | None
        ] = {}
        self._df: dict[str, int] = {}
        self._n_entries = max(1, len(entries))
        self._vocab: list[Token] = []
        self._vocab_uids: list[str] = []  # token_uid of each vocabulary word
        self._vocab_ids: dict[tuple[str, int, bool, str], int] = {}
        # Vocabulary id -> partition -> names (as sets: they merge faster than
        # lists, and one alone is used as it is). Lists while building.
        self._postings: list[dict[int, frozenset[int]]] = []
        self._post_lists: list[dict[int, list[int]]] = []
        # The same, without the names that hold the word only as two adjacent words.
        self._word_postings: list[dict[int, frozenset[int]]] = []
        self._word_post_lists: list[dict[int, list[int]]] = []
        self._parts_vocab: dict[frozenset[int], frozenset[int]] = {}  # see _vocab_in
        self._parts_words: dict[frozenset[int], frozenset[int]] = {}
        self._by_form: dict[str, list[int]] = {}
        self._by_key: dict[str, list[int]] = {}
        # One-edit lookups: words in Latin letters by skeleton head and skeleton
        # ("k:kdf"), and by skeleton head and skeleton less one letter ("k:kf");
        # every name word by coarse key, with the skeletons to compare.
        self._by_head_key: dict[str, tuple[list[int], list[str]]] = {}  # (words, spellings)
        self._by_head_delete: dict[str, tuple[list[int], list[str]]] = {}
        # Coarse key -> key -> words: those romanised from Arabic script, and those in
        # Latin letters with their spellings, vowel frames and glued-article flags.
        self._by_coarse: dict[str, dict[str, _CoarseWords]] = {}
        self._by_group: dict[str, list[int]] = {}
        self._exact: dict[str, dict[int, list[int]]] = {}
        self._identifiers: dict[tuple[int, str], list[int]] = {}
        self._vocab_hits: OrderedDict[str, tuple[int, ...]] = OrderedDict()
        self._expanded: OrderedDict[_ExpandKey, _Expansion] = OrderedDict()
        # Names of one expansion whose cost is at most a quarter step (see _limited).
        self._limited_names: OrderedDict[tuple[_ExpandKey, int], frozenset[int]] = OrderedDict()
        self._rarity_cache: dict[str, float] = {}
        # Similarities of joined query words to vocabulary words, by vocabulary uid.
        self._join_rows: dict[str, dict[str, float]] = {}

    # --- building ------------------------------------------------------------------

    @classmethod
    def build(cls, entries: Iterable[ListEntry], version_label: str = "") -> MatchIndex:
        """Analyse and index every name of ``entries``; the result is read-only."""
        index = cls(list(entries), version_label)
        index._build()
        # The index is a million or so long-lived objects. Collected now, they
        # reach the oldest generation at once, so that the next full collection
        # (and its pause of a second or so) waits until as many objects again
        # have been made, instead of falling on the first screenings.
        gc.collect()
        return index

    def _build(self) -> None:
        forms: list[tuple[int, NameKind, NameForm]] = []
        for e, entry in enumerate(self._entries):
            seen: set[str] = set()
            entry_keys: set[str] = set()
            self._by_entity_id[entry.entity_id] = e
            # Strong names first, so that a weak alias repeating one adds nothing.
            for name in sorted(entry.names, key=lambda n: n.kind is NameKind.WEAK_ALIAS):
                for variant in name_variants(name.value):
                    form = analyse(variant, entry.kind)
                    if not form.tokens or form.folded in seen:
                        continue
                    seen.add(form.folded)
                    forms.append((e, name.kind, form))
                    entry_keys.update(t.key for t in form.tokens if t.cls in _RARE)
            for key in entry_keys:
                self._df[key] = self._df.get(key, 0) + 1
            for ident in entry.identifiers:
                value = normalise_identifier(ident.value, ident.type)
                if value is None:
                    continue
                for family in identifier_families(ident.type):
                    bucket = self._identifiers.setdefault((family, value), [])
                    if not bucket or bucket[-1] != e:
                        bucket.append(e)
        for e, kind, form in forms:
            nid = len(self._names)
            entry = self._entries[e]
            part = self._partitions.setdefault((entry.source, entry.kind), len(self._partitions))
            side = Side.of(form.tokens, self.weights(form.tokens))
            cost = sum(
                c for t, c in zip(form.tokens, side.costs, strict=True) if t.cls in _LISTED_COST
            )
            self._names.append(_Listed(e, kind, form, side, cost))
            self._name_cost.append(cost)
            self._name_entry.append(e)
            self._name_shape.append(
                _shape(cost, sum(1 for t in form.tokens if t.cls in _LISTED_COST))
            )
            self._entry_names[e].append(nid)
            self._exact.setdefault(form.exact_key, {}).setdefault(part, []).append(nid)
            toks = form.tokens
            for i, tok in enumerate(toks):
                if tok.cls in _RETRIEVED:
                    vid = self._vocab_id(tok)
                    self._post(self._post_lists[vid], part, nid)
                    self._post(self._word_post_lists[vid], part, nid)
                # Two adjacent words are also indexed as one ("AL HABU" -> "alhabu").
                if i + 1 < len(toks) and tok.cls in (NAME, PARTICLE) and toks[i + 1].cls == NAME:
                    joined = tok.form + toks[i + 1].form
                    vid = self._vocab_id(Token(joined, skeleton(joined), NAME, joined))
                    self._post(self._post_lists[vid], part, nid)
        self._build_cost_sets()
        self._freeze_postings()
        for postings, found in (
            (self._postings, self._parts_vocab),
            (self._word_postings, self._parts_words),
        ):
            by_part: dict[int, list[int]] = {}
            for vid, posting in enumerate(postings):
                for part in posting:
                    by_part.setdefault(part, []).append(vid)
            for part, vids in by_part.items():
                found[frozenset([part])] = frozenset(vids)

    def _freeze_postings(self) -> None:
        """Postings as sets; a word's postings without joins share its own when equal."""
        for posting, words in zip(self._post_lists, self._word_post_lists, strict=True):
            frozen = {part: frozenset(nids) for part, nids in posting.items()}
            self._postings.append(frozen)
            self._word_postings.append(
                {
                    part: frozen[part] if len(nids) == len(frozen[part]) else frozenset(nids)
                    for part, nids in words.items()
                }
            )
        self._post_lists = []
        self._word_post_lists = []

    def _build_cost_sets(self) -> None:
        by_slot: list[list[int]] = [[] for _ in range(_COST_SLOTS)]
        for nid, cost in enumerate(self._name_cost):
            slot = int(cost / _COST_STEP + 1e-9)
            if slot < _COST_SLOTS:
                by_slot[slot].append(nid)
        running: set[int] = set()
        sets: list[frozenset[int]] = []
        for nids in by_slot:
            running.update(nids)
            sets.append(frozenset(running))
        self._cost_sets = sets

    def _vocab_id(self, tok: Token) -> int:
        ident = (tok.form, tok.cls, tok.abjad, tok.group)
        vid = self._vocab_ids.get(ident)
        if vid is not None:
            return vid
        vid = len(self._vocab)
        self._vocab_ids[ident] = vid
        self._vocab.append(tok)
        self._vocab_uids.append(token_uid(tok))
        self._post_lists.append({})
        self._word_post_lists.append({})
        self._by_form.setdefault(tok.form, []).append(vid)
        if tok.cls == NAME:
            key = tok.key
            self._by_key.setdefault(key, []).append(vid)
            words = self._by_coarse.setdefault(coarse(key), {}).get(key)
            if words is None:
                words = self._by_coarse[coarse(key)][key] = ([], [], [], [], [])
            if tok.abjad:
                words[0].append(vid)
            else:
                words[1].append(vid)
                words[2].append(tok.form)
                words[3].append(vowel_frame(tok.form))
                if len(tok.form) >= 6 and tok.form[:2] in _GLUED:
                    words[4].append(len(words[1]) - 1)
            if not tok.abjad:
                head = key[0] + ":"
                vids, forms = self._by_head_key.setdefault(head + key, ([], []))
                vids.append(vid)
                forms.append(tok.form)
                if len(key) >= NEAR_MIN_KEY:
                    for variant in _deletes(key):
                        vids, forms = self._by_head_delete.setdefault(head + variant, ([], []))
                        vids.append(vid)
                        forms.append(tok.form)
            if tok.group:
                self._by_group.setdefault(tok.group, []).append(vid)
        return vid

    @staticmethod
    def _post(postings: dict[int, list[int]], part: int, nid: int) -> None:
        posting = postings.setdefault(part, [])
        if not posting or posting[-1] != nid:
            posting.append(nid)

    # --- weights ---------------------------------------------------------------------

    def rarity(self, key: str) -> float:
        """How rare a word is on the indexed lists, in [RARITY_FLOOR, 1]."""
        value = self._rarity_cache.get(key)
        if value is None:
            df = self._df.get(key, 0)
            idf = math.log((self._n_entries + 1) / (df + 1))
            value = RARITY_FLOOR + (1.0 - RARITY_FLOOR) * min(1.0, idf / IDF_FULL)
            self._rarity_cache[key] = value
        return value

    def weights(self, tokens: tuple[Token, ...]) -> tuple[float, ...]:
        """Each token's weight: its class weight, times its rarity for distinctive words."""
        return tuple(
            CLASS_WEIGHT[t.cls] * (self.rarity(t.key) if t.cls in _RARE else 1.0) for t in tokens
        )

    # --- retrieval ---------------------------------------------------------------------

    def _similar_vocab(self, tok: Token, near: bool = True, uid: str = "") -> tuple[int, ...]:
        """Vocabulary words that may be ``tok`` spelt another way; cached per word.

        The same spelling, the same skeleton, the same given-name group and
        (``near``) a skeleton one edit away whose spelling is within the edit
        budget too (or where one side has no vowels to compare).
        """
        uid = (uid or token_uid(tok)) + ("" if near else "|same")
        cached = self._vocab_hits.get(uid)
        if cached is not None:
            return cached
        found: set[int] = set(self._by_form.get(tok.form, ()))
        if tok.cls == NAME:
            found.update(self._by_key.get(tok.key, ()))
            if tok.group:
                found.update(self._by_group.get(tok.group, ()))
            if near and len(tok.key) >= NEAR_MIN_KEY:
                found.update(self._near_vocab(tok, found))
            if "ch" in tok.form and not tok.abjad:
                # Latin "ch" where a romanisation of Cyrillic х writes "kh"
                # ("promtechnologies" / "promtekhnologia").
                form = tok.form.replace("ch", "kh")
                alt = Token(form, skeleton(form), NAME, form)
                found.update(self._by_key.get(alt.key, ()))
                if near and len(alt.key) >= NEAR_MIN_KEY:
                    found.update(self._near_vocab(alt, found, rated_as=tok))
        result = tuple(found)
        self._vocab_hits[uid] = result
        if len(self._vocab_hits) > _CACHE_MAX:
            self._vocab_hits.popitem(last=False)
        return result

    def _near_vocab(self, tok: Token, same: set[int], rated_as: Token | None = None) -> list[int]:
        """Vocabulary words whose skeleton is one edit from ``tok``'s, and alike enough.

        Alike enough: the same coarse key (dentals and sibilants swapped,
        "Ghathafi" / "Qadhafi"; the way words romanised from Arabic script
        compare), or, for words in Latin letters, the same first sound and a
        spelling within the edit budget (typos rarely hit the first sound, and
        spelling schemes that change the first letter, q/k, gh/g, keep the
        skeleton's). Coarse-key neighbours that :func:`token_sim` would rate 0 against
        ``tok`` are left out, unless another word is to be ``rated_as``.
        """
        key = tok.key
        close: list[int] = []
        bucket = self._by_coarse.get(coarse(key))
        if bucket:
            coarse_latin: list[int] = []
            coarse_forms: list[str] = []
            frames: list[str] = []
            glued: list[int] = []
            for other, _, _ in process.extract(
                key, bucket.keys(), scorer=Levenshtein.distance, score_cutoff=1, limit=None
            ):
                words = bucket[other]
                close += [vid for vid in words[0] if vid not in same]
                if words[4]:
                    glued += [len(coarse_latin) + i for i in words[4]]
                coarse_latin += words[1]
                coarse_forms += words[2]
                frames += words[3]
            if rated_as is not None or tok.abjad or (len(tok.form) >= 6 and tok.form[:2] in _GLUED):
                close += [vid for vid in coarse_latin if vid not in same]
            elif coarse_latin:
                # Words in Latin letters on both sides compare by spelling, or by
                # coarse key when their vowels stand in the same places, or less
                # an article glued on one side (see token_sim): others would rate 0.
                keep = set(glued)
                keep.update(
                    i
                    for _, _, i in process.extract(
                        vowel_frame(tok.form),
                        frames,
                        scorer=Levenshtein.distance,
                        score_cutoff=1,
                        limit=None,
                    )
                )
                spelling = edit_budget(len(tok.form))
                if spelling:
                    keep.update(
                        i
                        for _, _, i in process.extract(
                            tok.form,
                            coarse_forms,
                            scorer=Levenshtein.distance,
                            score_cutoff=spelling,
                            limit=None,
                        )
                    )
                close += [coarse_latin[i] for i in sorted(keep) if coarse_latin[i] not in same]
        if tok.abjad:
            return close
        size = len(tok.form)
        budget = edit_budget(size)
        if not budget:
            return close
        head = key[0] + ":"
        by_key = self._by_head_key
        by_delete = self._by_head_delete
        # Insertions, deletions, substitutions (Khalik / Khalid, Rajab / Ragab);
        # a word may come twice, the spelling check is in one vectorised pass.
        latin: list[int] = []
        forms: list[str] = []
        lookup = by_delete.get(head + key)
        if lookup is not None:
            latin += lookup[0]
            forms += lookup[1]
        for variant in _deletes(key):
            lookup = by_key.get(head + variant)
            if lookup is not None:
                latin += lookup[0]
                forms += lookup[1]
            lookup = by_delete.get(head + variant)
            if lookup is not None:
                latin += lookup[0]
                forms += lookup[1]
        if not latin:
            return close
        taken = same.union(close)
        for _, dist, i in process.extract(
            tok.form, forms, scorer=Levenshtein.distance, score_cutoff=budget, limit=None
        ):
            vid = latin[i]
            if vid in taken:
                continue
            length = len(forms[i])
            if dist <= (budget if length >= size or length >= 10 else _BUDGETS[length]):
                taken.add(vid)
                close.append(vid)
        return close

    def _expand(
        self,
        tok: Token,
        parts: frozenset[int] | None,
        near: bool = True,
        bare: str | None = None,
        uid: str = "",
    ) -> _Expansion:
        """Names in partitions ``parts`` holding a word like ``tok``, their tiers, the memo key.

        Each similar word is rated as alignment will rate it: with :func:`token_sim`,
        or, for two query words read as one (``bare``: without their particle),
        with :func:`join_sim`. A name is in the tier of its most similar word
        only; words alignment would not pair drop.
        """
        if not uid:
            uid = token_uid(tok)
        key = (uid + ("" if near else "|same") + ("" if bare is None else "|join"), parts)
        cached = self._expanded.get(key)
        if cached is not None:
            return cached
        # Adjacent query words read as one find names holding them as one word;
        # a name holding them as two adjacent words holds each of them anyway.
        postings = self._postings if bare is None else self._word_postings
        if bare is None:
            row = sim_row(tok, uid)
            least = 0.0
        else:
            join_key = tok.form + "|" + bare
            known = self._join_rows.get(join_key)
            if known is None:
                if len(self._join_rows) >= _CACHE_MAX:
                    self._join_rows.clear()
                known = self._join_rows[join_key] = {}
            row = known
            least = MIN_JOIN_SIM
        vocab = self._vocab
        uids = self._vocab_uids
        by_sim: dict[float, list[frozenset[int]]] = {}
        found: Iterable[int] = self._similar_vocab(tok, near, uid)
        only = -1
        if parts is not None:
            found = self._vocab_in(parts, bare is not None).intersection(found)
            if len(parts) == 1:
                only = next(iter(parts))
        for vid in found:
            other = uids[vid]
            sim = row.get(other)
            if sim is None:
                sim = row[other] = (
                    token_sim(tok, vocab[vid])
                    if bare is None
                    else join_sim(tok.form, bare, vocab[vid], tok.abjad)
                )
            if sim <= 0.0 or sim < least:
                continue
            bucket = by_sim.get(sim)
            if bucket is None:
                bucket = by_sim[sim] = []
            by_part = postings[vid]
            if only >= 0:
                bucket.append(by_part[only])
            elif parts is None:
                bucket.extend(by_part.values())
            else:
                bucket.extend([by_part[p] for p in parts if p in by_part])
        tiers: list[tuple[float, frozenset[int]]] = []
        every: frozenset[int]
        if len(by_sim) == 1:
            [(sim, lists)] = by_sim.items()
            every = lists[0] if len(lists) == 1 else frozenset().union(*lists)
            if every:
                tiers.append((sim, every))
        else:
            seen: set[int] = set()
            for sim in sorted(by_sim, reverse=True):
                names = frozenset().union(*by_sim[sim])
                if seen:
                    names = names - seen
                if names:
                    tiers.append((sim, names))
                    seen.update(names)
            every = frozenset(seen)
        result = (every, tuple(tiers), key)
        self._expanded[key] = result
        if len(self._expanded) > _CACHE_MAX:
            self._expanded.popitem(last=False)
        return result

    def _vocab_in(self, parts: frozenset[int], words_only: bool = False) -> frozenset[int]:
        """The vocabulary words with names in partitions ``parts`` (cached); ``words_only``:
        names holding them as one word (not as two adjacent words)."""
        cache = self._parts_words if words_only else self._parts_vocab
        found = cache.get(parts)
        if found is None:
            found = cache[parts] = frozenset().union(
                *(cache.get(frozenset([p]), frozenset()) for p in parts)
            )
        return found

    def _query_words(
        self, form: NameForm, parts: frozenset[int] | None, uids: tuple[str, ...]
    ) -> list[_Word]:
        """Each distinctive query word, and each join of adjacent words, with its names."""
        toks = form.tokens
        positions = [i for i, t in enumerate(toks) if t.cls in _RETRIEVED]
        rank = {i: k for k, i in enumerate(positions)}
        words: list[_Word] = []
        seen: set[str] = set()
        for i in positions:
            tok = toks[i]
            # A word said twice, or two spellings of one given name ("Mohamed
            # Mohamud"), finds the same listed word, which pairs with one of them
            # only: the second one is left for scoring to pair.
            same = tok.group or tok.key
            if same in seen:
                continue
            seen.add(same)
            words.append(_Word((rank[i],), *self._expand(tok, parts, uid=uids[i])))
            if tok.cls == NAME and len(tok.form) >= 6 and tok.form[:2] in ("al", "el"):
                # An article glued on: "ELKADDAFI" finds "QADHAFI" too.
                rest = tok.form[2:]
                stem = Token(rest, skeleton(rest), NAME, rest, abjad=tok.abjad)
                found = self._expand(stem, parts)
                if found[0]:
                    words.append(_Word((rank[i],), *found))
        # "Jin Ping" finds "Jinping", "AL HABU" finds "ALHABU", "ALAA AL DINI"
        # finds "ALAEDDINI": two adjacent words, or three around a particle.
        for i in range(len(toks) - 1):
            if toks[i].cls not in (NAME, PARTICLE):
                continue
            for size in (2, 3):
                run = toks[i : i + size]
                if len(run) < size or run[-1].cls != NAME:
                    continue
                if size == 3 and run[1].cls != PARTICLE:
                    continue
                joined = "".join([t.form for t in run])
                # Joined words are looked up as spelt or by skeleton, never a typo
                # away; but words romanised from Arabic script also by their coarse
                # key ("thna allah" / "sanaullah"), since dentals and sibilants vary.
                abjad = run[0].abjad or run[1].abjad or (size == 3 and run[2].abjad)
                joined_key = skeleton(joined)
                if abjad:
                    if coarse(joined_key) not in self._by_coarse and joined not in self._by_form:
                        continue
                elif len(joined_key.lstrip("_")) < 3:
                    # Short skeletons of joined words meet too many words: as spelt only.
                    if joined not in self._by_form:
                        continue
                    joined_key = "=" + joined
                elif joined_key not in self._by_key and joined not in self._by_form:
                    continue
                names_only = "".join([t.form for t in run if t.cls == NAME])
                joint = Token(joined, joined_key, NAME, joined, abjad=abjad)
                found = self._expand(joint, parts, near=abjad, bare=names_only)
                if found[0]:
                    covers = tuple(rank[k] for k in range(i, i + size) if k in rank)
                    words.append(_Word(covers, *found))
        return words

    def _candidate_names(
        self,
        form: NameForm,
        weights: tuple[float, ...],
        review: float,
        limit: int,
        parts: frozenset[int] | None,
        uids: tuple[str, ...] | None = None,
    ) -> list[tuple[float, int]]:
        """(estimate, name) for names that may reach ``review``, best first, at most ``limit``.

        A listed name holding the query words ``S`` scores about E / (M + B), with
        M the weight of ``S``, E that weight times the similarity of the listed
        words, and B the cost of the words left over on either side (see
        :mod:`~screening.core.matching.compare`). First only the word sets whose
        bound, counting the query side alone, reaches ``review`` (less a margin)
        are intersected, so a common word alone never floods the pool; then each
        pooled name's estimate weighs its similarities and its own leftover words.
        """
        exact_parts = self._exact.get(form.exact_key, {})
        exact = [n for p, nids in exact_parts.items() if parts is None or p in parts for n in nids]
        words = self._query_words(
            form, parts, uids if uids is not None else tuple(token_uid(t) for t in form.tokens)
        )
        if not words:
            return [(2.0, nid) for nid in exact]
        toks = form.tokens
        informative = [i for i, t in enumerate(toks) if t.cls in _RETRIEVED]
        w = [weights[i] for i in informative]
        cost = [CLASS_WEIGHT[toks[i].cls] for i in informative]
        total_cost: float = sum(cost)
        if len(words) > 1:
            words.sort(key=lambda wd: -sum([w[k] for k in wd.covers]))
            del words[10:]
        masks = [sum([1 << k for k in set(wd.covers)]) for wd in words]
        memo: dict[int, tuple[float, float, int]] = {}

        def stats(mask: int) -> tuple[float, float, int]:
            """(matched weight, missed query cost, matched words) of a coverage mask."""
            found = memo.get(mask)
            if found is None:
                ks = [k for k in range(len(w)) if mask >> k & 1]
                found = memo[mask] = (
                    sum([w[k] for k in ks]),
                    total_cost - sum([cost[k] for k in ks]),
                    len(ks),
                )
            return found

        target = floor = review - SCORING_MARGIN
        pool: set[int] = set()
        unlimited: list[int] = []  # word sets all of whose names entered the pool
        found_by: dict[int, frozenset[int]] = {}
        many = len(w) > _ENUMERATE_UP_TO
        if many:
            # Many words: enumerating word sets costs more than it saves. A name
            # reaching the target holds one of the heaviest words that the
            # others, all together, could not replace.
            everything = 0
            for mask in masks:
                everything |= mask
            essential = 0
            cover = everything
            for i in range(len(words)):
                matched, missed, _ = stats(cover)
                if matched <= 0 or matched / (matched + UNMATCHED_QUERY * missed) < target:
                    break
                essential = i + 1
                cover = 0
                for later in masks[i + 1 :]:
                    cover |= later
            for i in range(max(1, essential)):
                limit_cost = self._cost_limit(*stats(masks[i]), floor)
                if limit_cost is None:
                    pool |= words[i].names
                    continue
                if limit_cost >= 0.0:
                    pool |= words[i].names & self._cost_at_most(limit_cost)
                # Alone it falls short: with any second word it may not.
                for j in range(len(words)):
                    if j != i:
                        pool |= words[i].names & words[j].names
            limit_cost = self._cost_limit(*stats(everything), floor)
            if limit_cost is not None:
                pool &= self._cost_at_most(limit_cost) if limit_cost >= 0.0 else frozenset()
        for chosen, combo in () if many else _subsets(len(words)):
            skip = False
            for m in unlimited:
                if m & chosen == m:
                    skip = True
                    break
            if skip:
                continue
            # Words that overlap (a word and a join holding it) find nothing that
            # the join alone, with the same cover, does not.
            cover = 0
            for c in combo:
                if cover & masks[c]:
                    cover = -1
                    break
                cover |= masks[c]
            if cover < 0:
                continue
            matched, missed, count = memo.get(cover) or stats(cover)
            if matched <= 0 or matched / (matched + UNMATCHED_QUERY * missed) < target:
                continue
            if len(combo) == 1:
                names_s = words[combo[0]].names
            else:
                parent = found_by.get(chosen & ~(1 << combo[-1]))
                if parent is None:
                    parent = frozenset.intersection(*(words[c].names for c in combo[:-1]))
                names_s = parent & words[combo[-1]].names
            found_by[chosen] = names_s
            if not names_s:
                continue
            # Names with many words the query lacks cannot reach review by these
            # words alone: keep only names whose cost leaves room for them.
            limit_cost = self._cost_limit(matched, missed, count, floor)
            if limit_cost is None:
                pool |= names_s
                unlimited.append(chosen)
            elif limit_cost >= 0.0:
                if len(combo) == 1:
                    pool |= self._limited(words[combo[0]], limit_cost)
                else:
                    pool |= names_s & self._cost_at_most(limit_cost)
        if not pool:
            return [(2.0, nid) for nid in exact]
        # The pool in cells of names alike in the similarity of their best word to
        # each query word (or join); a cell whose bound, its names' own words
        # left aside, falls short is dropped whole, else each name is estimated
        # (names alike in shape too share the estimate).
        pooled = frozenset(pool)
        # A cell: the similarity of its names' best word to each distinctive query
        # word (0: none), how many query words beyond one their joins hold, names.
        n_w = len(w)
        cells: list[tuple[list[float], int, frozenset[int]]] = [([0.0] * n_w, 0, pooled)]
        for wd in words:
            held = wd.names & pooled
            if not held:
                continue
            tiers = [(sim, part) for sim, names in wd.tiers if (part := names & held)]
            covers = wd.covers
            extra = len(covers) - 1
            split: list[tuple[list[float], int, frozenset[int]]] = []
            for sims, joins, cell in cells:
                rest = cell
                if not rest.isdisjoint(held):
                    for sim, names in tiers:
                        part = rest & names
                        if part:
                            raised = sims.copy()
                            for k in covers:
                                if raised[k] < sim:
                                    raised[k] = sim
                            split.append((raised, joins + extra, part))
                            rest = rest - part
                            if not rest:
                                break
                if rest:
                    split.append((sims, joins, rest))
            cells = split
        shape = self._name_shape
        estimates: list[tuple[float, int]] = []
        for sims, joins, cell in cells:
            weight = evidence = 0.0
            missed_q = total_cost
            count = 0
            for sim, w_k, cost_k in zip(sims, w, cost, strict=True):
                if sim > 0.0:
                    weight += w_k
                    evidence += sim * w_k
                    missed_q -= cost_k
                    count += 1
            # The bound of the cell: its names' own words left aside.
            if evidence <= 0.0 or evidence / (weight + UNMATCHED_QUERY * missed_q) < floor:
                continue
            thin = OMISSION_REFERENCE / evidence if evidence < OMISSION_REFERENCE else 1.0
            values: dict[int, float] = {}
            for nid in cell:
                form_shape = shape[nid]
                value = values.get(form_shape)
                if value is None:
                    words_c = form_shape % _SHAPE_WORDS
                    cost_c = (form_shape // _SHAPE_WORDS) * _COST_STEP
                    if count > words_c + joins:
                        # More query words matched than the name has words: the best only.
                        value = self._estimate_sims(sims, w, cost, words_c + joins, cost_c)
                    else:
                        missed_c = cost_c - count if cost_c > count else 0.0
                        clash = missed_q if missed_q < missed_c else missed_c
                        omitted = missed_c - clash
                        if omitted > LISTED_OMISSION_CAP:
                            omitted = LISTED_OMISSION_CAP
                        value = evidence / (
                            weight
                            + CONTRADICTION * clash
                            + UNMATCHED_QUERY * (missed_q - clash)
                            + UNMATCHED_LISTED * thin * omitted
                        )
                    values[form_shape] = value
                if value >= floor:
                    estimates.append((value, nid))
        estimates.sort(reverse=True)
        # An entry's aliases are mostly spellings of one another: its best few
        # estimates stand for it, leaving room for other entries.
        name_entry = self._name_entry
        per_entry: dict[int, int] = {}
        kept: list[tuple[float, int]] = [(2.0, nid) for nid in exact]
        for item in estimates:
            e = name_entry[item[1]]
            seen = per_entry.get(e, 0)
            if seen >= NAMES_PER_ENTRY:
                continue
            per_entry[e] = seen + 1
            kept.append(item)
            if len(kept) >= limit:
                break
        return kept

    @staticmethod
    def _estimate_sims(
        sims: list[float], w: list[float], cost: list[float], room: int, name_cost: float
    ) -> float:
        """The score a listed name is expected to reach: see :mod:`~screening.core.matching.compare`.

        From the similarity of its best word to each distinctive query word
        (``sims``, 0: none), the query words' weights and costs, and the listed
        name's cost and ``room``: how many query words it can pair with (one per
        word, more for words that joined query words).
        """
        matched = [k for k in range(len(w)) if sims[k] > 0.0]
        if len(matched) > room:
            matched = sorted(matched, key=lambda k: -sims[k] * w[k])[:room]
        weight = evidence = 0.0
        missed_q: float = sum(cost)
        for k in matched:
            weight += w[k]
            evidence += sims[k] * w[k]
            missed_q -= cost[k]
        if evidence <= 0.0:
            return 0.0
        missed_c = max(0.0, name_cost - len(matched))
        clash = min(missed_q, missed_c)
        omitted = min(missed_c - clash, LISTED_OMISSION_CAP)
        thin = OMISSION_REFERENCE / evidence if evidence < OMISSION_REFERENCE else 1.0
        rest = (
            CONTRADICTION * clash
            + UNMATCHED_QUERY * (missed_q - clash)
            + UNMATCHED_LISTED * thin * omitted
        )
        return evidence / (weight + rest)

    @staticmethod
    def _cost_limit(matched: float, missed_q: float, count: int, floor: float) -> float | None:
        """The largest listed-name cost whose estimate still reaches ``floor`` (None: any; <0: none).

        Solves :meth:`_estimate_sims` >= floor, the matched words taken as spelt
        alike, for the listed words left over: up to the query's own leftovers
        they clash, beyond that they are omissions (capped).
        """
        if matched <= 0.0 or floor <= 0.0:
            return None
        room = matched * (1.0 - floor) / floor  # the most the leftovers may cost
        base = UNMATCHED_QUERY * missed_q
        if base > room:
            return -1.0
        if (
            CONTRADICTION > UNMATCHED_QUERY
            and (room - base) / (CONTRADICTION - UNMATCHED_QUERY) < missed_q
        ):
            return count + (room - base) / (CONTRADICTION - UNMATCHED_QUERY)
        spare = room - CONTRADICTION * missed_q
        thin = OMISSION_REFERENCE / matched if matched < OMISSION_REFERENCE else 1.0
        omitted = spare / (UNMATCHED_LISTED * thin)
        if omitted >= LISTED_OMISSION_CAP:
            return None
        return count + missed_q + omitted

    def _limited(self, word: _Word, cost: float) -> frozenset[int]:
        """The names of ``word`` whose cost is at most ``cost`` (memoised: common words recur)."""
        slot = min(int(cost / _COST_STEP + 1e-9), len(self._cost_sets) - 1)
        key = (word.key, slot)
        found = self._limited_names.get(key)
        if found is None:
            found = self._limited_names[key] = word.names & self._cost_sets[slot]
            if len(self._limited_names) > _CACHE_MAX:
                self._limited_names.popitem(last=False)
        return found

    def _cost_at_most(self, cost: float) -> frozenset[int]:
        """All names whose cost is at most ``cost`` (precomputed per quarter step)."""
        slot = min(int(cost / _COST_STEP + 1e-9), len(self._cost_sets) - 1)
        return self._cost_sets[slot]

    def _parts_for(
        self, kind: EntityKind | None, sources: set[str] | None
    ) -> frozenset[int] | None:
        if kind is None and sources is None:
            return None
        key = (kind, None if sources is None else frozenset(sources))
        found = self._parts_memo.get(key)
        if found is None:
            found = self._parts_memo[key] = frozenset(
                p
                for (source, entry_kind), p in self._partitions.items()
                if (sources is None or source in sources)
                and (kind is None or entry_kind in _COMPATIBLE[kind])
            )
        return found

    def _forms(self, query: PartyQuery) -> list[NameForm]:
        """The query's name variants, analysed; bracketed ones only if they hold a name word."""
        forms = [analyse(v, query.kind) for v in name_variants(query.name)]
        forms = [f for f in forms if f.tokens]
        if not forms:
            return []
        return forms[:1] + [f for f in forms[1:] if f.informative]

    @staticmethod
    def _kind_of(query: PartyQuery, forms: list[NameForm]) -> EntityKind | None:
        """The query's kind, or organisation when it has none but its name has a legal form."""
        if query.kind is not None or not forms:
            return query.kind
        if any(t.cls == LEGAL for t in forms[0].tokens):
            return EntityKind.ORGANIZATION
        return None

    def candidates(
        self,
        query: PartyQuery,
        limit: int = 50,
        review: float = 0.62,
        sources: set[str] | None = None,
    ) -> list[str]:
        """Entity ids that retrieval hands to scoring for ``query``, best first (to measure recall)."""
        out: list[str] = []
        seen: set[int] = set()
        for e in self._identifier_hits(query, sources):
            if e not in seen:
                seen.add(e)
                out.append(self._entries[e].entity_id)
        forms = self._forms(query)
        parts = self._parts_for(self._kind_of(query, forms), sources)
        for form in forms:
            for _, nid in self._candidate_names(
                form, self.weights(form.tokens), review, MAX_SCORED, parts
            ):
                e = self._names[nid].entry
                if e not in seen:
                    seen.add(e)
                    out.append(self._entries[e].entity_id)
        return out[:limit]

    def _identifier_hits(
        self, query: PartyQuery, sources: set[str] | None
    ) -> dict[int, tuple[tuple[Identifier, Identifier], ...]]:
        found: dict[int, list[tuple[Identifier, Identifier]]] = {}
        for ident in query.identifiers:
            value = normalise_identifier(ident.value, ident.type)
            if value is None:
                continue
            for family in identifier_families(ident.type):
                for e in self._identifiers.get((family, value), ()):
                    entry = self._entries[e]
                    if sources is not None and entry.source not in sources:
                        continue
                    for theirs in entry.identifiers:
                        if (
                            family in identifier_families(theirs.type)
                            and normalise_identifier(theirs.value, theirs.type) == value
                        ):
                            found.setdefault(e, []).append((ident, theirs))
                            break
        return {e: tuple(pairs) for e, pairs in found.items()}

    # --- screening -------------------------------------------------------------------------

    def screen(
        self, query: PartyQuery, policy: MatchPolicy, sources: set[str] | None = None
    ) -> list[Hit]:
        """Every hit scoring at least ``policy.review``, best first, at most ``policy.max_hits``."""
        strong: dict[int, _Scored] = {}
        weak: dict[int, _Scored] = {}
        forms = self._forms(query)
        parts = self._parts_for(self._kind_of(query, forms), sources)
        # Qualifiers add at most this much, so a name below it cannot end above review.
        floor = policy.review - qualifier_gain(query)
        for form in forms:
            qweights = self.weights(form.tokens)
            qside = Side.of(form.tokens, qweights)
            rows = [sim_row(t, uid) for t, uid in zip(form.tokens, qside.uids, strict=True)]
            names = self._names
            for estimate, nid in self._candidate_names(
                form, qweights, policy.review, MAX_SCORED, parts, qside.uids
            ):
                # Names come best estimate first: once an entry has a name scoring at
                # least as well as this one can, its other names need no scoring.
                e = names[nid].entry
                done = strong.get(e)
                if done is not None and done[0] >= estimate:
                    continue
                self._score_name(nid, form, qside, rows, strong, weak, floor)
        return self._finish(
            query, policy, strong, weak, self._identifier_hits(query, sources), floor
        )

    def compare(self, query: PartyQuery, entity_id: str, policy: MatchPolicy) -> Hit | None:
        """Score ``query`` against one listed entity, all of its names, without retrieval.

        Returns the hit if it scores at least ``policy.review``. Raises KeyError
        for an entity id the index does not hold.
        """
        e = self._by_entity_id[entity_id]
        strong: dict[int, _Scored] = {}
        weak: dict[int, _Scored] = {}
        for form in self._forms(query):
            qside = Side.of(form.tokens, self.weights(form.tokens))
            rows = [sim_row(t) for t in form.tokens]
            for nid in self._entry_names[e]:
                self._score_name(nid, form, qside, rows, strong, weak)
        ids = {k: v for k, v in self._identifier_hits(query, None).items() if k == e}
        least = policy.review - qualifier_gain(query)
        return next(iter(self._finish(query, policy, strong, weak, ids, least)), None)

    def _score_name(
        self,
        nid: int,
        form: NameForm,
        qside: Side,
        rows: list[dict[str, float]],
        strong: dict[int, _Scored],
        weak: dict[int, _Scored],
        floor: float = 0.0,
    ) -> None:
        listed = self._names[nid]
        raw = align_raw(qside, rows, listed.side, floor)
        score = raw[0] * NAME_KIND_FACTOR[listed.kind]
        best = weak if listed.kind is NameKind.WEAK_ALIAS else strong
        current = best.get(listed.entry)
        if current is None or score > current[0]:
            best[listed.entry] = (score, nid, form, qside, raw)

    def _finish(
        self,
        query: PartyQuery,
        policy: MatchPolicy,
        strong: dict[int, _Scored],
        weak: dict[int, _Scored],
        id_hits: dict[int, tuple[tuple[Identifier, Identifier], ...]],
        least: float,
    ) -> list[Hit]:
        # Qualifiers add at most qualifier_gain(query): a name score ``least`` or
        # less (review less that gain) cannot end at review.
        weak_weight = FEATURES[1].weight
        todo = {e for e, scored in strong.items() if scored[0] >= least}
        todo.update(e for e, scored in weak.items() if scored[0] * weak_weight >= least)
        todo.update(id_hits)
        # Score everything first; explain only the hits that are returned.
        features = applicable(query)
        scored: list[tuple[float, str, Comparison]] = []
        for e in todo:
            entry = self._entries[e]
            comparison = Comparison(
                query,
                entry,
                self._name_match(strong.get(e)),
                self._name_match(weak.get(e)),
                id_hits.get(e, ()),
                False,
                self._countries(e),
            )
            score = score_of(comparison, features)
            if score >= policy.review:
                scored.append((score, entry.entity_id, comparison))
        scored.sort(key=lambda item: (-item[0], item[1]))
        hits: list[Hit] = []
        for _, _, comparison in scored[: policy.max_hits]:
            comparison.explain = True
            hits.append(self._hit(policy, comparison, features))
        return hits

    def _countries(self, e: int) -> tuple[str, ...]:
        """Entry ``e``'s country codes (worked out once, on first use)."""
        found = self._entry_countries[e]
        if found is None:
            found = self._entry_countries[e] = entry_countries(self._entries[e])
        return found

    def _name_match(self, scored: _Scored | None) -> NameMatch | None:
        if scored is None or scored[0] <= 0.0:
            return None
        score, nid, form, qside, raw = scored
        listed = self._names[nid]
        return NameMatch(score, form, qside, listed.form, listed.side, listed.kind, raw)

    def _hit(
        self, policy: MatchPolicy, comparison: Comparison, features: tuple[Feature, ...]
    ) -> Hit:
        score, results, explanation = evaluate(comparison, features)
        best = comparison.strong
        if comparison.weak is not None and (
            best is None or comparison.weak.score * FEATURES[1].weight > best.score
        ):
            best = comparison.weak
        entry = comparison.entry
        return Hit(
            entity_id=entry.entity_id,
            entry=entry,
            score=round(score, 4),
            alert=score >= policy.alert,
            query_name=comparison.query.name,
            matched_name=best.listed.raw if best else entry.primary_name,
            matched_name_kind=best.kind if best else None,
            features=results,
            explanation=explanation,
            algorithm=ALGORITHM_VERSION,
        )

    # --- introspection ------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def name_count(self) -> int:
        """Indexed names (bracketed alternatives counted apart)."""
        return len(self._names)

    @property
    def entries(self) -> list[ListEntry]:
        return self._entries
