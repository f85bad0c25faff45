"""Measure reader.attribution.propose on PolNeAR (train or dev; never test).

    python -m bench.attribution_eval --split dev            # the extractor
    python -m bench.attribution_eval --split dev --baseline # the verb-list baseline
    python -m bench.attribution_eval --split train --show 20  # and print 20 misses / false alarms

The corpus is read from --polnear (default $POLNEAR_DIR, else /work/polnear):
data/<split>/text/<article>.txt and data/<split>/attributions/<article>_<annotator>.ann
(brat standoff: T lines are Source, Cue, Content spans, "start end;start end" when
discontinuous; E lines tie them into one attribution). An article annotated by several
annotators is scored against the annotator whose file name sorts first. Nothing of the
corpus is written anywhere.

Scoring (all overlap-based):
- Two spans match when they share at least one word character: a position i inside both
  with text[i] matching \\w. A discontinuous span is the union of its pieces.
- Attribution F1: predicted and gold attributions are paired when their contents match;
  pairs are taken greedily, most shared word characters first, each attribution in at most
  one pair. Precision = pairs / predicted, recall = pairs / gold.
- Attribution F1, source required: the same, but a pair is allowed only when, in addition,
  the gold attribution has no source or the predicted source matches the gold source.
- Direct-quote attribution F1: the same pairing restricted to gold attributions whose
  content is a direct quote and to predictions of kind "direct". A gold content is a
  direct quote when every run of its pieces (pieces separated by white space only form
  one run: the annotators often cut a quotation at its sentences), stripped of outer
  spaces and , . ; : -- , begins with an opening and ends with a closing quotation mark.
  A kind disagreement costs in both directions.
- Cue F1: cue spans paired greedily by matching, independently of attributions.
- Speed: the time propose() takes over the split, in ms per 1,000 words (words are
  whitespace-separated runs): wall-clock time, and the CPU time of this process, which
  depends less on what else the machine is doing.
"""

import argparse
import glob
import os
import re
import sys
import time
from dataclasses import dataclass

_WORDCHAR = re.compile(r"\w")
_OPEN = ("“", '"', "''", "``", "‘", "'")
_CLOSE = ("”", '"', "''", "’", "'")


@dataclass
class Attribution:
    source: list  # list of (start, end)
    cue: list
    content: list
    kind: str = ""


def load(root, split):
    """[(name, text, [Attribution])] for one split, one annotator per article."""
    if split not in ("train", "dev"):
        raise SystemExit(
            "Only the train and dev splits may be used (test is kept for the final measurement)."
        )
    folder = os.path.join(root, "data", split)
    articles = []
    seen = set()
    for path in sorted(glob.glob(os.path.join(folder, "attributions", "*.ann"))):
        name = re.sub(r"_[0-9a-f]{4}\.ann$", "", os.path.basename(path))
        if name in seen:
            continue
        seen.add(name)
        with open(os.path.join(folder, "text", name + ".txt"), encoding="utf-8") as handle:
            text = handle.read()
        with open(path, encoding="utf-8") as handle:
            articles.append((name, text, parse_ann(handle.read(), text)))
    if not articles:
        raise SystemExit(f"No PolNeAR articles under {folder}")
    return articles


def parse_ann(ann, text):
    spans, events = {}, []
    for line in ann.splitlines():
        parts = line.split("\t")
        if re.match(r"T\d+$", parts[0]) and len(parts) >= 2:
            label, _, offsets = parts[1].partition(" ")
            spans[parts[0]] = (label, [tuple(map(int, piece.split())) for piece in offsets.split(";")])
        elif re.match(r"E\d+$", parts[0]) and len(parts) >= 2:
            roles = {}
            for role in parts[1].split():
                key, _, ref = role.partition(":")
                roles.setdefault(re.sub(r"\d+$", "", key), []).append(ref)
            events.append(roles)
    attributions = []
    for roles in events:
        pieces = {
            key: [p for ref in roles.get(key, []) for p in spans[ref][1]]
            for key in ("Source", "Cue", "Content")
        }
        if not pieces["Content"] or not pieces["Cue"]:
            continue
        content = sorted(pieces["Content"])
        attributions.append(
            Attribution(
                sorted(pieces["Source"]),
                sorted(pieces["Cue"]),
                content,
                "direct" if is_direct(text, content) else "",
            )
        )
    return attributions


