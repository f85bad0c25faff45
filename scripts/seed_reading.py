"""The shipped close reading of the two seed articles, made through the reader as a researcher
would make it: `.venv/bin/python scripts/seed_reading.py` (about four minutes on two busy cores).

It starts a throwaway server on a fresh SQLite database with the seeds and two accounts, and
drives the reader in headless Chromium (Debian's): a curator enters the speakers (name, kind,
aliases) in the admin; the researcher selects words, presses Q, S or C, fills the panel (speaker,
cue, note), attributes quotes and claims ("Attribute these words": picks the cue and the source),
adds the second piece of a split quote, and links counterparts (Alt+L, selects the words in the
other article, Enter). At the end the curator removes the speakers the reader made on its own
from words that name nobody by themselves ("he", an apposition), the comparison is exported in
the native format to seeds/reading.json, and the export is checked against the reading below:
every span's words are the text at its offsets, every annotation, attribution and link is there
as read, and nothing else is.

The reading itself is data: SPEAKERS, READING (one entry per highlight, in reading order) and
LINKS. docs/READING.md gives its conventions.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUTPUT = ROOT / "seeds" / "reading.json"
COMPARISON = "soleimani-first-anniversary"
A = "iran-fm-us-isis-brothers-in-arms"  # Mehr News Agency (left)
B = "rouhani-crazy-murderer-trump-reign-ending"  # the Russian outlet (right)
READER, CURATOR = "seed-reader", "seed-curator"
PASSWORD = "seed-reading-password-1"

# --- The speakers: one per person or body, whatever each article calls them -----------------------


@dataclass(frozen=True)
class Speaker:
    name: str
    kind: str  # person, organisation, outlet, anonymous, document
    aliases: tuple = ()
    description: str = ""


FM = "Iran's Foreign Ministry"
TRUMP = "Donald Trump"
SOLEIMANI = "Qasem Soleimani"
ROUHANI = "Hassan Rouhani"
CALLAMARD = "Agnes Callamard"
QAANI = "Esmaeil Qaani"
CLINTON = "Hillary Clinton"
OBAMA = "Barack Obama"
MUHANDIS = "Abu Mahdi al-Muhandis"
NETANYAHU = "Benjamin Netanyahu"
MILLER = "Christopher Miller"
KAHANA = "Menahem Kahana"
PENTAGON = "The Pentagon"
PARLIAMENT = "Iraqi parliament"
IRAN = "Iranian government"
US = "United States government"
VIDEO = "Foreign ministry video"
MEHR = "Mehr News Agency"
RUSSIAN = "Unnamed Russian outlet"
UNNAMED = "Unnamed source"

SPEAKERS = [
    Speaker(
        FM,
        "organisation",
        ("Iran’s Foreign Ministry", "the Iranian foreign ministry", "the foreign ministry"),
        "The Ministry of Foreign Affairs of the Islamic Republic of Iran; in the Mehr article it "
        "speaks through two tweets, a video and a republished assessment.",
    ),
    Speaker(TRUMP, "person", ("Trump", "U.S. President Donald Trump"), "President of the United States."),
    Speaker(
        SOLEIMANI,
        "person",
        (
            "Qassem Soleimani",
            "General Qassem Soleimani",
            "General Soleimani",
            "Gen Soleimani",
            "Soleimani",
            "the top Iranian general",
            "the general",
            "the commander of the Quds Force",
        ),
        "Commander of the Quds Force of Iran's Revolutionary Guards, killed by a US drone strike near "
        "Baghdad airport on 3 January 2020. He is not quoted in either article.",
    ),  # fmt: skip
    Speaker(
        ROUHANI,
        "person",
        ("Rouhani", "Iranian President Hassan Rouhani", "the Iranian president", "the president"),
        "President of Iran.",
    ),
    Speaker(
        CALLAMARD,
        "person",
        ("Callamard",),
        "UN Special Rapporteur on Extra-Judicial Executions; her assessment reaches the Mehr article "
        "through the foreign ministry.",
    ),
    Speaker(
        QAANI,
        "person",
        ("Brigadier General Esmaeil Qaani", "Qaani", "Esmail Qaani"),
        "Soleimani's successor at the head of the Quds Force.",
    ),
    Speaker(CLINTON, "person", (), "Former US Secretary of State, named in Trump's quoted words."),
    Speaker(OBAMA, "person", ("Obama",), "Former US President, named in Trump's quoted words."),
    Speaker(
        MUHANDIS,
        "person",
        ("al-Muhandis",),
        "Deputy head of Iraq's Popular Mobilization Forces, killed with Soleimani.",
    ),
    Speaker(
        NETANYAHU,
        "person",
        ("Israeli Prime Minister Benjamin Netanyahu", "Netanyahu"),
        "Prime Minister of Israel, in a 2014 photo caption.",
    ),
    Speaker(
        MILLER,
        "person",
        ("Secretary of Defence Christopher Miller", "Miller"),
        "Acting US Secretary of Defense from November 2020.",
    ),
    Speaker(
        KAHANA, "person", (), "Photographer credited for the 2014 AP photo in the Russian outlet's article."
    ),
    Speaker(
        PENTAGON, "organisation", ("Pentagon", "US Department of Defense"), "The US Department of Defense."
    ),
    Speaker(
        PARLIAMENT,
        "organisation",
        ("Iraq's parliament", "Council of Representatives of Iraq"),
        "Iraq's Council of Representatives.",
    ),
    Speaker(
        IRAN,
        "organisation",
        ("Iran",),
        "“Iran” as a speaker: the Iranian state, its officials not named.",
    ),
    Speaker(
        US,
        "organisation",
        ("the US", "the U.S. government"),
        "“The US” as a speaker: the US government, its officials not named.",
    ),
    Speaker(
        VIDEO,
        "document",
        ("The video", "the foreign ministry's video"),
        "The video Iran's Foreign Ministry posted: Trump at a campaign rally, and its own message on "
        "Soleimani.",
    ),
    Speaker(MEHR, "outlet", ("Mehr",), "The Iranian article's outlet: claims in its own voice."),
    Speaker(
        RUSSIAN,
        "outlet",
        (),
        "The second article's outlet, not named in the text (its style note on banned groups points "
        "to a Russian state outlet): claims in its own voice.",
    ),
    Speaker(UNNAMED, "anonymous", (), "A claim the text attributes to no one (“was known”)."),
]

# --- The reading: one entry per highlight, in reading order ---------------------------------------


@dataclass(frozen=True)
class W:
    """Words of an article: `words` exactly as written; `within`, when the words occur more than
    once, a longer passage that occurs once and holds them (their first occurrence in it)."""

    words: str
    within: str | None = None


@dataclass
class Item:
    document: str
    label: str  # Quote, Speaker or Claim
    words: W
    speaker: str
    key: str = ""
    cue: W | None = None  # the reporting words: the annotation's cue and the attribution's cue
    source: W | None = None  # the words naming the speaker, when the attribution's sentence has them
    kind: str = ""  # the attribution's kind: direct, indirect, mixed ("" for no attribution)
    note: str = ""
    more: tuple = ()  # further pieces of a split quote (W), added to this attribution
    piece_of: str = ""  # this quote is a further piece of that item's attribution


def mention(document, words, speaker, key="", note=""):
    return Item(document, "Speaker", words if isinstance(words, W) else W(words), speaker, key=key, note=note)


def quote(document, key, words, speaker, cue, source=None, note="", more=(), piece_of=""):
    return Item(
        document, "Quote", _w(words), speaker, key, _w(cue), _w(source), "direct", note, more, piece_of
    )


def claim(document, key, words, speaker, cue=None, source=None, kind="", note=""):
    """A claim with a cue is attributed (`kind` indirect or mixed). A claim inside a quotation has its
    speaker and no cue: the quotation's attribution holds it. A claim in the outlet's own voice has
    the outlet as its speaker."""
    return Item(document, "Claim", _w(words), speaker, key, _w(cue), _w(source), kind, note)


def _w(words):
    return W(words) if isinstance(words, str) else words


READING = [
    # ---- Mehr News Agency -----------------------------------------------------------------------
    mention(A, "Iran’s Foreign Ministry", FM, key="A.fm"),
    claim(
        A, "A.accuses", "the U.S. government of supporting the ISIS terrorist group", FM,
        cue="accused", source="Iran’s Foreign Ministry", kind="indirect",
        note="Unsourced beyond the ministry's own tweet and video (Trump's campaign line); contested: "
        "the US led the international coalition against ISIS.",
    ),
    quote(
        A, "A.brothers", "“brothers in arms.”", FM, cue="describing", source="Iran’s Foreign Ministry",
        note="The last words of the tweet quoted next, repeated as the article's headline phrase.",
    ),
    quote(
        A, "A.tweet1",
        "“It's a well-documented fact, which's been admitted by Trump, that U.S. has had a crucial role in "
        "the rise of terrorism in our region, from AQ to ISIS. Not surprising that the US assassination of "
        "General Soleimani was cheered by ISIS: brothers in arms,”",
        FM, cue=W("said", "foreign ministry said in a tweet"),
        source=W("the Iranian foreign ministry", "the Iranian foreign ministry said in a tweet"),
        note="In a tweet on Saturday.",
    ),
    claim(
        A, "A.us_role",
        "It's a well-documented fact, which's been admitted by Trump, that U.S. has had a crucial role in "
        "the rise of terrorism in our region, from AQ to ISIS.",
        FM,
        note="Inside the ministry's tweet. “Well-documented” and “admitted by Trump” are asserted, not "
        "shown: the only support offered is the campaign-rally line in the video (Clinton “created "
        "ISIS”), a jibe at a rival rather than an admission of a US role. Contested.",
    ),
    mention(A, W("Trump", "admitted by Trump"), TRUMP),
    claim(
        A, "A.cheered",
        "Not surprising that the US assassination of General Soleimani was cheered by ISIS", FM,
        note="Inside the ministry's tweet. Unsourced: no ISIS statement or reaction is cited.",
    ),
    mention(A, W("General Soleimani", "assassination of General Soleimani was cheered"), SOLEIMANI),
    mention(A, W("the Iranian foreign ministry", "the Iranian foreign ministry said in a tweet"), FM),
    mention(A, W("The foreign ministry", "The foreign ministry also posted"), FM),
    mention(A, W("Trump", "video showing Trump addresses"), TRUMP),
    mention(A, W("he", "in which he says"), TRUMP, note="“he”: Trump, the source of the quotation."),
    quote(
        A, "A.clinton", "“Hillary Clinton created ISIS with Obama.”", TRUMP,
        cue=W("says", "he says that"), source=W("he", "in which he says"),
        note="A line from Trump's 2016 campaign, shown in the ministry's video as the “admission” its "
        "tweet speaks of. The claim itself is a jibe at rivals, not a finding: contested.",
    ),
    mention(A, "Hillary Clinton", CLINTON),
    mention(A, W("Obama", "ISIS with Obama"), OBAMA),
    mention(A, W("The video", "The video also shows"), VIDEO),
    mention(A, "the commander of Iran’s elite Quds Force, General Qassem Soleimani", SOLEIMANI, key="A.quds"),
    claim(
        A, "A.champion",
        "the commander of Iran’s elite Quds Force, General Qassem Soleimani was an “anti-terrorism "
        "champion” whose assassination only benefited the ISIS terrorist group",
        VIDEO, cue=W("shows", "The video also shows"), source=W("The video", "The video also shows"),
        kind="mixed",
        note="What the video “shows” is the ministry's message, not footage of a fact; that the killing "
        "“only benefited” ISIS is unsourced.",
    ),
    quote(
        A, "A.champion_q", "“anti-terrorism champion”", VIDEO,
        cue=W("shows", "The video also shows"), source=W("The video", "The video also shows"),
    ),
    claim(
        A, "A.anniversary",
        "This week marks the first anniversary of the assassination of the top Iranian general last year.",
        MEHR,
    ),
    mention(A, "the top Iranian general", SOLEIMANI, key="A.top_general"),
    mention(A, W("General Soleimani", "General Soleimani was assassinated"), SOLEIMANI),
    claim(
        A, "A.strike", "General Soleimani was assassinated in an American drone strike on January 3, 2020",
        MEHR,
    ),
    claim(
        A, "A.muhandis",
        "along with his comrade Abu Mahdi al-Muhandis, the deputy head of Iraq’s Popular Mobilization Forces "
        "(PMF)",
        MEHR,
    ),
    mention(A, "Abu Mahdi al-Muhandis", MUHANDIS),
    claim(A, "A.airport", "near Baghdad’s international airport", MEHR),
    claim(A, "A.ordered", "The strike was ordered by U.S. President Donald Trump", MEHR),
    mention(A, "U.S. President Donald Trump", TRUMP),
    claim(
        A, "A.reckless",
        "a reckless move that brought Iran and the United States close to an all-out war", MEHR,
        note="Evaluative, in the outlet's own voice; unsourced.",
    ),
    claim(
        A, "A.influential", "General Soleimani was an influential figure in Iran and beyond", MEHR,
        note="Evaluative, in the outlet's own voice.",
    ),
    mention(A, W("General Soleimani", "as General Soleimani was an influential"), SOLEIMANI),
    claim(
        A, "A.showered", "In response, Iran showered a U.S. airbase in western Iran with missiles", MEHR,
        note="Sic: the base hit (Ain al-Asad) is in western Iraq, not Iran. One airbase here; the other "
        "article has “a pair of US bases”. Unsourced.",
    ),
    claim(
        A, "A.dozens", "causing brain injury among dozens of American servicemen", MEHR,
        note="Unsourced and vague: “dozens” of servicemen. The other article gives 109 traumatic brain "
        "injuries among US troops (the Pentagon's count by February 2020). Contested: how many, and "
        "counted as people or as injuries.",
    ),
    mention(A, W("the Iranian foreign ministry", "Friday, the Iranian foreign ministry"), FM),
    mention(A, "Agnes Callamard", CALLAMARD),
    mention(A, W("General Soleimani", "the assassination of General Soleimani saying"), SOLEIMANI),
    claim(
        A, "A.callamard_law",
        "the U.S. strike against the general was a blatant violation of international law",
        CALLAMARD, cue=W("saying", "General Soleimani saying"), source="Agnes Callamard", kind="indirect",
        note="Second hand: Callamard's assessment as republished by the foreign ministry. “Blatant” is "
        "not in quotation marks, so whose word it is cannot be told.",
    ),
    mention(A, W("the general", "strike against the general was"), SOLEIMANI),
    mention(A, W("Callamard", "According to Callamard"), CALLAMARD),
    claim(
        A, "A.callamard_iraq",
        "the strike was clearly a strike against the armed forces of another state and it was a use of force "
        "against Iraq and a violation of its sovereignty",
        CALLAMARD, cue="According to", source=W("Callamard", "According to Callamard"), kind="indirect",
    ),
    mention(A, W("Callamard", "Callamard noted"), CALLAMARD),
    claim(
        A, "A.callamard_charter", "the strike also was in violation of the UN charter", CALLAMARD,
        cue="noted", source=W("Callamard", "Callamard noted"), kind="indirect",
        note="“Noted” presents her view as an established fact.",
    ),
    mention(A, W("The Iranian foreign ministry", "The Iranian foreign ministry also said"), FM),
    claim(
        A, "A.fm_law", "the strike was against international law", FM,
        cue=W("said", "foreign ministry also said"),
        source=W("The Iranian foreign ministry", "The Iranian foreign ministry also said"), kind="indirect",
    ),
    quote(
        A, "A.tweet2",
        "“By committing a craven act of terror against Gen Soleimani, the US violated int'l law & the UN "
        "Charter in a blatant violation of Iraqi sovereignty. The US' lawlessness in full show. Iran won't "
        "rest until bringing those responsible to justice,”",
        FM, cue="tweeted", source=W("the foreign ministry", "tweeted the foreign ministry"),
    ),
    claim(
        A, "A.violated",
        "By committing a craven act of terror against Gen Soleimani, the US violated int'l law & the UN "
        "Charter in a blatant violation of Iraqi sovereignty.",
        FM, note="Inside the ministry's tweet: its own verdict, after Callamard's.",
    ),
    mention(A, "Gen Soleimani", SOLEIMANI),
    claim(
        A, "A.lawless", "The US' lawlessness in full show.", FM,
        note="Inside the ministry's tweet. Evaluative.",
    ),
    claim(
        A, "A.justice", "Iran won't rest until bringing those responsible to justice", FM,
        note="Inside the ministry's tweet: a pledge.",
    ),
    mention(A, W("the foreign ministry", "tweeted the foreign ministry"), FM),
    mention(A, W("Iran", "Iran has long warned"), IRAN),
    claim(
        A, "A.revenge",
        "it will take revenge against the U.S. for assassinating the commander of the Quds Force",
        IRAN, cue="warned", source=W("Iran", "Iran has long warned"), kind="indirect",
        note="No statement, official or date is cited for the warning.",
    ),
    mention(A, "the commander of the Quds Force", SOLEIMANI),
    mention(A, W("Iran", "Iran has recently said"), IRAN),
    claim(
        A, "A.inside", "some people inside the U.S. may move to avenge the assassination", IRAN,
        cue=W("said", "Iran has recently said"), source=W("Iran", "Iran has recently said"), kind="indirect",
        note="“Iran” here is Qaani: the article's paraphrase of his words quoted next (“some people will be "
        "found inside your home”); “may move to avenge” turns his threat into a forecast.",
    ),
    quote(
        A, "A.qaani",
        "“By committing this crime, you [the U.S.] created a job for all freedom-seeking people across the "
        "globe. Be sure that it is possible that some people will be found inside your home to respond to "
        "your crime,”",
        QAANI, cue=W("said", "Qaani said on Friday"), source="Brigadier General Esmaeil Qaani",
        note="“[the U.S.]” is the outlet's insertion. Split quotation: it goes on after the cue.",
        more=(
            W(
                "“Those who committed this crime should know that throughout the world there would be a man "
                "who will punish the cowards behind this crime.”"
            ),
        ),
    ),
    claim(
        A, "A.home",
        "it is possible that some people will be found inside your home to respond to your crime",
        QAANI, note="Inside Qaani's words: a threat.",
    ),
    mention(A, W("General Soleimani", "General Soleimani’s successor"), SOLEIMANI),
    mention(A, "Brigadier General Esmaeil Qaani", QAANI),
    quote(
        A, "A.qaani_more",
        "“Those who committed this crime should know that throughout the world there would be a man who will "
        "punish the cowards behind this crime.”",
        QAANI, cue=W("said", "Qaani said on Friday"),
        note="The second piece of Qaani's quotation: no cue of its own.", piece_of="A.qaani",
    ),
    claim(
        A, "A.punish",
        "throughout the world there would be a man who will punish the cowards behind this crime",
        QAANI, note="Inside Qaani's words: a threat.",
    ),
    mention(A, W("Iran", "Iran also said"), IRAN),
    claim(
        A, "A.expel", "it will work to expel the U.S. from the region", IRAN,
        cue=W("said", "Iran also said"), source=W("Iran", "Iran also said"), kind="indirect",
        note="No statement, official or date is cited.",
    ),
    mention(A, W("Mehr News Agency", "All Content by Mehr News Agency"), MEHR, note="The credit line."),
    # ---- The Russian outlet ---------------------------------------------------------------------
    claim(
        B, "B.anniversary",
        "This coming Sunday will mark the one year anniversary of the US drone strike assassination of Qasem "
        "Soleimani",
        RUSSIAN,
    ),
    mention(B, W("Qasem Soleimani", "assassination of Qasem Soleimani, one of"), SOLEIMANI),
    claim(
        B, "B.revered", "one of Iran's most respected and revered generals and public figures", RUSSIAN,
        note="Evaluative, in the outlet's own voice.",
    ),
    mention(B, "the Pentagon", PENTAGON),
    claim(
        B, "B.pentagon",
        'a "heightened risk" of attack from Iran or "Iranian-backed" groups against US interests in the '
        "Middle East",
        PENTAGON, cue="expressed fears of", source="the Pentagon", kind="mixed",
        note="No statement, spokesperson or date beyond “last week” is given.",
    ),
    quote(B, "B.risk", '"heightened risk"', PENTAGON, cue="expressed fears of", source="the Pentagon"),
    quote(B, "B.backed", '"Iranian-backed"', PENTAGON, cue="expressed fears of", source="the Pentagon"),
    claim(
        B, "B.reign",
        'The reign of "crazy murderer" Donald Trump will soon come to an end, and the situation in the '
        "Middle East will stabilise after he's gone",
        ROUHANI, cue=W("said", "Rouhani has said"), source="Iranian President Hassan Rouhani", kind="mixed",
        note="The lead's paraphrase of the quotations below (“the rule of this savage and crazy murderer "
        "will end”; “after Trump the situation … will become significantly better”): “stabilise” is "
        "the outlet's word.",
    ),
    quote(
        B, "B.crazy", '"crazy murderer"', ROUHANI,
        cue=W("said", "Rouhani has said"), source="Iranian President Hassan Rouhani",
        note="Cut from “this savage and crazy murderer” in the longer quotation below.",
    ),
    mention(B, W("Donald Trump", 'murderer" Donald Trump'), TRUMP),
    mention(B, "Iranian President Hassan Rouhani", ROUHANI),
    mention(B, W("General Soleimani", "General Soleimani's death"), SOLEIMANI),
    mention(B, W("Rouhani", "Wednesday, Rouhani suggested"), ROUHANI),
    quote(
        B, "B.trumpism",
        '"one of the consequences of this shameless and foolish deed is the end of Trumpism. A few days '
        "from now, the rule of this savage and crazy murderer will end, and the whole history of his regime "
        'will go into the dustbin of history"',
        ROUHANI, cue=W("suggested", "Wednesday, Rouhani suggested"),
        source=W("Rouhani", "Wednesday, Rouhani suggested"),
        note="At a televised cabinet session on Wednesday. “Suggested” is a weak cue for categorical words.",
    ),
    claim(
        B, "B.foolish", "one of the consequences of this shameless and foolish deed is the end of Trumpism",
        ROUHANI, note="Inside Rouhani's words: the killing judged, and its consequence claimed.",
    ),
    quote(
        B, "B.confident",
        '"I\'m confident that after Trump the situation concerning security and stability in the region will '
        'become significantly better"',
        ROUHANI, cue="added", source=W("the president", "the president added"),
    ),
    mention(B, W("Trump", "after Trump the situation"), TRUMP),
    mention(B, W("the president", "the president added"), ROUHANI),
    claim(
        B, "B.hero",
        'Soleimani as a "national hero" and a "source of pride for all nations in the region and the whole '
        'Muslim world"',
        ROUHANI, cue="Characterising", source=W("Rouhani", 'world", Rouhani suggested'), kind="mixed",
    ),
    mention(B, W("Soleimani", "Characterising Soleimani"), SOLEIMANI),
    quote(
        B, "B.hero_q", '"national hero"', ROUHANI,
        cue="Characterising", source=W("Rouhani", 'world", Rouhani suggested'),
    ),
    quote(
        B, "B.pride", '"source of pride for all nations in the region and the whole Muslim world"', ROUHANI,
        cue="Characterising", source=W("Rouhani", 'world", Rouhani suggested'),
    ),
    mention(B, W("Rouhani", 'world", Rouhani suggested'), ROUHANI),
    claim(
        B, "B.revenge",
        'his murder was "revenge" against Iran and other independent nations in the region, "a revenge '
        "against the great nations that stood against the US and Zionists' conspiracies\"",
        ROUHANI, cue=W("suggested", "Rouhani suggested that his murder"),
        source=W("Rouhani", 'world", Rouhani suggested'), kind="mixed",
    ),
    quote(
        B, "B.revenge_q", '"revenge"', ROUHANI,
        cue=W("suggested", "Rouhani suggested that his murder"),
        source=W("Rouhani", 'world", Rouhani suggested'),
    ),
    quote(
        B, "B.revenge_more", "\"a revenge against the great nations that stood against the US and Zionists' "
        'conspiracies"', ROUHANI,
        cue=W("suggested", "Rouhani suggested that his murder"),
        source=W("Rouhani", 'world", Rouhani suggested'),
    ),
    mention(B, "The Iranian president", ROUHANI),
    claim(
        B, "B.mercenary", 'the Daesh (ISIS)* terrorist group was a "mercenary" force for the US and Israel',
        ROUHANI, cue="went on to allege", source="The Iranian president", kind="mixed",
        note="Contested; the article gives no evidence. The asterisk sends to the outlet's note on banned "
        "groups.",
    ),
    quote(
        B, "B.mercenary_q", '"mercenary"', ROUHANI, cue="went on to allege", source="The Iranian president"
    ),
    claim(
        B, "B.tel_aviv", "Tel Aviv provided the jihadists with weapons", ROUHANI,
        cue=W("alleging", "alleging that Tel Aviv"), source="The Iranian president", kind="indirect",
        note="An unsourced allegation. The photo set after this paragraph (Netanyahu visiting a wounded "
        "Syrian in 2014) seems to illustrate it without saying so.",
    ),
    claim(
        B, "B.benefited",
        'both countries have benefited from and taken advantage "of turmoil and insecurity in the region"',
        ROUHANI, cue=W("alleging", "alleging that Tel Aviv"), source="The Iranian president", kind="mixed",
        note="Unsourced.",
    ),
    quote(
        B, "B.turmoil", '"of turmoil and insecurity in the region"', ROUHANI,
        cue=W("alleging", "alleging that Tel Aviv"), source="The Iranian president",
    ),
    mention(B, W("Soleimani", "Soleimani was known"), SOLEIMANI),
    claim(
        B, "B.fought", "Soleimani was known to have fought the jihadists in both Syria and Iraq.", UNNAMED,
        cue="was known", kind="indirect",
        note="Agentless “was known”: no source is named. The outlet's aside, set against Rouhani's "
        "allegation.",
    ),
    mention(B, "Menahem Kahana", KAHANA, note="The photo credit: AP Photo / Menahem Kahana, Pool."),
    mention(B, "Israeli Prime Minister Benjamin Netanyahu", NETANYAHU),
    claim(
        B, "B.caption",
        "Israeli Prime Minister Benjamin Netanyahu shakes hands with a Syrian man, who was wounded in the "
        "ongoing violence in Syria as he visits a military hospital located in the Golan Heights near the "
        "border with Syria on Tuesday, Feb. 18, 2014",
        RUSSIAN,
        note="A photo caption (AP Photo / Menahem Kahana, Pool) from 2014, placed next to Rouhani's "
        "allegation that Israel armed the jihadists: the juxtaposition suggests what the text only reports.",
    ),
    mention(B, W("Rouhani", "Rouhani warned"), ROUHANI),
    claim(
        B, "B.unpunished", "Soleimani's death would not go unpunished", ROUHANI,
        cue="warned", source=W("Rouhani", "Rouhani warned"), kind="indirect",
    ),
    mention(B, W("Soleimani", "Soleimani's death would"), SOLEIMANI),
    quote(
        B, "B.leg",
        '"you cut off the arms of our commander, we will cut off your leg from the region"', ROUHANI,
        cue="suggesting", source=W("Rouhani", "Rouhani warned"),
        note="Opened by an “if” outside the quotation marks; “suggesting” softens a threat.",
    ),
    claim(
        B, "B.anniversary_again",
        "3 January will mark the one year anniversary of the drone strike muder of Qasem Soleimani", RUSSIAN,
        note="“muder”: sic (murder). The anniversary is told a second time, after the subheading.",
    ),
    mention(
        B, "Qasem Soleimani, commander of Iran's elite Quds Force extraterritorial military unit", SOLEIMANI,
        key="B.quds",
    ),
    claim(B, "B.baghdad", W("in Baghdad", "unit, in Baghdad"), RUSSIAN),
    claim(
        B, "B.sparked",
        "sparked by escalating tensions between Washington and Tehran, and claims by the US that Iran was "
        "behind attacks on military facilities in Iraq in late 2019",
        RUSSIAN, note="The outlet's causal account; the other article gives no cause.",
    ),
    mention(B, W("the US", "claims by the US"), US),
    claim(
        B, "B.us_claims", "Iran was behind attacks on military facilities in Iraq in late 2019", US,
        cue=W("claims", "and claims by the US"), source=W("the US", "claims by the US"), kind="indirect",
        note="Reported as the US's claim, not endorsed; no statement or official is named.",
    ),
    claim(
        B, "B.fiery",
        "evoked a fiery response in the form of Iranian ballistic missile strikes on a pair of US bases on 8 "
        "January",
        RUSSIAN, note="Two bases (Ain al-Asad and Erbil, both in Iraq); the other article has one airbase.",
    ),
    claim(
        B, "B.injuries", "The strikes caused 109 traumatic brain injuries among US troops.", RUSSIAN,
        note="A precise figure, unsourced here (it is the Pentagon's count by February 2020).",
    ),
    mention(B, "Iraq's parliament", PARLIAMENT),
    claim(
        B, "B.withdrawal", "the withdrawal of all US forces from the country", PARLIAMENT,
        cue="issued a declaration demanding", source="Iraq's parliament", kind="indirect",
        note="The article does not say the resolution (5 January 2020) was not binding.",
    ),
    claim(
        B, "B.withdrew",
        "Through the course of the year, the US gradually withdrew troops and handed multiple bases back to "
        "Iraq", RUSSIAN,
    ),
    mention(B, W("Trump", "with Trump's newly"), TRUMP),
    mention(B, "Secretary of Defence Christopher Miller", MILLER),
    claim(
        B, "B.drawdown",
        "personnel numbers would be drawn down to 2,500 troops total by 15 January 2021", MILLER,
        cue="announcing", source="Secretary of Defence Christopher Miller", kind="indirect",
        note="Miller was acting Secretary of Defense: “newly appointed Secretary” overstates his title.",
    ),
    claim(
        B, "B.outlawed", "A terrorist group outlawed in Russia and many other countries.", RUSSIAN,
        note="The style note Russian media add when they name a banned group: the ground for taking the "
        "outlet to be Russian.",
    ),
]  # fmt: skip

# (Mehr item, Russian outlet item, relation, note). Relations: counterpart = the same fact told by
# both; paraphrase = the same claim in other words (often by another speaker); elaborates = one adds
# detail, grounds or evidence to the other; contradicts = both cannot be true as written.
LINKS = [
    ("A.anniversary", "B.anniversary", "counterpart", "“This week” / “This coming Sunday”."),
    ("A.anniversary", "B.anniversary_again", "counterpart", "The Russian outlet gives the date: 3 January."),
    (
        "A.strike", "B.anniversary", "counterpart",
        "The same killing by a US drone strike: “assassinated” / “assassination”.",
    ),
    (
        "A.strike", "B.anniversary_again", "counterpart",
        "Same date (3 January) and means (a drone strike); “assassinated” / “muder” (sic).",
    ),
    ("A.airport", "B.baghdad", "elaborates", "Mehr is more precise: near Baghdad's international airport."),
    (
        "A.quds", "B.quds", "elaborates",
        "The same role; the Russian outlet glosses the Quds Force as an “extraterritorial military unit”. "
        "Spelled Qassem / Qasem.",
    ),
    (
        "A.influential", "B.revered", "paraphrase",
        "Both outlets, in their own voice: “an influential figure in Iran and beyond” / “one of Iran's most "
        "respected and revered generals and public figures”.",
    ),
    (
        "A.top_general", "B.revered", "paraphrase",
        "“the top Iranian general” / “one of Iran's most respected and revered generals”.",
    ),
    (
        "A.champion", "B.fought", "elaborates",
        "The label “anti-terrorism champion” (the ministry's video) and the ground the Russian outlet gives, "
        "attributed to no one: he fought the jihadists in Syria and Iraq.",
    ),
    (
        "A.showered", "B.fiery", "contradicts",
        "One “U.S. airbase” (placed, by a slip, in western Iran) against “a pair of US bases”; only the "
        "Russian outlet gives the date, 8 January.",
    ),
    (
        "A.dozens", "B.injuries", "contradicts",
        "“Dozens of American servicemen” against “109 traumatic brain injuries among US troops”: fewer, "
        "vaguer, and people rather than injuries. Neither article names a source.",
    ),
    (
        "A.accuses", "B.mercenary", "paraphrase",
        "The same charge, that the US stands behind ISIS: the foreign ministry's in Mehr, Rouhani's (who "
        "adds Israel) in the Russian outlet.",
    ),
    (
        "A.us_role", "B.mercenary", "paraphrase",
        "The US had “a crucial role in the rise” of ISIS (the ministry's tweet) / ISIS is a “mercenary” "
        "force for the US (Rouhani).",
    ),
    (
        "A.brothers", "B.mercenary_q", "paraphrase",
        "Two labels for the same charge: allies (“brothers in arms”) / hired hands (“mercenary”).",
    ),
    (
        "A.clinton", "B.mercenary", "elaborates",
        "The evidence the ministry offers for the charge Rouhani makes: Trump's campaign line that Clinton "
        "and Obama “created ISIS”.",
    ),
    (
        "A.ordered", "B.crazy", "elaborates",
        "Mehr states that Trump ordered the strike; the Russian outlet never says so, and leaves it to "
        "Rouhani's epithet “crazy murderer”.",
    ),
    (
        "A.reckless", "B.foolish", "paraphrase",
        "The order judged: “a reckless move” in Mehr's own voice, “this shameless and foolish deed” in "
        "Rouhani's words.",
    ),
    (
        "A.revenge", "B.unpunished", "paraphrase",
        "The same warning: Mehr gives it to “Iran”, the Russian outlet to Rouhani.",
    ),
    ("A.justice", "B.unpunished", "paraphrase", "The foreign ministry's pledge / Rouhani's warning."),
    ("A.punish", "B.unpunished", "paraphrase", "Qaani's threat / Rouhani's warning."),
    (
        "A.inside", "B.unpunished", "elaborates",
        "Mehr says by whom the killing may be avenged: “some people inside the U.S.”.",
    ),
    (
        "A.expel", "B.leg", "paraphrase",
        "Driving the US out of the region: plainly (Mehr, “Iran”) and in Rouhani's metaphor (“cut off your "
        "leg from the region”).",
    ),
]  # fmt: skip

LABEL_KEYS = {"Quote": "q", "Speaker": "s", "Claim": "c"}

# --- Words to offsets ----------------------------------------------------------------------------


class ReadingError(Exception):
    pass


def texts():
    manifest = json.loads((ROOT / "seeds" / "manifest.json").read_text(encoding="utf-8"))
    return {
        entry["slug"]: (ROOT / "seeds" / entry["file"]).read_bytes().decode("utf-8")
        for entry in manifest["documents"]
    }


def locate(text, words: W, what=""):
    """(start, end) of `words` in `text`, in code points; refused unless it is unambiguous."""
    if words.within is None:
        if text.count(words.words) != 1:
            times = text.count(words.words)
            raise ReadingError(f"{what}: {words.words!r} occurs {times} times: say within what passage")
        start = text.index(words.words)
    else:
        if text.count(words.within) != 1:
            times = text.count(words.within)
            raise ReadingError(f"{what}: the passage {words.within!r} occurs {times} times")
        at = text.index(words.within)
        inner = words.within.find(words.words)
        if inner < 0:
            raise ReadingError(f"{what}: {words.words!r} is not in {words.within!r}")
        start = at + inner
    return start, start + len(words.words)


OPENING, CLOSING = '“"', '”"'


def _is_word(char):
    return unicodedata.category(char)[0] in "LN"


def check_span(text, start, end, what):
    """Whole words, no outer space."""
    words = text[start:end]
    if words != words.strip() or not words:
        raise ReadingError(f"{what}: {words!r} has outer whitespace")
    if start > 0 and _is_word(text[start - 1]) and _is_word(text[start]):
        raise ReadingError(f"{what}: {words!r} starts inside a word")
    if end < len(text) and _is_word(text[end - 1]) and _is_word(text[end]):
        raise ReadingError(f"{what}: {words!r} ends inside a word")


@dataclass
class Planned:
    """An item with its offsets."""

    item: Item
    slug: str
    span: tuple
    cue: tuple | None = None
    source: tuple | None = None
    more: list = field(default_factory=list)


def plan():
    """The reading with offsets, checked: whole words, whole quotations, keys that resolve."""
    found = texts()
    planned, keys = [], {}
    for item in READING:
        text = found[item.document]
        what = f"{item.label} {item.words.words[:40]!r}"
        entry = Planned(item, item.document, locate(text, item.words, what))
        check_span(text, *entry.span, what)
        if item.label == "Quote":
            words = text[slice(*entry.span)]
            if words[0] not in OPENING or words[-1] not in CLOSING:
                raise ReadingError(f"{what}: a quotation is highlighted whole, with its quotation marks")
        if item.cue is not None:
            entry.cue = locate(text, item.cue, what + " cue")
            check_span(text, *entry.cue, what + " cue")
        if item.source is not None:
            entry.source = locate(text, item.source, what + " source")
            check_span(text, *entry.source, what + " source")
        entry.more = [locate(text, piece, what + " piece") for piece in item.more]
        if item.label != "Speaker" and not item.speaker:
            raise ReadingError(f"{what}: no speaker")
        if item.speaker not in {s.name for s in SPEAKERS}:
            raise ReadingError(f"{what}: {item.speaker!r} is not in SPEAKERS")
        if item.kind and item.cue is None:
            raise ReadingError(f"{what}: an attribution needs its cue")
        if item.key:
            if item.key in keys:
                raise ReadingError(f"{item.key}: used twice")
            keys[item.key] = entry
        planned.append(entry)
    spans = [(e.slug, e.span, e.item.label) for e in planned]
    if len(set(spans)) != len(spans):
        raise ReadingError("two items tag the same words with the same label")
    for source, target, relation, note in LINKS:
        if source not in keys or target not in keys:
            raise ReadingError(f"link {source} → {target}: unknown key")
        if keys[source].slug != A or keys[target].slug != B:
            raise ReadingError(f"link {source} → {target}: from the Mehr article to the Russian outlet's")
        if relation == "contradicts" and not note:
            raise ReadingError(f"link {source} → {target}: a contradiction needs its note")
    return planned, keys, found


def counts(planned):
    labels = {}
    for entry in planned:
        labels[entry.item.label] = labels.get(entry.item.label, 0) + 1
    kinds = {}
    for entry in planned:
        if entry.item.kind and not entry.item.piece_of:
            kinds[entry.item.kind] = kinds.get(entry.item.kind, 0) + 1
    relations = {}
    for *_, relation, _note in LINKS:
        relations[relation] = relations.get(relation, 0) + 1
    return {"labels": labels, "attributions": kinds, "links": relations, "speakers": len(SPEAKERS)}


# --- The browser ---------------------------------------------------------------------------------

# Select the text between two code-point offsets of an article, as a reader's drag would; the DOM
# counts UTF-16 units, so the offsets are converted while walking the text nodes.
SELECT_RANGE = """([documentId, start, end]) => {
  document.activeElement?.blur?.();
  const root = document.querySelector(`.text[data-document="${documentId}"]`);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let at = 0, first = null, last = null, node;
  while ((node = walker.nextNode())) {
    let unit = 0;
    for (const char of node.data) {
      if (at === start && !first) first = [node, unit];
      at += 1; unit += char.length;
      if (at === end && !last) last = [node, unit];
    }
  }
  if (!first || !last) return null;
  const range = document.createRange();
  range.setStart(...first);
  range.setEnd(...last);
  range.startContainer.parentElement.scrollIntoView({block: "center"});
  const selection = window.getSelection();
  selection.removeAllRanges(); selection.addRange(range);
  return selection.toString();
}"""

HTMX_IDLE = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"


class Reader:
    """The researcher at the reader, in one page."""

    def __init__(self, page, base, found):
        self.page, self.base, self.texts = page, base, found
        self.problems = []
        page.on("dialog", lambda dialog: dialog.accept())  # "Delete this attribution?"
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on(
            "response",
            lambda r: (
                r.status >= 400
                and r.request.method == "POST"
                and self.problems.append(f"{r.status} {r.request.method} {r.url}: {r.text()[:300]}")
            ),
        )

    def wait(self, expression, timeout=20.0):
        """Poll from Python: the page's CSP forbids `page.wait_for_function` (it uses eval)."""
        deadline = time.monotonic() + timeout
        while not self.page.evaluate(expression):
            if time.monotonic() > deadline:
                raise ReadingError(f"timed out waiting for {expression}; problems: {self.problems}")
            self.page.wait_for_timeout(25)

    def settle(self):
        self.page.wait_for_timeout(30)
        self.wait(HTMX_IDLE)

    def expect_ok(self, response, what):
        if response.status >= 400:
            raise ReadingError(f"{what}: {response.status} {response.text()[:500]}")

    def open(self, path):
        self.page.goto(self.base + path)
        shown = self.page.evaluate(
            "() => [...document.querySelectorAll('.text[data-document]')]"
            ".map((root) => [root.dataset.document, root.textContent])"
        )
        self.documents = {
            slug: document for document, text in shown for slug in self.texts if text == self.texts[slug]
        }
        if set(self.documents) != set(self.texts):
            raise ReadingError("the page does not hold the two texts character for character")

    def select(self, slug, start, end):
        words = self.texts[slug][start:end]
        selected = self.page.evaluate(SELECT_RANGE, [self.documents[slug], start, end])
        if selected != words:
            raise ReadingError(f"selected {selected!r} instead of {words!r}")

    def tag(self, slug, start, end, label):
        """Select and press the label's key; returns (span id, annotation id)."""
        self.select(slug, start, end)
        self.wait(
            "() => !document.getElementById('toolbar').hidden && "
            f"document.querySelector('#toolbar [name=start]').value === '{start}' && "
            f"document.querySelector('#toolbar [name=end]').value === '{end}'"
        )
        with self.page.expect_response(
            lambda r: r.url.endswith("/annotations/new/") and r.request.method == "POST"
        ) as answer:
            self.page.keyboard.press(LABEL_KEYS[label])
        self.expect_ok(answer.value, f"tagging {self.texts[slug][start:end]!r}")
        opened = json.loads(answer.value.headers["hx-trigger"])["open-panel"]
        annotation = int(re.search(r"/annotations/(\d+)/", opened["url"]).group(1))
        self.wait(f"() => !!document.querySelector('#panel #ann-{annotation} form.edit')")
        self.settle()
        return opened["span"], annotation

    def fill_annotation(self, annotation, speaker, cue, note):
        form = self.page.locator(f"#panel #ann-{annotation} form.edit")
        changed = False
        for name, value in (("speaker_name", speaker), ("cue", cue), ("note", note)):
            if value is None:
                continue
            field_ = form.locator(f"[name={name}]")
            if field_.input_value() != value:
                field_.fill(value)
                changed = True
        if not changed:
            return
        path = f"/annotations/{annotation}/"
        with self.page.expect_response(
            lambda r: r.url.split("?")[0].endswith(path) and r.request.method == "POST"
        ) as answer:
            form.locator("button.primary").click()
        self.expect_ok(answer.value, f"saving annotation {annotation}")
        self.settle()

    def pick(self, form, role, slug, start, end, fields):
        form.locator(f'button[data-pick="{role}"]').click()
        self.page.wait_for_timeout(30)
        self.select(slug, start, end)
        self.wait(
            f"() => document.querySelector('{fields}_start\"]')?.value === '{start}' && "
            f"document.querySelector('{fields}_end\"]')?.value === '{end}'"
        )

    def attribute(self, span, slug, entry):
        """The panel's "Attribute these words": kind and speaker, Pick the cue, Pick the source, Enter."""
        form_selector = f'#panel .span-card[data-span="{span}"] form.attribute-form'
        form = self.page.locator(form_selector)
        form.locator("select[name=kind]").select_option(entry.item.kind)
        form.locator("input[name=speaker_name]").fill(entry.item.speaker)
        self.pick(form, "cue", slug, *entry.cue, f'{form_selector} [name="cue')
        if entry.source is not None:
            self.pick(form, "source", slug, *entry.source, f'{form_selector} [name="source')
        with self.page.expect_response(
            lambda r: r.url.endswith("/attributions/new/") and r.request.method == "POST"
        ) as answer:
            self.page.keyboard.press("Enter")
        self.expect_ok(answer.value, f"attributing {entry.item.words.words[:40]!r}")
        self.settle()
        ids = self.page.locator(f'#panel .span-card[data-span="{span}"] .attribution').evaluate_all(
            "(cards) => cards.map((card) => Number(card.dataset.attribution))"
        )
        return max(ids)

    def add_piece(self, attribution, slug, start, end):
        """The attribution's "+ a piece of content" in the panel, a selection, then Enter."""
        form_selector = f"#panel #attr-{attribution} form.part-form"
        form = self.page.locator(form_selector)
        self.pick(form, "more", slug, start, end, f'{form_selector} [name="part')
        with self.page.expect_response(
            lambda r: r.url.endswith(f"/attributions/{attribution}/part/") and r.request.method == "POST"
        ) as answer:
            self.page.keyboard.press("Enter")
        self.expect_ok(answer.value, "adding a piece")
        self.settle()

    def delete_attribution_of(self, span):
        """Delete the attribution whose content is this span (made by the panel on its own)."""
        card = self.page.locator(f'#panel .span-card[data-span="{span}"]')
        words = card.locator("blockquote.quote").first.inner_text()
        for attribution in card.locator(".attribution").all():
            content = attribution.locator("dl.parts dd").nth(2).inner_text()
            if content.startswith(words[:30]):
                number = attribution.get_attribute("data-attribution")
                path = f"/attributions/{number}/delete/"
                with self.page.expect_response(
                    lambda r, path=path: r.url.endswith(path) and r.request.method == "POST"
                ) as answer:
                    attribution.locator("form.delete button").click()
                self.expect_ok(answer.value, "deleting an attribution")
                self.settle()
                return int(number)
        return None

    def open_span(self, span):
        """Click the span's highlight: the panel shows it (with any highlight around it)."""
        for _ in range(3):  # Esc closes the panel (a first one may hide the toolbar)
            if not self.page.evaluate("() => !!document.querySelector('#panel .panel-inner')"):
                break
            self.page.keyboard.press("Escape")
        self.wait("() => !document.querySelector('#panel .panel-inner')")
        mark = self.page.locator(f'.text mark.hl[data-spans~="{span}"]').first
        mark.scroll_into_view_if_needed()
        # The first line of the highlight: a mark over several lines has nothing at its centre.
        x, y = mark.evaluate(
            "(m) => { const r = m.getClientRects()[0]; return [r.left + 3, r.top + r.height / 2]; }"
        )
        self.page.mouse.click(x, y)
        self.wait(f"() => !!document.querySelector('#panel .span-card[data-span=\"{span}\"] form.link-form')")
        self.settle()

    def link(self, source_span, target_slug, start, end, relation, note):
        """Open the source highlight, set relation and note, Alt+L, select the counterpart, Enter."""
        self.open_span(source_span)
        form = self.page.locator(f'#panel .span-card[data-span="{source_span}"] form.link-form')
        form.locator("select[name=relation]").select_option(relation)
        form.locator("input[name=note]").fill(note)
        form.locator("input[name=note]").press("Alt+KeyL")
        self.wait("() => document.body.classList.contains('linking')")
        self.select(target_slug, start, end)
        self.wait(
            f'() => document.querySelector(\'#panel .span-card[data-span="{source_span}"] form.link-form '
            f"[name=target_start]')?.value === '{start}'"
        )
        with self.page.expect_response(
            lambda r: r.url.endswith("/links/new/") and r.request.method == "POST"
        ) as answer:
            self.page.keyboard.press("Enter")
        self.expect_ok(answer.value, f"linking {source_span}")
        self.settle()


