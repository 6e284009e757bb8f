"""Plain-language explanations of a deferred-acceptance result for one applicant.

In a stable matching (Gale & Shapley 1962; Roth 1984) every host an applicant ranked above
its result either does not list the applicant, has no places, or filled all its places with
applicants it ranks higher.  :func:`explain` says which, host by host, in Chinese or English.
If the assignment given is not stable for some host, the sentence says so instead of
inventing a reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._inputs import MatchingInputError, as_assignment, as_capacities, as_csr, n_rows

__all__ = ["explain"]

_EN_ORDINALS = (
    "first", "second", "third", "fourth", "fifth",
    "sixth", "seventh", "eighth", "ninth", "tenth",
)  # fmt: skip
_EN_COUNT_WORDS = ("zero", "one", "two", "three", "four", "five")

Names = Sequence[str] | Mapping[int, str] | None


def _en_ordinal(n: int) -> str:
    if n <= len(_EN_ORDINALS):
        return _EN_ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _name(names: Names, i: int, fallback: str) -> str:
    if names is None:
        return fallback
    try:
        return str(names[i])
    except (IndexError, KeyError):
        return fallback


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class _Phrases:
    def __init__(self, lang: str) -> None:
        self.zh = lang == "zh"

    def applicant(self, names: Names, a: int) -> str:
        return _name(names, a, f"申请人{a}" if self.zh else f"applicant {a}")

    def host(self, names: Names, h: int) -> str:
        return _name(names, h, f"单位{h}" if self.zh else f"host {h}")

    def choice(self, k: int, host: str) -> str:
        return f"第{k}志愿 {host}" if self.zh else f"Your {_en_ordinal(k)} choice {host}"

    def join(self, names: list[str]) -> str:
        return "、".join(names) if self.zh else ", ".join(names)

    def no_choices(self) -> str:
        return "您没有填报任何志愿。" if self.zh else "You did not rank any host."

    def admitted(self, choice: str) -> str:
        return f"{choice}：录取。" if self.zh else f"{choice}: admitted."

    def not_listed(self, choice: str) -> str:
        if self.zh:
            return f"{choice}：该校未将您列入可接受名单。"
        return f"{choice} did not list you as an acceptable applicant."

    def no_places(self, choice: str) -> str:
        return f"{choice}：没有名额。" if self.zh else f"{choice} had no places."

    def full_with_better(self, choice: str, capacity: int, others: list[str]) -> str:
        who = self.join(others)
        if self.zh:
            if capacity == 1:
                return f"{choice}：有1个名额，已分配给该校排序更靠前的申请人（{who}）。"
            return f"{choice}：有{capacity}个名额，均已分配给该校排序更靠前的申请人（{who}）。"
        if capacity == 1:
            return f"{choice} had 1 place; it went to an applicant it ranks higher: {who}."
        if capacity == 2:
            return f"{choice} had 2 places; both went to applicants it ranks higher: {who}."
        return (
            f"{choice} had {capacity} places; all {capacity} went to applicants it ranks "
            f"higher: {who}."
        )

    def free_places(self, choice: str, capacity: int, free: int) -> str:
        if self.zh:
            return (
                f"{choice}：有{capacity}个名额，仍有{free}个空缺，您本应被录取"
                f"（该分配结果不稳定）。"
            )
        still = "is" if free == 1 else "are"
        return (
            f"{choice} had {_plural(capacity, 'place')} and {free} {still} still free, so "
            f"you should have been admitted (this assignment is not stable)."
        )

    def holds_lower(self, choice: str, capacity: int, lower: list[str]) -> str:
        who = self.join(lower)
        if self.zh:
            return (
                f"{choice}：有{capacity}个名额，但录取了该校排序在您之后的申请人（{who}），"
                f"您本应被录取（该分配结果不稳定）。"
            )
        return (
            f"{choice} had {_plural(capacity, 'place')} but admitted applicants it ranks below "
            f"you: {who}, so you should have been admitted (this assignment is not stable)."
        )


def explain(
    applicant: int,
    applicant_prefs: Any,
    host_prefs: Any,
    capacities: Any,
    assignment: Any,
    applicant_names: Names = None,
    host_names: Names = None,
    lang: str = "zh",
) -> list[str]:
    """Explain ``applicant``'s result, one sentence per host ranked up to its result.

    For each host the applicant ranked above its result (or every ranked host if it is
    unassigned), and for the host it got, one sentence in ``lang`` (``"zh"`` or ``"en"``)
    saying why: the host did not list the applicant, had no places, or gave all its places to
    applicants it ranks higher (named, in the host's order); or "admitted" for the result
    itself.  An applicant who ranked nothing gets a single sentence saying so.  If the
    assignment is not stable for one of these hosts (a free place, or a place given to someone
    the host ranks lower), the sentence says so rather than inventing a reason.

    ``explain`` trusts ``assignment`` to be feasible (use
    :func:`~xietong.matching.check_feasible` first if it comes from elsewhere); it only
    checks that the applicant's own host is one it ranked.

    ``applicant_names``/``host_names`` are sequences (or mappings) from index to display name;
    missing names fall back to "申请人3"/"applicant 3" and "单位2"/"host 2".  Other arguments
    are as for :func:`~xietong.matching.stable_match` plus its result ``assignment``.

    Cost: O(E_a + E_h + A) per call (validation plus one scan of the assignment per host).

    >>> prefs, ranks, caps = [[0, 1], [0], [0, 1]], [[1, 2, 0], [0, 2]], [2, 1]
    >>> explain(0, prefs, ranks, caps, [1, 0, 0], ["张三", "李四", "王五"],
    ...         ["北京四中", "天津一中"])
    ['第1志愿 北京四中：有2个名额，均已分配给该校排序更靠前的申请人（李四、王五）。', \
'第2志愿 天津一中：录取。']
    >>> explain(0, prefs, ranks, caps, [1, 0, 0], ["Zhang San", "Li Si", "Wang Wu"],
    ...         ["Beijing No. 4 High School", "Tianjin No. 1 Middle School"], lang="en")[0]
    'Your first choice Beijing No. 4 High School had 2 places; both went to applicants it \
ranks higher: Li Si, Wang Wu.'
    """
    if lang not in ("zh", "en"):
        raise MatchingInputError(f'lang must be "zh" or "en", got {lang!r}')
    n_app = n_rows(applicant_prefs, "applicant_prefs")
    n_hosts = n_rows(host_prefs, "host_prefs")
    caps = as_capacities(capacities, n_hosts)
    apps = as_csr(applicant_prefs, n_hosts, "applicant_prefs", target="host")
    hosts = as_csr(host_prefs, n_app, "host_prefs", target="applicant")
    assigned = as_assignment(assignment, n_app, n_hosts)
    if isinstance(applicant, bool) or not isinstance(applicant, int | np.integer):
        raise MatchingInputError(f"applicant must be an integer index, got {applicant!r}")
    a = int(applicant)
    if not 0 <= a < n_app:
        raise MatchingInputError(f"applicant {a} is out of range for {n_app} applicants")

    say = _Phrases(lang)
    ranked = apps.row(a)
    if ranked.shape[0] == 0:
        return [say.no_choices()]
    result = int(assigned[a])
    if result >= 0:
        where = np.flatnonzero(ranked == result)
        if where.shape[0] == 0:
            raise MatchingInputError(
                f"assignment[{a}] = {result} is a host that applicant {a} did not rank"
            )
        ranked = ranked[: int(where[0]) + 1]

    sentences = []
    for k, h in enumerate(ranked.tolist(), start=1):
        choice = say.choice(k, say.host(host_names, h))
        if h == result:
            sentences.append(say.admitted(choice))
            continue
        host_list = hosts.row(h)
        mine = np.flatnonzero(host_list == a)
        capacity = int(caps[h])
        if mine.shape[0] == 0:
            sentences.append(say.not_listed(choice))
            continue
        if capacity == 0:
            sentences.append(say.no_places(choice))
            continue
        my_rank = int(mine[0])
        holders = np.flatnonzero(assigned == h)
        # Host rank of each holder (holders the host does not list count as ranked last).
        holder_rank = np.full(holders.shape[0], host_list.shape[0], dtype=np.int64)
        for i, b in enumerate(holders.tolist()):
            pos = np.flatnonzero(host_list == b)
            if pos.shape[0]:
                holder_rank[i] = pos[0]
        order = np.argsort(holder_rank, kind="stable")
        holders, holder_rank = holders[order], holder_rank[order]
        lower = holders[holder_rank > my_rank]
        if holders.shape[0] < capacity:
            sentences.append(say.free_places(choice, capacity, capacity - holders.shape[0]))
        elif lower.shape[0]:
            names = [say.applicant(applicant_names, int(b)) for b in lower]
            sentences.append(say.holds_lower(choice, capacity, names))
        else:
            names = [say.applicant(applicant_names, int(b)) for b in holders]
            sentences.append(say.full_with_better(choice, capacity, names))
    return sentences