def is_direct(text, pieces):
    """Whether every run of pieces (pieces separated by white space only form one run) is a quotation."""
    runs = []
    for start, end in sorted(pieces):
        if runs and not text[runs[-1][1] : start].strip():
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    for start, end in runs:
        piece = text[start:end].strip().strip(",.;:—-").strip()
        if not (piece.startswith(_OPEN) and piece.endswith(_CLOSE)) or len(piece) < 3:
            return False
    return True


def shared(text, spans_a, spans_b):
    """How many word characters two (multi-piece) spans share; 1 when they overlap and one of them has no
    word character at all (a colon cue, `Smith: "..."`), which would otherwise never match anything."""
    total = overlap = 0
    for a0, a1 in spans_a:
        for b0, b1 in spans_b:
            lo, hi = max(a0, b0), min(a1, b1)
            if lo < hi:
                overlap += 1
                total += len(_WORDCHAR.findall(text, lo, hi))
    if not total and overlap and not (_has_word(text, spans_a) and _has_word(text, spans_b)):
        return 1
    return total


def _has_word(text, spans):
    return any(_WORDCHAR.search(text, a, b) for a, b in spans)


def pair(text, predicted, gold, key, allowed=lambda p, g: True):
    """Greedy one-to-one pairing by shared word characters of `key` spans; returns the number of pairs."""
    candidates = []
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            weight = shared(text, getattr(p, key), getattr(g, key))
            if weight and allowed(p, g):
                candidates.append((-weight, i, j))
    candidates.sort()
    used_p, used_g, pairs = set(), set(), []
    for _, i, j in candidates:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs


def source_ok(text):
    return lambda p, g: not g.source or (p.source and shared(text, p.source, g.source) > 0)


class Score:
    def __init__(self):
        self.tp = self.predicted = self.gold = 0

    def add(self, tp, predicted, gold):
        self.tp += tp
        self.predicted += predicted
        self.gold += gold

    def prf(self):
        p = self.tp / self.predicted if self.predicted else 0.0
        r = self.tp / self.gold if self.gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def to_attributions(proposals):
    found = []
    for proposal in proposals:
        content = proposal.content
        pieces = [tuple(content)] if isinstance(content[0], int) else [tuple(p) for p in content]
        found.append(
            Attribution([proposal.source] if proposal.source else [], [proposal.cue], pieces, proposal.kind)
        )
    return found


# ----------------------------------------------------------------------------------------------------
# The simple verb-list baseline: one attribution per sentence (sentences split at . ! ? outside quotation
# marks) with a reporting verb from a list of 45; source = the one or two words right before it (or after
# it when inverted), content = the rest of the sentence, or the part before when the verb ends it.

_BASELINE_VERBS = re.compile(
    r"\b(?:said|says|say|told|tells|added|adds|wrote|writes|according to|stated|announced|claimed|claims|"
    r"argued|argues|noted|explained|asked|tweeted|reported|insisted|warned|believes|thinks|believe|think|"
    r"suggested|acknowledged|declared|described|called|urged|predicted|recalled|denied|admitted|replied|"
    r"responded|continued|wants|hopes|plans|expects)\b"
)
# A sentence ends at . ! ? (and closing quotation marks) before a capital, outside quotation marks.
_SENTENCE_END = re.compile(r"[.!?][\"”’')]*(?=\s+[\"“‘(]?[A-Z])|\n+")
_QUOTE_MARK = re.compile(r"[“”]|\"|''")


def _sentences(text):
    start, inside = 0, False
    marks = [(m.start(), m.group()) for m in _QUOTE_MARK.finditer(text)]
    position = 0
    for end in _SENTENCE_END.finditer(text):
        while position < len(marks) and marks[position][0] < end.start():
            mark = marks[position][1]
            inside = mark == "“" or (mark != "”" and not inside)
            position += 1
        if inside and end.group() != "\n" and "\n" not in end.group():
            continue
        yield start, end.end()
        start, inside = end.end(), False
    if start < len(text):
        yield start, len(text)


@dataclass(frozen=True)
class _BaselineProposal:
    source: tuple | None
    cue: tuple
    content: tuple
    kind: str