def log_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def enter_speakers(page, base):
    """The curator enters the codebook in the admin: name, kind, aliases, description."""
    for speaker in SPEAKERS:
        page.goto(base + "/admin/reader/speaker/add/")
        page.fill("#id_name", speaker.name)
        page.select_option("#id_kind", speaker.kind)
        page.fill("#id_aliases", "\n".join(speaker.aliases))
        page.fill("#id_description", speaker.description)
        page.click("input[name=_save]")
        page.wait_for_load_state()
        if page.locator(".errornote, .errorlist").count():
            errors = page.locator(".errornote, .errorlist").all_inner_texts()
            raise ReadingError(f"the admin refused {speaker.name!r}: {errors}")


def remove_stray_speakers(page, base):
    """Speakers the reader made on its own from a mention's words ("he", an apposition) and that
    nothing refers to any more: the curator deletes them in the admin."""
    wanted = {speaker.name for speaker in SPEAKERS}
    page.goto(base + "/admin/reader/speaker/?all=")
    stray = []
    for row in page.locator("#result_list tbody tr").all():
        name = row.locator("th a").inner_text()
        mentions = row.locator("td.field-mentions").inner_text().strip()
        if name not in wanted:
            if mentions != "0":
                raise ReadingError(f"the stray speaker {name!r} still has {mentions} mentions")
            row.locator("input.action-select").check()
            stray.append(name)
    if stray:
        page.select_option("select[name=action]", "delete_selected")
        page.click("button[name=index]")
        page.click("input[type=submit]")  # "Yes, I'm sure"
        page.wait_for_load_state()
    return stray


