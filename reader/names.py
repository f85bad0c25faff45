"""Speaker names: which known speaker a mention in a text refers to. Pure, no Django.

The app calls it with plain data:

    Known(id, name, aliases=(), kind="person", gender=None, plural=None)
        A speaker the app already has: `kind` is one of KINDS, `gender` is
        "female", "male" or None (unknown), `plural` True for a group
        ("officials") when known.

    resolve(mention, speakers) -> Known | None
        The speaker a mention such as "Mr. Zimmerman", "Rouhani's",
        "President Hassan Rouhani" or "Foreign Ministry spokesman Saeed
        Khatibzadeh" refers to, or None when no speaker fits or when several
        fit equally (an ambiguous mention is never guessed). In order:
        1. the mention equals a name or alias, ignoring case, spacing, a
           possessive ending and surrounding punctuation;
        2. its core name (titles, roles and possessive dropped) equals a
           speaker's core name;
        3. it is a news short form of one person: the surname ("Clinton"), or
           the name with middle names left out ("Hillary Clinton" for "Hillary
           Rodham Clinton"). A courtesy title's gender (Mr., Mrs., Ms.) rules
           out persons known to be of the other gender.

    resolve_pronoun(pronoun, candidates_before) -> Known | None
        The nearest preceding compatible speaker (candidates in text order,
        nearest last): he/him/his a person not known to be female, she/her a
        person not known to be male, it/its an organisation (or a document),
        they/them/their an organisation, anonymous source, group or a speaker of
        unknown kind; we/our the outlet's own voice. A proposal, for a person
        to confirm.

    guess_kind(name) -> kind          heuristics, see the function
    guess_gender(name) -> gender      from courtesy titles only
    core_name(mention) -> str         "President Hassan Rouhani's" -> "Hassan Rouhani"
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

PERSON, ORGANISATION, OUTLET, ANONYMOUS, DOCUMENT = (
    "person",
    "organisation",
    "outlet",
    "anonymous",
    "document",
)
KINDS = (PERSON, ORGANISATION, OUTLET, ANONYMOUS, DOCUMENT)
FEMALE, MALE = "female", "male"


@dataclass(frozen=True)
class Known:
    id: object
    name: str
    aliases: tuple[str, ...] = ()
    kind: str | None = PERSON
    gender: str | None = None
    plural: bool | None = None


_WORD = re.compile(r"[^\W_]+(?:[-’'.][^\W_]+)*\.?")
_POSSESSIVE = re.compile(r"(?:[’']s|(?<=s)[’'])$", re.IGNORECASE)

# Courtesy titles carry a gender; the rest of the titles and roles only get dropped.
_GENDERED_TITLES = {
    "mr": MALE,
    "sir": MALE,
    "mrs": FEMALE,
    "ms": FEMALE,
    "miss": FEMALE,
    "madam": FEMALE,
    "lady": FEMALE,
    "dame": FEMALE,
}
_TITLES = frozenset(
    """mr mrs ms miss mx dr prof sir dame lady madam president vice prime minister premier chancellor
    secretary sen senator rep representative gov governor lt gen general adm admiral col colonel maj major
    capt captain sgt sergeant cmdr commander brig ayatollah imam sheikh rev reverend father pope king queen
    prince princess crown judge justice chief deputy acting former foreign interior defense defence spokesman
    spokeswoman spokesperson ambassador envoy mayor speaker leader chairman chairwoman chair director
    candidate
    state the a an his her their its our minister's official officer commissioner attorney supreme
    """.split()  # noqa: SIM905
)
# Lower-case words that belong inside names ("Ali Khamenei", "Charles de Gaulle", "bin Salman").
_NAME_PARTICLES = frozenset(
    [
        "de",
        "del",
        "della",
        "der",
        "di",
        "du",
        "da",
        "van",
        "von",
        "bin",
        "bint",
        "al",
        "el",
        "la",
        "le",
        "ibn",
        "of",
        "and",
    ]
)

_DOCUMENT_WORDS = frozenset(
    """statement statements report reports tweet tweets post posts letter letters memo memorandum email emails
    e-mail study studies poll polls survey surveys document documents article articles editorial release
    filing transcript video videos ad ads advertisement book books record records data analysis op-ed column
    complaint lawsuit indictment website message messages text texts cable cables footage recording
    communique communiqué declaration manifesto platform resolution bulletin notice warrant affidavit
    """.split()  # noqa: SIM905
)
_ANONYMOUS_HEADS = frozenset(
    """official officials source sources spokesman spokeswoman spokesperson spokespeople aide aides adviser
    advisers advisor advisors insider insiders analyst analysts expert experts critic critics observer
    observers witness witnesses resident residents people person someone somebody diplomat diplomats
    lawmaker lawmakers person people supporters supporter opponents opponent activists activist
    investigators investigator authorities officers staffers staffer members member some many others
    insiders allies ally friends friend associates associate voters voter protesters protester
    """.split()  # noqa: SIM905
)
_ORGANISATION_WORDS = frozenset(
    """ministry agency party council department committee commission court congress senate house parliament
    government administration office bureau service services force forces army navy corps guard guards
    police university institute foundation association union group inc corp corporation company co ltd
    llc bank fund organization organisation network news times post journal press reuters tribune
    embassy majlis kremlin pentagon campaign league federation coalition alliance authority board
    cabinet regime republic kingdom state-run tv television radio agency centre center club society
    movement front brigade brigades division command caucus church mosque council chamber assembly
    """.split()  # noqa: SIM905
)
# The head of a noun phrase comes before these ("a source close to the talks", "a report by the agency").
_HEAD_END = re.compile(r" (?:of|for|from|by|close to|familiar with|with|at|in|on|who|that|to) ")
_ACRONYM = re.compile(r"[A-Z]{2,6}s?")
_OUTLET_VOICES = frozenset(
    [
        "we",
        "us",
        "our",
        "i",
        "me",
        "my",
        "this reporter",
        "this newspaper",
        "the author",
        "this writer",
        "the writer",
        "this website",
        "this site",
    ]
)
_PRONOUNS = {
    "he": "he",
    "him": "he",
    "his": "he",
    "himself": "he",
    "she": "she",
    "her": "she",
    "hers": "she",
    "herself": "she",
    "it": "it",
    "its": "it",
    "itself": "it",
    "they": "they",
    "them": "they",
    "their": "they",
    "theirs": "they",
    "themselves": "they",
    "we": "we",
    "us": "we",
    "our": "we",
    "ours": "we",
    "ourselves": "we",
}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().replace("’", "'")


def _words(mention: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", mention))


@lru_cache(maxsize=4096)
def normalise(mention: str) -> str:
    """Case, spacing, a possessive ending and surrounding punctuation do not matter."""
    words = _words(mention)
    if words:
        words[-1] = _POSSESSIVE.sub("", words[-1])
    return " ".join(_fold(word).removesuffix(".") for word in words if word)


def _is_title(word: str) -> bool:
    return _fold(word).removesuffix(".") in _TITLES


@lru_cache(maxsize=4096)
def core_name(mention: str) -> str:
    """The name in a mention: no appositive, role, title, leading determiner or possessive ending.

    "Foreign Ministry spokesman Saeed Khatibzadeh" -> "Saeed Khatibzadeh",
    "Gen. Qasem Soleimani's" -> "Qasem Soleimani", "Iran's Foreign Ministry" stays.
    """
    head = re.split(r"[,(;:—–]| - ", mention, maxsplit=1)[0]
    words = _words(head)
    if not words:
        return ""
    words[-1] = _POSSESSIVE.sub("", words[-1])
    # A role written in lower case ("spokesman") ends whatever came before it.
    last_lower = max(
        (i for i, w in enumerate(words) if w[0].islower() and _fold(w) not in _NAME_PARTICLES), default=-1
    )
    words = words[last_lower + 1 :]
    while len(words) > 1 and (_is_title(words[0]) or _fold(words[0]) == "of"):
        words = words[1:]
    return " ".join(word for word in words if word)


def guess_gender(name: str) -> str | None:
    """'female' or 'male' from a courtesy title ("Mrs. Clinton", "Mr. Zimmerman"), else None."""
    for word in _words(name):
        folded = _fold(word).removesuffix(".")
        if folded in _GENDERED_TITLES:
            return _GENDERED_TITLES[folded]
        if folded not in _TITLES:
            return None
    return None


def guess_kind(name: str) -> str:
    """person, organisation, outlet, anonymous or document, from the words of a mention.

    The head of the mention's noun phrase decides (the word before "of",
    "for", "close to", ... or the last word): a document or post ("a
    statement", "the tweet", "the report"), an anonymous source ("officials",
    "a spokesman" without a name, "sources close to ..."), an organisation
    ("Ministry", "Party", "the White House", or an acronym such as "FBI");
    "we" and "this reporter" are the outlet's own voice, "it" an organisation;
    anything else is a person.
    """
    phrase = re.split(r"[,(;:—–]", name)[0]
    folded = normalise(phrase)
    if not folded:
        return ANONYMOUS
    if folded in _OUTLET_VOICES:
        return OUTLET
    if folded in ("it", "its", "itself"):
        return ORGANISATION
    if folded in ("they", "them", "their", "themselves"):
        return ANONYMOUS
    head_phrase = _HEAD_END.split(folded)[0]
    head = head_phrase.split()[-1]
    if head in _DOCUMENT_WORDS:
        return DOCUMENT
    if head in _ANONYMOUS_HEADS:
        return ANONYMOUS
    if head in _ORGANISATION_WORDS:
        return ORGANISATION
    original = _words(phrase)
    index = len(head_phrase.split()) - 1
    if index < len(original) and _ACRONYM.fullmatch(original[index].replace(".", "")):
        return ORGANISATION  # "the FBI", "NGOs", "the U.N."
    return PERSON


def _names_of(speaker: Known) -> list[str]:
    return [speaker.name, *speaker.aliases]


def _only(matches: list[Known]) -> Known | None:
    unique = list({id(m): m for m in matches}.values())
    return unique[0] if len(unique) == 1 else None


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    position = 0
    for word in long:
        if position < len(short) and short[position] == word:
            position += 1
    return position == len(short)


def resolve(mention: str, speakers: Sequence[Known]) -> Known | None:
    """The known speaker a mention refers to, or None (no match, or ambiguous). See the module docstring."""
    wanted = normalise(mention)
    if not wanted:
        return None
    exact = [s for s in speakers if any(normalise(n) == wanted for n in _names_of(s))]
    if exact:
        return _only(exact)
    core = normalise(core_name(mention))
    if not core:
        return None
    same_core = [s for s in speakers if any(normalise(core_name(n)) == core for n in _names_of(s))]
    if same_core:
        return _narrow_by_gender(same_core, mention)
    words = core.split()
    short_forms = []
    for speaker in speakers:
        if speaker.kind not in (PERSON, None):
            continue
        for name in _names_of(speaker):
            full = normalise(core_name(name)).split()
            if full and full[-1] == words[-1] and _is_subsequence(words, full):
                short_forms.append(speaker)
    return _narrow_by_gender(short_forms, mention)


def _narrow_by_gender(matches: list[Known], mention: str) -> Known | None:
    """A courtesy title rules out persons known to be of the other gender; then one must be left."""
    gender = guess_gender(mention)
    if gender:
        matches = [m for m in matches if m.gender in (gender, None)]
    return _only(matches)


def resolve_pronoun(pronoun: str, candidates_before: Sequence[Known]) -> Known | None:
    """The nearest preceding speaker a pronoun can refer to (candidates in text order), or None."""
    family = _PRONOUNS.get(_fold(pronoun).strip())
    if family is None:
        return None
    for candidate in reversed(candidates_before):
        if _fits(family, candidate):
            return candidate
    return None


def _fits(family: str, candidate: Known) -> bool:
    if family == "he":
        return candidate.kind == PERSON and candidate.gender != FEMALE and not candidate.plural
    if family == "she":
        return candidate.kind == PERSON and candidate.gender != MALE and not candidate.plural
    if family == "it":
        return candidate.kind in (ORGANISATION, DOCUMENT) and not candidate.plural
    if family == "they":
        return bool(candidate.plural) or candidate.kind in (ORGANISATION, ANONYMOUS, None)
    return candidate.kind == OUTLET
