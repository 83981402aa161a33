"""`narrative.decision`: the narrative under a question must not say the opposite of the
decision the notebook recorded ("significant, ship B" beside `ship_b: false`, or the reverse).

The reader of a notebook acts on its text; a recorded yes/no that its own narrative contradicts
leaves the business with two answers. Each decision of track_config may say how a narrative
states it (`narrative: {says_yes: [...], says_no: [...]}`, regular expressions). The markdown
under the question (its heading cell and the kit's placeholder aside; code, tables and quotes
left out) is cut into sentences, and a sentence into clauses (at commas, semicolons, colons,
brackets, "and", "but", "so", ...). A phrase found in a clause is a claim:

- negated when its clause has a negation before it ("not significant", "we should not ship
  B", "no significant difference", "fails to reach significance", "non-significant"): the
  opposite claim;
- ignored when its sentence is a question, or a condition or a hypothesis ("we ship B only if
  ...", "if the test were significant ...", "B would ..."): a rule, not a result.

The check fails only when the narrative makes claims and every one of them contradicts the
recorded decision, quoting the sentence; a narrative that says both, or nothing about the
decision, is not penalised. Unscored: the challenge's caps and review.yaml say what it costs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

from grader.analysis import notebook_facts as nbf
from grader.checks import CheckResult
from grader.tracks.notebook.answers import Answers
from grader.tracks.notebook.config import Decision, NotebookConfig

CHECK, TITLE = "narrative.decision", "Narrative agrees with the recorded decision"
#: candidate text read per markdown cell, sentences per cell, characters per sentence and
#: matches of one phrase per sentence: the work stays linear in what is read
MAX_TEXT, MAX_SENTENCES, MAX_SENTENCE, MAX_MATCHES = 100_000, 400, 1_000, 10
_SENTENCE = re.compile(r"(?<=[.!?;])(?=\s|$)|\n\s*\n|\n\s*(?:[-*+]|\d+[.)])\s+")
_CLAUSE = re.compile(r"[,;:()\[\]\u2014\u2013]|\s-\s|\b(?:and|but|so|yet|however|therefore|"
                     r"thus|hence|whereas|while|although|though|because|since)\b", re.I)
_NEGATION = re.compile(r"\b(?:not|no|never|neither|nor|without|cannot|fails?|failed|failing|"
                       r"lacks?|lacking|insufficient|hold(?:ing)?\s+off|refrain)\b|n't\b|"
                       r"\bnon-?\s*$|\bagainst\s*$", re.I)
_CONDITION = re.compile(r"\b(?:if|unless|whether|when|whenever|would|could|might|"
                        r"provided|assuming|suppose|supposing|in\s+case|only\s+once|"
                        r"or\s+not)\b", re.I)
_BULLET = re.compile(r"^\s*(?:[-+]|\d+[.)])\s+")
_MARKUP = re.compile(r"```[\s\S]*?```|`[^`\n]*`|<[^>\n]+>|!?\[([^\]\n]*)\]\([^)\n]*\)")


@dataclass(frozen=True)
class Claim:
    says: bool          # what the sentence says the decision is
    sentence: str
    cell: int           # index of the markdown cell


def prose(text: str) -> str:
    """Markdown as plain sentences: code, HTML, tables and block quotes out, links' text kept,
    emphasis marks dropped."""
    text = _MARKUP.sub(lambda m: m.group(1) or " ", text)
    lines = [line for line in text.splitlines()
             if not line.lstrip().startswith(("|", ">", "#"))]
    return re.sub(r"[*_]{1,3}", "", "\n".join(lines))


def sentences(text: str) -> list[str]:
    out = (_BULLET.sub("", s).strip() for s in _SENTENCE.split(prose(text)) if s)
    return [s for s in out if s]


def claims(text: str, words: Decision, cell: int = 0) -> list[Claim]:
    """The decision claims of a markdown text (see the module's docstring)."""
    if words.narrative is None:
        return []
    patterns = [(re.compile(p, re.I), True) for p in words.narrative.says_yes] + [
        (re.compile(p, re.I), False) for p in words.narrative.says_no]
    found = []
    for sentence in sentences(text[:MAX_TEXT])[:MAX_SENTENCES]:
        sentence = sentence[:MAX_SENTENCE]
        if sentence.endswith("?") or _CONDITION.search(sentence):
            continue
        says = set()
        for pattern, polarity in patterns:
            for m in islice(pattern.finditer(sentence), MAX_MATCHES):
                clause = _CLAUSE.split(sentence[:m.start()])[-1]
                says.add(polarity != bool(_NEGATION.search(clause)))
        if len(says) == 1:
            found.append(Claim(says.pop(), sentence[:300], cell))
    return found


def decision_check(cfg: NotebookConfig, sections: dict[str, list[nbf.Cell]],
                   answers: Answers | None) -> CheckResult | None:
    """narrative.decision over the decisions that say how a narrative states them (None when
    none does)."""
    decisions = [d for d in cfg.decisions if d.narrative is not None]
    if not decisions:
        return None
    judged, problems, notes = 0, [], []
    for d in decisions:
        record = answers.values.get(d.question) if answers and answers.present else None
        recorded = record.get(d.field) if isinstance(record, dict) else None
        if not isinstance(recorded, bool):
            continue
        judged += 1
        found = [c for cell in sections.get(d.question, [])[1:] if cell.kind == "markdown"
                 for c in claims(_without(cell.source, cfg.narrative.placeholders), d,
                                 cell.index)]
        against = [c for c in found if c.says != recorded]
        value = str(recorded).lower()
        if found and len(against) == len(found):
            c = against[0]
            problems.append(f"{d.answer} = {value} is recorded, but the narrative under "
                            f"{d.question} says the opposite: \"{_cut(c.sentence)}\" (cell "
                            f"{c.cell + 1})")
        elif against:
            notes.append(f"the narrative under {d.question} says both (\""
                         f"{_cut(against[0].sentence)}\" against {d.answer} = {value}, and the "
                         "opposite elsewhere)")
        else:
            notes.append(f"the narrative under {d.question} "
                         + (f"agrees with {d.answer} = {value}" if found else
                            "says nothing about the decision"))
    if not judged:
        return CheckResult.unverified(CHECK, "no recorded decision to compare the narrative "
                                      "with", title=TITLE, kind="static")
    if problems:
        return CheckResult.failed(CHECK, "; ".join(problems[:3]), title=TITLE, kind="static",
                                  max_points=0.0, evidence={"contradictions": problems[:10]})
    return CheckResult.passed(CHECK, "; ".join(notes), title=TITLE, kind="static",
                              max_points=0.0)


def _without(text: str, placeholders: list[str]) -> str:
    for placeholder in placeholders:
        text = text.replace(placeholder, " ")
    return text


def _cut(sentence: str, cap: int = 160) -> str:
    return sentence if len(sentence) <= cap else sentence[:cap - 3].rstrip() + "..."
