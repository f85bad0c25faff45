"""Proposed attributions (PARC / PolNeAR): who is reported as saying or thinking what.

`propose(text)` returns `Proposal`s, each a source span (or None), a cue span
and a content span (or several pieces, as in `"A," he said. "B."`), with a
kind (direct, indirect, mixed) and the speaker name it suggests. Offsets are
code points of `text`; contents keep their quotation marks. Pure: no Django,
no model, no network.

The method is rules over a tokenizer with offsets, in four steps:

1. Tokens, paragraphs (lines) and quotations: quotation marks are paired per
   paragraph across the styles news uses (curly, straight, the New York
   Times' `''`, single quotes in headlines); a quotation left open at the end
   of a paragraph runs to its end (multi-paragraph quotes). Sentences end at
   `.`, `!`, `?` outside quotations, not after abbreviations or initials.
2. Cues: a hand-written lexicon of reporting, belief and intention verbs with
   their inflections, phrases ("according to", "in a statement", "in a CNN
   poll"), participles after a comma (", adding that ..."), the colon
   (`X: "..."`, and the headline and transcript form `Name: words`), the dash
   that tags a quotation with its speaker (`"..." ― Jane Doe`), passives
   and raising verbs that name no source ("is expected to", "seems to"), and
   noun cues ("his claim that ...", "criticism of ..."). The cue span takes
   the verb group with it (auxiliaries, negation, adverbs, a catenative verb:
   "has repeatedly said", "continued to defend") and its particle or colon.
3. Frames around each cue: the source is the noun phrase next to it (before
   it, or after it when inverted: `"...," said John Smith, a spokesman`), a
   relative pronoun ("which said") or a pronoun; the content is the quotation
   next to it, or the clause after it ("that ..."), or the clause before it
   (`X, he said.`), or both sides (`X, he said, Y.`). Quotations that follow
   with no cue of their own, in the same paragraph or in paragraphs that are
   wholly quotations, continue the attribution before them.
4. One token, one attribution: candidates are taken strongest first, outer
   before nested (`X said that Y claimed Z` keeps the outer one; the inner one
   would share tokens), and contents are cut where they would run into an
   attribution already taken. Sources may be shared (`Anderson said, adding
   that ...`): the guidelines let attributions share a source, never a cue or
   content token.

A pronoun source names, as `speaker`, the nearest preceding compatible named
speaker or sentence-opening name (reader.names.resolve_pronoun); a short form
("Mr. Smith") names the full name seen before (reader.names.resolve); a
relative pronoun names its antecedent; titles and roles are dropped from
person names ("President Hassan Rouhani" -> "Hassan Rouhani").

bench/ATTRIBUTION.md has the measurement on PolNeAR and the failure analysis.
"""

import re
from dataclasses import dataclass

from reader import names

EXTRACTOR_VERSION = "attribution-rules/1"

Span = tuple[int, int]

DIRECT, INDIRECT, MIXED = "direct", "indirect", "mixed"


@dataclass(frozen=True)
class Proposal:
    source: Span | None
    cue: Span
    content: Span | list[Span]
    kind: str
    speaker: str | None = None
    confidence: float = 0.5

    @property
    def pieces(self) -> tuple[Span, ...]:
        """The content as a tuple of (start, end) pieces, whether or not it is discontinuous."""
        if isinstance(self.content, tuple):
            return (self.content,)
        return tuple(self.content)


# ---------------------------------------------------------------------------------------------------------
# Lexicon. Verb lemmas, inflected by rule; "+" doubles the last consonant (admit -> admitted), irregular
# forms are listed after a slash.