def read(reader, planned, keys):
    """Every highlight, attribution and link of the reading, in order."""
    spans, attributions = {}, {}
    for number, entry in enumerate(planned, 1):
        item = entry.item
        span, annotation = reader.tag(entry.slug, *entry.span, item.label)
        spans[(entry.slug, entry.span)] = span
        if item.kind and not item.piece_of:
            attributions[item.key] = reader.attribute(span, entry.slug, entry)
            for start, end in entry.more:
                reader.add_piece(attributions[item.key], entry.slug, start, end)
        cue = reader.texts[entry.slug][slice(*entry.cue)] if entry.cue else ""
        reader.fill_annotation(annotation, item.speaker, None if item.label == "Speaker" else cue, item.note)
        # A quote given a speaker and a cue is attributed by the panel on its own, even when its
        # words are a piece of another attribution already: that second attribution goes.
        if item.piece_of and reader.delete_attribution_of(span) is not None:
            print(f"  deleted the attribution the panel made of the piece {item.key}", flush=True)
        if number % 10 == 0:
            print(f"  {number}/{len(planned)} highlights", flush=True)
    for source, target, relation, note in LINKS:
        source_span = spans[(keys[source].slug, keys[source].span)]
        reader.link(source_span, B, *keys[target].span, relation, note)
    print(f"  {len(LINKS)} links", flush=True)
    return spans


