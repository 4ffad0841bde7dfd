"""The result of answering one message — the contract shared by the CLI, the console chat and
the Telegram handlers (``python bot.py ask --json`` prints ``Reply.to_json()``)."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.model import Entry

QUESTION = "question"
COMPLAINT = "complaint"
GREETING = "greeting"
OUT_OF_SCOPE = "out_of_scope"
INTENTS = (QUESTION, COMPLAINT, GREETING, OUT_OF_SCOPE)

ANSWER = "answer"  # the bot commits to one entry
SUGGEST = "suggest"  # "혹시 이것을 찾으셨나요?" with the top few (``offered``)
NOT_FOUND = "not_found"  # honest "I don't know" with next steps
NO_MATCH = "none"  # greeting / complaint / out of scope: matching was not the point
BANDS = (ANSWER, SUGGEST, NOT_FOUND, NO_MATCH)

# "Did you mean" offers up to SUGGESTION_COUNT entries: the first SUGGESTION_ALWAYS, and the
# next ones while they score at least SUGGESTION_MIN_SHARE of the first. Replayed on the title
# questions of every spent set (questions, dev, holdout, blind A–R: 2,339) with the fused
# rankings: in the suggest band the right entry was among the first three 0.898 of the time
# (106 of 118) and among the first five 0.949 (112); below the band (not found) 165 of 232
# held it in their first three and 182 in their first five. Dropping the 4th and 5th entry
# under half the first's score shows 4.5 entries instead of 5 and loses no right one; at 0.6
# one is lost, at 0.7 six (suggest band 26).
SUGGESTION_COUNT = 5
SUGGESTION_ALWAYS = 3
SUGGESTION_MIN_SHARE = 0.5
# After the first SUGGESTION_ALWAYS come the entries nearest in meaning that the fused ranking
# put lower: where a "did you mean" misses, the citizen's words are the ones the documents do not
# use, so the fused score sinks the entry that meaning alone would rank first or second. Replayed
# on the suggest-band title and text questions of every spent set (blind A–Z, AA–AK: 450), the
# two nearest in meaning before the 4th and 5th fused entries: the right entry is shown 421 times
# instead of 414 (10 found, 3 lost); one nearest 415, three 421 with more shown.
SUGGESTION_NEAREST = 2


@dataclass(frozen=True)
class Hit:
    """One ranked knowledge-base entry with its match score (0–100)."""

    entry: Entry
    score: float

    def to_json(self) -> dict:
        e = self.entry
        return {
            "id": e.id,
            "title": e.title,
            "kind": e.kind,
            "region": e.region,
            "department": e.department,
            "score": round(self.score, 2),
        }


@dataclass(frozen=True)
class Reply:
    """What the bot says to one message, plus why (intent, band, ranked hits)."""

    query: str
    intent: str
    band: str
    text: str
    hits: tuple[Hit, ...] = ()
    # A list answer's entry ids in order (buttons, "더 보기", "2번"); empty for other replies.
    items: tuple[str, ...] = ()
    # The whole card when ``text`` is its short form ([자세히]); empty when ``text`` is all.
    detail: str = ""
    # The entry the reply is about (follow-ups, [출처]); None for lists and non-answers.
    entry_id: str | None = None
    # A complaint-intent message asking how to file: answered (HOW_TO_FILE_TEXT), not filed.
    how_to_file: bool = False
    # The problem such a message describes ("가로등 고장"): the draft's start on [민원 접수하기].
    problem: str = ""
    # The entries a "did you mean" reply offers (``offered``); set with the SUGGEST band.
    offers: tuple[Hit, ...] = ()

    @property
    def answered(self) -> bool:
        """True only when the bot commits to an answer."""
        return self.band == ANSWER

    @property
    def suggestions(self) -> tuple[Hit, ...]:
        """The entries to offer as "did you mean" buttons (``offered``) in the middle band."""
        return self.offers if self.band == SUGGEST else ()

    def to_json(self) -> dict:
        return {
            "query": self.query,
            "intent": self.intent,
            "answered": self.answered,
            "text": self.text,
            "results": [h.to_json() for h in self.hits[:5]],
        }


def offered(hits: tuple[Hit, ...], nearest: tuple[Hit, ...] = ()) -> tuple[Hit, ...]:
    """The entries a "did you mean" reply shows: the first SUGGESTION_ALWAYS of ``hits``, the
    first SUGGESTION_NEAREST of ``nearest`` (nearest in meaning) not among them, then the next
    of ``hits`` while they score at least SUGGESTION_MIN_SHARE of the first; at most
    SUGGESTION_COUNT."""
    if not hits:
        return ()
    shown = list(hits[:SUGGESTION_ALWAYS])
    ids = {h.entry.id for h in shown}
    near = [h for h in nearest if h.entry.id not in ids][:SUGGESTION_NEAREST]
    shown += near
    ids |= {h.entry.id for h in near}
    floor = hits[0].score * SUGGESTION_MIN_SHARE
    for hit in hits[SUGGESTION_ALWAYS:SUGGESTION_COUNT]:
        if len(shown) >= SUGGESTION_COUNT:
            break
        if hit.entry.id not in ids and hit.score >= floor:
            shown.append(hit)
    return tuple(shown)
