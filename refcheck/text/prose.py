"""Names in body text: what tells a scholar's surname from a misspelt word.

In a reference the context machinery knows where the author list is; in
prose (``--prose``) a capitalised word may be a name anywhere.  The signals
used here are general habits of academic writing, gathered per document:

* the document itself uses the word as a name: an author of one of its
  references, a possessive ("Checkel's"), a citation ("Fierke (2007)",
  "Ruggie et al.");
* a reporting verb follows it ("Checkel also points out", "Ruggie argues");
* it is capitalised in mid-sentence, outside a run of capitalised words (a
  title), and its correction is not a word the document capitalises in
  mid-sentence: a writer who misspells "fierce" does not capitalise it,
  while "Kyrgystan" next to "Kyrgyzstan" elsewhere is a slip of a proper noun.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from refcheck.model import Document
from refcheck.text.patterns import lazy
from refcheck.text.tokens import Token

_REPORTING = (
    "argue|argues|argued|note|notes|noted|point|points|pointed|write|writes|wrote|contend|"
    "contends|contended|suggest|suggests|suggested|observe|observes|observed|claim|claims|"
    "claimed|state|states|stated|emphasi[sz]es|emphasi[sz]ed|stress|stresses|stressed|"
    "maintain|maintains|maintained|assert|asserts|asserted|explain|explains|explained|"
    "describe|describes|described|define|defines|defined|show|shows|showed|demonstrate|"
    "demonstrates|demonstrated|conclude|concludes|concluded|believe|believes|believed|posit|"
    "posits|posited|hold|holds|held|insist|insists|insisted|remark|remarks|remarked|propose|"
    "proposes|proposed|acknowledge|acknowledges|acknowledged|admit|admits|admitted|add|adds|"
    "added|find|finds|found|call|calls|called|refer|refers|referred|identif(?:y|ies|ied)|"
    "warn|warns|warned|say|says|said|consider|considers|considered|recogni[sz]e[sd]?|"
    "put|puts|see|sees|saw|et\\s+al"
)
_ADVERB = r"(?:also|further|furthermore|rightly|correctly|aptly|even|then|later|thus|too|\p{Ll}+ly)"
_REPORTING_AFTER = lazy(rf",?\s+(?:{_ADVERB},?\s+){{0,2}}(?:{_REPORTING})\b")
_ACCORDING_BEFORE = lazy(r"\b[Aa]ccording\s+to\s+(?:\p{Lu}[\p{Ll}.]+\s+)?$")
# A name used as one anywhere in the document: possessive, citation, "et al.".
_NAME_USE = lazy(
    r"\b(\p{Lu}\p{Ll}+)(?:['’‟]s\b|\s*\(\s*(?:1[5-9]|20)\d\d[a-z]?\b|\s+et\s+al\b)"
)
# A capitalised word after a lower-case word or a comma: not sentence-initial.
_MID_SENTENCE_CAP = lazy(r"(?<=[\p{Ll},]\s{1,3})(\p{Lu}\p{Ll}+)\b")
_WORD_BEFORE = lazy(r"(\S+)\s+$")
_WORD_AFTER = lazy(r"^\s+(\S+)")


@dataclass(frozen=True)
class ProseEvidence:
    """What one document says about its capitalised words (all lower-cased)."""

    names: frozenset[str]
    capitalised: frozenset[str]


def collect(doc: Document, name_tokens: set[str]) -> ProseEvidence:
    """The evidence of ``doc``; ``name_tokens`` are words of its references' author lists."""
    names = {w.lower() for w in name_tokens}
    for ref in doc.references:
        for person in (*ref.authors, *ref.editors):
            names.update(w.lower() for w in regex.findall(r"\p{L}+", person.family))
    names.update(m.group(1).lower() for m in _NAME_USE.finditer(doc.text))
    capitalised = {m.group(1).lower() for m in _MID_SENTENCE_CAP.finditer(doc.text)}
    return ProseEvidence(frozenset(names), frozenset(capitalised))


def sentence_initial(text: str, start: int) -> bool:
    """Whether the word at ``start`` begins a sentence, a line item or a footnote."""
    i = start - 1
    while i >= 0 and text[i] in " \t\r\n\u00a0":
        i -= 1
    return i < 0 or text[i] in '.!?:;"“”‟«»()[]' or text[i].isdigit()


def _capitalised_word(word: str) -> bool:
    return word[:1].isupper() and any(c.islower() for c in word[1:])


def in_title_run(text: str, tok: Token) -> bool:
    """Whether a capitalised neighbour makes the capital uninformative ("Beyond Bounderies")."""
    after = _WORD_AFTER.match(text[tok.end : tok.end + 40])
    if after and _capitalised_word(after.group(1)):
        return True
    before = _WORD_BEFORE.search(text[max(0, tok.start - 40) : tok.start])
    if before is None or not _capitalised_word(before.group(1)):
        return False
    return not sentence_initial(text, tok.start - len(before.group(0)))


def looks_like_name(text: str, tok: Token, suggestion: str, evidence: ProseEvidence) -> bool:
    """Whether a capitalised prose token is more likely a name than a slip of ``suggestion``."""
    if not tok.text[:1].isupper():
        return False
    if tok.text.lower() in evidence.names:
        return True
    if _REPORTING_AFTER.match(text, tok.end, min(len(text), tok.end + 60)):
        return True
    if _ACCORDING_BEFORE.search(text, max(0, tok.start - 40), tok.start):
        return True
    if sentence_initial(text, tok.start) or in_title_run(text, tok):
        return False
    return suggestion.lower() not in evidence.capitalised