# --- The server, the export and the check --------------------------------------------------------


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )


def make_accounts(env):
    code = (
        "from django.contrib.auth import get_user_model; User = get_user_model(); "
        f"User.objects.create_user({READER!r}, password={PASSWORD!r}); "
        f"User.objects.create_superuser({CURATOR!r}, password={PASSWORD!r})"
    )
    manage(env, "shell", "-c", code)


def serve(env, log):
    """runserver on a free port, its log in a file (a pipe nobody reads would fill and stop it)."""
    from bench.server import free_port

    port = free_port()
    with log.open("w") as stream:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=stream,
            stderr=subprocess.STDOUT,
        )
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, f"http://localhost:{port}"
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise ReadingError("the server did not start: " + log.read_text()[-2000:])


def check_export(exported, planned, keys):
    """The file holds the reading, all of it and nothing else; returns what it counted."""
    problems = []
    texts_in_file = {document["slug"]: document["text"] for document in exported["documents"]}
    for span in exported["spans"]:
        text = texts_in_file[span["document"]]
        if text[span["start"] : span["end"]] != span["exact"]:
            problems.append(f"span {span['document']}:{span['start']}-{span['end']} does not match its text")
    found = {(a["span"], a["label"]): a for a in exported["annotations"]}
    wanted = set()
    for entry in planned:
        item = entry.item
        key = (f"{entry.slug}:{entry.span[0]}-{entry.span[1]}", item.label)
        wanted.add(key)
        annotation = found.get(key)
        if annotation is None:
            problems.append(f"missing: {item.label} {item.words.words[:50]!r}")
            continue
        cue = texts_in_file[entry.slug][slice(*entry.cue)] if entry.cue and item.label != "Speaker" else ""
        for name, value in (("speaker", item.speaker), ("cue", cue), ("note", item.note), ("author", READER)):
            if annotation[name] != value:
                problems.append(
                    f"{item.label} {item.words.words[:40]!r}: {name} {annotation[name]!r}, not {value!r}"
                )
    problems += [f"not in the reading: {key}" for key in found if key not in wanted]
    links = {(link["source"], link["target"], link["relation"]): link for link in exported["links"]}
    for source, target, relation, note in LINKS:
        key = (
            f"{A}:{keys[source].span[0]}-{keys[source].span[1]}",
            f"{B}:{keys[target].span[0]}-{keys[target].span[1]}",
            relation,
        )
        if key not in links:
            problems.append(f"missing link {source} → {target} ({relation})")
        elif links.pop(key)["note"] != note:
            problems.append(f"link {source} → {target}: its note differs")
    problems += [f"link not in the reading: {key}" for key in links]
    names = {speaker["name"]: speaker for speaker in exported["speakers"]}
    for speaker in SPEAKERS:
        if speaker.name not in names:
            problems.append(f"missing speaker {speaker.name}")
            continue
        record = names.pop(speaker.name)
        if record["aliases"] != list(speaker.aliases) or record["description"] != speaker.description:
            problems.append(f"speaker {speaker.name}: aliases or description differ")
        if "kind" in record and record["kind"] != speaker.kind:
            problems.append(f"speaker {speaker.name}: kind {record['kind']}, not {speaker.kind}")
    problems += [f"speaker not in the reading: {name}" for name in names]
    if "attributions" in exported:  # the section the formats work adds
        problems += check_attributions(exported["attributions"], planned)
    if problems:
        raise ReadingError("the export differs from the reading:\n  " + "\n  ".join(problems))


