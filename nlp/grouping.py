"""Unanswered questions grouped by similarity, for an admin to teach the bot (/unanswered).

Questions are compared as ``normalizer.compact`` forms (normalized, typos fixed, spaces
dropped), so 다문화가족지원센터어디서해요 and "다문화가족 지원센터 어디서 해요" are one question.
Each question joins the first group whose leader (its most asked wording) is similar enough;
groups come most asked first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from nlp.normalizer import compact

# rapidfuzz ratio (0–100) of the compact forms. Measured on benchmarks/questions.tsv +
# dev-questions.tsv (67,896 pairs): the highest ratio between two questions about different
# entries is 81 (인천 규제개혁위원회 위원 몇명임? / … 위원장; 전라북도 vs 인천 새마을지도자
# 장학금 예산 is 80), while every question of 8+ syllables and its copy with one syllable
# changed score 87.5 or more (434 of 434). 85 keeps typos and spacing of one question together
# and questions about different things apart.
GROUP_SIMILARITY = 85


@dataclass(frozen=True)
class QuestionGroup:
    """Similar questions: each distinct wording with how often it was asked, most asked first."""

    questions: tuple[tuple[str, int], ...]

    @property
    def count(self) -> int:
        """How many times any question of the group was asked."""
        return sum(n for _, n in self.questions)

    @property
    def leader(self) -> str:
        """The most asked wording, shown for the group."""
        return self.questions[0][0]


def group_questions(
    texts: Iterable[str], *, similarity: float = GROUP_SIMILARITY
) -> list[QuestionGroup]:
    """Groups of similar questions, the most asked group first; the same compact form counts
    as one question (its most frequent wording is shown)."""
    counts: Counter[str] = Counter()
    wordings: dict[str, Counter[str]] = {}
    for text in texts:
        key = compact(text)
        if key:
            counts[key] += 1
            wordings.setdefault(key, Counter())[" ".join(text.split())] += 1
    leaders: list[str] = []
    members: dict[str, list[str]] = {}
    for key, _ in counts.most_common():
        leader = next(
            (k for k in leaders if fuzz.ratio(key, k, score_cutoff=similarity) >= similarity),
            None,
        )
        if leader is None:
            leaders.append(key)
            members[key] = [key]
        else:
            members[leader].append(key)
    groups = [
        QuestionGroup(tuple((wordings[k].most_common(1)[0][0], counts[k]) for k in keys))
        for keys in members.values()
    ]
    return sorted(groups, key=lambda g: -g.count)