def baseline(text):
    proposals = []
    for s0, s1 in _sentences(text):
        while s1 > s0 and text[s1 - 1] in " .!?\n":
            s1 -= 1
        verb = _BASELINE_VERBS.search(text, s0, s1)
        if not verb:
            continue
        c0, c1 = verb.span()
        before = list(re.finditer(r"[\w’'.-]+", text[s0:c0]))
        after = list(re.finditer(r"[\w’'.-]+", text[c1:s1]))
        if before and text[s0 + before[-1].end() : c0].strip() == "":
            words = before[-2:] if len(before) >= 2 and before[-2].group()[0].isupper() else before[-1:]
            source = (s0 + words[0].start(), s0 + words[-1].end())
            content = (c1, s1) if after else (s0, source[0])
        elif after:
            words = after[:2]
            source = (c1 + words[0].start(), c1 + words[-1].end())
            content = (s0, c0)
        else:
            continue
        content = _strip(text, content)
        if content is None:
            continue
        piece = text[content[0] : content[1]]
        kind = "direct" if piece.startswith(_OPEN) and piece.endswith(_CLOSE) else "indirect"
        proposals.append(_BaselineProposal(source, (c0, c1), content, kind))
    return proposals


def _strip(text, span):
    a, b = span
    while a < b and text[a] in " ,:—-":
        a += 1
    while b > a and text[b - 1] in " ,:—-":
        b -= 1
    return (a, b) if b > a else None


# ----------------------------------------------------------------------------------------------------


def evaluate(articles, extractor, show=0):
    scores = {name: Score() for name in ("direct", "attribution", "attribution+source", "cue")}
    seconds = cpu = 0.0
    words = 0
    shown = 0
    for name, text, gold in articles:
        started, started_cpu = time.perf_counter(), time.process_time()
        proposals = extractor(text)
        seconds += time.perf_counter() - started
        cpu += time.process_time() - started_cpu
        words += len(text.split())
        predicted = to_attributions(proposals)
        pairs = pair(text, predicted, gold, "content")
        scores["attribution"].add(len(pairs), len(predicted), len(gold))
        scores["attribution+source"].add(
            len(pair(text, predicted, gold, "content", source_ok(text))), len(predicted), len(gold)
        )
        direct_p = [p for p in predicted if p.kind == "direct"]
        direct_g = [g for g in gold if g.kind == "direct"]
        scores["direct"].add(len(pair(text, direct_p, direct_g, "content")), len(direct_p), len(direct_g))
        scores["cue"].add(len(pair(text, predicted, gold, "cue")), len(predicted), len(gold))
        if shown < show:
            shown += _show(name, text, predicted, gold, pairs, show - shown)
    per_thousand = 1000 * 1000 / words if words else 0.0
    return scores, (seconds * per_thousand, cpu * per_thousand), words


def _show(name, text, predicted, gold, pairs, limit):
    def render(a):
        def part(spans):
            return " | ".join(text[s:e].replace("\n", " ") for s, e in spans)

        return f"S[{part(a.source)}] C[{part(a.cue)}] Q[{part(a.content)[:160]}] {a.kind}"

    matched_p = {i for i, _ in pairs}
    matched_g = {j for _, j in pairs}
    count = 0
    for j, g in enumerate(gold):
        if j not in matched_g and count < limit:
            print(f"MISS  {name}: {render(g)}")
            count += 1
    for i, p in enumerate(predicted):
        if i not in matched_p and count < limit:
            print(f"FALSE {name}: {render(p)}")
            count += 1
    return count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", default=os.environ.get("POLNEAR_DIR", "/work/polnear"))
    parser.add_argument("--split", choices=("train", "dev"), default="dev")
    parser.add_argument("--baseline", action="store_true", help="score the simple verb-list baseline instead")
    parser.add_argument("--show", type=int, default=0, help="print this many misses and false alarms")
    args = parser.parse_args(argv)
    if args.baseline:
        extractor, label = baseline, "verb-list baseline"
    else:
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        from reader.attribution import EXTRACTOR_VERSION, propose

        extractor, label = propose, EXTRACTOR_VERSION
    articles = load(args.polnear, args.split)
    scores, ms, words = evaluate(articles, extractor, args.show)
    gold_total = scores["attribution"].gold
    print(
        f"{label} on PolNeAR {args.split}: {len(articles)} articles, {words} words, {gold_total} attributions"
    )
    print(f"{'measure':<38}{'P':>7}{'R':>7}{'F1':>7}")
    for key, title in (
        ("direct", "direct-quote attribution"),
        ("attribution", "attribution (content overlap)"),
        ("attribution+source", "attribution, source required"),
        ("cue", "cue"),
    ):
        p, r, f = scores[key].prf()
        print(f"{title:<38}{p:7.3f}{r:7.3f}{f:7.3f}")
    wall, cpu = ms
    print(f"{'speed':<38}{wall:7.2f} ms per 1,000 words ({cpu:.2f} ms of CPU time)")


if __name__ == "__main__":
    main()