STORED_ATTRIBUTIONS = """
import json
from reader.models import Attribution
def key(span):
    return f"{span.document.slug}:{span.start}-{span.end}" if span else None
print(json.dumps([
    {
        "content": key(a.content),
        "content_more": sorted(key(s) for s in a.content_more.all()),
        "cue": key(a.cue),
        "source": key(a.source),
        "kind": a.kind,
        "speaker": a.speaker.name if a.speaker else None,
        "author": a.author.username if a.author else None,
    }
    for a in Attribution.objects.select_related(
        "content__document", "cue__document", "source__document", "speaker", "author"
    )
]))
"""


def stored_attributions(env):
    return json.loads(manage(env, "shell", "--verbosity", "0", "-c", STORED_ATTRIBUTIONS).stdout)


def check_attributions(records, planned):
    """Each attribution of the reading, once: content (and pieces), cue, source, kind, speaker."""

    def key(slug, offsets):
        return f"{slug}:{offsets[0]}-{offsets[1]}" if offsets else None

    problems = []
    by_content = {record["content"]: record for record in records}
    for entry in planned:
        item = entry.item
        if not item.kind or item.piece_of:
            continue
        record = by_content.pop(key(entry.slug, entry.span), None)
        if record is None:
            problems.append(f"no attribution of {item.words.words[:40]!r}")
            continue
        expected = {
            "cue": key(entry.slug, entry.cue),
            "source": key(entry.slug, entry.source),
            "kind": item.kind,
            "speaker": item.speaker,
        }
        for name, value in expected.items():
            if name in record and record[name] != value:
                problems.append(
                    f"attribution of {item.words.words[:40]!r}: {name} {record[name]!r}, not {value!r}"
                )
        pieces = [key(entry.slug, piece) for piece in entry.more]
        more = record.get("content_more", record.get("more", pieces))
        if sorted(more) != sorted(pieces):
            problems.append(f"attribution of {item.words.words[:40]!r}: pieces {more}, not {pieces}")
    problems += [f"attribution not in the reading: {content}" for content in by_content]
    return problems


