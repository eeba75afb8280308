"""The in-memory match index: analysed list names, an inverted index, and screening.

Built once per set of list versions (:meth:`MatchIndex.build`); everything
about a listed name (tokens, classes, skeletons, weights) is computed then.
A query is analysed, its distinctive words are expanded through the word
vocabulary of the lists (same spelling, same phonetic skeleton, one consonant
edit away, same given-name group, or a join of two words), and only the names
that can still reach the review threshold are scored.

Postings are kept per partition (source x entity kind), so a query restricted
to persons on one list never touches the others.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import combinations

from screening.core.matching.compare import (
    CLASS_WEIGHT,
    CONTRADICTION,
    LISTED_OMISSION_CAP,
    OMISSION_REFERENCE,
    UNMATCHED_LISTED,
    UNMATCHED_QUERY,
    Side,
    align_raw,
    edit_sim,
    sim_row,
    token_uid,
)
from screening.core.matching.features import (
    FEATURES,
    Comparison,
    NameMatch,
    evaluate,
    identifier_families,
    normalise_identifier,
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
from screening.core.matching.text import coarse, skeleton
from screening.core.matching.types import ALGORITHM_VERSION, Hit, MatchPolicy, PartyQuery
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
# Names scored per query at most, best upper bound first.
MAX_SCORED = 20
# Skeletons at least this long are also looked up one edit away (Khalik / Khalid).
NEAR_MIN_KEY = 3
# Share of a word's weight the estimate withholds when it is matched a typo away.
NEAR_DISCOUNT = 0.1
# Names of one entry scored at most (best estimates first).
NAMES_PER_ENTRY = 2
# A name is scored when its estimated best score is within this margin of review.
SCORING_MARGIN = 0.12
# Word sets retrieved when their bound is within this margin of review.
RETRIEVAL_MARGIN = 0.15
# Memos of word expansions (least recently used dropped beyond this many).
_CACHE_MAX = 30_000
# Queries with more distinctive words than this are not retrieved by word sets.
_ENUMERATE_UP_TO = 4
# Names are grouped by cost in quarter steps up to this many steps (8.0).
_COST_STEP = 0.25
_COST_SLOTS = 33
# The most that qualifier features can add to a name score.
MAX_QUALIFIER_GAIN = max(0.0, sum(f.weight for f in FEATURES if f.qualifier and f.weight > 0))

_COMPATIBLE: dict[EntityKind, frozenset[EntityKind]] = {
    EntityKind.PERSON: frozenset({EntityKind.PERSON}),
    EntityKind.ORGANIZATION: frozenset({EntityKind.ORGANIZATION}),
    EntityKind.VESSEL: frozenset({EntityKind.VESSEL}),
    EntityKind.AIRCRAFT: frozenset({EntityKind.AIRCRAFT}),
}
_RETRIEVED = (NAME, NUMBER)
_RARE = (NAME, NUMBER, PATRONYMIC)  # classes whose weight depends on rarity


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


@dataclass(frozen=True, slots=True)
class _Word:
    """A distinctive query word (or a join of two) and the listed names holding it."""

    covers: tuple[int, ...]  # positions among the query's distinctive words
    names: frozenset[int]
    near: frozenset[int]  # the names holding only a near spelling (one skeleton edit away)


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
        self._name_cost: list[float] = []
        self._cost_sets: list[frozenset[int]] = []
        self._by_entity_id: dict[str, int] = {}
        self._partitions: dict[tuple[str, EntityKind], int] = {}
        self._df: dict[str, int] = {}
        self._n_entries = max(1, len(entries))
        self._vocab: list[Token] = []
        self._vocab_ids: dict[tuple[str, int, bool], int] = {}
        self._postings: list[dict[int, list[int]]] = []  # vocab id -> partition -> names
        self._by_form: dict[str, list[int]] = {}
        self._by_key: dict[str, list[int]] = {}
        self._by_delete: dict[str, list[int]] = {}
        self._by_group: dict[str, list[int]] = {}
        self._exact: dict[str, dict[int, list[int]]] = {}
        self._identifiers: dict[tuple[int, str], list[int]] = {}
        self._vocab_hits: OrderedDict[str, tuple[tuple[int, ...], tuple[int, ...]]] = OrderedDict()
        self._expanded: OrderedDict[
            tuple[str, frozenset[int] | None], tuple[frozenset[int], frozenset[int]]
        ] = OrderedDict()
        self._rarity_cache: dict[str, float] = {}

    # --- building ------------------------------------------------------------------

    @classmethod
    def build(cls, entries: Iterable[ListEntry], version_label: str = "") -> MatchIndex:
        """Analyse and index every name of ``entries``; the result is read-only."""
        index = cls(list(entries), version_label)
        index._build()
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
                c
                for t, c in zip(form.tokens, side.costs, strict=True)
                if t.cls in (*_RETRIEVED, INITIAL)
            )
            self._names.append(_Listed(e, kind, form, side, cost))
            self._name_cost.append(cost)
            self._entry_names[e].append(nid)
            self._exact.setdefault(form.exact_key, {}).setdefault(part, []).append(nid)
            toks = form.tokens
            for i, tok in enumerate(toks):
                if tok.cls in _RETRIEVED:
                    self._post(self._vocab_id(tok), part, nid)
                # Two adjacent words are also indexed as one ("AL HABU" -> "alhabu").
                if i + 1 < len(toks) and tok.cls in (NAME, PARTICLE) and toks[i + 1].cls == NAME:
                    joined = tok.form + toks[i + 1].form
                    self._post(
                        self._vocab_id(Token(joined, skeleton(joined), NAME, joined)), part, nid
                    )
        self._build_cost_sets()

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
        ident = (tok.form, tok.cls, tok.abjad)
        vid = self._vocab_ids.get(ident)
        if vid is not None:
            return vid
        vid = len(self._vocab)
        self._vocab_ids[ident] = vid
        self._vocab.append(tok)
        self._postings.append({})
        self._by_form.setdefault(tok.form, []).append(vid)
        if tok.cls == NAME:
            self._by_key.setdefault(tok.key, []).append(vid)
            if len(tok.key) >= NEAR_MIN_KEY:
                for variant in _deletes(tok.key):
                    self._by_delete.setdefault(variant, []).append(vid)
            if tok.group:
                self._by_group.setdefault(tok.group, []).append(vid)
        return vid

    def _post(self, vid: int, part: int, nid: int) -> None:
        posting = self._postings[vid].setdefault(part, [])
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

    def _similar_vocab(self, tok: Token) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Vocabulary words that may be ``tok`` spelt another way: (same, near); cached per word.

        "Same": same spelling, same skeleton or same given-name group. "Near": a
        skeleton one edit away whose spelling is within the edit budget too (or
        where one side has no vowels to compare). Scoring decides the rest.
        """
        uid = token_uid(tok)
        cached = self._vocab_hits.get(uid)
        if cached is not None:
            return cached
        same: set[int] = set(self._by_form.get(tok.form, ()))
        close: set[int] = set()
        if tok.cls == NAME:
            same.update(self._by_key.get(tok.key, ()))
            if tok.group:
                same.update(self._by_group.get(tok.group, ()))
            if len(tok.key) >= NEAR_MIN_KEY:
                near: set[int] = set(self._by_delete.get(tok.key, ()))
                variants = _deletes(tok.key)
                for variant in variants:
                    near.update(self._by_key.get(variant, ()))
                # Substitutions: in short skeletons only of the last letter (Khalik /
                # Khalid), since two-letter keys are shared by too many words.
                for variant in variants if len(tok.key) > NEAR_MIN_KEY else variants[-1:]:
                    near.update(self._by_delete.get(variant, ()))
                near -= same
                vocab = self._vocab
                size = len(tok.form)
                head = tok.form[0]
                for vid in near:
                    other = vocab[vid]
                    if tok.abjad or other.abjad:
                        if coarse(tok.key) == coarse(other.key):
                            close.add(vid)
                    elif (
                        other.form[0] == head
                        and abs(len(other.form) - size) <= 3
                        and edit_sim(tok.form, other.form) > 0.0
                    ):
                        # Typos rarely hit the first letter; spelling schemes that
                        # change it (q/k, gh/g) share the skeleton, found above.
                        close.add(vid)
        found = (tuple(same), tuple(close))
        self._vocab_hits[uid] = found
        if len(self._vocab_hits) > _CACHE_MAX:
            self._vocab_hits.popitem(last=False)
        return found

    def _names_of(self, vids: tuple[int, ...], parts: frozenset[int] | None) -> frozenset[int]:
        postings = self._postings
        lists: list[list[int]] = []
        if parts is None:
            for vid in vids:
                lists.extend(postings[vid].values())
        else:
            for vid in vids:
                by_part = postings[vid]
                for part in parts:
                    found = by_part.get(part)
                    if found is not None:
                        lists.append(found)
        return frozenset().union(*lists)

    def _expand(
        self, tok: Token, parts: frozenset[int] | None, near: bool = True
    ) -> tuple[frozenset[int], frozenset[int]]:
        """(all, near-only) names in partitions ``parts`` holding a word like ``tok`` (cached)."""
        key = (token_uid(tok) + ("" if near else "|same"), parts)
        cached = self._expanded.get(key)
        if cached is not None:
            return cached
        same, close = self._similar_vocab(tok)
        if not near:
            close = ()
        strong = self._names_of(same, parts)
        weak = self._names_of(close, parts) - strong if close else frozenset()
        result = (strong | weak, weak)
        self._expanded[key] = result
        if len(self._expanded) > _CACHE_MAX:
            self._expanded.popitem(last=False)
        return result

    def _query_words(self, form: NameForm, parts: frozenset[int] | None) -> list[_Word]:
        """Each distinctive query word, and each join of two adjacent words, with its names."""
        toks = form.tokens
        positions = [i for i, t in enumerate(toks) if t.cls in _RETRIEVED]
        rank = {i: k for k, i in enumerate(positions)}
        words = [_Word((rank[i],), *self._expand(toks[i], parts)) for i in positions]
        # "Jin Ping" finds "Jinping", "AL HABU" finds "ALHABU".
        for i in range(len(toks) - 1):
            a, b = toks[i], toks[i + 1]
            if a.cls in (NAME, PARTICLE) and b.cls == NAME:
                joined = a.form + b.form
                # Joined words are looked up as spelt or by skeleton, never a typo away.
                joint = Token(joined, skeleton(joined), NAME, joined, abjad=a.abjad)
                hits, near = self._expand(joint, parts, near=False)
                if hits:
                    covers = tuple(rank[k] for k in (i, i + 1) if k in rank)
                    words.append(_Word(covers, hits, near))
        return words

    def _candidate_names(
        self,
        form: NameForm,
        weights: tuple[float, ...],
        review: float,
        limit: int,
        parts: frozenset[int] | None,
    ) -> list[tuple[float, int]]:
        """(estimate, name) for names that may reach ``review``, best first, at most ``limit``.

        A listed name holding the query words ``S`` scores about M / (M + B), with
        M the weight of ``S`` and B the cost of the words left over on either side
        (see :mod:`~screening.core.matching.compare`). First only the minimal
        word sets whose bound, counting the query side alone, reaches ``review``
        (less a margin) are intersected, so a common word alone never floods the
        pool; then each pooled name's estimate adds its own leftover words.
        """
        exact_parts = self._exact.get(form.exact_key, {})
        exact = [n for p, nids in exact_parts.items() if parts is None or p in parts for n in nids]
        words = self._query_words(form, parts)
        if not words:
            return [(2.0, nid) for nid in exact]
        toks = form.tokens
        informative = [i for i, t in enumerate(toks) if t.cls in _RETRIEVED]
        w = [weights[i] for i in informative]
        cost = [CLASS_WEIGHT[toks[i].cls] for i in informative]
        total_cost = sum(cost)
        words = sorted(words, key=lambda wd: -sum(w[k] for k in wd.covers))[:10]
        masks = [sum(1 << k for k in set(wd.covers)) for wd in words]
        memo: dict[int, tuple[float, float, int]] = {}

        def stats(mask: int) -> tuple[float, float, int]:
            """(matched weight, missed query cost, matched words) of a coverage mask."""
            found = memo.get(mask)
            if found is None:
                ks = [k for k in range(len(w)) if mask >> k & 1]
                found = memo[mask] = (
                    sum(w[k] for k in ks),
                    total_cost - sum(cost[k] for k in ks),
                    len(ks),
                )
            return found

        target = review - RETRIEVAL_MARGIN
        floor = review - SCORING_MARGIN
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
        for size in range(1, 0 if many else len(words) + 1):
            for combo in combinations(range(len(words)), size):
                chosen = sum(1 << c for c in combo)
                if any(m & chosen == m for m in unlimited):
                    continue
                cover = 0
                for c in combo:
                    cover |= masks[c]
                matched, missed, count = stats(cover)
                if matched <= 0 or matched / (matched + UNMATCHED_QUERY * missed) < target:
                    continue
                if size == 1:
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
                    pool |= names_s & self._cost_at_most(limit_cost)
        if not pool:
            return [(2.0, nid) for nid in exact]
        strong_by: dict[int, int] = {}
        near_by: dict[int, int] = {}
        for wd, mask in zip(words, masks, strict=True):
            strong = wd.names - wd.near if wd.near else wd.names
            for nid in strong & pool if len(strong) > len(pool) else pool.intersection(strong):
                strong_by[nid] = strong_by.get(nid, 0) | mask
            if wd.near:
                for nid in wd.near & pool:
                    near_by[nid] = near_by.get(nid, 0) | mask
        covered_by = dict(strong_by)
        for nid, mask in near_by.items():
            covered_by[nid] = covered_by.get(nid, 0) | mask
        name_cost = self._name_cost
        estimates: list[tuple[float, int]] = []
        # The estimate, inlined: it runs for every pooled name.
        for nid, mask in covered_by.items():
            matched, missed_q, count = stats(mask)
            near_only = mask & ~strong_by.get(nid, 0)
            if near_only:
                # Words matched only by a near spelling (a typo away) count for less.
                matched -= NEAR_DISCOUNT * stats(near_only)[0]
            missed_c = name_cost[nid] - count
            if missed_c < 0.0:
                missed_c = 0.0
            if missed_q < missed_c:
                clash = missed_q
                omitted = missed_c - missed_q
            else:
                clash = missed_c
                omitted = 0.0
            if omitted > LISTED_OMISSION_CAP:
                omitted = LISTED_OMISSION_CAP
            thin = OMISSION_REFERENCE / matched if matched < OMISSION_REFERENCE else 1.0
            value = matched / (
                matched
                + CONTRADICTION * clash
                + UNMATCHED_QUERY * (missed_q - clash)
                + UNMATCHED_LISTED * thin * omitted
            )
            if value >= floor:
                estimates.append((value, nid))
        estimates.sort(reverse=True)
        # An entry's aliases are mostly spellings of one another: its best few
        # estimates stand for it, leaving room for other entries.
        names = self._names
        per_entry: dict[int, int] = {}
        kept: list[tuple[float, int]] = [(2.0, nid) for nid in exact]
        for item in estimates:
            e = names[item[1]].entry
            seen = per_entry.get(e, 0)
            if seen >= NAMES_PER_ENTRY:
                continue
            per_entry[e] = seen + 1
            kept.append(item)
            if len(kept) >= limit:
                break
        return kept

    @staticmethod
    def _estimate(matched: float, missed_q: float, missed_c: float) -> float:
        """The score a name is expected to reach: see :mod:`~screening.core.matching.compare`."""
        clash = missed_q if missed_q < missed_c else missed_c
        omitted = min(missed_c - clash, LISTED_OMISSION_CAP)
        thin = OMISSION_REFERENCE / matched if matched < OMISSION_REFERENCE else 1.0
        rest = (
            CONTRADICTION * clash
            + UNMATCHED_QUERY * (missed_q - clash)
            + UNMATCHED_LISTED * thin * omitted
        )
        return matched / (matched + rest)

    @staticmethod
    def _cost_limit(matched: float, missed_q: float, count: int, floor: float) -> float | None:
        """The largest listed-name cost whose estimate still reaches ``floor`` (None: any; <0: none).

        Solves :meth:`_estimate` >= floor for the listed words left over: up to the
        query's own leftovers they clash, beyond that they are omissions (capped).
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

    def _cost_at_most(self, cost: float) -> frozenset[int]:
        """All names whose cost is at most ``cost`` (precomputed per quarter step)."""
        slot = min(int(cost / _COST_STEP + 1e-9), len(self._cost_sets) - 1)
        return self._cost_sets[slot]

    def _parts_for(
        self, kind: EntityKind | None, sources: set[str] | None
    ) -> frozenset[int] | None:
        if kind is None and sources is None:
            return None
        return frozenset(
            p
            for (source, entry_kind), p in self._partitions.items()
            if (sources is None or source in sources)
            and (kind is None or entry_kind in _COMPATIBLE[kind])
        )

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
        strong: dict[int, tuple[float, NameMatch]] = {}
        weak: dict[int, tuple[float, NameMatch]] = {}
        forms = self._forms(query)
        parts = self._parts_for(self._kind_of(query, forms), sources)
        # Qualifiers add at most this much, so a name below it cannot end above review.
        floor = policy.review - MAX_QUALIFIER_GAIN
        for form in forms:
            qweights = self.weights(form.tokens)
            qside = Side.of(form.tokens, qweights)
            rows = [sim_row(t) for t in form.tokens]
            names = self._names
            for estimate, nid in self._candidate_names(
                form, qweights, policy.review, MAX_SCORED, parts
            ):
                # Names come best estimate first: once an entry has a name scoring at
                # least as well as this one can, its other names need no scoring.
                e = names[nid].entry
                done = strong.get(e)
                if done is not None and done[0] >= estimate:
                    continue
                self._score_name(nid, form, qside, rows, strong, weak, floor)
        return self._finish(query, policy, strong, weak, self._identifier_hits(query, sources))

    def compare(self, query: PartyQuery, entity_id: str, policy: MatchPolicy) -> Hit | None:
        """Score ``query`` against one listed entity, all of its names, without retrieval.

        Returns the hit if it scores at least ``policy.review``. Raises KeyError
        for an entity id the index does not hold.
        """
        e = self._by_entity_id[entity_id]
        strong: dict[int, tuple[float, NameMatch]] = {}
        weak: dict[int, tuple[float, NameMatch]] = {}
        for form in self._forms(query):
            qside = Side.of(form.tokens, self.weights(form.tokens))
            rows = [sim_row(t) for t in form.tokens]
            for nid in self._entry_names[e]:
                self._score_name(nid, form, qside, rows, strong, weak)
        ids = {k: v for k, v in self._identifier_hits(query, None).items() if k == e}
        return next(iter(self._finish(query, policy, strong, weak, ids)), None)

    def _score_name(
        self,
        nid: int,
        form: NameForm,
        qside: Side,
        rows: list[dict[str, float]],
        strong: dict[int, tuple[float, NameMatch]],
        weak: dict[int, tuple[float, NameMatch]],
        floor: float = 0.0,
    ) -> None:
        listed = self._names[nid]
        raw = align_raw(qside, rows, listed.side, floor)
        score = raw[0] * NAME_KIND_FACTOR[listed.kind]
        best = weak if listed.kind is NameKind.WEAK_ALIAS else strong
        current = best.get(listed.entry)
        if current is None or score > current[0]:
            best[listed.entry] = (
                score,
                NameMatch(score, form, qside, listed.form, listed.side, listed.kind, raw),
            )

    def _finish(
        self,
        query: PartyQuery,
        policy: MatchPolicy,
        strong: dict[int, tuple[float, NameMatch]],
        weak: dict[int, tuple[float, NameMatch]],
        id_hits: dict[int, tuple[tuple[Identifier, Identifier], ...]],
    ) -> list[Hit]:
        # Qualifiers can only lower a name score, so anything below review is final.
        weak_weight = FEATURES[1].weight
        todo = {e for e, (s, _) in strong.items() if s >= policy.review}
        todo.update(e for e, (s, _) in weak.items() if s * weak_weight >= policy.review)
        todo.update(id_hits)
        # Score everything first; explain only the hits that are returned.
        scored: list[tuple[float, str, Comparison]] = []
        for e in todo:
            entry = self._entries[e]
            s_match, w_match = strong.get(e), weak.get(e)
            comparison = Comparison(
                query=query,
                entry=entry,
                strong=s_match[1] if s_match and s_match[0] > 0 else None,
                weak=w_match[1] if w_match and w_match[0] > 0 else None,
                identifiers=id_hits.get(e, ()),
                explain=False,
            )
            score = evaluate(comparison)[0]
            if score >= policy.review:
                scored.append((score, entry.entity_id, comparison))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [
            self._hit(policy, replace(c, explain=True)) for _, _, c in scored[: policy.max_hits]
        ]

    def _hit(self, policy: MatchPolicy, comparison: Comparison) -> Hit:
        score, results, explanation = evaluate(comparison)
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