# Speech: quotes and inversion ("...," said X) allowed, and the content may come before the cue.
_SPEECH = """
say/said/says/saying tell/told add write/wrote/written/writes/writing tweet post note explain argue claim
insist ask reply respond answer announce declare report suggest warn acknowledge admit+ concede recall
continue predict deny complain joke quip+ boast brag+ vow pledge promise remark observe comment contend
maintain assert allege charge counter retort testify confirm reveal disclose conclude emphasize emphasise
stress mention repeat reiterate scoff shout yell exclaim whisper mutter sigh laugh recount elaborate opine
muse wonder speculate estimate caution advise proclaim email text inform assure reassure remind demand urge
plead beg+ threaten swear/swore/sworn concur+ agree clarify interject interrupt describe lament decry
chide scold rebuke lambaste hint imply indicate signal posit reason theorize surmise acknowledged
counsel cry grumble gush marvel bemoan crow state express point refer+ discuss echo talk speak/spoke/spoken
thank retweet request highlight assail recommend invoke reference compare chant sing/sang/sung react
bark fume exhort demur+ snap+ growl thunder gripe rant rail huff sniff deadpan chirp intone quote scream
snarl grin+ smile nod+ shrug+ read/read/reads/reading put/put/puts/putting liken deride credit allude
lash articulate congratulate champion forecast/forecast/forecasts/forecasting outline unveil rebuff weigh balk
spar+ pivot
""".split()  # noqa: SIM905
# Belief, intention, evaluation: the content follows the cue ("X believes that ...", "X wants to ...").
_THOUGHT = """
think/thought know/knew/known believe feel/felt expect hope want plan+ intend fear worry doubt
understand/understood realize realise recognize recognise assume suspect consider decide learn/learned/learnt
discover find/found notice remember anticipate trust prefer+ wish seek/sought aim refuse decline offer
propose support oppose endorse back favor favour reject accept envision foresee/foresaw/foreseen
see/saw/seen/sees/seeing hear/heard disagree dismiss accuse blame praise criticize criticise attack
slam+ blast defend condemn denounce mock ridicule applaud hail welcome question challenge dispute
contradict refute rebut+ debunk cite call demand tout dread regret dislike show/showed/shown/shows/showing
promise pledge vow threaten push press insist desire lobby call urge vote/voted/voting
fault target knock trash blast pan+ dub+ label+ brand characterize characterise portray paint/painted
frame consider deem acknowledge confess apologize apologise concern worry order identify imagine
determine nominate appoint encourage downplay side rail rule convince""".split()  # noqa: SIM905
# Nouns that are cues after a possessive ("his claim that", "Trump's view").
_NOUN_CUES = frozenset(
    """claim claims view views belief beliefs argument assertion suggestion allegation allegations
    accusation accusations promise promises pledge plan plans hope hopes fear fears concern concerns
    warning insistence contention position demand demands call calls statement statements
    remarks comments comment criticism opinion assessment prediction message reply answer
    announcement explanation denial decision vow words advice support opposition endorsement praise
    complaint complaints attack attacks question questions criticisms condemnation skepticism approval
    disapproval rejection defense push interview
    """.split()  # noqa: SIM905
)
# The prepositions that open the content of a noun cue ("criticism of", "questions about", "call for").
_NOUN_CUE_PREPOSITIONS = {
    noun: tuple(preps.split(","))
    for noun, preps in (
        ("criticism", "of"),
        ("attack", "on,against"),
        ("question", "about,over,on,of"),
        ("call", "for"),
        ("support", "for"),
        ("opposition", "to"),
        ("endorsement", "of"),
        ("praise", "for"),
        ("complaint", "about,over,of"),
        ("concern", "about,over"),
        ("fear", "of,about"),
        ("warning", "about,of"),
        ("view", "of,on"),
        ("statement", "on,about"),
        ("comment", "on,about"),
        ("remark", "about,on"),
        ("demand", "for"),
        ("plan", "for"),
        ("hope", "for,of"),
        ("accusation", "of"),
        ("allegation", "of"),
        ("condemnation", "of"),
        ("skepticism", "about,of,over"),
        ("approval", "of"),
        ("disapproval", "of"),
        ("rejection", "of"),
        ("defense", "of"),
        ("push", "for"),
        ("pressure", "on"),
        ("appeal", "for,to"),
        ("criticism", "of"),
        ("message", "of,about"),
        ("proposal", "for"),
        ("threat", "of"),
    )
}
# Adjectives that are cues with their preposition, after their subject ("Smith is critical of", "eager to").
_ADJECTIVE_CUES = {
    adjective: frozenset(preps.split(","))
    for adjective, preps in (
        ("critical", "of"),
        ("eager", "to"),
        ("quick", "to"),
        ("known", "for,to"),
        ("worried", "that"),
        ("convinced", "that"),
        ("supportive", "of"),
        ("wary", "of"),
        ("skeptical", "of,about"),
        ("hopeful", "that"),
        ("confident", "in,that"),
        ("adamant", "that"),
        ("concerned", "that"),
        ("aware", "that"),
        ("angry", "about"),
        ("reluctant", "to"),
    )
}
# Verbs that report only in a phrase: "issued a statement", "made it clear", "took aim at".
_PHRASE_VERBS = frozenset(
    """issue issues issued issuing release releases released releasing make makes made making take takes
    took taken taking""".split()  # noqa: SIM905
)
_TAKE_OBJECTS = {"aim": "at", "issue": "with", "swipe": "at", "swipes": "at", "shot": "at", "shots": "at"}
# Participles that start an attribution of their own after a comma (", adding that ...").
_PARTICIPLE_SPEECH_LISTED = frozenset(
    """saying adding noting calling arguing telling citing asking suggesting explaining accusing warning
    urging insisting claiming praising criticizing describing declaring referring writing tweeting
    recalling acknowledging admitting charging complaining predicting promising vowing pledging blaming
    questioning dismissing denying stressing emphasizing joking quipping boasting demanding calling
    labeling labelling touting defending attacking slamming mocking pointing""".split()  # noqa: SIM905
)
_AUX = frozenset(
    """has have had having is was are were be been being do does did will would can could should may might
    must shall not never also later then previously repeatedly recently once often always still even already
    again first initially publicly privately openly reportedly flatly quickly immediately further just only
    long since last late earlier simply directly explicitly essentially effectively apparently clearly
    frequently increasingly strongly specifically subsequently ultimately finally separately likewise
    similarly""".split()  # noqa: SIM905
)
_RECIPIENT_VERBS = frozenset(
    """tell told tells telling ask asked asks asking urge urged urges urging warn warned warns warning
    assure assured assures assuring remind reminded reminds reminding inform informed informs informing
    advise advised advises advising caution cautioned cautions beg begged begs implore implored convince
    convinced persuade persuaded instruct instructed order ordered notify notified reassure reassured
    reassures promise promised promises email emailed text texted""".split()  # noqa: SIM905
)
_DETERMINERS = frozenset(
    """the a an his her their its our my your this that these those some any no every each many several
    such another other both all most more few""".split()  # noqa: SIM905
)
_PRONOUN_SOURCES = frozenset(["he", "she", "they", "it", "we", "i", "you"])
# Lower-case nouns that begin a source ("officials said", "critics say").
_SOURCE_NOUNS = frozenset(
    """officials official sources source experts expert analysts analyst critics critic aides aide advisers
    adviser advisors advisor voters voter people supporters supporter opponents opponent republicans
    democrats conservatives liberals progressives polls poll reports documents records data studies
    surveys lawmakers members residents economists observers investigators prosecutors authorities
    scientists researchers reporters journalists leaders officers police protesters activists others
    many some few most spokesman spokeswoman spokesperson insiders allies donors delegates strategists
    operatives staffers organizers historians scholars lawyers attorneys judges witnesses doctors
    candidates senators diplomats""".split()  # noqa: SIM905
)
# Lower-case roles that begin an inverted source ("said spokesman John Kirby").
_ROLE_WORDS = frozenset(
    """spokesman spokeswoman spokesperson former then state sen rep gov president senator representative
    governor secretary director chairman chairwoman chair chief senior top campaign press communications
    deputy executive attorney lawyer adviser advisor aide professor pollster strategist analyst economist
    manager head founder leader author historian rabbi pastor rev father""".split()  # noqa: SIM905
)
_OBJECT_STARTS = frozenset(
    """that to the a an his her him them it its their this these those he she they we i you what how why
    whether if our my your""".split()  # noqa: SIM905
)
_PREPOSITIONS = frozenset(
    """of in on at for with by from about against among into onto over under after before during without
    within through to as""".split()  # noqa: SIM905
)
# Words that make a span a clause rather than a noun phrase.
_VERBISH = frozenset(
    """is was are were be been being has have had will would can could should may might must do does did
    not""".split()  # noqa: SIM905
)
_RELATIVES = frozenset(["who", "which", "that"])
# Words that end a source noun phrase going left from its cue.
_SOURCE_STOPS = frozenset(
    """that which who whom whose but or because when while if as after before since although though so
    than where whether how what why unless until once whereas and nor yet is was are were be been am
    to not""".split()  # noqa: SIM905
)
# Words that open an adjunct before a source ("On Tuesday Smith said", "In an interview the senator said").
_LEAD_INS = frozenset(
    """in on at during after before since until from for with by about against among amid despite over under
    through throughout without within upon last this next earlier later then now yesterday today tonight
    meanwhile however but and so yet still also instead indeed moreover separately similarly likewise
    afterward afterwards here there finally ultimately asked speaking writing when while as
    monday tuesday wednesday thursday friday saturday sunday""".split()  # noqa: SIM905
)
_ADJUNCT_AFTER_CUE = frozenset(
    """on in at during after before last this earlier later yesterday today tonight monday tuesday wednesday
    thursday friday saturday sunday week weekend month year morning afternoon evening night recently
    repeatedly again also publicly privately when while as from""".split()  # noqa: SIM905
)
_HEADLINE_KICKERS = frozenset(
    """latest breaking update updated watch exclusive opinion analysis editorial live video photos photo
    fact check poll polls report news read related note editor's what why how when where byline contributing
    correction corrections clarification look q""".split()  # noqa: SIM905
)
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr gen sen rep gov lt col sgt capt cmdr adm maj st jr sr inc corp co ltd vs etc jan feb mar
    apr jun jul aug sep sept oct nov dec no mt ft prof rev gens reps sens govs dept est fig u.s u.n d.c
    a.m p.m u.k e.u ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont
    neb nev okla ore pa tenn tex va vt wash wis wyo""".split()  # noqa: SIM905
)

_OPENERS = frozenset(["“", "``", "‘"])
_CLOSERS = frozenset(["”", "’"])
_AMBIGUOUS_DOUBLE = frozenset(['"', "''"])
_DOUBLE_MARKS = frozenset(["“", "”", '"', "``", "''"])
_TERMINALS = frozenset([".", "!", "?", "…"])
_PARTY_STATE = re.compile(r"[DRI]-[A-Z][a-z]{1,4}$")  # the state in "Rep. Ann Hall (D-Ore.)"
_DASHES = frozenset(["—", "―", "–", "-", "--"])


def _inflections(entry: str) -> set[str]:
    """The forms of a verb: "say/said" gives say, says, saying, said; "admit+" doubles (admitted)."""
    lemma, *irregular = entry.split("/")
    double = lemma.endswith("+")
    lemma = lemma.rstrip("+")
    stem = lemma + lemma[-1] if double else lemma
    if lemma.endswith("e"):
        forms = {lemma, lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    elif lemma.endswith("y") and lemma[-2] not in "aeiou":
        forms = {lemma, lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
    elif lemma.endswith(("s", "sh", "ch", "x", "z")):
        forms = {lemma, lemma + "es", stem + "ed", stem + "ing"}
    else:
        forms = {lemma, lemma + "s", stem + "ed", stem + "ing"}
    if irregular:
        forms = {f for f in forms if not f.endswith("ed")} | set(irregular)
    return forms


def _lexicon(entries) -> frozenset:
    return frozenset(form for entry in entries for form in _inflections(entry))


_SPEECH_FORMS = _lexicon(_SPEECH)
_THOUGHT_FORMS = _lexicon(_THOUGHT) - _SPEECH_FORMS
_PARTICIPLE_SPEECH = _PARTICIPLE_SPEECH_LISTED | {
    f for f in _SPEECH_FORMS | _THOUGHT_FORMS if f.endswith("ing")
}
# Cues only next to a quotation or after the content ("...," he continued), never before a clause.
_QUOTE_ONLY = frozenset(
    form
    for lemma in [
        "continue",
        "bark",
        "fume",
        "snap+",
        "growl",
        "thunder",
        "huff",
        "sniff",
        "deadpan",
        "chirp",
        "intone",
        "scream",
        "snarl",
        "grin+",
        "smile",
        "nod+",
        "shrug+",
        "laugh",
        "sigh",
        "chuckle",
        "scoff",
        "gush",
        "exclaim",
        "mutter",
        "whisper",
        "shout",
        "yell",
        "cry",
        "read/read/reads/reading",
    ]
    for form in _inflections(lemma)
)
_PARENTHETICALS = frozenset(
    """for however though too meanwhile in at on also then instead of too though indeed moreover in
    though however""".split()  # noqa: SIM905
)
# "X seems to ...", "X is expected to ...": attributions whose source is left unsaid.
_RAISING = frozenset(["seem", "seems", "seemed", "appear", "appears", "appeared"])
_RAISING_PASSIVES = frozenset(
    [
        "expected",
        "believed",
        "thought",
        "known",
        "considered",
        "rumored",
        "rumoured",
        "seen",
        "viewed",
        "regarded",
        "perceived",
        "presumed",
        "deemed",
        "alleged",
        "reputed",
    ]
)
_TIME_WORDS = frozenset(
    """year week month weekend night morning afternoon evening monday tuesday wednesday thursday friday
    saturday sunday""".split()  # noqa: SIM905
)
_BETWEEN_SOURCE_AND_CUE = frozenset(
    """here there today yesterday tonight now too himself herself themselves itself instead alone then later
    first earlier once just only""".split()  # noqa: SIM905
)
_DOCUMENT_NOUNS = frozenset(
    [
        "statement",
        "letter",
        "email",
        "tweet",
        "post",
        "message",
        "note",
        "memo",
        "ad",
        "report",
        "release",
        "video",
        "op-ed",
        "column",
    ]
)
_POLL_WORDS = frozenset(["poll", "polls", "survey", "surveys", "study", "studies", "report", "analysis"])
_NUMBER_WORDS = frozenset(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "dozens",
        "hundreds",
        "several",
    ]
)
_PRONOUN_SPEAKERS = frozenset(
    ["he", "she", "they", "it", "we", "his", "her", "their", "its", "our", "him", "them", "us"]
)
# "continued to defend", "wants to know": these verbs and "to" belong to the verb group of the next.
_CATENATIVES = frozenset(
    """continue continues continued continuing begin begins began begun try tries tried trying go goes went
    going""".split()  # noqa: SIM905
)
_CONTRACTED_SUBJECTS = frozenset("who's he's she's it's they've who've we've i've they're we're".split())  # noqa: SIM905
# "pledges to", "vows to": third-person forms that take an infinitive, not nouns before "to".
_TO_VERBS = frozenset(
    form
    for lemma in """pledge vow promise threaten seek/sought refuse decline urge offer intend aim need try
    plan+ hope want call ask tell/told expect agree wish push press fight/fought move work struggle continue
    vote claim""".split()  # noqa: SIM905
    for form in _inflections(lemma)
    if form.endswith("s")
)
_QUESTION_STARTS = frozenset("whether why what how if about which who to when where".split())  # noqa: SIM905
# Clauses opening with these are adjuncts of the attribution, not its content ("When asked, Smith said").
_SUBORDINATE = frozenset(
    """when while if as after before because although though since until asked speaking in on at during for
    with according despite responding writing referring unlike like following amid once whether""".split()  # noqa: SIM905
)
# Forms that are more often nouns or names than verbs need a subject-like word before them.
_NOUNLIKE_LEMMAS = """claim report plan hope fear doubt support back demand promise pledge answer comment
    charge question attack post tweet text note estimate offer call view wish concern worry welcome state
    trust need vote target frame pan dub label brand press push cry counter signal record reason stress
    trash knock desire regret hint lobby whisper email list order project reference request thank echo
    highlight point
    talk compare chant reply blast slam rebuke praise blame dispute challenge defend cite mock fault
    warning remark comment testify order show find sound credit outline forecast""".split()  # noqa: SIM905
_AMBIGUOUS_FORMS = frozenset(
    form for lemma in _NOUNLIKE_LEMMAS for form in _inflections(lemma) if form == lemma or form.endswith("s")
)
# Cues only with the particle that makes them reporting ("point out", "talk about", "spoke of").
_PARTICLE_REQUIRED = frozenset(
    form
    for lemma in [
        "point",
        "talk",
        "speak/spoke/spoken",
        "refer+",
        "lash",
        "weigh",
        "put/put/puts/putting",
        "vote",
        "side",
        "rail",
        "balk",
        "spar+",
        "pivot",
    ]
    for form in _inflections(lemma)
)
# The particles that belong to a reporting verb's cue ("called for", "pointed out", "talked about").
_PARTICLES = {
    particle: frozenset(form for lemma in lemmas.split() for form in _inflections(lemma))
    for particle, lemmas in (
        ("against", "vote argue warn speak/spoke/spoken campaign rail lash side"),
        ("with", "side spar+"),
        ("at", "balk scoff"),
        ("in", "weigh"),
        ("for", "call push press argue lobby advocate campaign vote plead appeal ask"),
        ("out", "point lash speak/spoke/spoken reach cry come/came rule"),
        ("up", "bring/brought speak/spoke/spoken play sum+"),
        (
            "to",
            "refer+ point object respond reply allude admit+ confess testify pivot",
        ),
        (
            "about",
            "talk speak/spoke/spoken worry complain joke ask write/wrote/written warn boast brag+ lie "
            "think/thought "
            "know/knew care feel/felt",
        ),
        ("on", "call comment insist elaborate focus weigh rely count agree bet reflect double blame"),
        ("of", "speak/spoke/spoken talk warn accuse convince approve disapprove"),
        ("back", "push fire hit/hit shoot/shot write/wrote"),
        ("it", "put/put"),
    )
}
# Never cues on their own: they are something else far more often.
_EXCLUDED = frozenset(
    """known offering founded backed seen like likes sees seeing saw mean means meant state states counsel
    trust rule rules back heard emails maintained maintains continuing interrupted smiling reason reasons
    answer press add advised challenge appeal""".split()  # noqa: SIM905
)
# "find" reports only when evidence finds something ("the poll found", "researchers found that").
_FIND = frozenset(["find", "finds", "found", "finding"])
_EVIDENCE_HEADS = frozenset(
    """poll polls survey surveys study studies report reports analysis review audit investigation
    investigators researchers scientists data research inquiry probe check fact-check economists analysts
    judge jury court panel committee""".split()  # noqa: SIM905
)

# Small tables of the rules below.
_NEW_SENTENCE_WORDS = frozenset("and but so then yet or now still also meanwhile".split())  # noqa: SIM905
_QUANTIFIERS = frozenset("that all both most more some many few this".split())  # noqa: SIM905
_NAMING_VERBS = frozenset("called named dubbed titled labeled labelled".split())  # noqa: SIM905
_NOT_BEFORE_VERB_S = frozenset("of by from were are have had is was will would to".split())  # noqa: SIM905
_BE = frozenset("is was were are be been being".split())  # noqa: SIM905
_LEADING_ADVERBS = frozenset("then once since long last late only just first earlier later".split())  # noqa: SIM905
_SOURCE_OPENERS = frozenset(
    "one two three four five six seven eight nine ten former then top senior chief".split()  # noqa: SIM905
)
_APPOSITIVE_OPENERS = frozenset("a an the one himself herself both each like now then".split())  # noqa: SIM905
_NOT_INVERTED_SOURCES = frozenset("that this these those it there".split())  # noqa: SIM905
_SOURCE_END_WORDS = frozenset(
    "who whose which that because when while after before as adding saying if whether where".split()  # noqa: SIM905
)
_AFTER_COMMA_STOPS = frozenset(
    """and but who which adding saying in on at when while as after before because although though according
    if so""".split()  # noqa: SIM905
)
_COMPLEMENT_STARTS = frozenset("that to if whether what how why about of".split())  # noqa: SIM905
_OBJECT_PRONOUNS = frozenset("it him her them".split())  # noqa: SIM905
_CONJUNCTIONS = frozenset("but while and whereas although though yet as".split())  # noqa: SIM905
_BEFORE_RAISING_PASSIVE = frozenset(
    "is was are were be been being widely not also generally".split()  # noqa: SIM905
)
_BEFORE_ASKED = frozenset("when after if and once as".split())  # noqa: SIM905
_BEFORE_PARTICIPLE = frozenset("before after while by without when".split())  # noqa: SIM905
_CLAUSE_STARTS = frozenset("that whether what how why if".split())  # noqa: SIM905
_AFTER_POLL = frozenset("by of from conducted released published for".split())  # noqa: SIM905
_PASSIVE_COMPLEMENT_PREPS = frozenset("about for as on over against of".split())  # noqa: SIM905
_STATEMENT_PARTICIPLES = frozenset("saying calling stating declaring noting".split())  # noqa: SIM905
_POSSESSIVES = frozenset("his her their its our my".split())  # noqa: SIM905
_GROUP_NOUNS = frozenset("camp editorial board team".split())  # noqa: SIM905

# ---------------------------------------------------------------------------------------------------------
# Tokens, paragraphs, quotations and sentences.

# A letter with the combining marks after it ("e\u0301"), so that accented names stay one word.
_LETTER = r"(?:[^\W_][\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*)"
_TOKEN_MARKED = re.compile(rf"'(?='')|``|''|{_LETTER}+(?:[’'.\-&/]{_LETTER}+)*|_+|--+|\S")
# The same without combining marks, for the texts that have none (most; it is faster).
_TOKEN = re.compile(r"'(?='')|``|''|[^\W_]+(?:[’'.\-&/][^\W_]+)*|_+|--+|\S")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


class _Tok:
    __slots__ = ("start", "end", "text", "low", "para", "quote", "word", "cap")

    def __init__(self, start, end, text, para):
        self.start = start
        self.end = end
        self.text = text
        low = text.lower()
        self.low = low.replace("’", "'") if "’" in low else low
        self.para = para
        self.quote = -1
        first = text[0]
        self.word = first.isalnum()
        self.cap = first.isupper()


@dataclass
class _Quote:
    first: int  # index of the opening mark
    last: int  # index of the closing mark, or of the paragraph's last token when left open
    closed: bool

    @property
    def inner_words(self):
        return self.last - self.first - (1 if self.closed else 0)


@dataclass
class _Candidate:
    cue: tuple[int, int]  # token ranges, end exclusive
    source: tuple[int, int] | None
    content: list[tuple[int, int]]
    priority: int
    confidence: float
    nested_in: int = -1


class _Text:
    def __init__(self, text: str):
        self.text = text
        self.toks: list[_Tok] = []
        self.paras: list[tuple[int, int]] = []  # token ranges per line
        tokens = _TOKEN_MARKED if _COMBINING.search(text) else _TOKEN
        position = 0
        for line in text.split("\n"):
            first = len(self.toks)
            para = len(self.paras)
            self.toks.extend(
                _Tok(m.start(), m.end(), m.group(), para)
                for m in tokens.finditer(text, position, position + len(line))
            )
            if len(self.toks) > first:
                self.paras.append((first, len(self.toks)))
            position += len(line) + 1
        self.quotes: list[_Quote] = []
        for first, last in self.paras:
            self._pair_quotes(first, last)
        self.sentences: list[tuple[int, int]] = []
        for first, last in self.paras:
            self._split_sentences(first, last)
        self.sentence_of = []
        for number, (first, last) in enumerate(self.sentences):
            self.sentence_of.extend([number] * (last - first))

    # A straight quote opens after a space or the start of the line and closes before one.
    def _role(self, i, first, last):
        tok = self.toks[i]
        before = self.text[tok.start - 1] if tok.start > 0 else "\n"
        after = self.text[tok.end] if tok.end < len(self.text) else "\n"
        # a curly mark typed the wrong way round (`“It's unusual,“ said`) goes by its context
        if tok.text in _OPENERS:
            wrong_way = i > first and not before.isspace() and (after.isspace() or i == last - 1)
            return "close" if wrong_way else "open"
        if tok.text in _CLOSERS:
            wrong_way = (i == first or before.isspace()) and not after.isspace() and i < last - 1
            return "open" if wrong_way else "close"
        if i == first or before.isspace() or before in "([{—–-/:":
            return "open" if not (after.isspace() or after == "\n") else "close"
        if i == last - 1 or after.isspace() or after in ".,;:!?)]}—–-…":
            return "close"
        return "toggle"

    def _pair_quotes(self, first, last):
        toks = self.toks
        opened = None
        for i in range(first, last):
            tok = toks[i]
            if tok.text not in _DOUBLE_MARKS:
                continue
            role = self._role(i, first, last)
            if role == "toggle":
                role = "close" if opened is not None else "open"
            if role == "open":
                if opened is not None:  # a closing mark went missing: the quotation ends before this one
                    self._add_quote(opened, i - 1, closed=False)
                opened = i
            elif opened is not None:
                self._add_quote(opened, i, closed=True)
                opened = None
        if opened is not None:
            self._add_quote(opened, last - 1, closed=False)
        self._pair_single_quotes(first, last)

    def _pair_single_quotes(self, first, last):
        # Single quotes quote at the top level in headlines ("Trump: ‘I’m the worst’"); inside double
        # quotes they are nested quotations and belong to the outer one. An apostrophe after a plural
        # ("Democrats’ plan") is only a closing mark when an opening one came first.
        toks = self.toks
        i = first
        while i < last:
            tok = toks[i]
            if tok.quote == -1 and tok.text in ("‘", "'", "`"):
                before = self.text[tok.start - 1] if tok.start > 0 else "\n"
                if i == first or before.isspace() or before in "([{—–-:":
                    for j in range(i + 2, min(last, i + 60)):
                        if toks[j].quote != -1:
                            break
                        if toks[j].text in ("’", "'") and (
                            j == last - 1 or not toks[j + 1].word or toks[j + 1].start > toks[j].end
                        ):
                            if j - i >= 3 or (j == last - 1 and j - i >= 2):
                                self._add_quote(i, j, closed=True)
                                i = j
                            break
            i += 1

    def _add_quote(self, first, last, closed):
        number = len(self.quotes)
        self.quotes.append(_Quote(first, last, closed))
        for i in range(first, last + 1):
            self.toks[i].quote = number

    def _is_abbreviation(self, i):
        tok = self.toks[i]
        if tok.text != "." or i == 0:
            return False
        before = self.toks[i - 1]
        if before.end != tok.start:
            return False
        if "." in before.text or _PARTY_STATE.match(before.text):  # "N.C.", "U.S.", "a.m.", "(D-Ore.)"
            return True
        if before.low == "no":  # "No. 1", but "Bob said no."
            return i + 1 < len(self.toks) and self.toks[i + 1].text[0].isdigit()
        return before.low in _ABBREVIATIONS or (len(before.text) == 1 and before.cap)

    def _split_sentences(self, first, last):
        toks = self.toks
        start = first
        for i in range(first, last):
            if i < start:
                continue  # already in the sentence that ended with the punctuation before
            tok = toks[i]
            if tok.quote == -1:
                if tok.text not in _TERMINALS or self._is_abbreviation(i):
                    continue
            elif not self._quote_ends_sentence(i, last):
                continue
            j = i + 1
            while j < last and toks[j].text in _TERMINALS | {")", "]"}:
                j += 1
            if j < last and toks[j].word and not toks[j].cap and not toks[j].text[0].isdigit():
                continue
            self.sentences.append((start, j))
            start = j
        if start < last:
            self.sentences.append((start, last))

    def _quote_ends_sentence(self, i, last):
        """A closing quotation mark after . ! ? ends the sentence unless its cue follows ("Go!" he said)."""
        toks = self.toks
        quote = self.quotes[toks[i].quote]
        if not quote.closed or quote.last != i or i + 1 >= last or toks[i - 1].text not in _TERMINALS:
            return False
        nxt = toks[i + 1]
        if not (nxt.cap or nxt.quote != -1 and nxt.text in _OPENERS | _AMBIGUOUS_DOUBLE):
            return False
        if nxt.low in _NEW_SENTENCE_WORDS:
            return True
        for j in range(i + 1, min(last, i + 7)):
            if (toks[j].low in _SPEECH_FORMS or toks[j].low in _THOUGHT_FORMS) and not toks[j].cap:
                # `"Go!" Smith said.` goes on; `"Go." He also said that ...` is a new sentence
                after = toks[j + 1] if j + 1 < last else None
                if (
                    after is not None
                    and after.text in (",", ":")
                    and j + 2 < last
                    and toks[j + 2].quote != -1
                ):
                    return True  # `"...?" He answered, "..."`
                if toks[i - 1].text != "." and (after is None or after.low != "that"):
                    return False  # `"Go!" Clinton said to reporters.`
                return not (
                    j == i + 1
                    or after is None
                    or not after.word
                    or after.low in _ADJUNCT_AFTER_CUE
                    or after.quote != -1
                )
            if not toks[j].word and not self._is_abbreviation(j) and toks[j].text not in (",", "-"):
                break
        return True


# ---------------------------------------------------------------------------------------------------------
# Finding frames.


class _Extractor:
    def __init__(self, text: str):
        self.t = _Text(text)
        self.toks = self.t.toks
        self.candidates: list[_Candidate] = []

    # -- small helpers -----------------------------------------------------------------------------------

    def sentence(self, i):
        return self.t.sentences[self.t.sentence_of[i]]

    def is_headline_case(self, first, last):
        words = [t for t in self.toks[first:last] if t.word and len(t.text) > 3]
        return len(words) >= 3 and sum(t.cap for t in words) >= 0.7 * len(words)

    def is_verb_here(self, i):
        """Whether a lexicon form at i is used as a verb (not a noun, a name or a title)."""
        tok = self.toks[i]
        if tok.quote != -1:
            return False
        first, last = self.sentence(i)
        if tok.cap and not tok.text.isupper():
            para_first, para_last = self.t.paras[tok.para]
            if not self.is_headline_case(para_first, para_last):
                return False
            if i > first and not self.toks[i - 1].cap and self.toks[i - 1].word:
                return False
        elif tok.text.isupper() and len(tok.text) > 1:
            para_first, para_last = self.t.paras[tok.para]
            if not all(
                t.text.isupper() for t in self.toks[para_first:para_last] if t.word and t.text[0].isalpha()
            ):
                return False
        if tok.low in _EXCLUDED:
            return False
        before = self.toks[i - 1] if i > first else None
        if (
            before is not None
            and (before.low in _DETERMINERS or before.low.endswith(("'s", "s'")))
            and before.low not in _CONTRACTED_SUBJECTS
            and before.low not in _QUANTIFIERS
        ):
            return False
        if (
            tok.low in _NAMING_VERBS
            and before is not None
            and before.word
            and not before.cap
            and before.low not in _PRONOUN_SOURCES | _AUX | _RELATIVES
            and i + 1 < last
            and (self.toks[i + 1].cap or self.toks[i + 1].quote != -1)
        ):
            return False  # "a program called Sandy Hook Promise" names, it does not report
        if tok.low in _AMBIGUOUS_FORMS:
            after = self.toks[i + 1] if i + 1 < last else None
            base = not tok.low.endswith("s")
            subject_before = before is not None and (
                before.cap
                and (not base or before.low.endswith("s"))
                or before.low in _PRONOUN_SOURCES
                or before.low in _AUX
                or before.low in _RELATIVES
                or before.low.endswith("ly")
                or before.low in _SOURCE_NOUNS
                or before.low in _EVIDENCE_HEADS
                or before.low.endswith("n't")
                or not base
                and before.text == ","
                and self.subject_with_appositive(i - 1, first) is not None  # "Brewer, an ally, calls"
                or before.low == "to"
                and i - 2 >= first
                and self.toks[i - 2].low in _CATENATIVES
            )
            object_after = after is not None and (
                after.low in _OBJECT_STARTS or after.quote != -1 or after.cap and after.word
            )
            if not subject_before and not (
                object_after and before is not None and before.word and before.low not in _PREPOSITIONS
            ):
                return False
            if (
                after is not None
                and after.low in _NOT_BEFORE_VERB_S
                and tok.low.endswith("s")
                and not (tok.low in _TO_VERBS and after.low == "to")
            ):
                return False
        if tok.low.endswith(("ed", "en", "wn")) and self._after_be(i, first):
            # passive: "was asked", "is expected", "were criticized" - the subject is not the source
            return "passive"
        return True

    def _after_be(self, i, first):
        """Whether a participle follows a form of "be", adverbs between ("was initially portrayed")."""
        be = _BE
        j = i - 1
        while j >= first and (self.toks[j].low.endswith("ly") or self.toks[j].low in _AUX - set(be)):
            j -= 1
        return j >= first and self.toks[j].low in be

    def verb_group_start(self, i, first):
        """Auxiliaries, negation and adverbs before a verb belong to its cue ("has repeatedly said")."""
        j = i
        while j > first:
            low = self.toks[j - 1].low
            if self.toks[j - 1].cap and j - 1 > first:
                break  # "Will wrote", "Hope Hicks said": a name, not an auxiliary
            if (
                low in _AUX
                or (low.endswith("ly") and not self.toks[j - 1].cap and len(low) > 4)
                or low.endswith("n't")
            ):
                j -= 1
            else:
                break
        # "continued to defend", "wants to know": the catenative verb and its "to" join the group
        if j - 2 >= first and self.toks[j - 1].low == "to" and self.toks[j - 2].low in _CATENATIVES:
            return self.verb_group_start(j - 2, first)
        while j < i and self.toks[j].low in _LEADING_ADVERBS:
            j += 1
        return j

    # -- sources -------------------------------------------------------------------------------------------

    def source_before(self, end, first):
        """The noun phrase that ends at token `end` (exclusive), going left no further than `first`."""
        toks = self.toks
        j = end - 1
        if j < first:
            return None
        if toks[j].text == ",":
            return self.subject_with_appositive(j, first)
        if toks[j].text in (")", "—", "--", "–") and toks[j].quote == -1:
            # "Sen. Jack Reed (D-R.I.) said", "insiders in two states — Nevada and Iowa — said"
            return self._source_with_parenthesis(j, first)
        if toks[j].text == "%" and j > first and toks[j - 1].text[0].isdigit():
            return (j - 1, j + 1)  # "47% say"
        if (
            toks[j].quote != -1
            or not toks[j].word
            and not (toks[j].text == "." and self.t._is_abbreviation(j))
        ):
            return None
        if toks[j].low in _RELATIVES or toks[j].low in _CONTRACTED_SUBJECTS:
            return (j, j + 1)  # "who said", "who's argued"
        if toks[j].low in _BETWEEN_SOURCE_AND_CUE and j > first and toks[j - 1].word:
            j -= 1  # "campaign workers here said", "Smith himself said"
        elif (
            toks[j].low in _TIME_WORDS
            and j - 2 >= first
            and toks[j - 1].low in ("last", "this", "on", "earlier")
        ):
            j -= 2  # "voters in a poll last year said", "Smith on Tuesday said"
        if toks[j].low in _SOURCE_STOPS or toks[j].low in _LEAD_INS and toks[j].low not in ("it", "there"):
            return None
        relative = self._source_with_relative(j, first)
        if relative is not None:
            return relative
        i = j
        while i > first:
            tok = toks[i - 1]
            if tok.quote != -1:
                break
            if not tok.word:
                if tok.text == "." and self.t._is_abbreviation(i - 1):
                    i -= 1
                    continue
                if tok.text in ("&",) or (tok.text == "-" and tok.end == toks[i].start):
                    i -= 1
                    continue
                if tok.text in ("'", "’") and i - 2 >= first and toks[i - 2].end == tok.start:
                    i -= 1  # "Sanders' team said"
                    continue
                break
            if tok.low in _SOURCE_STOPS:
                if tok.low == "and" and toks[i].cap and i - 2 >= first and toks[i - 2].cap:
                    i -= 1
                    continue
                break
            if not tok.cap and (
                tok.low in _AUX
                or (tok.low in _SPEECH_FORMS or tok.low in _THOUGHT_FORMS)
                and (tok.low not in _AMBIGUOUS_FORMS or self.is_verb_here(i - 1))
            ):
                break  # a verb ends the noun phrase ("Clinton press secretary Brian Fallon" goes on)
            i -= 1
            if j - i > 14:
                break
        span = self._trim_lead_in(i, j + 1)
        if span is None:
            return None
        a, b = span
        if not self._starts_noun_phrase(a, b):
            return None
        return self._with_name_before(span, first)

    def _source_with_relative(self, j, first):
        """ "The officials who briefed reporters said": the relative clause belongs to the source."""
        toks = self.toks
        for r in range(j - 1, max(first, j - 12), -1):
            tok = toks[r]
            if tok.quote != -1 or not tok.word and tok.text != "." or tok.low in ("and", "but", "that"):
                return None
            if tok.low in ("who", "whose"):
                head = self.source_before(r, first)
                if head is None or head[1] != r or toks[r - 1].low in _PRONOUN_SOURCES:
                    return None
                return (head[0], j + 1)
        return None

    def _source_with_parenthesis(self, close, first):
        toks = self.toks
        mark = "(" if toks[close].text == ")" else toks[close].text
        opening = next(
            (x for x in range(close - 1, max(first, close - 12) - 1, -1) if toks[x].text == mark), None
        )
        if opening is None or opening == first:
            return None
        head = self.source_before(opening, first)
        if head is None or head[1] != opening or mark == "(" and not toks[opening - 1].cap:
            return None
        return (head[0], close + 1)

    def _with_name_before(self, span, first):
        """ "Sam Lau, the communications director for the party said": the name before the appositive."""
        toks = self.toks
        a, b = span
        if (
            a > first + 1
            and toks[a - 1].text == ","
            and (toks[a].low in ("a", "an", "the") or toks[a].low in _ROLE_WORDS)
        ):
            head = self.source_before(a - 1, first)
            if (
                head is not None
                and (head[0] == first or toks[head[0] - 1].text == ",")
                and any(t.cap for t in toks[head[0] : head[1]])
                and head[1] - head[0] <= 5
            ):
                return (head[0], b)
        return span

    def _starts_noun_phrase(self, a, b):
        tok = self.toks[a]
        if any(t.cap for t in self.toks[a:b]) and (
            tok.low not in _VERBISH
            or tok.cap
            and a > 0
            and self.t.sentence_of[a - 1] == self.t.sentence_of[a]
        ):
            return True
        if tok.low.endswith(("ers", "ists", "ians", "ants", "ents", "ors")) and b - a <= 3:
            return True
        if self.toks[b - 1].low in _SOURCE_NOUNS and b - a <= 3 and tok.low not in _VERBISH:
            return True  # "exit polls", "campaign officials"
        head = self.toks[b - 1].low
        if (
            b - a <= 3
            and head.endswith("s")
            and not head.endswith(("ss", "'s", "us", "is"))
            and not any(t.low in _VERBISH or t.low in _PREPOSITIONS for t in self.toks[a:b])
        ):
            return True  # "hacking specialists", "tech executives"
        return (
            tok.cap
            or tok.low in _DETERMINERS
            or tok.low in _PRONOUN_SOURCES
            or tok.low in _RELATIVES
            or tok.text[0].isdigit()
            or tok.low in _SOURCE_NOUNS
            or tok.low.endswith(("'s", "s'"))
            or tok.low in _SOURCE_OPENERS
        )

    def subject_with_appositive(self, comma, first):
        """ "Smith, a spokesman for the group, said", "Smith, who ..., said": the source runs to the comma.

        A parenthetical adverbial ("Smith, for example, said") is left out, and so is a relative clause
        that is an attribution of its own ("Podesta, who said X, said Y").
        """
        toks = self.toks
        for p in range(comma - 1, max(first, comma - 30) - 1, -1):
            tok = toks[p]
            if tok.quote != -1:
                if self.t.quotes[tok.quote].inner_words > 8:
                    return None
                continue
            if tok.text in (";", ":", "(", ")") or tok.text in _TERMINALS and not self.t._is_abbreviation(p):
                return None
            if tok.text != "," or p + 1 >= comma:
                continue
            opener = toks[p + 1]
            parenthetical = opener.low in _PARENTHETICALS and comma - p <= 5
            relative = opener.low in ("who", "whose", "which")
            noun_phrase = not any(toks[x].low in _VERBISH or toks[x].quote != -1 for x in range(p + 1, comma))
            if not (
                parenthetical
                or relative
                or opener.low in _APPOSITIVE_OPENERS
                or opener.low.endswith("ing")
                or opener.cap
                or opener.text[0].isdigit()
                or opener.low in _ROLE_WORDS
                or noun_phrase
                and comma - p <= 12
            ):
                continue
            head = self.source_before(p, first)
            if head is None or head[1] != p or head[1] - head[0] > 10:
                continue
            if toks[head[0]].low in _PREPOSITIONS or toks[head[0]].text[0].isdigit():
                continue  # "Harry Bond, 30, of Raleigh, who ...": the appositive goes on to the left
            if not any(
                toks[x].cap or toks[x].low in _DETERMINERS or toks[x].low in _SOURCE_NOUNS
                for x in range(head[0], head[1])
            ):
                continue
            before_head = toks[head[0] - 1] if head[0] > first else None
            if (
                before_head is not None
                and before_head.text not in (",", ":", ";")
                and before_head.low not in _LEAD_INS
                and (before_head.quote == -1 or self.t.quotes[before_head.quote].last != head[0] - 1)
            ):
                continue
            # "Smith, writing for the majority, said", "Smith, a member who wants X, said": not Smith's cues
            inner_relative = next(
                (x for x in range(p + 2, comma) if toks[x].low in ("who", "whose", "which")), comma
            )
            inner_cue = any(
                (toks[x].low in _SPEECH_FORMS or toks[x].low in _THOUGHT_FORMS)
                and not toks[x].cap
                and toks[x].low not in _EXCLUDED  # "the state party chairwoman"
                and toks[x - 1].low not in _DETERMINERS
                for x in range(p + 1, inner_relative)
                if not (x == p + 1 and opener.low.endswith("ing"))
            )
            if parenthetical or (relative and inner_cue):
                return self._with_name_before(head, first)
            if inner_cue:
                continue
            return (head[0], comma + 1)
        return None

    def _trim_lead_in(self, a, b):
        """Drop an adjunct before the source: "On Tuesday Smith" -> "Smith", "In a statement the group"."""
        toks = self.toks
        if toks[a].low not in _LEAD_INS:
            return (a, b)
        # the last run of capitalized words (a name) or the last determiner starts the source
        k = b - 1
        if toks[k].cap:
            while k - 1 > a and (toks[k - 1].cap or toks[k - 1].text == "." or toks[k - 1].low in ("of",)):
                k -= 1
            while toks[k].low == "of" or toks[k].text == ".":
                k += 1
            if toks[k].low in _LEAD_INS:
                k += 1
            return (k, b) if k < b else None
        for k in range(b - 1, a, -1):
            if toks[k].low in _DETERMINERS or toks[k].low in _PRONOUN_SOURCES:
                return (k, b)
        rest = a + 1
        while rest < b and toks[rest].low in _LEAD_INS:
            rest += 1
        return (rest, b) if rest < b and b - rest <= 3 else None

    def source_after(self, start, last, stop_at_comma=False, any_noun=False):
        """An inverted source: `said John Smith, a spokesman for X` (up to the sentence end or a quote).
        `any_noun`: the cue makes whatever follows a source ("according to local papers")."""
        toks = self.toks
        if start >= last:
            return None
        first_tok = toks[start]
        if not first_tok.word or first_tok.quote != -1:
            return None
        if not (
            any_noun
            or first_tok.cap
            or first_tok.low in _DETERMINERS
            or first_tok.low in _PRONOUN_SOURCES
            or first_tok.text[0].isdigit()
            or first_tok.low in _ROLE_WORDS
            or first_tok.low in _NUMBER_WORDS
            or any(t.cap or t.low in _SOURCE_NOUNS for t in toks[start : min(last, start + 4)])
        ):
            return None
        if first_tok.low in _NOT_INVERTED_SOURCES or first_tok.low in _PREPOSITIONS:
            return None
        k = start
        while k < last:
            tok = toks[k]
            if (
                tok.quote != -1
                or tok.text in (";", ":", "—", "–", "(", "--")
                or tok.text in _TERMINALS
                and (not self.t._is_abbreviation(k))
            ):
                break
            if tok.text == "," and stop_at_comma and not (k > start and self.t._is_abbreviation(k - 1)):
                break
            if (
                tok.text == ","
                and k + 1 < last
                and (
                    toks[k + 1].quote != -1
                    or toks[k + 1].low in _PARTICIPLE_SPEECH
                    or toks[k + 1].low in _AFTER_COMMA_STOPS
                )
            ):
                break
            if tok.low in _SOURCE_END_WORDS and k > start:
                break
            if k < start + 8 and not tok.cap and (tok.low in _VERBISH or tok.low.endswith("n't")):
                return None  # "..., says the plan would fail": a clause, not a source
            k += 1
            if k - start > 30:
                return None
        while k > start and toks[k - 1].text in (",", "-"):
            k -= 1
        return (start, k) if k > start else None

    # -- contents ------------------------------------------------------------------------------------------

    def skip_after_cue(self, k, last, lemma_recipient):
        """Where the content begins after a cue: past a recipient ("told reporters") and adjuncts."""
        toks = self.toks
        if k < last and lemma_recipient and toks[k].word and toks[k].low not in ("that", "to"):
            # the recipient: up to "that", a comma, colon, quote, "to" or the start of a clause
            j = k
            limit = min(last, k + 8)
            while j < limit:
                tok = toks[j]
                if tok.quote != -1 or not tok.word or tok.low in _COMPLEMENT_STARTS:
                    break
                if j > k and (tok.low in _PRONOUN_SOURCES or tok.low in ("the", "a", "an")):
                    break
                j += 1
            if j >= last or (
                toks[j].quote != -1
                or toks[j].low in _COMPLEMENT_STARTS
                or toks[j].text in (",", ":")
                or toks[j].text in _TERMINALS
                or toks[j].low in _PRONOUN_SOURCES
                or toks[j].low in ("the", "a", "an")
            ):
                k = j  # "told reporters that ...", "told The New York Times."
        # adjuncts ("on Tuesday", "in a statement", "last week") before "that" or a quote
        for j in range(k, min(last, k + 9)):
            tok = toks[j]
            if tok.low == "that" or tok.quote != -1 and self.t.quotes[tok.quote].first == j:
                if (
                    j > k
                    and all(toks[x].word or toks[x].text in (",", ".") for x in range(k, j))
                    and (toks[k].low in _ADJUNCT_AFTER_CUE or toks[k].text == ",")
                ):
                    k = j
                break
            if (
                tok.text in (";", "—", "(")
                or tok.text in _TERMINALS
                or tok.low in _SPEECH_FORMS
                and not tok.cap
            ):
                break  # "who advises X, said his polls show that ...": "that" is not the advising's
        while k < last and toks[k].text in (",", ":"):
            k += 1
        return k

    def content_after(self, k, last):
        """The clause after a cue, to the end of the sentence (final punctuation outside quotes excluded).

        It stops before another attribution: a participle (", adding"), an inverted cue (", said Smith"),
        "according to", a coordinated reporting verb ("and said that"), or a clause with its own source
        and cue after a clause boundary (", but Smith said").
        """
        toks = self.toks
        end = last
        while end > k and (toks[end - 1].text in _TERMINALS | {")", "]"} and toks[end - 1].quote == -1):
            end -= 1
        j = k
        while j < end:
            tok = toks[j]
            boundary = tok.text in (",", ";", "—", "–") and tok.quote == -1
            if tok.quote != -1:
                quote = self.t.quotes[tok.quote]
                j = quote.last
                # a comma inside the closing quotation mark ends the clause too: `"careless," but said`
                boundary = quote.closed and j - 1 > quote.first and toks[j - 1].text == ","
            if boundary and j + 1 < end and self._attribution_starts(j, k, end):
                end = j if tok.quote == -1 else j + 1
                break
            if tok.low in ("and", "but") and j > k and j + 1 < end and self._coordinated_cue(j + 1, end):
                end = j
                break
            j += 1
        while end > k and toks[end - 1].text in (",", ";", ":", "—", "–", "-") and toks[end - 1].quote == -1:
            end -= 1
        if k < end and toks[k].quote != -1 and self.t.quotes[toks[k].quote].first == k:
            close = self.t.quotes[toks[k].quote].last + 1
            if (
                close < end
                and toks[close].low in _ADJUNCT_AFTER_CUE
                and not any(toks[x].quote != -1 or toks[x].low == "that" for x in range(close, end))
            ):
                end = close  # `tweeted, "Thank you Indiana!" on Friday`: the adjunct is not content
        return (k, end) if end > k else None

    def _coordinated_cue(self, i, end):
        toks = self.toks
        while i < end and toks[i].low in _AUX:
            i += 1
        if i + 1 >= end or toks[i].cap or toks[i].quote != -1:
            return False
        nxt = toks[i + 1]
        if toks[i].low in _SPEECH_FORMS:
            return (
                nxt.low in ("that", ":")
                or nxt.quote != -1
                or nxt.text == ","
                and i + 2 < end
                and toks[i + 2].quote != -1  # `and said, "..."`
                or nxt.low in _PRONOUN_SOURCES
                or toks[i].low in ("said", "says")
                and (nxt.cap or nxt.low in _DETERMINERS)
            )
        # "and called the venture a disaster": a belief or evaluation verb with its own object
        return (
            toks[i].low in _THOUGHT_FORMS
            and toks[i].low.endswith("ed")
            and toks[i].low not in _EXCLUDED
            and (nxt.low in _DETERMINERS or nxt.cap or nxt.low in _OBJECT_PRONOUNS)
        )

    def _attribution_starts(self, j, k, end):
        """Whether another attribution begins after the boundary at token j (content started at k)."""
        toks = self.toks
        nxt = j + 1
        conjunction = toks[j].text == ";"
        if toks[nxt].low in _CONJUNCTIONS:
            nxt += 1
            conjunction = True
        if nxt >= end:
            return False
        if toks[nxt].low in _PARTICIPLE_SPEECH:
            return True
        verb = nxt
        while verb < end and toks[verb].low in _AUX:
            verb += 1
        if (
            verb < end
            and not toks[verb].cap
            and (
                toks[verb].low in _SPEECH_FORMS
                or (
                    toks[verb].low in _THOUGHT_FORMS
                    and not toks[verb].low.endswith("s")
                    and self.is_verb_here(verb)
                )
            )
        ):
            return True  # "..., said Smith", "..., but said she ...", "..., called the law ..."
        if toks[nxt].low == "according" and nxt + 1 < end and toks[nxt + 1].low == "to":
            return True
        full_clause = j - k >= 5 and toks[k].low not in _SUBORDINATE
        named = toks[nxt].cap and toks[nxt].low not in _PRONOUN_SOURCES
        return (conjunction or full_clause or named) and self._clause_with_cue_at(nxt, end)

    def _clause_with_cue_at(self, i, end):
        """Whether a clause with its own subject and reporting verb starts at token i."""
        toks = self.toks
        for j in range(i + 1, min(end, i + 7)):
            low = toks[j].low
            if (low in _SPEECH_FORMS or low in _THOUGHT_FORMS) and not toks[j].cap and toks[j].quote == -1:
                src = self.source_before(self.verb_group_start(j, i), i)
                return src is not None and src[0] == i and self.is_verb_here(j) is True
            if not toks[j].word or toks[j].low in _SOURCE_STOPS:
                return False
        return False

    def content_before(self, end, first):
        """The clause from the sentence start to a comma or quote before the source or cue."""
        toks = self.toks
        b = end
        while b > first and toks[b - 1].text in (",", "—", "–", "-", ":"):
            b -= 1
        a = first
        while a < b and toks[a].text in ("(", "—", "–", "-", "•", "*"):
            a += 1
        if (
            a < b
            and (
                toks[a].low in _SUBORDINATE
                or toks[a].low.endswith("ing")
                and toks[a].cap
                and not any(toks[x].low in _VERBISH for x in range(a, b))  # "Fundraising was slow, he said"
            )
            and toks[a].quote == -1
            and not any(toks[x].text == "," and toks[x].quote == -1 for x in range(a, b))
        ):
            return None  # "When asked, Smith said", "Holding a book, Beck said": adjuncts, not what was said
        return (a, b) if b > a else None

    # -- candidates -----------------------------------------------------------------------------------------

    def add(self, cue, source, content, priority, confidence):
        content = [piece for piece in content if piece and piece[1] > piece[0]]
        if not content:
            return
        self.candidates.append(_Candidate(cue, source, content, priority, confidence))

    def run(self):
        self.quote_first()
        self.dash_tags()
        self.cues()
        self.colons()
        self.according_to()
        self.in_document()
        return self.resolve()

    def quote_first(self):
        """`"...," he said` and `"...," said Smith`: a quotation followed by its source and cue."""
        toks = self.toks
        for quote in self.t.quotes:
            if not quote.closed:
                continue
            first, last = self.sentence(quote.last)
            k = quote.last + 1
            if k < last and toks[k].text == ",":
                k += 1
            if k >= last or toks[k].quote != -1:
                continue
            opener = quote.first - 1
            while opener > first and toks[opener].text in (",", ":"):
                opener -= 1
            if opener >= first and toks[opener].low in _SPEECH_FORMS and not toks[opener].cap:
                continue  # `said, "No comment," the Herald reported`: the quotation is the said one's
            found = self._cue_near(k, last)
            if found is None:
                continue
            punctuated = k > quote.last + 1 or toks[quote.last - 1].text in (",", "?", "!", ".", "…")
            if not punctuated and toks[found[0][1] - 1].low in _AMBIGUOUS_FORMS | _EXCLUDED:
                continue  # `her ''work-related'' emails.`: a quoted word before a noun, not a quotation's cue
            cue, source = found
            content = [(quote.first, quote.last + 1)]
            # a quotation that opens the sentence may be preceded by paraphrase ("He said X. "Y," he added")
            start = quote.first
            if start > first and toks[start - 1].quote == -1 and toks[start - 1].word:
                # `The economy is "a disaster," Smith said`: the paraphrase before belongs to it too
                lead = self.content_before(start, first)
                if lead is not None:
                    content = [(lead[0], quote.last + 1)]
            after = max(cue[1], source[1] if source else 0)
            content += self.quotes_after(after, last)
            self.add(cue, source, content, priority=0, confidence=0.9)

    def dash_tags(self):
        """`"..." ― Jane Doe`: a quotation tagged afterwards with a dash and its speaker's name, on the same
        line or the next (the guidelines' "Imagination is more important than knowledge. —Albert Einstein").
        The dash is the cue."""
        toks = self.toks
        for quote in self.t.quotes:
            if not quote.closed or toks[quote.last - 1].text not in _TERMINALS:
                continue  # a quoted word or title ("socialist" - Jones used it) is no tagged quotation
            k = quote.last + 1
            para_last = self.t.paras[toks[quote.last].para][1]
            if k == para_last and k < len(toks):
                next_first, para_last = self.t.paras[toks[k].para]
                if para_last - next_first > 12:
                    continue  # only a line that is nothing but the tag
            elif k < para_last and toks[k].text in (".", ","):
                k += 1
            if k + 1 >= para_last or toks[k].text not in _DASHES or toks[k].quote != -1:
                continue
            if not toks[k + 1].cap:
                continue
            source = self.source_after(k + 1, para_last, stop_at_comma=True)
            if source is None:
                continue
            self.add((k, k + 1), source, [(quote.first, quote.last + 1)], priority=0, confidence=0.8)

    def _cue_near(self, k, last):
        """A cue right after a quotation: `said Smith`, `Smith said`, `he told reporters`."""
        toks = self.toks
        low = toks[k].low
        if low not in _EXCLUDED and (
            (low in _SPEECH_FORMS or low in _THOUGHT_FORMS)
            and not toks[k].cap
            or (toks[k].cap and low in _SPEECH_FORMS and k + 1 < last and toks[k + 1].cap)
        ):
            source = self.source_after(k + 1, last)
            cue = (k, k + 1)
            cue = self.extend_cue(cue, last)
            if source is None and cue[1] < last and toks[cue[1]].low in _PRONOUN_SOURCES:
                source = (cue[1], cue[1] + 1)
            if source is not None and source[0] == cue[1]:
                return cue, source
            if source is None and k + 1 < last and toks[k + 1].text in _TERMINALS | {","}:
                return cue, None
        # source then cue, within a few tokens
        for j in range(k + 1, min(last, k + 30)):
            tok = toks[j]
            if tok.quote != -1:
                return None
            if (tok.low in _SPEECH_FORMS or tok.low in _THOUGHT_FORMS) and not tok.cap:
                if self.is_verb_here(j) is not True:
                    continue
                g = self.verb_group_start(j, k)
                source = self.source_before(g, k)
                if source is None or source[0] != k:
                    continue  # `Warren, who has not endorsed anyone, told reporters`: look further
                return self.extend_cue((g, j + 1), last), source
            if tok.text in (";", ":") or (tok.text in _TERMINALS and not self.t._is_abbreviation(j)):
                return None
        return None

    def extend_cue(self, cue, last):
        """Take "in a statement", "in an interview", "on Twitter", "for" ("called for") into the cue."""
        toks = self.toks
        a, b = cue
        words = [t.low for t in toks[b : min(last, b + 4)]]
        if (
            words[:1] == ["in"]
            and words[1:2]
            and words[1] in _DETERMINERS
            and words[2:3]
            and (words[2] in _DOCUMENT_NOUNS or words[2] in ("interview", "speech", "tweet", "statement"))
        ):
            b += 3  # "said in a statement", "wrote in his memo"
        elif words[:2] in (["on", "twitter"], ["on", "facebook"]):
            b += 2
        elif words and words[0] in _PARTICLES and self._particle_belongs(toks[b - 1].low, words[0]):
            b += 1  # "called for", "pointed out", "talked about"
        if b < last and toks[b].text == ":" and toks[b].quote == -1:
            b += 1  # `said:` - the colon is part of the cue
        return (a, b)

    @staticmethod
    def _particle_belongs(verb, particle):
        return verb in _PARTICLES.get(particle, ())

    def quotes_after(self, k, last):
        """Quotations right after a cue in the same sentence (`"A," he said, "B."`, `he said: "A"`)."""
        toks = self.toks
        pieces = []
        j = k
        while j < last:
            tok = toks[j]
            if tok.quote != -1:
                quote = self.t.quotes[tok.quote]
                pieces.append((quote.first, quote.last + 1))
                j = quote.last + 1
                continue
            if tok.word and tok.low not in ("and", "but", "then"):
                break
            j += 1
        return pieces

    def cues(self):
        """Reporting verbs and participles with the content after them, before them, or around them."""
        toks = self.toks
        for i, tok in enumerate(toks):
            low = tok.low
            speech = low in _SPEECH_FORMS
            thought = low in _THOUGHT_FORMS
            if low in _ADJECTIVE_CUES and tok.quote == -1 and i + 1 < len(toks):
                if toks[i + 1].low in _ADJECTIVE_CUES[low]:
                    self.adjective_cue(i)
                elif low == "known":
                    self.known_as(i)
                continue
            if low in _PHRASE_VERBS and tok.quote == -1 and not tok.cap:
                self.phrase_cue(i)
                continue
            if low in _RAISING and tok.quote == -1 and not tok.cap:
                first, last = self.sentence(i)
                self.raising(i, first, last)
                continue
            if (
                low in _RAISING_PASSIVES
                and tok.quote == -1
                and not tok.cap
                and i > 0
                and toks[i - 1].low in _BEFORE_RAISING_PASSIVE
            ):
                first, last = self.sentence(i)
                self.passive(i, first, last)
                continue
            if not (speech or thought):
                if low in _NOUN_CUES and tok.quote == -1:
                    self.noun_cue(i)
                continue
            if (
                tok.cap
                and low in _PARTICIPLE_SPEECH_LISTED
                and low not in ("writing", "referring")
                and tok.quote == -1
            ):
                first, last = self.sentence(i)
                if i == first:
                    self.opening_participle(i, last)
                continue
            if low == "asked" and tok.quote == -1:
                first, last = self.sentence(i)
                if i == first or toks[i - 1].low in _BEFORE_ASKED:
                    self.asked(i, first, last)
                    continue
            verb = self.is_verb_here(i)
            if not verb:
                if low in _NOUN_CUES and tok.quote == -1 and not tok.cap:
                    self.noun_cue(i)
                continue
            first, last = self.sentence(i)
            if verb == "passive":
                self.passive(i, first, last)
                continue
            g = self.verb_group_start(i, first)
            cue = self.extend_cue((g, i + 1), last)
            if low in _PARTICLE_REQUIRED and cue[1] == i + 1:
                continue
            if low in _FIND and not self._evidence_finds(i, g, first, last):
                continue
            before = toks[g - 1] if g > first else None
            participle = (
                low in _PARTICIPLE_SPEECH
                and before is not None
                and (
                    before.text in (",", "—", "–")
                    or before.quote != -1
                    and toks[g - 2].text == ","  # `said, "It's over," adding ...`
                    or before.low in _DOCUMENT_NOUNS
                    or before.low in _BEFORE_PARTICIPLE
                )
            )
            if participle:
                source = self.shared_source(g - 1, first)
                k = self.skip_after_cue(cue[1], last, low in _RECIPIENT_VERBS and cue[1] == i + 1)
                content = self.content_after(k, last)
                if content:
                    self.add(cue, source, [content], priority=2, confidence=0.6)
                continue
            if low.endswith("ing") and (g == i or toks[i - 1].low not in _AUX):
                if (
                    low in _PARTICIPLE_SPEECH
                    and cue[1] < last
                    and (
                        toks[cue[1]].low in ("that", "whether", "how", "why", "what")
                        or toks[cue[1]].quote != -1
                        or toks[cue[1]].text == ":"
                    )
                ):
                    # "emails showing that ...", "a puppet saying what people want", "of announcing that ..."
                    content = self.content_after(self.skip_after_cue(cue[1], last, False), last)
                    if content:
                        source = self.source_before(g, first)
                        self.add(cue, source, [content], priority=2, confidence=0.55)
                continue  # "a growing number", "Speaking to reporters, ..." (but "is arguing")
            source = self.source_before(g, first)
            if (
                source is None
                and before is not None
                and (
                    before.low in ("and", "but")
                    or before.text == ","
                    and (not low.endswith(("s", "ing")) and low not in _SPEECH_FORMS)
                )
            ):
                source = self.sentence_subject(first, g - 1)  # "She ... but said she couldn't"
            inverted = None
            if source is None and speech and before is not None and before.text in (",", "”", '"', "''"):
                inverted = self.source_after(cue[1], last)
            k = self.skip_after_cue(cue[1], last, low in _RECIPIENT_VERBS and cue[1] == i + 1)
            if inverted is not None:
                # "..., said Smith." or "..., said Smith, a spokesman."
                lead = self.content_before(g, first)
                if lead is not None:
                    self.add(cue, inverted, [lead], priority=3, confidence=0.7)
                continue
            if source is None:
                if (
                    speech
                    and before is not None
                    and before.low == "to"
                    and k < last
                    and (toks[k].low in _CLAUSE_STARTS or toks[k].quote != -1)
                ):
                    # "agreed to a call, but only to tell Garland that ...": an infinitive with its own clause
                    content = self.content_after(k, last)
                    if content:
                        self.add(
                            cue, self.sentence_subject(first, g - 1), [content], priority=4, confidence=0.5
                        )
                continue
            k = self.quote_opening_content(k, last)
            after = self.content_after(k, last) if k < last else None
            if after is not None and toks[after[0]].low in _SPEECH_FORMS and toks[after[0] - 1].text == ",":
                after = None  # "Garin, a pollster who advises the PAC, said ...": the main verb is no content
            comma_before_source = source[0] > first and toks[source[0] - 1].text in (",", "—", "–")
            relative = toks[source[0]].low in _RELATIVES or toks[source[0]].low in _CONTRACTED_SUBJECTS
            if after is not None and relative and comma_before_source:
                # "Haugland, who's argued that delegates are free, lost": the clause ends at its comma
                close = next(
                    (x for x in range(after[0], after[1]) if toks[x].text == "," and toks[x].quote == -1),
                    None,
                )
                if close is not None and close > after[0]:
                    after = (after[0], close)
            if speech and comma_before_source and self._rest_is_adjunct(k, last):
                # "The plan will fail, Smith said (on Tuesday)."
                lead = self.content_before(source[0], first)
                if lead is not None and self._is_clause(lead):
                    self.add(cue, source, [lead], priority=3, confidence=0.75)
                    continue
            if speech and comma_before_source and k < last and toks[cue[1]].text == "," and after:
                # "The plan, Smith said, will fail."
                lead = self.content_before(source[0], first)
                if lead is not None and self._is_clause(lead):
                    self.add(cue, source, [lead, after], priority=3, confidence=0.7)
                    continue
            if speech and (after is None or self._rest_is_adjunct(k, last)):
                # "Smith said in a statement:" with the quotation in the next sentence or paragraph
                following = self.quote_after_sentence(last)
                if following is not None:
                    self.add(cue, source, [following], priority=1, confidence=0.7)
                    continue
            if after is None or low in _QUOTE_ONLY and toks[after[0]].quote == -1:
                continue
            if speech and self._rest_is_adjunct(k, last) and toks[k].low in _ADJUNCT_AFTER_CUE:
                continue  # "Eilperin reported from Washington.": no content named
            if not speech and not self._thought_complement(k, after, particle=cue[1] > i + 1):
                continue
            self.add(cue, source, [after], priority=1 if speech else 4, confidence=0.75 if speech else 0.55)

    def _is_clause(self, span):
        """More than a name: "Sam Lau, the director, said" has no content before the source."""
        a, b = span
        words = [t for t in self.toks[a:b] if t.word]
        return bool(words) and not all(t.cap or t.low in ("of", "the") for t in words)

    def quote_opening_content(self, k, last):
        """`said of the senator, "..."`, `tweeted in response: "..."`: the content starts at the quotation."""
        toks = self.toks
        for q in range(k, min(last, k + 14)):
            tok = toks[q]
            if tok.quote != -1:
                if q > k and toks[q - 1].text in (",", ":") and self.t.quotes[tok.quote].first == q:
                    return q
                return k
            if (
                tok.low in ("that", "whether", "if")
                or tok.text in (";", "(")
                or tok.text in _TERMINALS
                or (tok.low in _SPEECH_FORMS and not tok.cap and toks[q - 1].low in ("and", "but", ","))
            ):
                return k  # `smiled and said, "..."`: the quotation is the said one's
        return k

    def quote_after_sentence(self, last):
        """The quotation that opens the next sentence, in this paragraph or the next."""
        toks = self.toks
        if last >= len(toks):
            return None
        end = last - 1
        if toks[end].text not in (":", ".") or toks[last].quote == -1:
            return None
        if toks[last].para != toks[end].para and toks[end].text != ":":
            return None
        quote = self.t.quotes[toks[last].quote]
        if quote.first != last:
            return None
        return (quote.first, quote.last + 1)

    def _evidence_finds(self, i, g, first, last):
        toks = self.toks
        if i + 1 < last and toks[i + 1].low == "that":
            return True
        source = self.source_before(g, first)
        if source is None:
            return False
        return any(toks[x].low in _EVIDENCE_HEADS for x in range(source[0], source[1]))

    def in_document(self):
        """ "in a CBS News poll", "In the new Post-ABC poll, ...": the poll or study is the source."""
        toks = self.toks
        for i, tok in enumerate(toks):
            if tok.low != "in" or tok.quote != -1:
                continue
            first, last = self.sentence(i)
            j = i + 1
            while (
                j < last
                and j - i <= 10
                and (toks[j].word or toks[j].text in ("-", "'", "’", "/", "&"))
                and (toks[j].low not in _VERBISH and toks[j].low not in _SOURCE_STOPS or toks[j].low == "and")
            ):
                j += 1
            head = j - 1
            if head <= i or toks[head].low not in _POLL_WORDS:
                continue
            if (
                j < last
                and toks[j].word
                and toks[j].low not in _ADJUNCT_AFTER_CUE
                and toks[j].low not in _AFTER_POLL
            ):
                continue
            source = (i + 1, j)
            cue = (i, i + 1)
            if i == first:
                k = j
                while k < last and toks[k].text == ",":
                    k += 1
                content = self.content_after(k, last)
                pieces = [content] if content else []
            else:
                lead = self.content_before(i, first)
                pieces = [lead] if lead else []
                if j < last and toks[j].text == ",":
                    tail = self.content_after(j + 1, last)
                    if tail and toks[i - 1].text == ",":
                        pieces.append(tail)
            self.add(cue, source, pieces, priority=5, confidence=0.5)

    def subject_mentions(self):
        """Names that open sentences ("Hillary Clinton spoke in Ohio."), for pronouns to refer back to."""
        toks = self.toks
        found = []
        for first, last in self.t.sentences:
            if toks[first].low in _LEAD_INS or toks[first].low in _DETERMINERS or toks[first].quote != -1:
                continue
            span = self.sentence_subject(first, last)
            if span is not None and toks[span[0]].low not in _PRONOUN_SOURCES and span[1] - span[0] <= 5:
                found.append(span)
        return found

    def antecedent(self, relative):
        """The noun phrase a relative pronoun refers to: "Podesta, who said ..." -> Podesta."""
        first = self.sentence(relative)[0]
        end = relative - 1 if relative > first and self.toks[relative - 1].text == "," else relative
        span = self.source_before(end, first)
        if span is None or not any(t.cap for t in self.toks[span[0] : span[1]]):
            return None
        return span

    def asked(self, i, first, last):
        """ "Asked whether he would run, Smith said ...": the question is an attribution, no source named."""
        toks = self.toks
        cue = self.extend_cue((i, i + 1), last)
        k = cue[1]
        source = None
        if k < last and toks[k].low == "by":
            source = self.source_after(k + 1, last)
            if source is None:
                return
            k = source[1]
        end = next((x for x in range(k, last) if toks[x].text == "," and toks[x].quote == -1), last)
        if cue[1] == i + 1 and k < end and toks[k].low not in _QUESTION_STARTS:
            # "Asked on Monday whether ...", "Asked Tuesday about Sullivan": past the adjunct to the question
            k = next((x for x in range(k, min(end, k + 6)) if toks[x].low in _QUESTION_STARTS - {"to"}), end)
        if k >= end:
            return  # "asked about the vote" has its particle in the cue already
        content = self.content_after(k, end)
        if content:
            self.add(cue, source, [content], priority=2, confidence=0.6)

    def sentence_subject(self, first, end):
        """The pronoun or name opening a sentence (after a lead-in clause), as the subject of a later verb."""
        toks = self.toks
        a = first
        if toks[a].low in ("but", "and", "so", "yet") and a + 1 < end and toks[a + 1].text != ",":
            a += 1  # "But Podesta said X and said Y"
        elif toks[a].low in _LEAD_INS or toks[a].low in _SUBORDINATE:
            a = next((x + 1 for x in range(first, end) if toks[x].text == ","), end)
        if a >= end:
            return None
        if toks[a].low in _PRONOUN_SOURCES:
            return (a, a + 1)
        if not toks[a].cap or not toks[a].word:
            return None
        b = a
        while b < end and (
            toks[b].cap and toks[b].word or toks[b].text == "." and self.t._is_abbreviation(b)
        ):
            b += 1
        return (a, b)

    def _thought_complement(self, k, after, particle=False):
        # Belief and intention verbs need a clause, an infinitive, a quote, an object phrase or a name
        # ("Obama Slams Congress", "She denied it").
        first = self.toks[after[0]]
        return (
            particle  # "called for calm"
            or after[1] - after[0] >= 2
            or first.quote != -1
            or first.cap
            or first.low in _OBJECT_PRONOUNS
        )

    def _rest_is_adjunct(self, k, last):
        toks = self.toks
        rest = []
        for t in toks[k:last]:
            if t.quote == -1 and t.text in ("—", "–", "--", ";", "("):
                break  # "..., the office reported on Tuesday -- a development that ..."
            if not (t.text in _TERMINALS and t.quote == -1):
                rest.append(t)
        if not rest:
            return True
        if rest[0].quote != -1 or any(t.low == "that" for t in rest):
            return False
        if any(self.t.quotes[t.quote].inner_words > 4 for t in rest if t.quote != -1):
            return False  # a show's title may be quoted ("on MSNBC's “Morning Joe”"), not what was said
        if rest[0].low == "to":  # "said to reporters", not "said to be"
            return (
                len(rest) > 1
                and (rest[1].cap or rest[1].low in _DETERMINERS | _SOURCE_NOUNS)
                and len(rest) <= 6
            )
        return rest[0].low in _ADJUNCT_AFTER_CUE and len(rest) <= 10

    def shared_source(self, comma, first):
        """The source of the clause a participle hangs on (", adding ..."): shared, as PolNeAR does."""
        toks = self.toks
        for j in range(comma - 1, first - 1, -1):
            if toks[j].quote != -1 or toks[j].cap:
                continue
            if (toks[j].low in _SPEECH_FORMS or toks[j].low in _THOUGHT_FORMS) and self.is_verb_here(
                j
            ) is True:
                g = self.verb_group_start(j, first)
                source = self.source_before(g, first)
                if source is None and toks[g - 1].text in (",", "”", '"', "''"):
                    source = self.source_after(j + 1, comma + 1)
                if source is not None:
                    return source
                break
        return self.sentence_subject(first, comma)

    def passive(self, i, first, last):
        """ "X is expected to ...", "X was faulted by Y for ...": the subject is content, the agent source."""
        toks = self.toks
        g = self.verb_group_start(i, first)
        cue = self.extend_cue((g, i + 1), last)
        subject = self.source_before(g, first)
        if (
            subject is not None
            and toks[subject[0]].low in _RELATIVES
            and toks[i].low not in _RAISING_PASSIVES
        ):
            return
        source = None
        k = cue[1]
        if k < last and toks[k].low == "by" and k + 1 < last and not toks[k + 1].low.endswith("ing"):
            agent = self.source_after(k + 1, last)
            if agent is not None:
                source = agent
                cue = (cue[0], k + 1)
                k = agent[1]
                while k < last and toks[k].text == ",":
                    k += 1
        complement = self.content_after(k, last) if k < last else None
        if (
            complement is not None
            and toks[complement[0]].low in _LEAD_INS
            and toks[complement[0]].low not in _PASSIVE_COMPLEMENT_PREPS
        ):
            complement = None
        if toks[i].low in _RAISING_PASSIVES:
            if complement is None or toks[complement[0]].low not in ("to", "as", "that"):
                return
        elif source is None and complement is None:
            return
        pieces = [p for p in (subject, complement) if p is not None]
        if pieces:
            self.add(cue, source, pieces, priority=5, confidence=0.5)

    def raising(self, i, first, last):
        """ "X seems to ...", "X appeared unconvinced": an attribution with no source named."""
        toks = self.toks
        if i + 1 >= last:
            return
        nxt = toks[i + 1]
        if nxt.low in _PREPOSITIONS and nxt.low != "to" or not nxt.word or nxt.cap:
            return
        if (
            nxt.low == "to"
            and i + 2 < last
            and toks[i + 2].low in _DETERMINERS | {"him", "her", "them", "me"}
        ):
            return
        g = self.verb_group_start(i, first)
        subject = self.source_before(g, first)
        complement = self.content_after(i + 1, last)
        if subject is None or complement is None or toks[subject[0]].low in ("it", "there"):
            if not (
                subject is not None
                and toks[subject[0]].low == "it"
                and complement
                and toks[complement[0]].low == "that"
            ):
                return
            subject = None
        verb = i + 2
        if (
            subject is not None
            and nxt.low == "to"
            and verb < last
            and (toks[verb].low in _SPEECH_FORMS or toks[verb].low in ("show", "prove", "confirm", "reflect"))
            and verb + 1 < last
        ):
            # "the emails seem to show that ...": the subject is the source of the verb after "to"
            after = self.content_after(verb + 1, last)
            if after is not None:
                self.add((g, verb + 1), subject, [after], priority=4, confidence=0.5)
                return
        pieces = [p for p in (subject, complement) if p is not None]
        self.add((g, i + 1), None, pieces, priority=5, confidence=0.45)

    def opening_participle(self, i, last):
        """ "Noting that the plan failed, Smith said ...": the participle is the subject's attribution."""
        toks = self.toks
        comma = next((x for x in range(i + 2, last) if toks[x].text == "," and toks[x].quote == -1), None)
        if comma is None or comma + 1 >= last:
            return
        cue = self.extend_cue((i, i + 1), comma)
        source = self.sentence_subject(comma + 1, last)
        self.add(cue, source, [(cue[1], comma)], priority=2, confidence=0.6)

    def phrase_cue(self, i):
        """ "The party issued a statement saying ...", "Smith made it clear that ...", "took aim at Jones"."""
        toks = self.toks
        first, last = self.sentence(i)
        words = [t.low for t in toks[i + 1 : min(last, i + 5)]]
        low = toks[i].low
        if low[0] == "m":  # make: "made it clear (that)", "made clear"
            n = 2 if words[:2] == ["it", "clear"] else 1 if words[:1] == ["clear"] else 0
            if not n:
                return
            end = i + 1 + n
        elif low[0] == "t":  # take: "took aim at", "took a swipe at", "took issue with"
            n = 1 if words[:1] != ["a"] else 2
            if len(words) <= n or _TAKE_OBJECTS.get(words[n - 1]) != words[n]:
                return
            end = i + 2 + n
        else:  # issue, release: "issued a statement", "released a lengthy statement"
            n = 2 if words[:1] and words[0] in _DETERMINERS else 0
            if n and len(words) > 2 and words[1] not in _DOCUMENT_NOUNS and words[2] in _DOCUMENT_NOUNS:
                n = 3
            if not n or words[n - 1] not in _DOCUMENT_NOUNS:
                return
            end = i + 1 + n
            if end < last and toks[end].low in _STATEMENT_PARTICIPLES:
                end += 1  # "issued a statement saying": one cue
        g = self.verb_group_start(i, first)
        source = self.source_before(g, first)
        if source is None:
            return
        k = self.skip_after_cue(end, last, False)
        if end < last and toks[end].text == ":":
            end += 1
        content = self.content_after(k, last) if k < last else None
        if content is None and low[0] in "ir":
            content = self.quote_after_sentence(last)  # "issued a statement:" with the quotation below
        if content:
            self.add((g, end), source, [content], priority=1, confidence=0.6)

    def adjective_cue(self, i):
        """ "Republicans are critical of the deal", "he was quick to note that": the subject's view."""
        toks = self.toks
        first, last = self.sentence(i)
        g = self.verb_group_start(i, first)
        source = self.source_before(g, first)
        if source is None or toks[source[0]].low in ("it", "there"):
            return
        prep = i + 1
        if toks[prep].low in ("that", "to"):
            content = self.content_after(prep, last)
        else:
            content = self._phrase_after(prep, last)
        if content:
            self.add((g, prep + 1), source, [content], priority=4, confidence=0.5)

    def known_as(self, i):
        """ "the contests known as Super Tuesday", "known online as Guccifer": a name that others give."""
        toks = self.toks
        first, last = self.sentence(i)
        k = i + 1
        if k < last and toks[k].low.endswith("ly") or k < last and toks[k].low in ("here", "online"):
            k += 1
        if k + 1 >= last or toks[k].low != "as":
            return
        end = k + 1
        while end < last and (toks[end].word or toks[end].quote != -1) and toks[end].low not in _VERBISH:
            end += 1
        if end > k + 1:
            self.add(
                (self.verb_group_start(i, first), k + 1), None, [(k + 1, end)], priority=5, confidence=0.5
            )

    def noun_cue(self, i):
        """ "his claim that ...", "criticism of the developer", "Trump's call to abandon ...".

        The possessor, if any, is the source; the content is the clause or the phrase after the noun.
        """
        toks = self.toks
        first, last = self.sentence(i)
        if i + 1 >= last:
            return
        before = toks[i - 1] if i > first else None
        possessor = None
        if before is not None and before.low in _POSSESSIVES:
            possessor = (i - 1, i)
        elif before is not None and before.low.endswith(("'s", "s'")) and before.word:
            a = i - 1
            while a > first and toks[a - 1].cap and toks[a - 1].word:
                a -= 1
            possessor = (a, i)
        nxt = toks[i + 1]
        if nxt.low in ("that", "to") or nxt.quote != -1 or nxt.text == ":":
            if possessor is None and nxt.low != "that":
                return
            if nxt.low == "to" and i + 2 < last and not toks[i + 2].word:
                return
            k = i + 2 if nxt.text == ":" else i + 1
            # "her plan to cut taxes was popular": an infinitive ends at the verb of the sentence
            content = self._phrase_after(k, last) if nxt.low == "to" else self.content_after(k, last)
        elif nxt.low in _NOUN_CUE_PREPOSITIONS.get(toks[i].low.rstrip("s"), ()):
            content = self._phrase_after(i + 1, last)
        elif nxt.low in ("from", "by") and possessor is None:
            # "complaints from his counterpart that ...": the agent is the source
            agent = self._phrase_after(i + 1, last)
            if agent is None or agent[1] >= last or toks[agent[1]].low != "that":
                return
            possessor = (agent[0] + 1, agent[1])
            content = self.content_after(agent[1], last)
            cue_end = agent[0] + 1
            if content:
                self.add((i, cue_end), possessor, [content], priority=6, confidence=0.4)
            return
        else:
            return
        if content:
            self.add((i, i + 1), possessor, [content], priority=6, confidence=0.4)

    def _phrase_after(self, k, last):
        """A prepositional phrase: "of the real estate developer", up to a verb, clause or punctuation."""
        toks = self.toks
        j = k + 1
        while j < last and j - k < 16:
            tok = toks[j]
            if tok.quote != -1:
                j = self.t.quotes[tok.quote].last + 1
                continue
            if (
                not tok.word
                and tok.text not in ("-", "&")
                and not (tok.text == "." and self.t._is_abbreviation(j))
            ):
                break
            if (
                tok.low in _VERBISH
                or tok.low in _SOURCE_STOPS
                and tok.low != "and"
                or (
                    (tok.low in _SPEECH_FORMS or tok.low in _THOUGHT_FORMS)
                    and not tok.cap
                    and tok.low.endswith("ed")
                )
            ):
                break
            j += 1
        return (k, j) if j > k + 1 else None

    def according_to(self):
        toks = self.toks
        for i in range(len(toks) - 1):
            if toks[i].low != "according" or toks[i + 1].low != "to" or toks[i].quote != -1:
                continue
            first, last = self.sentence(i)
            source = self.source_after(i + 2, last, stop_at_comma=True, any_noun=True)
            if source is None:
                continue
            cue = (i, i + 2)
            if i == first or (i > first and toks[i - 1].text in ("(",)):
                k = source[1]
                while k < last and toks[k].text == ",":
                    k += 1
                content = self.content_after(k, last)
                pieces = [content] if content else []
            else:
                lead = self.content_before(i, first)
                pieces = [lead] if lead else []
                if source[1] < last and toks[source[1]].text == ",":
                    tail = self.content_after(source[1] + 1, last)
                    if tail:
                        pieces.append(tail)
            # `"...," Smith said, according to CNN.`: PolNeAR takes the outer attribution, not the said one
            priority = -1 if i == first or len(pieces) == 1 and toks[i - 1].text == "," else 1
            self.add(cue, source, pieces, priority=priority, confidence=0.85)

    def colons(self):
        """`Smith: "..."` at the start of a sentence, and the headline form `Smith: words`."""
        toks = self.toks
        starts = sorted({first for first, _ in self.t.paras} | {first for first, _ in self.t.sentences})
        for first in starts:
            para_first, para_last = self.t.paras[toks[first].para]
            last = self.sentence(first)[1] if first != para_first else para_last
            colon = next(
                (
                    j
                    for j in range(first + 1, min(last, first + 10))
                    if toks[j].text == ":" and toks[j].quote == -1
                ),
                None,
            )
            if colon is None or colon + 1 >= last:
                continue
            head = toks[first:colon]
            if not all(t.word or t.text in (".", "'", "’", "-", "&") for t in head):
                continue
            if (
                not head[0].cap
                or (head[1] if head[0].low == "the" and len(head) > 1 else head[0]).low in _HEADLINE_KICKERS
                or any(t.low in _SPEECH_FORMS or t.low in _THOUGHT_FORMS for t in head)
            ):
                continue
            if any(t.low in ("the", "a", "an") for t in head[1:]) and not head[-1].cap:
                continue
            quoted = toks[colon + 1].quote != -1 and self.t.quotes[toks[colon + 1].quote].first == colon + 1
            if quoted:
                # "Former secretary of state Hillary Rodham Clinton: "..."": a name ends the head
                if (
                    not (
                        head[-1].cap
                        or head[-1].low in _SOURCE_NOUNS
                        or head[-1].low in _ROLE_WORDS
                        or head[-1].low in _GROUP_NOUNS
                    )
                    or len(head) > 8
                ):
                    continue
                pieces = self.quotes_after(colon + 1, last)
            else:
                if first != para_first:
                    continue
                headline = (
                    first == 0 or self.is_headline_case(para_first, para_last) or head[-1].text.isupper()
                )
                lower_ok = len(head) <= 4 and (
                    head[-1].low in _SOURCE_NOUNS
                    or head[-1].low in _ROLE_WORDS
                    or head[-1].low in _GROUP_NOUNS
                )
                if (
                    not headline
                    or len(head) > 5
                    or not (lower_ok or all(t.cap or t.low in ("of", "'s") or not t.word for t in head))
                ):
                    continue
                # `SMITH: ...` in a transcript speaks to the end of the paragraph
                content = self._trim_piece(colon + 1, last)
                pieces = [content] if content else []
            self.add((colon, colon + 1), (first, colon), pieces, priority=0, confidence=0.7)

    # -- choosing --------------------------------------------------------------------------------------------

    def resolve(self):
        toks = self.toks
        cands = self.candidates
        # outer before nested: a candidate whose cue lies in another's content comes later
        covering = {}  # token -> candidates whose content covers it, for the cue tokens only
        cue_starts = {cand.cue[0] for cand in cands}
        for number, cand in enumerate(cands):
            for a, b in cand.content:
                for x in cue_starts:
                    if a <= x < b:
                        covering.setdefault(x, []).append(number)
        for number, cand in enumerate(cands):
            if cand.priority == 0:
                continue  # a quotation with its own cue right after it is never nested
            for other_number in covering.get(cand.cue[0], ()):
                other = cands[other_number]
                if (
                    other_number != number
                    and (other.priority <= cand.priority or other.priority < 4)
                    and not any(a <= other.cue[0] < b for a, b in cand.content)
                ):
                    cand.nested_in = other_number
                    break
        order = sorted(
            range(len(cands)), key=lambda n: (cands[n].nested_in != -1, cands[n].priority, cands[n].cue[0])
        )
        owner = [None] * len(toks)  # ("cue" | "content" | "source", attribution number)
        taken: list[_Candidate] = []
        for n in order:
            cand = cands[n]
            a, b = cand.cue
            if any(owner[x] is not None for x in range(a, b)):
                continue
            source = cand.source
            if source is not None:
                sa, sb = source
                if (
                    any(
                        owner[x] is not None
                        and (owner[x][0] != "source" or taken[owner[x][1]].source != source)
                        for x in range(sa, sb)
                    )
                    or sa < b
                    and a < sb
                ):
                    source = None
            pieces = []
            for pa, pb in cand.content:
                if pa < b and a < pb:
                    pb = a if pa < a else pb
                    pa = max(pa, b) if pa >= a else pa
                if source is not None and pa < source[1] and source[0] < pb:
                    if pa < source[0]:
                        pb = source[0]
                    else:
                        pa = source[1]
                x = pa
                while x < pb and owner[x] is None:
                    x += 1
                if x > pa:
                    pieces.append(self._trim_piece(pa, x))
            pieces = [p for p in pieces if p is not None]
            if not pieces:
                continue
            number = len(taken)
            kept = _Candidate(cand.cue, source, pieces, cand.priority, cand.confidence)
            taken.append(kept)
            for x in range(a, b):
                owner[x] = ("cue", number)
            if source is not None:
                for x in range(source[0], source[1]):
                    owner[x] = ("source", number)
            for pa, pb in pieces:
                for x in range(pa, pb):
                    owner[x] = ("content", number)
        self.continue_quotes(taken, owner)
        return taken

    def _trim_piece(self, a, b):
        toks = self.toks
        while b > a and toks[b - 1].text in (",", ";", ":", "—", "–", "-", "(") and toks[b - 1].quote == -1:
            b -= 1
        while a < b and toks[a].text in (",", ";", ":", "—", "–", "-", ")") and toks[a].quote == -1:
            a += 1
        return (a, b) if b > a else None

    def continue_quotes(self, taken, owner):
        """Quotations with no cue of their own continue the attribution before them.

        In the same paragraph (`He said X. "Y."`) and in the next paragraphs when they are wholly
        quotations. The main attribution of the paragraph is continued rather than a participle
        (", referring to ...") or a relative clause ("who endorsed ...").
        """
        toks = self.toks
        if not taken:
            return
        ends = [max(p[1] for p in cand.content) for cand in taken]
        for first, last in self.t.sentences:
            if toks[first].quote == -1 or any(owner[x] is not None for x in range(first, last)):
                continue
            quote = self.t.quotes[toks[first].quote]
            if quote.first != first:
                continue
            # the sentence is one quotation (and its final punctuation)
            if any(toks[x].quote == -1 and toks[x].word for x in range(first, last)):
                continue
            para = toks[first].para
            before = [n for n in range(len(taken)) if ends[n] <= first]
            if not before:
                continue
            in_para = [n for n in before if toks[ends[n] - 1].para == para]
            if not in_para:
                nearest = max(toks[ends[n] - 1].para for n in before)
                if not self._quoted_paragraphs_between(nearest, para, owner):
                    continue
                in_para = [n for n in before if toks[ends[n] - 1].para == nearest]
            target = max(in_para, key=lambda n: (self._continues_well(taken[n]), ends[n]))
            piece = (quote.first, quote.last + 1)
            taken[target].content.append(piece)
            ends[target] = piece[1]
            for x in range(piece[0], piece[1]):
                owner[x] = ("content", target)

    def _continues_well(self, cand):
        toks = self.toks
        relative = cand.source is not None and toks[cand.source[0]].low in _RELATIVES
        quoted = any(toks[a].quote != -1 for a, _ in cand.content)
        return (not relative and cand.priority != 2) * 2 + quoted

    def _quoted_paragraphs_between(self, para_a, para_b, owner):
        toks = self.toks
        for first, last in self.t.paras:
            para = toks[first].para
            if para_a < para < para_b:
                if toks[first].quote == -1 or any(t.quote == -1 and t.word for t in toks[first:last]):
                    return False
                if any(owner[x] is None for x in range(first, last) if toks[x].word):
                    return False
        return True


def _kind(text: str, pieces: list[Span]) -> str:
    quoted = [p for p in pieces if text[p[0]] in "“\"‘'`" and text[p[1] - 1] in "”\"’'"]
    if len(quoted) == len(pieces):
        return DIRECT
    if any(ch in text[a:b] for a, b in pieces for ch in '“"”') or quoted:
        return MIXED
    return INDIRECT


def propose(text: str) -> list[Proposal]:
    """Proposed attributions in `text`, sorted by position. See the module docstring."""
    extractor = _Extractor(text)
    taken = extractor.run()
    toks = extractor.toks

    def chars(span):
        return (toks[span[0]].start, toks[span[1] - 1].end)

    taken.sort(key=lambda c: min([c.cue[0], *(p[0] for p in c.content), *(c.source or ())]))
    speakers = _Speakers(text)
    mentions = extractor.subject_mentions()
    proposals = []
    for cand in taken:
        position = min([cand.cue[0], *(p[0] for p in cand.content), *(cand.source or ())])
        while mentions and mentions[0][0] < position:
            speakers.mention(chars(mentions.pop(0)))
        pieces = sorted(chars(p) for p in cand.content)
        source = chars(cand.source) if cand.source else None
        speaker = None
        if cand.source is not None:
            head = toks[cand.source[0]].low.split("'")[0]
            relative = head in _RELATIVES and cand.source[1] - cand.source[0] == 1
            antecedent = extractor.antecedent(cand.source[0]) if relative else None
            if not relative:
                speaker = speakers.mention(source)
            elif antecedent is not None:
                speaker = speakers.mention(chars(antecedent))
        proposals.append(
            Proposal(
                source=source,
                cue=chars(cand.cue),
                content=pieces[0] if len(pieces) == 1 else pieces,
                kind=_kind(text, pieces),
                speaker=speaker,
                confidence=cand.confidence,
            )
        )
    return proposals


class _Speakers:
    """The speakers named so far, most recent last, for short forms and pronouns to resolve to."""

    def __init__(self, text):
        self.text = text
        self.known: list[names.Known] = []
        self.count = 0

    def mention(self, span):
        """The speaker name a mention suggests (and remember it as the most recent)."""
        mention = self.text[span[0] : span[1]]
        folded = re.sub(r"[’'](?:s|ve|re)$", "", mention.lower())  # "he's" is "he"
        if folded in _PRONOUN_SPEAKERS:
            found = names.resolve_pronoun(folded, self.known)
            return found.name if found else None
        kind = names.guess_kind(mention)
        core = (names.core_name(mention) if kind == names.PERSON else "") or mention.strip(" ,")
        known = names.resolve(core, self.known) if kind == names.PERSON else None
        if known is None:
            self.count += 1
            known = names.Known(id=self.count, name=core, kind=kind, gender=names.guess_gender(mention))
        else:
            self.known.remove(known)
        self.known.append(known)
        return known.name
