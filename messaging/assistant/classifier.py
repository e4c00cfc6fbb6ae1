"""A small statistical fallback for the offline engine: multinomial Naive Bayes on n-grams.

The rules in offline.py read what they have patterns for; this model reads the rest by
resemblance to the labelled corpus that ships beside it (corpus.tsv). Features are binary:
character 1-3-grams over runs of Chinese, and word uni/bigrams plus character 3-grams over
English and romanised Cantonese, so unseen spellings ("apointment", "預釣", "cancel jor")
still share most of their features with seen ones. Pure Python, trained once on first use
(well under a second) and never raising: with no corpus it predicts nothing.
"""

from __future__ import annotations

import csv
import functools
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .screen import ascii_regex, normalise

CORPUS = Path(__file__).with_name("corpus.tsv")
ALPHA = 0.1  # additive smoothing
# Chosen by 10-fold cross-validation on the corpus (3 shuffles), scoring held-out folds with the
# unknown class weighted to half the mass, as it is among the messages the rules cannot read:
# the model speaks only when nearly sure, but an emergency needs less certainty, because a
# missed one costs more than a false alarm (which still only points the patient to 999/A&E).
MARGIN = 0.9999
EMERGENCY_MARGIN = 0.5
KNOWN = 0.4  # at least this share of the message's features seen in training ("asdfgh" is not)

_TOKENS = ascii_regex(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z][a-z']*|\d+")
_CJK_RUN = ascii_regex(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Cantonese sentence particles and fillers: they say how, not what, and only add noise to n-grams
_PARTICLES = str.maketrans("", "", "呀啊啦喇吖嘛囉咧噃喎㗎架嘞")


def features(text: str) -> set[str]:
    """The binary features of a message (already or not yet normalised)."""
    norm = normalise(text).translate(_PARTICLES)
    feats: set[str] = set()
    latin: list[str] = []
    for token in _TOKENS.findall(norm):
        if _CJK_RUN.match(token):
            latin.append("|")  # a Chinese run breaks an English phrase
            padded = f"^{token}$"
            feats.update(token)
            feats.update(padded[i : i + 2] for i in range(len(padded) - 1))
            feats.update(padded[i : i + 3] for i in range(len(padded) - 2))
        elif token[0].isdigit():
            latin.append("#")
            feats.add("#" if len(token) < 3 else "###")
        else:
            latin.append(token)
            feats.add(f"w:{token}")
            padded = f"<{token}>"
            feats.update(f"c:{padded[i : i + 3]}" for i in range(len(padded) - 2))
    feats.update(f"b:{a} {b}" for a, b in zip(latin, latin[1:], strict=False) if "|" not in (a, b))
    return feats


@dataclass(frozen=True)
class Guess:
    intent: str
    probability: float  # posterior of the best intent
    margin: float  # posterior of the best minus that of the runner-up
    known: float  # share of the message's features seen in training
    gap: float  # log-odds of the best over the runner-up, per known feature

    def posterior_of(self, intent: str) -> float:  # pragma: no cover - convenience for callers
        return self.probability if intent == self.intent else 0.0


class NaiveBayes:
    def __init__(self, rows: list[tuple[str, str]], alpha: float = ALPHA):
        self.alpha = alpha
        docs = Counter(intent for _, intent in rows)
        self.intents = sorted(docs)
        counts: dict[str, Counter] = {intent: Counter() for intent in self.intents}
        for text, intent in rows:
            counts[intent].update(features(text))
        self.vocabulary = set().union(*counts.values()) if counts else set()
        size = len(self.vocabulary) + 1
        total = sum(docs.values())
        self.prior = {i: math.log(docs[i] / total) for i in self.intents}
        self.unseen = {}
        self.loglik: dict[str, dict[str, float]] = {}
        for intent in self.intents:
            denominator = math.log(sum(counts[intent].values()) + alpha * size)
            self.unseen[intent] = math.log(alpha) - denominator
            self.loglik[intent] = {f: math.log(n + alpha) - denominator for f, n in counts[intent].items()}

    def scores(self, text: str) -> tuple[dict[str, float], int, int]:
        """Log joint probability per intent, and how many features were known out of how many."""
        every = features(text)
        feats = [f for f in every if f in self.vocabulary]
        scores = {}
        for intent in self.intents:
            table, unseen = self.loglik[intent], self.unseen[intent]
            scores[intent] = self.prior[intent] + sum(table.get(f, unseen) for f in feats)
        return scores, len(feats), len(every)

    def guess(self, text: str) -> Guess | None:
        if len(self.intents) < 2:
            return None
        scores, known, total = self.scores(text)
        if not known:
            return None
        top = max(scores.values())
        exps = {i: math.exp(s - top) for i, s in scores.items()}
        norm = sum(exps.values())
        ranked = sorted(scores, key=scores.get, reverse=True)
        best, second = ranked[0], ranked[1]
        p1, p2 = exps[best] / norm, exps[second] / norm
        gap = (scores[best] - scores[second]) / known
        return Guess(intent=best, probability=p1, margin=p1 - p2, known=known / total, gap=gap)


def read_rows(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [(row["text"], row["intent"]) for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]


@functools.cache
def model() -> NaiveBayes | None:
    try:
        return NaiveBayes(read_rows(CORPUS))
    except Exception:  # noqa: BLE001 - a missing or broken corpus turns the fallback off
        return None


def guess(text: str) -> Guess | None:
    """The model's best intent for a message, or None when there is no model."""
    nb = model()
    if nb is None or not re.search(r"\w", text or ""):
        return None
    return nb.guess(text)


def confident(found: Guess | None) -> str | None:
    """The guessed intent when the model is sure enough to act on it, else None."""
    if found is None or found.known < KNOWN or found.intent == "unknown":
        return None
    needed = EMERGENCY_MARGIN if found.intent == "emergency" else MARGIN
    return found.intent if found.margin >= needed else None


model()  # train once at import (about 0.1 s), not on a patient's first message