def main():
    from playwright.sync_api import sync_playwright

    from bench.server import chromium_options, environment

    planned, keys, found = plan()
    print("The reading:", json.dumps(counts(planned), sort_keys=True))
    workdir = Path(tempfile.mkdtemp(prefix="close-reader-reading-"))
    env = environment(f"sqlite:///{workdir / 'db.sqlite3'}", DJANGO_DEBUG="0")
    try:
        manage(env, "migrate", "--noinput")
        manage(env, "load_seeds")
        make_accounts(env)
        server, base = serve(env, workdir / "server.log")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(**chromium_options())
                curator = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
                log_in(curator, base, CURATOR)
                enter_speakers(curator, base)
                print(f"  {len(SPEAKERS)} speakers entered", flush=True)
                page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
                log_in(page, base, READER)
                reader = Reader(page, base, found)
                reader.open(f"/compare/{COMPARISON}/")
                read(reader, planned, keys)
                stray = remove_stray_speakers(curator, base)
                print(f"  removed the stray speakers {stray}", flush=True)
                if reader.problems:
                    raise ReadingError("the reader reported problems:\n  " + "\n  ".join(reader.problems))
                browser.close()
        except Exception:
            log = (workdir / "server.log").read_text()
            print("The server's last words:\n" + log[-3000:], file=sys.stderr)
            raise
        finally:
            server.terminate()
            server.wait()
        partial = OUTPUT.with_name(OUTPUT.name + ".new")
        manage(
            env, "export_annotations", "--comparison", COMPARISON, "--indent", "1", "--output", str(partial)
        )
        exported = json.loads(partial.read_text(encoding="utf-8"))
        check_export(exported, planned, keys)
        # Until the native format carries attributions, they are checked in the database.
        problems = check_attributions(stored_attributions(env), planned)
        if problems:
            raise ReadingError("the attributions differ from the reading:\n  " + "\n  ".join(problems))
        os.replace(partial, OUTPUT)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    sections = [name for name in exported if isinstance(exported[name], list)]
    print(f"Wrote {OUTPUT.relative_to(ROOT)} ({', '.join(f'{len(exported[n])} {n}' for n in sections)})")
    if "attributions" not in exported:
        print("  (the native format has no attributions section yet: they were checked in the database)")


if __name__ == "__main__":
    try:
        main()
    except ReadingError as error:
        sys.exit(f"seed_reading: {error}")
