"""Counterpart suggestions (reader.suggest) and the splitter they use (reader.sentences).

Bad inputs tried: an empty or blank passage, a passage of stop words only, a limit of 0, a
highlight outside the text or reversed, a heading range that is empty, an index built for
another text or another language, an index pickled by another version, an unknown or missing
language, a position or an anchor outside 0 to 1 or an anchor that is not a pair, a context
range outside the text, an empty context or one of stop words.

The costs in reader/suggest.py's docstring come from this command (a 2 MB text made of the
seeds, their numbers varied; the two last figures are a suggestion without and with the hints):

    .venv/bin/python -c "import re,time,pickle
from reader.suggest import build_index, suggest, context_around
s=[open(f'seeds/{n}').read() for n in ('000_4bac2855783c7503.txt','002_5bcc1224fe1c96f2.txt')]
t='\\n\\n'.join(re.sub(r'\\d+', lambda m: str(int(m[0])+i), s[i%2]) for i in range(625))
a=time.perf_counter(); x=build_index(t); b=time.perf_counter(); y=pickle.loads(pickle.dumps(x))
p='causing brain injury among dozens of American servicemen'; i=s[0].index(p)
h=dict(context=context_around(s[0], i, i+len(p)), position=i/len(s[0]))
c=time.perf_counter(); suggest(p, text=t, index=y); d=time.perf_counter(); suggest(p, text=t, index=y, **h)
print(len(t), round(b-a,2), len(pickle.dumps(x)), round(d-c,3), round(time.perf_counter()-d,3))"
"""

import math
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader import sentences as sentencelib
from reader import suggest as suggestlib
from reader.sentences import CREDIT, DATELINE, FOOTNOTE, HEADING, SENTENCE, clauses, split
from reader.suggest import (
    K1,
    LENGTH_PRIOR,
    PARTIAL,
    B,
    Suggestion,
    build_index,
    context_around,
    suggest,
    terms,
)
from reader.text import sha256


@pytest.fixture(autouse=True)
def _no_cache_from_other_tests():
    """Each test computes its own terms and indexes (and so sees a change of the code)."""
    suggestlib._WORD_TERMS.clear()
    suggestlib._cached_index.cache_clear()


SEEDS = Path(__file__).resolve().parent.parent / "seeds"
LEFT = (SEEDS / "000_4bac2855783c7503.txt").read_text(encoding="utf-8")  # Mehr News Agency
RIGHT = (SEEDS / "002_5bcc1224fe1c96f2.txt").read_text(encoding="utf-8")  # the Russian outlet

# --- The seeds: every claim and quote the two articles share ----------------------------------
#
# (passage in one article, its counterpart in the other), both directions. A passage with several
# counterparts has one pair for each. Paraphrases and contradictions count (who was hurt, how
# many, how many bases). Left out as related but not the same claim: the Pentagon's fear of
# attacks on US interests in the Middle East (right) and the Iranian remarks that people inside
# the U.S. may act (left); Iraq's parliament demanding a US withdrawal (right) and Iran's aim to
# expel the U.S. from the region (left); Rouhani's "revenge against Iran" (the killing as revenge
# by the US) and Iran's vows of revenge.

SOLEIMANI_STATURE_RIGHT = (
    'Characterising Soleimani as a "national hero" and a "source of pride for all nations in the region '
    'and the whole Muslim world"'
)
LEFT_TO_RIGHT = [
    (
        "Iran’s Foreign Ministry has accused the U.S. government of supporting the ISIS terrorist group",
        'the Daesh (ISIS)* terrorist group was a "mercenary" force for the US and Israel',
    ),
    (
        "U.S. has had a crucial role in the rise of terrorism in our region, from AQ to ISIS",
        'the Daesh (ISIS)* terrorist group was a "mercenary" force for the US and Israel',
    ),
    (
        "General Qassem Soleimani was an “anti-terrorism champion”",
        "Soleimani was known to have fought the jihadists in both Syria and Iraq.",
    ),
    (
        "the commander of Iran’s elite Quds Force",
        "Qasem Soleimani, commander of Iran's elite Quds Force extraterritorial military unit",
    ),
    (
        "This week marks the first anniversary of the assassination of the top Iranian general last year.",
        "This coming Sunday will mark the one year anniversary of the US drone strike assassination of "
        "Qasem Soleimani",
    ),
    (
        "This week marks the first anniversary of the assassination of the top Iranian general last year.",
        "3 January will mark the one year anniversary of the drone strike muder of Qasem Soleimani",
    ),
    (
        "General Soleimani was assassinated in an American drone strike on January 3, 2020",
        "3 January will mark the one year anniversary of the drone strike muder of Qasem Soleimani",
    ),
    (
        "General Soleimani was assassinated in an American drone strike on January 3, 2020",
        "This coming Sunday will mark the one year anniversary of the US drone strike assassination of "
        "Qasem Soleimani",
    ),
    (
        "near Baghdad’s international airport",
        "drone strike muder of Qasem Soleimani, commander of Iran's elite Quds Force extraterritorial "
        "military unit, in Baghdad",
    ),
    (
        "General Soleimani was an influential figure in Iran and beyond",
        "one of Iran's most respected and revered generals and public figures",
    ),
    ("General Soleimani was an influential figure in Iran and beyond", SOLEIMANI_STATURE_RIGHT),
    (
        "Iran showered a U.S. airbase in western Iran with missiles",
        "Iranian ballistic missile strikes on a pair of US bases on 8 January",
    ),
    (
        "causing brain injury among dozens of American servicemen",
        "The strikes caused 109 traumatic brain injuries among US troops.",
    ),
    (
        "Iran has long warned that it will take revenge against the U.S. for assassinating the commander "
        "of the Quds Force.",
        "Rouhani warned that Soleimani's death would not go unpunished",
    ),
    (
        "Iran won't rest until bringing those responsible to justice",
        "Rouhani warned that Soleimani's death would not go unpunished",
    ),
    (
        "there would be a man who will punish the cowards behind this crime",
        "Rouhani warned that Soleimani's death would not go unpunished",
    ),
    (
        "Iran has recently said that some people inside the U.S. may move to avenge the assassination.",
        "Rouhani warned that Soleimani's death would not go unpunished",
    ),
    (
        "Iran also said that it will work to expel the U.S. from the region.",
        "we will cut off your leg from the region",
    ),
]
RIGHT_TO_LEFT = [
    (
        'the Daesh (ISIS)* terrorist group was a "mercenary" force for the US and Israel',
        "Iran’s Foreign Ministry has accused the U.S. government of supporting the ISIS terrorist group",
    ),
    (
        "Soleimani was known to have fought the jihadists in both Syria and Iraq.",
        "General Qassem Soleimani was an “anti-terrorism champion”",
    ),
    (
        "commander of Iran's elite Quds Force extraterritorial military unit",
        "the commander of Iran’s elite Quds Force, General Qassem Soleimani",
    ),
    (
        "This coming Sunday will mark the one year anniversary of the US drone strike assassination of "
        "Qasem Soleimani",
        "This week marks the first anniversary of the assassination of the top Iranian general last year.",
    ),
    (
        "This coming Sunday will mark the one year anniversary of the US drone strike assassination of "
        "Qasem Soleimani",
        "General Soleimani was assassinated in an American drone strike on January 3, 2020",
    ),
    (
        "3 January will mark the one year anniversary of the drone strike muder of Qasem Soleimani",
        "General Soleimani was assassinated in an American drone strike on January 3, 2020",
    ),
    (
        "3 January will mark the one year anniversary of the drone strike muder of Qasem Soleimani",
        "This week marks the first anniversary of the assassination of the top Iranian general last year.",
    ),
    (
        "Referring to the approaching one year anniversary of General Soleimani's death",
        "This week marks the first anniversary of the assassination of the top Iranian general last year.",
    ),
    (
        "one of Iran's most respected and revered generals and public figures",
        "General Soleimani was an influential figure in Iran and beyond",
    ),
    (SOLEIMANI_STATURE_RIGHT, "General Soleimani was an influential figure in Iran and beyond"),
    (
        "Iranian ballistic missile strikes on a pair of US bases on 8 January",
        "Iran showered a U.S. airbase in western Iran with missiles",
    ),
    (
        "The strikes caused 109 traumatic brain injuries among US troops.",
        "causing brain injury among dozens of American servicemen",
    ),
    (
        "Rouhani warned that Soleimani's death would not go unpunished",
        "Iran has long warned that it will take revenge against the U.S. for assassinating the commander "
        "of the Quds Force.",
    ),
    (
        "Rouhani warned that Soleimani's death would not go unpunished",
        "there would be a man who will punish the cowards behind this crime",
    ),
    (
        "Rouhani warned that Soleimani's death would not go unpunished",
        "Iran won't rest until bringing those responsible to justice",
    ),
    (
        "we will cut off your leg from the region",
        "Iran also said that it will work to expel the U.S. from the region.",
    ),
]
# The requirement: 9 in 10 in the top 3, with the hints the app passes for a first link (the
# passage's context and position). BM25 and the paraphrase table alone found 28 of 34; the
# context brings the paraphrases that sit next to shared names, and the broader families the
# retaliation and militant ones. The misses (printed) are a metaphor ("cut off your leg" for
# "expel"), praise in other words, and one of the three counterparts of "Rouhani warned".
SEEDS_FLOOR = 0.9
# The invented events: the first suggestion is right this often, the top 3 holds it this often
# (measured: 47 and 60 of 62; held out, 35 and 38 of 44. Before the hints, the families and the
# derived forms: 40 and 52 of 62; 32 and 38 of 44).
UNSEEN_FIRST_FLOOR, UNSEEN_FLOOR = 0.75, 0.95
HELD_OUT_FIRST_FLOOR, HELD_OUT_FLOOR = 0.75, 0.85


# --- Unseen pairs: news of other events, written before any of the methods below were tuned -----
#
# Two reports of each of four invented events, by different hands (the second paraphrases, reorders
# and adds or drops details), and the claims they share. They check that what lifts the seeds is
# not fitted to the seeds. The articles are short, so the top 3 is nearly half of one; the first
# suggestion is the figure that tells methods apart.

UNSEEN = [
    (
        "HAMBURG – An explosion at a chemical plant on the outskirts of the northern German city killed "
        "four workers and injured at least 23 others on Tuesday morning, police said. The blast, which "
        "occurred shortly after 7 a.m. in a storage hall, sent a column of black smoke over the harbour "
        "district. Residents within a two-kilometre radius were told to keep their windows and doors "
        "shut. Firefighters brought the blaze under control by midday. The company, Nordchem AG, said it "
        "was cooperating fully with investigators and expressed its condolences to the families of the "
        "victims. Nordchem makes solvents and coatings for the car industry.\n\nProsecutors have opened "
        "an inquiry into possible negligence. A spokesman for the workers' union said staff had "
        "complained about safety for months. The plant, which employs around 600 people, will remain "
        "closed until further notice. It was the worst industrial accident in the region since 2008.",
        "Four people died and more than twenty were hurt when a blast tore through a Nordchem factory "
        "near Hamburg on Tuesday. Authorities urged people living nearby to stay indoors with their "
        "windows closed as thick dark smoke drifted across the port area. It took fire crews several "
        "hours to put out the fire. Two of the injured are in a critical condition, according to the "
        "city's main hospital.\n\nState prosecutors are investigating whether the firm neglected its "
        "safety duties. Union representatives said employees had raised concerns about conditions at "
        "the site repeatedly this year. Nordchem said it was working with the authorities and offered "
        "its sympathy to the bereaved. The site, home to roughly 600 jobs, has been shut indefinitely. "
        "The cause of the explosion, which happened in a warehouse at around seven in the morning, is "
        "not yet known.",
        [
            (
                "An explosion at a chemical plant on the outskirts of the northern German city killed four "
                "workers and injured at least 23 others",
                "Four people died and more than twenty were hurt when a blast tore through a Nordchem "
                "factory near Hamburg on Tuesday.",
            ),
            (
                "Residents within a two-kilometre radius were told to keep their windows and doors shut.",
                "Authorities urged people living nearby to stay indoors with their windows closed",
            ),
            (
                "sent a column of black smoke over the harbour district",
                "thick dark smoke drifted across the port area",
            ),
            (
                "Firefighters brought the blaze under control by midday.",
                "It took fire crews several hours to put out the fire.",
            ),
            (
                "Prosecutors have opened an inquiry into possible negligence.",
                "State prosecutors are investigating whether the firm neglected its safety duties.",
            ),
            (
                "A spokesman for the workers' union said staff had complained about safety for months.",
                "Union representatives said employees had raised concerns about conditions at the site "
                "repeatedly this year.",
            ),
            (
                "The company, Nordchem AG, said it was cooperating fully with investigators and expressed "
                "its condolences to the families of the victims.",
                "Nordchem said it was working with the authorities and offered its sympathy to the bereaved.",
            ),
            (
                "The plant, which employs around 600 people, will remain closed until further notice.",
                "The site, home to roughly 600 jobs, has been shut indefinitely.",
            ),
            (
                "The blast, which occurred shortly after 7 a.m. in a storage hall",
                "which happened in a warehouse at around seven in the morning",
            ),
        ],
    ),
    (
        "Three soldiers were killed on Sunday when gunmen ambushed an army patrol near the northern "
        "border, the defence ministry said. The ministry blamed the attack on fighters of the Free Valley "
        "Front, a separatist group that has waged an insurgency in the mountains for a decade. President "
        'Amara Kone vowed that the attackers would pay a heavy price. "This cowardly act will not go '
        'unanswered," she said in a televised address. Hours later, the air force struck what it called '
        "rebel hideouts across the frontier. The neighbouring government condemned the raids as a "
        "violation of its territory and recalled its ambassador. Aid groups warned that thousands of "
        "villagers had already fled the fighting. The country holds a general election in March.",
        "Militants killed three troops in an ambush on a military convoy close to the northern frontier "
        "on Sunday, according to officials. Authorities said the separatist Free Valley Front, which has "
        "been fighting government forces in the highlands for ten years, was responsible. The group has "
        "not commented. Kone promised retaliation, telling the nation on television that the assault "
        "would be avenged. Warplanes later bombed suspected insurgent camps on the other side of the "
        "border. The neighbouring country called the strikes a breach of its sovereignty and withdrew "
        "its envoy in protest. Humanitarian organisations said several thousand residents had fled their "
        "homes. The United Nations urged both sides to show restraint.",
        [
            (
                "Three soldiers were killed on Sunday when gunmen ambushed an army patrol near the northern "
                "border",
                "Militants killed three troops in an ambush on a military convoy close to the northern "
                "frontier on Sunday",
            ),
            (
                "The ministry blamed the attack on fighters of the Free Valley Front, a separatist group "
                "that has waged an insurgency in the mountains for a decade.",
                "Authorities said the separatist Free Valley Front, which has been fighting government "
                "forces in the highlands for ten years, was responsible.",
            ),
            (
                "President Amara Kone vowed that the attackers would pay a heavy price.",
                "Kone promised retaliation, telling the nation on television that the assault would be "
                "avenged.",
            ),
            (
                '"This cowardly act will not go unanswered," she said in a televised address.',
                "Kone promised retaliation, telling the nation on television that the assault would be "
                "avenged.",
            ),
            (
                "Hours later, the air force struck what it called rebel hideouts across the frontier.",
                "Warplanes later bombed suspected insurgent camps on the other side of the border.",
            ),
            (
                "The neighbouring government condemned the raids as a violation of its territory and "
                "recalled its ambassador.",
                "The neighbouring country called the strikes a breach of its sovereignty and withdrew its "
                "envoy in protest.",
            ),
            (
                "Aid groups warned that thousands of villagers had already fled the fighting.",
                "Humanitarian organisations said several thousand residents had fled their homes.",
            ),
        ],
    ),
    (
        "Former prime minister Jonas Ekberg, who led the country through the banking crisis of the 1990s, "
        "has died at the age of 88, his family said on Thursday. Ekberg died peacefully at his home in "
        "Uppsala after a short illness. Tributes poured in from across the political spectrum, with the "
        'current prime minister calling him "a giant of our democracy". Ekberg served two terms, from '
        "1991 to 1999, and is widely credited with rescuing the public finances. Critics, however, "
        "blamed his austerity programme for a sharp rise in unemployment. He is survived by his wife, "
        "Karin, and three children. A state funeral will be held next month.",
        "Jonas Ekberg, the country's head of government for most of the 1990s, passed away on Thursday "
        "aged 88 after a brief illness, relatives announced. Politicians of every party paid homage to "
        "him; Prime Minister Lena Holm described him as a towering figure of the nation's democratic "
        "life. A trained economist, Ekberg entered parliament in 1976. He is remembered for steering the "
        "economy out of a severe financial crisis and restoring the budget, though his spending cuts were "
        "blamed for pushing joblessness higher. The government said he would be honoured with a state "
        "funeral in the coming weeks.",
        [
            (
                "Former prime minister Jonas Ekberg, who led the country through the banking crisis of the "
                "1990s, has died at the age of 88",
                "Jonas Ekberg, the country's head of government for most of the 1990s, passed away on "
                "Thursday aged 88 after a brief illness",
            ),
            (
                "Ekberg died peacefully at his home in Uppsala after a short illness.",
                "Jonas Ekberg, the country's head of government for most of the 1990s, passed away on "
                "Thursday aged 88 after a brief illness",
            ),
            (
                "Tributes poured in from across the political spectrum",
                "Politicians of every party paid homage to him",
            ),
            (
                'the current prime minister calling him "a giant of our democracy"',
                "Prime Minister Lena Holm described him as a towering figure of the nation's democratic life",
            ),
            (
                "is widely credited with rescuing the public finances",
                "He is remembered for steering the economy out of a severe financial crisis and restoring "
                "the budget",
            ),
            (
                "Critics, however, blamed his austerity programme for a sharp rise in unemployment.",
                "though his spending cuts were blamed for pushing joblessness higher",
            ),
            (
                "A state funeral will be held next month.",
                "The government said he would be honoured with a state funeral in the coming weeks.",
            ),
        ],
    ),
    (
        "The central bank raised its main interest rate by half a percentage point to 4.5 percent on "
        "Wednesday, its biggest increase in two decades, as it struggles to contain soaring prices. "
        "Inflation hit 9.1 percent in May, the highest since 1982. Governor Paul Meyer told reporters "
        "that further increases could not be ruled out. The decision was backed by seven of the nine "
        "members of the rate-setting committee; two voted for a smaller rise. Mortgage holders face "
        "higher monthly payments as a result. The currency rose 1.2 percent against the dollar after the "
        "announcement. Business groups warned that the move risked tipping the economy into recession.",
        "Borrowing costs went up by 50 basis points to 4.5% on Wednesday in the sharpest hike for twenty "
        "years, as policymakers battle runaway inflation. Consumer prices climbed 9.1% in the year to "
        "May, a four-decade high. Bank chief Paul Meyer said more rate rises remained possible. Seven of "
        "the nine committee members voted for the increase, while two preferred a quarter-point move. "
        "Economists had expected a smaller step. Homeowners with variable mortgages will see their "
        "repayments rise. The national currency gained 1.2% against the US dollar following the "
        "decision. Employers' organisations cautioned that the hike could push the country into a "
        "downturn.",
        [
            (
                "The central bank raised its main interest rate by half a percentage point to 4.5 percent "
                "on Wednesday",
                "Borrowing costs went up by 50 basis points to 4.5% on Wednesday",
            ),
            ("its biggest increase in two decades", "in the sharpest hike for twenty years"),
            (
                "Inflation hit 9.1 percent in May, the highest since 1982.",
                "Consumer prices climbed 9.1% in the year to May, a four-decade high.",
            ),
            (
                "Governor Paul Meyer told reporters that further increases could not be ruled out.",
                "Bank chief Paul Meyer said more rate rises remained possible.",
            ),
            (
                "The decision was backed by seven of the nine members of the rate-setting committee; two "
                "voted for a smaller rise.",
                "Seven of the nine committee members voted for the increase, while two preferred a "
                "quarter-point move.",
            ),
            (
                "Mortgage holders face higher monthly payments as a result.",
                "Homeowners with variable mortgages will see their repayments rise.",
            ),
            (
                "The currency rose 1.2 percent against the dollar after the announcement.",
                "The national currency gained 1.2% against the US dollar following the decision.",
            ),
            (
                "Business groups warned that the move risked tipping the economy into recession.",
                "Employers' organisations cautioned that the hike could push the country into a downturn.",
            ),
        ],
    ),
]

# Three more events, written with the four above, before any tuning, and not looked at pair by pair
# until the methods were settled: the held-out figure.
UNSEEN_HELD_OUT = [
    (
        "A magnitude 6.8 earthquake struck off the southern coast early on Saturday, killing at least 41 "
        "people and flattening hundreds of homes, the national disaster agency said. The quake hit at "
        "3:12 a.m. local time at a depth of 10 kilometres, according to the geological survey. Most of "
        "the victims were in the fishing town of Porto Vale, where rescuers were digging through rubble "
        "with their bare hands. Power and telephone lines were cut across the region. The prime minister "
        "declared a state of emergency and sent the army to help with the rescue. More than 200 "
        "aftershocks have been recorded. Schools will remain closed for a week. A tsunami warning was "
        "issued but lifted two hours later.",
        "At least forty-one people have died after a powerful 6.8-magnitude tremor shook the south of the "
        "country before dawn on Saturday. Hundreds of houses collapsed. The hardest-hit area was Porto "
        "Vale, a fishing community, where volunteers searched the ruins by hand for survivors. "
        "Authorities briefly warned of a tsunami before cancelling the alert. The government has imposed "
        "emergency rule and deployed troops to the disaster zone. Large parts of the south were left "
        "without electricity or phone service. Seismologists said the quake was shallow, just 10km below "
        "the seabed. Dozens of aftershocks followed, the strongest measuring 5.1.",
        [
            (
                "A magnitude 6.8 earthquake struck off the southern coast early on Saturday, killing at "
                "least 41 people and flattening hundreds of homes",
                "At least forty-one people have died after a powerful 6.8-magnitude tremor shook the south "
                "of the country before dawn on Saturday.",
            ),
            ("flattening hundreds of homes", "Hundreds of houses collapsed."),
            (
                "Most of the victims were in the fishing town of Porto Vale, where rescuers were digging "
                "through rubble with their bare hands.",
                "The hardest-hit area was Porto Vale, a fishing community, where volunteers searched the "
                "ruins by hand for survivors.",
            ),
            (
                "Power and telephone lines were cut across the region.",
                "Large parts of the south were left without electricity or phone service.",
            ),
            (
                "The prime minister declared a state of emergency and sent the army to help with the rescue.",
                "The government has imposed emergency rule and deployed troops to the disaster zone.",
            ),
            (
                "More than 200 aftershocks have been recorded.",
                "Dozens of aftershocks followed, the strongest measuring 5.1.",
            ),
            (
                "A tsunami warning was issued but lifted two hours later.",
                "Authorities briefly warned of a tsunami before cancelling the alert.",
            ),
            (
                "The quake hit at 3:12 a.m. local time at a depth of 10 kilometres",
                "Seismologists said the quake was shallow, just 10km below the seabed.",
            ),
        ],
    ),
    (
        "Pilots at SkyNord walked out on Monday in a dispute over pay, forcing the airline to cancel more "
        "than 400 flights and leaving some 60,000 passengers stranded at the start of the holiday season. "
        "The pilots' union is demanding a 12 percent raise to offset inflation; the company has offered 5 "
        'percent. Chief executive Maria Lund called the strike "irresponsible" and said the airline '
        "could not afford the union's demands. Passengers queued for hours at the main hub to rebook. The "
        "union said the walkout would last at least 48 hours. Shares in SkyNord fell 4 percent. Talks "
        "are due to resume on Thursday with a government mediator.",
        "Travel chaos hit SkyNord customers as the carrier grounded over 400 services on Monday, with "
        "around 60,000 travellers affected, after its pilots stopped work. Long lines formed at the "
        "airline's home airport as people tried to get on other flights. The stoppage is set to run for "
        "two days or more, according to the pilots' organisation, which wants salaries increased by 12% "
        "to keep pace with rising living costs. Management has put 5% on the table. SkyNord boss Maria "
        "Lund accused the pilots of acting recklessly, saying their demands were unaffordable. The "
        "company's stock dropped 4%. A state-appointed mediator will bring both sides back to the table "
        "on Thursday.",
        [
            ("Pilots at SkyNord walked out on Monday in a dispute over pay", "after its pilots stopped work"),
            (
                "forcing the airline to cancel more than 400 flights and leaving some 60,000 passengers "
                "stranded",
                "Travel chaos hit SkyNord customers as the carrier grounded over 400 services on Monday, "
                "with around 60,000 travellers affected",
            ),
            (
                "The pilots' union is demanding a 12 percent raise to offset inflation",
                "which wants salaries increased by 12% to keep pace with rising living costs",
            ),
            ("the company has offered 5 percent", "Management has put 5% on the table."),
            (
                'Chief executive Maria Lund called the strike "irresponsible" and said the airline could '
                "not afford the union's demands.",
                "SkyNord boss Maria Lund accused the pilots of acting recklessly, saying their demands were "
                "unaffordable.",
            ),
            (
                "Passengers queued for hours at the main hub to rebook.",
                "Long lines formed at the airline's home airport as people tried to get on other flights.",
            ),
            (
                "The union said the walkout would last at least 48 hours.",
                "The stoppage is set to run for two days or more, according to the pilots' organisation",
            ),
            ("Shares in SkyNord fell 4 percent.", "The company's stock dropped 4%."),
            (
                "Talks are due to resume on Thursday with a government mediator.",
                "A state-appointed mediator will bring both sides back to the table on Thursday.",
            ),
        ],
    ),
    (
        "The government on Friday ordered four diplomats from the Republic of Norland to leave the "
        "country within 72 hours, accusing them of spying. The foreign ministry said the men had been "
        "gathering information on military installations under diplomatic cover. Norland's embassy "
        'rejected the allegations as "absurd" and promised a response in kind. The expulsions are the '
        "latest blow to relations, which have deteriorated since a trade dispute last year. Opposition "
        "leaders welcomed the decision but said it came too late.",
        "Four Norlandic envoys have been declared persona non grata and given three days to depart over "
        "alleged espionage. Officials said the diplomats used their status to collect intelligence about "
        "army bases. The Norlandic mission dismissed the accusations as ridiculous and vowed to "
        "retaliate. Ties between the two countries have been strained since a row over tariffs last "
        "year. The move was praised by opposition parties, who nonetheless criticised the government for "
        "acting so slowly. Norland's ambassador was summoned to explain.",
        [
            (
                "The government on Friday ordered four diplomats from the Republic of Norland to leave the "
                "country within 72 hours, accusing them of spying.",
                "Four Norlandic envoys have been declared persona non grata and given three days to depart "
                "over alleged espionage.",
            ),
            (
                "The foreign ministry said the men had been gathering information on military "
                "installations under diplomatic cover.",
                "Officials said the diplomats used their status to collect intelligence about army bases.",
            ),
            (
                'Norland\'s embassy rejected the allegations as "absurd" and promised a response in kind.',
                "The Norlandic mission dismissed the accusations as ridiculous and vowed to retaliate.",
            ),
            (
                "The expulsions are the latest blow to relations, which have deteriorated since a trade "
                "dispute last year.",
                "Ties between the two countries have been strained since a row over tariffs last year.",
            ),
            (
                "Opposition leaders welcomed the decision but said it came too late.",
                "The move was praised by opposition parties, who nonetheless criticised the government for "
                "acting so slowly.",
            ),
        ],
    ),
]


def _rank(passage, source, target, counterpart, **hints):
    """Where the counterpart comes among the first three suggestions (1 to 3), or None: a
    suggestion finds it when they share at least half of the shorter of the two."""
    assert passage in source
    assert counterpart in target
    start = target.index(counterpart)
    end = start + len(counterpart)
    for rank, suggestion in enumerate(suggest(passage, text=target, **hints), 1):
        shorter = min(end - start, suggestion.end - suggestion.start)
        if min(end, suggestion.end) - max(start, suggestion.start) >= 0.5 * shorter:
            return rank
    return None


def _hints(passage, source):
    """What the app passes with a passage: its context and its position in its article."""
    start = source.index(passage)
    return {"context": context_around(source, start, start + len(passage)), "position": start / len(source)}


def _both_ways(pairs, source, target):
    return [(p, c, source, target) for p, c in pairs] + [(c, p, target, source) for p, c in pairs]


SEED_PAIRS = [(p, c, LEFT, RIGHT) for p, c in LEFT_TO_RIGHT] + [(p, c, RIGHT, LEFT) for p, c in RIGHT_TO_LEFT]


def _report(label, pairs, ranks):
    misses = [(p, c) for (p, c, _, _), rank in zip(pairs, ranks, strict=True) if rank is None]
    found = len(pairs) - len(misses)
    print(f"\n{label}: {found} of {len(pairs)} counterparts in the top 3 ({found / len(pairs):.0%}); missed:")
    for passage, counterpart in misses:
        print(f"  {passage!r}\n    -> {counterpart!r}")
    return found / len(pairs)


def test_the_counterparts_of_the_claims_the_seeds_share_are_in_the_top_three():
    ranks = [_rank(p, s, t, c, **_hints(p, s)) for p, c, s, t in SEED_PAIRS]
    assert _report("seeds", SEED_PAIRS, ranks) >= SEEDS_FLOOR


def test_with_the_other_links_as_anchors_the_seeds_counterparts_stay_in_the_top_three():
    ranks = []
    for p, c, source, target in SEED_PAIRS:
        anchors = [
            (source.index(other) / len(source), target.index(counterpart) / len(target))
            for other, counterpart, s, t in SEED_PAIRS
            if (s, t) == (source, target) and other != p
        ]
        ranks.append(_rank(p, source, target, c, **_hints(p, source), anchors=anchors))
    assert _report("seeds, the other links as anchors", SEED_PAIRS, ranks) >= SEEDS_FLOOR


@pytest.mark.parametrize(
    ("events", "floor", "first_floor"),
    [(UNSEEN, UNSEEN_FLOOR, UNSEEN_FIRST_FLOOR), (UNSEEN_HELD_OUT, HELD_OUT_FLOOR, HELD_OUT_FIRST_FLOOR)],
    ids=["other events", "held out"],
)
def test_the_counterparts_in_reports_of_other_events_are_found(events, floor, first_floor):
    pairs = [pair for a, b, shared in events for pair in _both_ways(shared, a, b)]
    ranks = [_rank(p, s, t, c, **_hints(p, s)) for p, c, s, t in pairs]
    assert _report("other events", pairs, ranks) >= floor
    assert sum(rank == 1 for rank in ranks) / len(pairs) >= first_floor


def test_the_seeded_brain_injury_claim_gets_the_injury_sentence_first():
    best = suggest("causing brain injury among dozens of American servicemen", text=RIGHT)[0]
    assert best.exact == "The strikes caused 109 traumatic brain injuries among US troops."


def test_the_seeds_heading_footnote_caption_and_credit_are_never_suggested():
    index = build_index(RIGHT)
    texts = [RIGHT[s:e] for s, e in zip(index.starts, index.ends, strict=True)]
    assert "Anniversary of Assassination Approaches" not in texts
    assert not any(t.startswith(("*", "©")) for t in texts)
    left = [LEFT[s:e] for s, e in zip(*(lambda i: (i.starts, i.ends))(build_index(LEFT)), strict=True)]
    assert not any("Creative Commons" in t or t.startswith("TEHRAN") for t in left)
    assert any(t.startswith("Iran’s Foreign Ministry has accused") for t in left)


# --- Splitting sentences ------------------------------------------------------------------------


def pieces(text):
    return [(s.kind, text[s.start : s.end]) for s in split(text)]


def sentence_texts(text):
    return [text[s:e] for s, e in sentencelib.sentences(text)]


def test_a_sentence_opening_with_new_york_times_quotes_is_split_off():
    text = "He spoke. ''We will respond,'' he said. ''We are ready.''"
    assert sentence_texts(text) == ["He spoke.", "''We will respond,'' he said.", "''We are ready.''"]


def test_an_initialism_ends_a_sentence_before_a_word_that_opens_one():
    assert sentence_texts("He flew to Washington D.C. This was new.") == [
        "He flew to Washington D.C.",
        "This was new.",
    ]
    assert sentence_texts("He went back to the U.S. Then he left.") == [
        "He went back to the U.S.",
        "Then he left.",
    ]


def test_an_initialism_before_a_name_does_not_end_a_sentence():
    assert sentence_texts("The U.S. President spoke. Talks went on.") == [
        "The U.S. President spoke.",
        "Talks went on.",
    ]
    assert sentence_texts("J. R. R. Tolkien wrote it. Then he rested.") == [
        "J. R. R. Tolkien wrote it.",
        "Then he rested.",
    ]


def test_titles_never_end_a_sentence():
    assert sentence_texts("Gen. Smith met Dr. Jones and Mr. Brown. They talked.") == [
        "Gen. Smith met Dr. Jones and Mr. Brown.",
        "They talked.",
    ]


def test_an_abbreviation_in_closing_quotes_is_still_an_abbreviation():
    assert sentence_texts("They hailed the “Gen.” Soleimani and his men. Then they left.") == [
        "They hailed the “Gen.” Soleimani and his men.",
        "Then they left.",
    ]


def test_a_month_ends_a_sentence_only_before_a_word():
    assert sentence_texts("They met on Jan. 3. Talks failed in Feb. The war went on.") == [
        "They met on Jan. 3.",
        "Talks failed in Feb.",
        "The war went on.",
    ]


def test_an_ambiguous_abbreviation_ends_a_sentence_only_before_a_word_that_opens_one():
    assert sentence_texts("He joined Apple Inc. The firm grew. Apple Inc. Shares rose.") == [
        "He joined Apple Inc.",
        "The firm grew.",
        "Apple Inc. Shares rose.",
    ]


def test_an_ordinary_word_before_a_full_stop_ends_a_sentence_before_any_capital():
    assert sentence_texts("He won 3. Smith lost. Everyone cheered.") == [
        "He won 3.",
        "Smith lost.",
        "Everyone cheered.",
    ]


def test_decimal_numbers_and_lowercase_continuations_do_not_end_a_sentence():
    assert sentence_texts("Prices rose 3.5 percent. e.g. some fell. Then they rose.") == [
        "Prices rose 3.5 percent. e.g. some fell.",
        "Then they rose.",
    ]


def test_an_ellipsis_ends_a_sentence_only_before_a_capital():
    assert sentence_texts("He paused... Then he left. He paused... and left. Wait… Go.") == [
        "He paused...",
        "Then he left.",
        "He paused... and left.",
        "Wait…",
        "Go.",
    ]


def test_quotes_that_end_a_sentence_stay_with_it():
    text = 'He said, "Stop." Nobody moved. They asked, “Why?” Nobody knew. "Why?" he asked. Great! Yes.'
    assert sentence_texts(text) == [
        'He said, "Stop."',
        "Nobody moved.",
        "They asked, “Why?”",
        "Nobody knew.",
        '"Why?" he asked.',
        "Great!",
        "Yes.",
    ]


def test_a_full_stop_before_a_bracket_or_a_dash_does_not_end_a_sentence():
    assert sentence_texts("He left. (Later) he came. It rose. - no.") == [
        "He left.",
        "(Later) he came.",
        "It rose. - no.",
    ]


def test_chinese_full_stops_end_sentences_without_a_space():
    assert sentence_texts("我们来了。他们走了。") == ["我们来了。", "他们走了。"]


def test_sentences_never_cross_a_paragraph_and_are_trimmed():
    assert pieces("  It began here.\n\n and ended there.  ") == [
        (SENTENCE, "It began here."),
        (SENTENCE, "and ended there."),
    ]


def test_a_headline_and_its_subtitle_are_headings_apart_from_the_dateline_and_the_story():
    text = (
        "Iran vows revenge\nRouhani says the reign of Trump will end\n"
        "TEHRAN, Jan. 02 (MNA) – Iran said it would act. More followed."
    )
    assert pieces(text) == [
        (HEADING, "Iran vows revenge"),
        (HEADING, "Rouhani says the reign of Trump will end"),
        (DATELINE, "TEHRAN, Jan. 02 (MNA) –"),
        (SENTENCE, "Iran said it would act."),
        (SENTENCE, "More followed."),
    ]
    assert sentence_texts(text) == ["Iran said it would act.", "More followed."]


@pytest.mark.parametrize(
    ("text", "dateline"),
    [
        ("WASHINGTON (Reuters) - Officials said so.", "WASHINGTON (Reuters) -"),
        ("NEW YORK, Jan 2 (AP) — Officials said so.", "NEW YORK, Jan 2 (AP) —"),
        ("BEIRUT—Officials said so.", "BEIRUT—"),
        ("TEHRAN -- Officials said so.", "TEHRAN --"),
    ],
)
def test_a_dateline_is_cut_off_the_sentence_it_opens(text, dateline):
    assert pieces(text) == [(DATELINE, dateline), (SENTENCE, "Officials said so.")]


@pytest.mark.parametrize(
    "text",
    [
        "NATO-led troops left. They went home.",
        "US - Iran talks failed. They went home.",
        "Nato – the alliance – met. They went home.",
        "WASHINGTON -",
        "BEIRUT —",
    ],
)
def test_capitals_that_are_not_a_dateline_stay_in_the_sentence(text):
    assert all(kind != DATELINE for kind, _ in pieces(text))


def test_footnote_lines_are_footnotes_whole():
    text = "Iran spoke.\n  * A terrorist group outlawed in Russia. It is.\n[1] See the report.\n^2 Ibid."
    assert pieces(text) == [
        (SENTENCE, "Iran spoke."),
        (FOOTNOTE, "* A terrorist group outlawed in Russia. It is."),
        (FOOTNOTE, "[1] See the report."),
        (FOOTNOTE, "^2 Ibid."),
    ]


def test_a_footnote_line_after_a_line_without_punctuation_still_starts_its_own_run():
    assert pieces("Iran spoke\n* A note.") == [(HEADING, "Iran spoke"), (FOOTNOTE, "* A note.")]
    assert pieces("Iran spoke on\n[2] A note.") == [(HEADING, "Iran spoke on"), (FOOTNOTE, "[2] A note.")]


@pytest.mark.parametrize(
    "line",
    [
        "All Content by Mehr News Agency is licensed under a Creative Commons Attribution 4.0 License.",
        "© AP Photo / Menahem Kahana, Pool Israeli Prime Minister Benjamin Netanyahu shakes hands.",
        "(c) 2021 Reuters.",
        "Copyright 2021 The Associated Press.",
        "Photo: Reuters.",
        "Image credit: AFP.",
        "Additional reporting by John Smith.",
        "Reporting by John Smith; Editing by Jane Doe.",
        "Writing by Jane Doe.",
        "Compiled by the desk.",
        "The text is the agency's own, all rights reserved.",
    ],
)
def test_credit_lines_are_credits(line):
    assert pieces("Iran spoke.\n" + line) == [(SENTENCE, "Iran spoke."), (CREDIT, line)]


def test_a_short_line_without_final_punctuation_is_a_heading_and_a_long_one_is_text():
    short = " ".join(["word"] * sentencelib.HEADING_MAX_WORDS)
    long = short + " more"
    assert pieces(f"{short}\n\n{long}\n\nA sentence.") == [
        (HEADING, short),
        (SENTENCE, long),
        (SENTENCE, "A sentence."),
    ]


def test_a_line_with_final_punctuation_or_inside_a_run_is_not_a_heading():
    assert pieces("Is this the end of Trumpism?") == [(SENTENCE, "Is this the end of Trumpism?")]
    assert pieces("It ended. Then what") == [(SENTENCE, "It ended."), (SENTENCE, "Then what")]
    assert pieces("The strike\nwas ordered") == [(SENTENCE, "The strike\nwas ordered")]


def test_a_line_break_ends_a_sentence_before_a_new_one_unless_the_paragraph_is_hard_wrapped():
    assert sentence_texts("The strike was ordered\nIran answered.") == ["Iran answered."]
    assert pieces("The strike was ordered\n“Iran answered.”") == [
        (HEADING, "The strike was ordered"),
        (SENTENCE, "“Iran answered.”"),
    ]
    wrapped = "The strike that was ordered by the president of the United States in\n" * 3 + "January."
    assert sentence_texts(wrapped) == [wrapped.strip()]
    two_lines = "The strike that was ordered by the president of the United States in\nJanuary ended."
    assert sentence_texts(two_lines) == ["January ended."]


def test_a_short_line_in_a_hard_wrapped_paragraph_still_ends_at_the_line():
    text = (
        "Iran vows revenge\n"
        + "The strike that was ordered by the president of the United States in\n" * 2
        + "it."
    )
    assert pieces(text)[0] == (HEADING, "Iran vows revenge")


# Cases the old splitter (reader.text.sentences) got wrong on unseen articles, and others hard
# for any splitter: each with the sentences a reader sees.
HARD_CASES = [
    ("He spoke. ''We will respond,'' he said.", ["He spoke.", "''We will respond,'' he said."]),
    ("He flew to Washington D.C. This was new.", ["He flew to Washington D.C.", "This was new."]),
    (
        "Iran vows revenge\nRouhani says the reign of Trump will end\nIran said it would act.",
        ["Iran vows revenge", "Rouhani says the reign of Trump will end", "Iran said it would act."],
    ),
    ("The U.S. President spoke. Talks went on.", ["The U.S. President spoke.", "Talks went on."]),
    (
        "Gen. Smith met Dr. Jones on Jan. 3. They talked.",
        ["Gen. Smith met Dr. Jones on Jan. 3.", "They talked."],
    ),
    ("J. R. R. Tolkien wrote it. Then he rested.", ["J. R. R. Tolkien wrote it.", "Then he rested."]),
    ("Prices rose 3.5 percent. Then fell.", ["Prices rose 3.5 percent.", "Then fell."]),
    ("He paused... Then he left.", ["He paused...", "Then he left."]),
    ('He said, "Stop." Nobody moved.', ['He said, "Stop."', "Nobody moved."]),
    ("They asked, “Why?” Nobody knew.", ["They asked, “Why?”", "Nobody knew."]),
]


@pytest.mark.parametrize(("text", "expected"), HARD_CASES)
def test_the_splitter_gets_the_hard_cases_right(text, expected):
    assert [text[s.start : s.end] for s in split(text)] == expected


def test_pysbd_misses_a_hard_case_the_splitter_gets_right():
    pysbd = pytest.importorskip("pysbd")
    segmenter = pysbd.Segmenter(language="en", clean=False)
    wrong = [
        text for text, expected in HARD_CASES if [s.strip() for s in segmenter.segment(text)] != expected
    ]
    assert wrong == ["He flew to Washington D.C. This was new."]


def test_a_run_of_several_lines_is_never_a_heading():
    assert pieces("The strike\nwas ordered\nTalks began in the capital at once.") == [
        (SENTENCE, "The strike\nwas ordered"),
        (SENTENCE, "Talks began in the capital at once."),
    ]


def test_a_line_break_before_a_capital_that_is_not_a_word_start_keeps_the_run():
    assert pieces("Iran vows revenge\nA.B. Jones said so.") == [
        (HEADING, "Iran vows revenge"),
        (SENTENCE, "A.B. Jones said so."),
    ]
    assert pieces("Iran vows revenge\n(A) Jones said so.")[0] == (HEADING, "Iran vows revenge")


def test_a_line_broke_for_lack_of_room_only_if_the_next_word_would_not_fit():
    fits = "a" * 30  # 30 + 1 + 2 = 33, the widest line: "Wx" would have fitted
    broke = "Wx " + "b" * 29  # 32 + 1 + 2 = 35 > 33
    widest = "Yz " + "c" * 30  # 33
    text = f"{fits}\n{broke}\n{widest}\nQq end."
    assert pieces(text) == [(HEADING, fits), (SENTENCE, f"{broke}\n{widest}\nQq end.")]


# --- Clauses ------------------------------------------------------------------------------------


def clause_texts(sentence):
    return [sentence[s:e] for s, e in clauses(sentence, 0, len(sentence))]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Iran fired missiles at two bases; the US said nobody was hurt.",
            ["Iran fired missiles at two bases", "the US said nobody was hurt."],
        ),
        (
            "The minister said one thing: the strike was illegal under the law.",
            ["The minister said one thing", "the strike was illegal under the law."],
        ),
        (
            "The strike was illegal — a clear violation of the charter.",
            ["The strike was illegal", "a clear violation of the charter."],
        ),
        (
            "The strike was illegal—a clear violation of law.",
            ["The strike was illegal", "a clear violation of law."],
        ),
        (
            "The strike was illegal -- a clear violation of law.",
            ["The strike was illegal", "a clear violation of law."],
        ),
        (
            "Iran fired missiles at the base, while the US counted troops.",
            ["Iran fired missiles at the base", "while the US counted troops."],
        ),
        (
            "Iran fired missiles at the base, but nobody was hurt at all.",
            ["Iran fired missiles at the base", "but nobody was hurt at all."],
        ),
        (
            "Iran fired missiles at the base, and the US counted troops.",
            ["Iran fired missiles at the base", "and the US counted troops."],
        ),
        (
            "Iran fired missiles at the base, and Washington counted troops.",
            ["Iran fired missiles at the base", "and Washington counted troops."],
        ),
        (
            "If you cut off our arms, we will cut off your leg here.",
            ["If you cut off our arms", "we will cut off your leg here."],
        ),
        (
            "The strike was illegal under the charter, he said, and it was a crime.",
            ["The strike was illegal under the charter", "and it was a crime."],
        ),
        (
            "The strike was illegal under the charter, according to the rapporteur.",
            ["The strike was illegal under the charter"],
        ),
        (
            "The strike was illegal under the charter, Iranian President Hassan Rouhani has said.",
            ["The strike was illegal under the charter"],
        ),
        (
            '"We will respond with force," the general said on Friday.',
            ["We will respond with force", "the general said on Friday."],
        ),
        (
            "Rouhani said that “the end of Trumpism is near” in a long speech.",
            ["Rouhani said that", "the end of Trumpism is near", "in a long speech."],
        ),
        (
            "“Not surprising that ISIS cheered: brothers in arms,” the ministry said.",
            [
                "Not surprising that ISIS cheered",
                "brothers in arms",
                "the ministry said.",
            ],
        ),
    ],
)
def test_a_sentence_has_clauses_at_its_separators(sentence, expected):
    assert clause_texts(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        'He called it a "heightened risk" of attack from Iran against the US.',
        "Iran fired missiles at the base, and counted the troops there.",
        "He visited Syria, Iraq and Lebanon with his team last year.",
        "Trump won, it seems.",
        "The time was 3:30 and the strike began at once.",
        "The war of 2019–2020 was long and hard for them.",
        "",
    ],
)
def test_a_sentence_without_separators_or_with_scare_quotes_has_no_clauses(sentence):
    assert clause_texts(sentence) == []


def test_a_quotation_that_goes_on_in_another_sentence_is_cut_at_its_mark():
    assert clause_texts("They all said “it's a well-documented fact that the U.S. has a role.") == [
        "They all said",
        "it's a well-documented fact that the U.S. has a role.",
    ]
    assert clause_texts("It is a role in full show,” tweeted the foreign ministry.") == [
        "It is a role in full show",
        "tweeted the foreign ministry.",
    ]


def test_a_quotation_that_is_never_closed_lets_a_later_one_open():
    assert clause_texts('He told them "one thing and then "another long thing here" was said by him.') == [
        "He told them",
        "one thing and then",
        "another long thing here",
        "was said by him.",
    ]


def test_straight_quotes_open_after_a_space_or_a_bracket_and_close_elsewhere():
    assert clause_texts('He told them ("we will win the war") and left them.') == [
        "He told them",
        "we will win the war",
        "and left them.",
    ]
    assert clause_texts('The "war of words" went on and on.') == ["war of words", "went on and on."]


def test_clauses_have_at_least_three_words_and_fewer_than_their_sentence():
    assert clause_texts("Go home; now.") == []
    assert clause_texts("We went home; they stayed out.") == ["We went home", "they stayed out."]
    assert clause_texts("“We went home and stayed out.”") == []


def test_clauses_stop_at_the_end_of_their_sentence():
    text = "Iran fired missiles at two bases; the US said so. Later, while talks went on: nothing moved."
    end = text.index(" Later")
    assert [text[s:e] for s, e in clauses(text, 0, end)] == [
        "Iran fired missiles at two bases",
        "the US said so.",
    ]


def test_a_scare_quote_opening_a_text_is_not_a_clause():
    assert clause_texts('"Mercenary" forces fought in Syria and Iraq.') == []


def test_clauses_of_a_sentence_inside_a_text_are_offsets_of_that_text():
    text = "First. Iran fired missiles at two bases; the US said nobody was hurt."
    start = text.index("Iran")
    found = clauses(text, start, len(text))
    assert [text[s:e] for s, e in found] == [
        "Iran fired missiles at two bases",
        "the US said nobody was hurt.",
    ]


# --- Terms --------------------------------------------------------------------------------------


def test_the_united_states_has_one_term_however_written_and_us_the_pronoun_is_a_stop_word():
    assert terms("U.S. US USA U.S.A. United States the United States of America America") == ["u.s."] * 7
    assert terms("Let us go") == ["let", "go"]


@pytest.mark.parametrize(
    ("forms", "term"),
    [
        ("UK U.K. Britain Great Britain United Kingdom", "u.k."),
        ("UN U.N. United Nations", "u.n."),
        ("EU E.U. European Union", "e.u."),
        ("ISIS ISIL Daesh Islamic State", "isis"),
    ],
)
def test_names_written_several_ways_are_one_term(forms, term):
    assert set(terms(forms)) == {term}


def test_a_name_is_one_term_only_when_its_words_stand_together():
    assert terms("the United Nations. States") == ["u.n.", "state"]
    assert terms("United\nStates of\tAmerica") == ["u.s."]
    assert terms("United States of Mexico") == ["u.s.", "mexico"]
    assert terms("united, states") == ["unit", "state"]
    assert terms("Great news") == ["great", "news"]


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("three", "3"),
        ("Three", "3"),
        ("3", "3"),
        ("03", "3"),
        ("twenty-five", "25"),
        ("twenty five", "25"),
        ("nineteen", "19"),
        ("ninety", "90"),
        ("zero", "0"),
        ("a hundred", "100"),
        ("one hundred", "100"),
        ("two hundred and five", "205"),
        ("three thousand", "3000"),
        ("two million", "2000000"),
        ("a billion", "1000000000"),
        ("a dozen", "12"),
        ("two dozen", "24"),
        ("2,500", "2500"),
        ("3 million", "3000000"),
        ("2.5 million", "2500000"),
        ("3.5", "3.5"),
        ("one thousand two hundred", "1200"),
        ("two hundred thousand", "200000"),
        ("two million three thousand", "2003000"),
    ],
)
def test_numbers_in_words_and_digits_become_their_value(written, value):
    assert terms(written) == [value]


def test_numbers_stop_at_what_is_not_a_number():
    assert terms("one and two") == ["1", "2"]
    assert terms("three, four") == ["3", "4"]
    assert terms("a man and a hundred") == ["man", "100"]
    assert terms("3 dozen") == ["3", "12"]
    assert terms("1,00") == ["1", "0"]
    assert terms("3 million, 4 thousand") == ["3000000", "4000"]
    assert terms("It cost 3 million. Then") == ["cost", "3000000"]
    assert terms("twenty-five years ago, five men") == ["25", "year", "ago", "5", "men"]


def test_possessives_contractions_case_and_curly_quotes_normalise_away():
    assert terms("Iran’s IRAN's iran") == ["iran"] * 3
    assert terms("won't can't shan't isn't didn't") == []
    assert terms("they'll we're they're you've he'd I'm") == []
    assert terms("he's she's who's") == []
    assert terms("int'l O’Brien") == ["intl", "obrien"]


def test_hyphens_and_soft_hyphens_do_not_change_the_words():
    assert terms("drone-strike") == terms("drone strike") == ["drone", "strike"]
    assert terms("assas\u00adsination") == terms("assassination")


def test_stemming_joins_inflections_and_month_abbreviations_join_their_months():
    assert terms("injuries injury") == ["injuri", "injuri"]
    assert terms("Jan Feb Sept Dec") == terms("January February September December")


def test_a_word_undone_by_un_is_about_the_same_thing():
    assert terms("unpunished") == terms("punished")
    assert terms("united under understood unarmed") == ["unit", "understood", "unarm"]


def test_a_passage_of_stop_words_has_no_terms():
    assert terms("it was the one that they had been in") == ["1"]
    assert terms("it was that they had been in") == []


def test_other_languages_use_their_own_stemmer_and_unknown_ones_none():
    assert terms("les frappes", "fr") == ["le", "frapp"]
    assert terms("les frappes", "fr-FR") == ["le", "frapp"]
    assert terms("удары", "ru") == ["удар"]
    assert terms("strikes", "xx") == ["strikes"]
    assert terms("strikes", "") == ["strikes"]
    assert terms("strikes", None) == ["strikes"]


def test_the_word_cache_is_emptied_when_full(monkeypatch):
    monkeypatch.setattr(suggestlib, "WORD_CACHE_SIZE", 3)
    monkeypatch.setattr(suggestlib, "_WORD_TERMS", {})
    assert terms("alpha beta gamma") == ["alpha", "beta", "gamma"]
    assert terms("delta") == ["delta"]
    assert len(suggestlib._WORD_TERMS["en"]) == 4
    assert terms("epsilon") == ["epsilon"]
    assert suggestlib._WORD_TERMS["en"] == {"epsilon": "epsilon"}


# --- BM25 ---------------------------------------------------------------------------------------

THREE = "Alpha beta gamma.\n\nDelta alpha alpha epsilon zeta.\n\nEta theta iota kappa lambda mu."


def bm25(idf, tf, size, average):
    return idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * size / average))


def prior(query_size, size):
    return (min(query_size, size) / max(query_size, size)) ** LENGTH_PRIOR


def test_scores_are_bm25_with_a_length_prior():
    found = {s.exact: s.score for s in suggest("alpha", text=THREE)}
    idf = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))
    average = (3 + 5 + 6) / 3
    assert build_index(THREE).averages == [average, average]
    assert found == {
        "Alpha beta gamma.": pytest.approx(bm25(idf, 1, 3, average) * prior(1, 3), abs=1e-3),
        "Delta alpha alpha epsilon zeta.": pytest.approx(bm25(idf, 2, 5, average) * prior(1, 5), abs=1e-3),
    }


def test_every_query_term_counts():
    idf_alpha = math.log(1 + 1.5 / 2.5)
    idf_once = math.log(1 + 2.5 / 1.5)
    average = 14 / 3
    for passage, extra in [("alpha gamma", "gamma"), ("gamma alpha", "gamma"), ("beta alpha", "beta")]:
        best = suggest(passage, text=THREE)[0]
        assert best.exact == "Alpha beta gamma."
        expected = (bm25(idf_alpha, 1, 3, average) + bm25(idf_once, 1, 3, average)) * prior(2, 3)
        assert best.score == pytest.approx(expected, abs=1e-3), extra


def test_a_rarer_term_scores_higher():
    text = "Iran spoke today.\n\nIran spoke again.\n\nIraq spoke today."
    found = {s.exact: s.score for s in suggest("Iran Iraq", text=text)}
    assert found["Iraq spoke today."] > found["Iran spoke today."]


def test_a_shorter_unit_with_the_same_match_scores_higher():
    text = "Missiles hit the base.\n\nMissiles hit the big old base near the river today."
    first, second = suggest("missiles", text=text)
    assert first.exact == "Missiles hit the base."
    assert first.score > second.score


def test_more_of_a_term_scores_higher_but_less_than_twice():
    text = "Strike talks began.\n\nStrike strike talks began."
    once = suggest("strike", text=text, limit=3)
    scores = {s.exact: s.score for s in once}
    assert (
        scores["Strike talks began."]
        < scores["Strike strike talks began."]
        < 2 * scores["Strike talks began."]
    )


def test_a_partial_match_counts_for_a_paraphrase_and_less_than_the_word():
    text = "The general was killed.\n\nThe general was assassinated.\n\nThe general was seen."
    found = suggest("assassinated", text=text)
    assert [s.exact for s in found] == ["The general was assassinated.", "The general was killed."]
    assert found[1].score == pytest.approx(PARTIAL * found[0].score, abs=2e-3)


def test_a_query_term_counts_once_even_with_several_paraphrases_in_a_unit():
    text = "He was killed, slain and murdered.\n\nHe was assassinated there.\n\nHe ate."
    found = {s.exact: s.score for s in suggest("assassinated", text=text)}
    assert found["He was killed, slain and murdered."] < found["He was assassinated there."]


@pytest.mark.parametrize(
    ("passage", "sentence"),
    [
        ("American troops", "US troops were hurt."),
        ("Iranian missiles", "Iran fired missiles."),
        ("soldiers wounded", "Troops were injured."),
        ("he told reporters", "He said so to reporters."),
        ("an attack on the base", "A strike on the airbase."),
        ("the general was slain", "The general was killed."),
    ],
)
def test_news_paraphrases_match(passage, sentence):
    text = f"{sentence}\n\nNothing else happened here."
    assert [s.exact for s in suggest(passage, text=text)] == [sentence]


def test_every_word_of_the_paraphrase_table_is_a_term():
    written = (
        "killed assassinated slain slay murdered death said says told tell stated wounded injured hurt "
        "injuries attack strikes raid assault US American Washington Iran Iranian Tehran Iraq Iraqi "
        "Baghdad Israel Israeli Aviv Russia Russian Moscow UK British London troops soldiers servicemen "
        "personnel terrorism terrorist jihadists militants extremists revenge avenge retaliation "
        "retribution punish justice warned threatened vowed accused alleged blamed supported backed "
        "commander chief head leader missiles rockets base airbase expelled withdraw ousted died dead "
        "insurgents promised pledged cautioned expulsion evicted deported hero champion revered "
        "respected influential icon legend"
    )
    assert set(suggestlib.PARAPHRASES) == set(terms(written))


def test_us_forms_and_number_words_match_each_other():
    text = "The United States lost three soldiers.\n\nNothing else happened."
    assert suggest("U.S. lost 3", text=text)[0].exact == "The United States lost three soldiers."
    assert suggest("U.S.", text=text)[0].score == suggest("United States", text=text)[0].score


def test_the_idf_comes_from_sentences_so_clauses_do_not_count_twice():
    index = build_index("Iran fired missiles at two bases; the US said nobody was hurt.\n\nIran spoke.")
    idf, units, counts = index.postings("iran")
    assert idf == pytest.approx(math.log(1 + 0.5 / 2.5))
    assert list(units) == [0, 1, 3]
    assert list(counts) == [1, 1, 1]
    assert index.postings("nothing") == (0.0, (), ())


def test_length_is_normalised_per_level():
    text = "Iran fired missiles at two bases; the US said nobody was hurt at all.\n\nIran spoke."
    index = build_index(text)
    assert list(index.levels) == [0, 1, 1, 0]
    assert list(index.sizes) == [9, 5, 4, 2]
    assert index.averages == [5.5, 4.5]
    assert index.norms == pytest.approx(
        [K1 * (1 - B + B * size / average) for size, average in [(9, 5.5), (5, 4.5), (4, 4.5), (2, 5.5)]]
    )


def test_a_text_without_sentences_has_an_empty_index():
    index = build_index("")
    assert index.averages == [1.0, 1.0]
    assert suggest("Iran", text="") == []


def test_a_short_passage_gets_a_clause_and_a_long_one_the_sentence():
    text = (
        "Iran fired missiles at two American bases in Iraq; the Pentagon said nobody was hurt in the attack."
        "\n\nTalks went on."
    )
    assert (
        suggest("nobody was hurt", text=text)[0].exact == "the Pentagon said nobody was hurt in the attack."
    )
    long = "Iran fired missiles at two bases in Iraq and the Pentagon said nobody was hurt"
    assert suggest(long, text=text)[0].exact == text.split("\n\n")[0]


def test_the_length_prior_prefers_the_unit_as_long_as_the_passage():
    assert suggestlib._prior(4, 4) == 1
    assert suggestlib._prior(2, 8) == suggestlib._prior(8, 2) == pytest.approx(0.25**LENGTH_PRIOR)
    assert suggestlib._prior(0, 0) == 0
    assert suggestlib._prior(1, 1) == 1


# --- suggest() ----------------------------------------------------------------------------------


@pytest.mark.parametrize("passage", ["", "   \n\t", "it was the of and"])
def test_a_passage_without_terms_gets_nothing(passage):
    assert suggest(passage, text=RIGHT) == []


def test_a_limit_of_zero_gets_nothing_and_a_limit_caps_the_list():
    assert suggest("Soleimani", text=RIGHT, limit=0) == []
    assert len(suggest("Soleimani", text=RIGHT)) == 3
    assert len(suggest("Soleimani", text=RIGHT, limit=1)) == 1
    assert len(suggest("Soleimani", text=RIGHT, limit=2)) == 2
    assert len(suggest("Soleimani", text=RIGHT, limit=5)) == 5


def test_suggestions_are_best_first_and_never_overlap():
    found = suggest("Soleimani anniversary of the drone strike", text=RIGHT, limit=6)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    for a in found:
        for b in found:
            assert a is b or a.end <= b.start or b.end <= a.start


def test_equal_scores_are_in_reading_order():
    text = "Iran spoke.\n\nIran spoke.\n\nIran spoke."
    assert [s.start for s in suggest("Iran", text=text)] == [0, 13, 26]


def test_offsets_are_code_points_with_emoji_and_combining_marks():
    text = "👩‍👩‍👧 🇺🇸 Cafe\u0301 news.\n\n🚀🚀 The strikes caused 109 injuries among US troops. 🎉"
    found = suggest("109 injuries", text=text)
    assert found[0].exact == text[found[0].start : found[0].end]
    assert found[0].exact == "🚀🚀 The strikes caused 109 injuries among US troops. 🎉"


def test_an_existing_highlight_is_a_candidate_and_carries_its_span_id():
    text = "Iran spoke about many things.\n\nThe strikes hurt 109 troops in the Iraqi desert that night."
    start = text.index("hurt 109")
    found = suggest("109 troops hurt", text=text, highlights=[(7, start, start + len("hurt 109 troops"))])
    assert found[0] == Suggestion(start, start + 15, "hurt 109 troops", found[0].score, 7)


def test_a_highlight_covering_nearly_the_same_text_as_a_unit_replaces_it():
    text = "Iran spoke.\n\nThe strikes caused 109 brain injuries among US troops.\n\nTalks went on."
    start = text.index("The strikes")
    end = text.index(" troops.") + len(" troops")
    alone = suggest("brain injuries", text=text)
    found = suggest("brain injuries", text=text, highlights=[(3, 0, 4), (4, start, end)])
    assert found[0] == Suggestion(start, end, text[start:end], alone[0].score, 4)
    assert [s.span_id for s in found] == [4]


def test_of_two_highlights_nearly_the_same_as_a_unit_the_better_then_the_older_wins():
    text = "Iran spoke.\n\nThe strikes caused 109 brain injuries among US troops."
    start, end = text.index("The"), len(text)
    found = suggest("brain injuries", text=text, highlights=[(9, start, end), (2, start, end)])
    assert found[0].span_id == 2
    better = suggest("brain injuries", text=text, highlights=[(9, start, end - 8), (2, start, end)])
    assert better[0].span_id == 9


def test_a_highlight_far_from_any_unit_competes_on_its_own_score():
    text = "Iran fired many missiles at the base in the desert that night.\n\nTalks went on."
    found = suggest(
        "missiles", text=text, highlights=[(1, text.index("missiles"), text.index("missiles") + 8)]
    )
    assert (found[0].span_id, found[0].exact) == (1, "missiles")


def test_a_highlight_identical_to_a_sentence_scores_as_that_sentence():
    text = "Iran spoke.\n\nThe strikes caused 109 brain injuries among US troops.\n\nTalks went on at length."
    start = text.index("The strikes")
    end = text.index("\n\nTalks")
    alone = suggest("brain injuries", text=text)[0].score
    index = build_index(text)
    counts = suggestlib.Counter(terms(text[start:end]))
    query = suggestlib._query(index, ["brain", "injuri"])
    assert suggestlib._score_counts(index, query, counts, 0) * suggestlib._prior(2, 8) == (
        pytest.approx(alone, abs=1e-3)
    )
    found = suggest("brain injuries", text=text, highlights=[(6, 0, 4), (8, start, end)])
    assert (found[0].score, found[0].span_id) == (alone, 8)


@pytest.mark.parametrize("bad", [(1, -1, 3), (1, 3, 3), (1, 5, 2), (1, 0, 10_000)])
def test_a_highlight_outside_the_text_is_refused(bad):
    with pytest.raises(ValueError, match="outside the text"):
        suggest("Iran", text=RIGHT, highlights=[bad])


def test_a_highlight_without_terms_is_never_suggested():
    text = "Iran spoke.\n\nIt was the one."
    assert [s.span_id for s in suggest("Iran", text=text, highlights=[(1, 13, 16)])] == [None]


def test_a_unit_overlapping_a_heading_loses_that_part():
    text = "Iran vows revenge. Tehran said the strike was a crime.\n\nTalks went on."
    heading = (0, len("Iran vows revenge."))
    plain = suggest("Iran revenge strike", text=text)
    assert plain[0].exact.startswith("Iran vows revenge.")
    found = suggest("Iran revenge strike", text=text, headings=[heading, (5, 5)])
    assert [s.exact for s in found] == ["Tehran said the strike was a crime."]
    inside = suggest("Iran revenge strike", text=text, headings=[(5, 9)])
    assert {s.exact for s in inside} == {"Iran", "revenge.", "Tehran said the strike was a crime."}


def test_a_unit_wholly_inside_a_heading_is_dropped():
    text = "Iran vows revenge.\n\nTalks on Iran went on."
    assert [s.exact for s in suggest("Iran", text=text, headings=[(0, 18)])] == ["Talks on Iran went on."]


def test_heading_pieces_are_cut_around_every_heading():
    assert suggestlib._outside(0, 10, [(2, 4), (6, 8)]) == [(0, 2), (4, 6), (8, 10)]
    assert suggestlib._outside(0, 10, [(0, 10)]) == []
    assert suggestlib._outside(3, 7, [(0, 4), (6, 12)]) == [(4, 6)]


def test_a_prebuilt_index_serves_its_text_after_pickling():
    index = pickle.loads(pickle.dumps(build_index(RIGHT, "en")))
    passage = "causing brain injury among dozens of American servicemen"
    assert suggest(passage, text=RIGHT, index=index) == suggest(passage, text=RIGHT)
    assert (index.language, index.length, index.digest) == ("en", len(RIGHT), sha256(RIGHT))


def test_an_index_for_another_text_is_refused():
    index = build_index(RIGHT)
    with pytest.raises(ValueError, match="^This suggestion index was built for another text"):
        suggest("Iran", text=LEFT, index=index)
    with pytest.raises(ValueError, match="^This suggestion index was built for another text"):
        suggest("Iran", text=RIGHT[:-1] + "!", index=index)


def test_an_index_for_another_language_is_refused():
    with pytest.raises(ValueError, match="^This suggestion index was built for 'en', not 'fr'"):
        suggest("Iran", text=RIGHT, language="fr", index=build_index(RIGHT, "en"))


def test_an_index_pickled_by_another_version_is_refused(monkeypatch):
    blob = pickle.dumps(build_index("Iran spoke."))
    monkeypatch.setattr(suggestlib, "INDEX_VERSION", suggestlib.INDEX_VERSION + 1)
    with pytest.raises(ValueError, match="^This suggestion index was built by another version"):
        pickle.loads(blob)


def test_the_pickle_is_compact_and_keeps_no_text():
    blob = pickle.dumps(build_index(RIGHT))
    assert len(blob) < 3 * len(RIGHT.encode())
    assert b"traumat" in blob
    assert b"The strikes caused" not in blob
    long = "\n\n".join([RIGHT] * 10)
    assert len(pickle.dumps(build_index(long))) < 1.5 * len(long.encode())


def test_an_index_without_terms_pickles():
    index = pickle.loads(pickle.dumps(build_index("...")))
    assert index.terms == []
    assert suggest("Iran", text="...", index=index) == []


def test_without_an_index_one_is_built_once_and_cached():
    suggest("Iran", text=RIGHT)
    suggest("Soleimani", text=RIGHT)
    info = suggestlib._cached_index.cache_info()
    assert (info.misses, info.hits) == (1, 1)


def test_a_french_text_gets_french_suggestions():
    text = "Les frappes ont blessé des soldats.\n\nLe président a parlé longuement."
    assert suggest("une frappe", text=text, language="fr")[0].exact == "Les frappes ont blessé des soldats."
    assert suggest("parler", text=text, language="fr")[0].exact == "Le président a parlé longuement."
    assert suggest("parler", text=text, language="xx") == []  # no stemmer, and "parl" is too short


def test_a_highlight_is_normalised_like_the_level_whose_average_length_is_nearest():
    index = build_index(
        "Iran fired missiles at two bases; the US said nobody was hurt at all.\n\nIran spoke."
    )
    assert index.averages == [5.5, 4.5]
    assert [index.level_for(size) for size in (1, 4, 5, 6, 9)] == [1, 1, 0, 0, 0]


def test_a_unit_with_a_word_and_its_paraphrase_scores_as_the_word():
    text = "\n\n".join(
        [
            "Iran assassinated and killed him.",
            "Iran assassinated and saw him.",
            "Killed again.",
            "Killed there.",
        ]
    )
    found = {s.exact: s.score for s in suggest("assassinated", text=text)}
    assert found["Iran assassinated and killed him."] == found["Iran assassinated and saw him."]


def test_a_russian_passage_is_stemmed_as_russian():
    text = "Удары ранили солдат.\n\nПрезидент говорил долго."
    assert [s.exact for s in suggest("удары", text=text, language="ru")] == ["Удары ранили солдат."]
    start = text.index("говорил")
    found = suggest("говорит", text=text, language="ru", highlights=[(4, start, start + 7)])
    assert [s.span_id for s in found] == [4]


def test_an_empty_heading_cuts_nothing():
    text = "Iran vows revenge and Tehran said the strike was a crime.\n\nTalks went on."
    found = suggest("revenge strike", text=text, headings=[(5, 9), (30, 30)])
    assert found[0].exact == "revenge and Tehran said the strike was a crime."


def test_a_piece_of_a_unit_cut_by_a_heading_is_scored_like_a_unit_of_its_level():
    text = "Iran vows revenge. Tehran said the strike was a crime.\n\nTalks went on."
    index = build_index(text)
    found = {s.exact: s.score for s in suggest("Iran revenge strike", text=text, headings=[(5, 9)])}
    counts = suggestlib.Counter(["iran"])
    query = suggestlib._query(index, ["iran", "reveng", "strike"])
    expected = suggestlib._score_counts(index, query, counts, 0) * suggestlib._prior(3, 1)
    assert found["Iran"] == pytest.approx(expected, abs=1e-3)
    counts = suggestlib.Counter(["reveng"])
    expected = suggestlib._score_counts(index, query, counts, 0) * suggestlib._prior(3, 1)
    assert found["revenge."] == pytest.approx(expected, abs=1e-3)


def test_a_small_highlight_inside_a_better_sentence_does_not_take_its_place():
    text = "Iran fired many missiles at the American base in the desert.\n\nTalks went on."
    start = text.index("missiles")
    found = suggest(
        "Iran fired many missiles at the American base in the desert",
        text=text,
        highlights=[(1, start, start + 8)],
    )
    assert (found[0].start, found[0].span_id) == (0, None)


def test_a_highlight_of_a_whole_sentence_does_not_take_the_place_of_one_of_its_clauses():
    text = "Iran fired missiles at two bases; the Pentagon said nobody was hurt in the attack.\n\nTalks."
    end = text.index("\n\n")
    found = suggest("nobody was hurt", text=text, highlights=[(2, 0, end)])
    assert (found[0].exact, found[0].span_id) == ("the Pentagon said nobody was hurt in the attack.", None)


def test_a_highlight_sharing_exactly_four_fifths_of_a_unit_is_the_same_text():
    text = "Alpha beta gamma delta epsilon zeta eta theta iota kappa mu.\n\nTalks went on."
    unit_end = text.index("\n\n")
    same = round(suggestlib.NEAR_SAME * unit_end)
    assert same == suggestlib.NEAR_SAME * unit_end
    found = suggest(
        "alpha beta gamma delta epsilon zeta eta theta iota kappa mu", text=text, highlights=[(5, 0, same)]
    )
    assert found[0].span_id == 5
    shorter = suggest(
        "alpha beta gamma delta epsilon zeta eta theta iota kappa mu",
        text=text,
        highlights=[(5, 0, same - 1)],
    )
    assert shorter[0].span_id is None


def test_of_two_candidates_as_good_as_each_other_the_one_that_starts_first_wins():
    text = "But then the strikes hurt troops.\n\nTalks went on."
    start = text.index("strikes")
    found = suggest(
        "strikes hurt troops", text=text, highlights=[(3, start, start + len("strikes hurt troops"))]
    )
    assert (found[0].start, found[0].span_id) == (0, None)


def test_of_two_highlights_nearly_the_same_as_a_better_unit_the_better_highlight_wins():
    text = "Iran spoke.\n\nThe strikes caused 109 brain injuries among US troops.\n\nTalks went on."
    start = text.index("The strikes")
    end = text.index("\n\nTalks")
    found = suggest(
        "brain injuries", text=text, highlights=[(1, start, end + 12), (9, start, end + 7), (5, 0, 4)]
    )
    assert (found[0].start, found[0].end, found[0].span_id) == (start, end + 7, 9)


# --- Families, derived forms, context and position ------------------------------------------------


@pytest.mark.parametrize(
    ("passage", "sentence"),
    [
        ("vowed to avenge him", "His death would not go unpunished."),
        ("bring those responsible to justice", "They will punish the cowards."),
        ("retaliation", "He promised revenge."),
        ("Iran will expel them", "Iran will oust them."),
        ("the expulsion of diplomats", "Diplomats were deported."),
        ("a national hero", "A revered figure."),
        ("the influential general", "The general was respected."),
        ("fought the jihadists", "Extremists and insurgents fled."),
        ("four workers died", "Four workers were killed."),
        ("the government pledged aid", "The government promised aid."),
    ],
)
def test_general_news_families_match(passage, sentence):
    text = f"{sentence}\n\nNothing else happened here."
    assert [s.exact for s in suggest(passage, text=text)] == [sentence]


def test_a_word_in_two_families_matches_the_words_of_both():
    assert {"reveng", "aveng", "justic"} <= set(suggestlib.PARAPHRASES["punish"])
    assert "reveng" not in suggestlib.PARAPHRASES["justic"]
    assert len(suggestlib.PARAPHRASES["punish"]) == len(set(suggestlib.PARAPHRASES["punish"]))


@pytest.mark.parametrize(
    ("passage", "word"),
    [
        ("political", "Politicians"),
        ("politicians", "Political"),
        ("financial", "Finances"),
        ("sharp", "Sharpest"),
    ],
)
def test_a_word_that_starts_with_a_whole_word_of_the_other_counts_as_derived(passage, word):
    text = f"{word} spoke.\n\nNothing else happened here."
    derived = suggest(passage, text=text)
    same = suggest(word, text=text)
    assert [s.exact for s in derived] == [f"{word} spoke."]
    assert derived[0].score == pytest.approx(suggestlib.DERIVED * same[0].score, rel=1e-2)


@pytest.mark.parametrize(
    ("passage", "sentence"),
    [
        ("facts", "The factory burned."),  # "fact" is under five letters
        ("democracy", "The democratic vote."),  # "democraci" and "democrat": neither starts the other
        ("25,000 troops left", "250,000 people."),  # numbers are values, not words
        ("1.234 percent", "Rates of 1.2345."),
        ("a nation", "The national team."),  # "nation" starts "nation" only: a whole word, kept
    ],
)
def test_derived_forms_need_five_letters_a_whole_word_and_no_digits(passage, sentence):
    text = f"{sentence}\n\nNothing else happened here."
    found = [s.exact for s in suggest(passage, text=text)]
    assert found == ([sentence] if passage == "a nation" else [])


@settings(max_examples=60, deadline=None)
@given(vocabulary=st.lists(st.text("abc", max_size=4)), prefix=st.text("abc", max_size=3))
def test_the_terms_starting_with_a_prefix_are_found_in_a_sorted_vocabulary(vocabulary, prefix):
    vocabulary = sorted(set(vocabulary))
    expected = [term for term in vocabulary if term.startswith(prefix)]
    assert list(suggestlib._starting_with(vocabulary, prefix)) == expected


CONTEXT_TEXT = (
    "Prices rose sharply in spring.\n\nCrews put out the flames by noon.\n\nThe Ostwerk depot stored paint."
    "\n\nThe weather stayed calm all day.\n\nMarkets were quiet all week."
)


def test_the_context_finds_a_paraphrase_with_no_word_in_common_next_to_shared_names():
    passage = "Firemen tamed the blaze"
    context = "Firemen tamed the blaze. The Ostwerk depot had been storing paint."
    assert suggest(passage, text=CONTEXT_TEXT) == []
    found = [s.exact for s in suggest(passage, text=CONTEXT_TEXT, context=context)]
    assert found[0] == "The Ostwerk depot stored paint."
    assert set(found[1:]) == {"Crews put out the flames by noon.", "The weather stayed calm all day."}


def test_a_sentence_next_to_the_context_match_gets_the_neighbour_share():
    found = {s.exact: s.score for s in suggest("zebra", text=CONTEXT_TEXT, context="ostwerk depot")}
    near = found["The Ostwerk depot stored paint."]
    assert found["Crews put out the flames by noon."] == pytest.approx(suggestlib.NEIGHBOUR * near, rel=1e-2)
    assert found["The weather stayed calm all day."] == pytest.approx(suggestlib.NEIGHBOUR * near, rel=1e-2)
    assert "Prices rose sharply in spring." not in found


def test_without_a_passage_match_the_context_scores_its_share_of_its_own_bm25():
    alone = suggest("ostwerk", text=CONTEXT_TEXT)[0]
    found = suggest("zebra", text=CONTEXT_TEXT, context="zebra Ostwerk")[0]
    assert found.exact == alone.exact
    assert found.score == pytest.approx(suggestlib.CONTEXT * alone.score, rel=1e-2)


def test_the_best_context_match_adds_its_share_of_the_best_passage_score():
    text = (
        "Prices rose sharply today.\n\nThe weather stayed calm.\n\nOne went.\n\n"
        "The Ostwerk depot stored wood."
    )
    plain = {s.exact: s.score for s in suggest("prices rose", text=text)}
    hinted = {s.exact: s.score for s in suggest("prices rose", text=text, context="prices rose at Ostwerk")}
    best = plain["Prices rose sharply today."]
    assert hinted["Prices rose sharply today."] == best
    # Four terms each, as the passage's best unit: the same length prior.
    assert hinted["The Ostwerk depot stored wood."] == pytest.approx(suggestlib.CONTEXT * best, rel=1e-2)


def test_the_context_adds_nothing_for_the_passage_own_words_or_when_empty():
    plain = suggest("flames by noon", text=CONTEXT_TEXT)
    assert suggest("flames by noon", text=CONTEXT_TEXT, context="the flames by noon") == plain
    assert suggest("flames by noon", text=CONTEXT_TEXT, context="") == plain
    assert suggest("flames by noon", text=CONTEXT_TEXT, context="and the") == plain


def test_a_clause_shares_the_context_score_of_its_sentence():
    text = "The storm hit hard, but the Ostwerk depot stored paint safely.\n\nMarkets were quiet all week."
    found = {s.exact: s.score for s in suggest("zebra", text=text, context="zebra storm", limit=5)}
    assert found["but the Ostwerk depot stored paint safely."] > 0  # holds no word of the context


def test_a_highlight_gets_the_context_score_of_the_sentence_it_overlaps():
    start = CONTEXT_TEXT.index("Ostwerk")
    found = suggest("zebra", text=CONTEXT_TEXT, context="zebra depot", highlights=[(7, start, start + 7)])
    assert (found[0].exact, found[0].span_id) == ("Ostwerk", 7)
    elsewhere = suggest(
        "zebra", text=CONTEXT_TEXT, context="zebra prices", highlights=[(7, start, start + 7)]
    )
    assert 7 not in [s.span_id for s in elsewhere]
    across = CONTEXT_TEXT.index("noon")  # "noon.\n\nThe Ostwerk": the better sentence counts
    found = suggest("zebra", text=CONTEXT_TEXT, context="zebra depot", highlights=[(7, across, start + 7)])
    assert (found[0].start, found[0].span_id) == (across, 7)
    found = suggest("zebra", text=CONTEXT_TEXT, context="zebra flames", highlights=[(7, across, start + 7)])
    assert (found[0].start, found[0].span_id) == (across, 7)


def test_a_highlight_gets_nothing_from_a_sentence_it_only_touches():
    ostwerk = CONTEXT_TEXT.index("The Ostwerk")
    after = CONTEXT_TEXT.index("paint.") + 6
    before = CONTEXT_TEXT.index("Crews")
    weather = CONTEXT_TEXT.index("all day.") + 8
    highlights = [(1, after, weather), (2, before, ostwerk)]  # both touch the Ostwerk sentence
    found = {
        s.span_id: s.score
        for s in suggest("zebra", text=CONTEXT_TEXT, context="zebra depot", highlights=highlights)
    }
    best = suggest("zebra", text=CONTEXT_TEXT, context="zebra depot")[0]
    assert best.exact == "The Ostwerk depot stored paint."
    assert found[1] == pytest.approx(suggestlib.NEIGHBOUR * best.score, rel=1e-2)
    assert found[2] == pytest.approx(suggestlib.NEIGHBOUR * best.score, rel=1e-2)


def test_the_context_is_read_in_the_language_of_the_text():
    text = "Les frappes ont blessé des soldats.\n\nLe président a parlé longuement."
    found = suggest("zèbre", text=text, language="fr", context="zèbre parler")
    assert found[0].exact == "Le président a parlé longuement."  # "parl", as French stems "parler"


def test_a_weak_context_match_still_gives_its_neighbours_their_share():
    # A rare word in a short text scores under 2: half of it is under 1, and still counts.
    text = "Talks went on here.\n\nTalks went on there.\n\nTalks ended.\n\nNothing else.\n\nTalks resumed."
    found = {s.exact: s.score for s in suggest("zebra", text=text, context="zebra ended", limit=9)}
    assert found["Nothing else."] == pytest.approx(suggestlib.NEIGHBOUR * found["Talks ended."], rel=1e-2)


def test_a_piece_cut_by_a_heading_keeps_the_context_of_its_unit():
    text = "Ostwerk news The depot stored paint.\n\nMarkets were quiet all week."
    found = suggest("zebra", text=text, context="zebra ostwerk", headings=[(0, 12)])
    assert found[0].exact == "The depot stored paint."


def test_the_context_around_a_passage_is_its_sentence_and_one_either_side():
    text = "One came. Two went. Three stayed. Four left.\n\nHeadline here\n\nFive spoke. Six ran."
    start = text.index("Three")
    assert context_around(text, start, start + 5) == "Two went. Three stayed. Four left."
    assert context_around(text, 0, 3) == "One came. Two went."
    end = text.index("Six ran.") + 8
    assert context_around(text, end - 3, end) == "Five spoke. Six ran."
    heading = text.index("Headline")
    assert context_around(text, heading, heading + 8) == "Four left.\n\nHeadline here\n\nFive spoke."
    assert context_around("", 0, 0) == ""


def test_a_sentence_holds_a_range_only_if_they_share_a_character():
    text = "One came. Two went. Three stayed. Four left."
    two, three = text.index("Two"), text.index("Three")
    assert context_around(text, 4, two) == "One came. Two went."  # "came. " ends where "Two" starts
    assert context_around(text, three - 1, three + 5) == "Two went. Three stayed. Four left."


def test_the_context_around_a_passage_reads_only_a_window_of_the_text():
    long = "word " * suggestlib.CONTEXT_CHARS + "end."
    text = f"{long} Iran spoke. Then it rested."
    start = text.index("Iran")
    found = context_around(text, start, start + 4)
    assert found.endswith("end. Iran spoke. Then it rested.")
    assert len(found) == suggestlib.CONTEXT_CHARS + len("Iran spoke. Then it rested.")


@pytest.mark.parametrize("bad", [(-1, 2), (3, 2), (0, 99)])
def test_a_context_range_outside_the_text_is_refused(bad):
    with pytest.raises(ValueError, match="outside"):
        context_around("Iran spoke.", *bad)


@pytest.mark.parametrize(
    ("position", "anchors", "expected"),
    [
        (None, [(0.1, 0.9)], None),
        (0.3, [], 0.3),
        (0.5, [(0.2, 0.4), (0.8, 0.7)], 0.55),  # on the line between the two
        (0.5, [(0.1, 0.0), (0.2, 0.4), (0.8, 0.7), (0.9, 1.0)], 0.55),  # the nearest on each side
        (0.2, [(0.2, 0.4), (0.8, 0.7)], 0.4),  # an anchor at the position
        (0.5, [(0.2, 0.4), (0.1, 0.1)], 0.7),  # all before: shifted as the nearest
        (0.1, [(0.9, 0.6), (0.3, 0.5)], 0.3),  # all after: shifted as the nearest
    ],
)
def test_the_predicted_place_follows_the_anchors(position, anchors, expected):
    found = suggestlib._predicted(position, anchors)
    assert found == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize(("distance", "bonus"), [(0, 1.0), (0.5, 0.5), (1, 0.0), (2, 0.0)])
def test_the_position_bonus_falls_linearly_to_nothing_at_its_width(distance, bonus):
    share = 0.4 + distance * suggestlib.POSITION_WIDTH
    assert suggestlib._position_prior(0.4, share, 0.3) == pytest.approx(1 + 0.3 * bonus)
    assert suggestlib._position_prior(0.4, 0.8 - share, 0.3) == pytest.approx(1 + 0.3 * bonus)


TWICE = "Iran fired missiles.\n\n" + "Talks went on.\n\n" * 8 + "Iran fired missiles."


def test_of_two_equal_places_the_one_where_the_passage_sits_in_its_article_wins():
    late, early = TWICE.rindex("Iran"), 0
    assert suggest("Iran fired missiles", text=TWICE)[0].start == early
    found = suggest("Iran fired missiles", text=TWICE, position=late / len(TWICE))
    assert [s.start for s in found] == [late, early]
    assert found[0].score == pytest.approx((1 + suggestlib.POSITION) * found[1].score, rel=1e-3)
    assert suggest("Iran fired missiles", text=TWICE, position=0.0)[0].start == early


def test_anchors_move_the_predicted_place_and_weigh_more():
    late = TWICE.rindex("Iran")
    anchors = [(0.0, late / len(TWICE) - 0.1)]
    found = suggest("Iran fired missiles", text=TWICE, position=0.1, anchors=anchors)
    assert [s.start for s in found] == [late, 0]
    assert found[0].score == pytest.approx((1 + suggestlib.ANCHORED) * found[1].score, rel=1e-3)
    assert suggest("Iran fired missiles", text=TWICE, anchors=anchors)[0].start == 0  # no position


def test_a_highlight_and_a_piece_cut_by_a_heading_get_the_position_bonus_where_they_start():
    late = TWICE.rindex("Iran")
    highlight = [(3, late, late + 10)]

    def late_score(found):
        return next(s.score for s in found if s.start in (late, late + 5))

    plain = late_score(suggest("Iran fired", text=TWICE, highlights=highlight))
    hinted = suggest("Iran fired", text=TWICE, highlights=highlight, position=late / len(TWICE))
    assert late_score(hinted) == pytest.approx((1 + suggestlib.POSITION) * plain, rel=1e-3)
    heading = [(late, late + 5)]
    plain = late_score(suggest("fired missiles", text=TWICE, headings=heading))
    hinted = suggest("fired missiles", text=TWICE, headings=heading, position=(late + 5) / len(TWICE))
    assert late_score(hinted) == pytest.approx((1 + suggestlib.POSITION) * plain, rel=1e-3)


@pytest.mark.parametrize(
    ("position", "anchors"),
    [
        (-0.1, ()),
        (1.5, ()),
        (0.5, [(0.2, 1.2)]),
        (0.5, [(-0.2, 0.1)]),
        (0.5, [(0.2,)]),
        (0.5, [(0.1, 0.2, 0.3)]),
    ],
)
def test_a_position_or_anchor_outside_the_articles_is_refused(position, anchors):
    assert suggest("Iran", text="Iran spoke.", position=1.0, anchors=[(1.0, 1.0), (0.0, 0.0)])
    with pytest.raises(ValueError, match="share"):
        suggest("Iran", text="Iran spoke.", position=position, anchors=anchors)


def test_the_hints_work_with_an_unpickled_index():
    index = pickle.loads(pickle.dumps(build_index(CONTEXT_TEXT)))
    hints = {"context": "zebra ostwerk", "position": 0.9, "anchors": [(0.5, 0.5)]}
    assert suggest("zebra", text=CONTEXT_TEXT, index=index, **hints) == suggest(
        "zebra", text=CONTEXT_TEXT, **hints
    )


def test_the_context_locates_by_its_rarest_terms(monkeypatch):
    text = "Common rare here.\n\nCommon one here.\n\nCommon two here.\n\nCommon three here.\n\nQuiet."
    monkeypatch.setattr(suggestlib, "CONTEXT_TERMS", 1)
    found = [s.exact for s in suggest("zebra", text=text, context="zebra common rare", limit=9)]
    assert found == ["Common rare here.", "Common one here."]  # "rare", and its neighbour


def test_the_context_marks_only_its_best_places_and_their_neighbours(monkeypatch):
    text = "Ostwerk depot fire.\n\nQuiet.\n\nCalm.\n\nStill.\n\nOstwerk depot.\n\nSilent."
    monkeypatch.setattr(suggestlib, "CONTEXT_PLACES", 1)
    found = [s.exact for s in suggest("zebra", text=text, context="zebra ostwerk depot fire", limit=9)]
    assert found == ["Ostwerk depot fire.", "Quiet."]
    monkeypatch.setattr(suggestlib, "CONTEXT_PLACES", 2)
    found = [s.exact for s in suggest("zebra", text=text, context="zebra ostwerk depot fire", limit=9)]
    assert found[:2] == ["Ostwerk depot fire.", "Ostwerk depot."]
    assert set(found[2:]) == {"Quiet.", "Still.", "Silent."}


# --- Properties ---------------------------------------------------------------------------------

WORDS = [
    "Iran",
    "U.S.",
    "strike",
    "strikes",
    "three",
    "3",
    "said",
    "the",
    "Soleimani",
    "troops",
    "🇺🇸",
    "e\u0301",
]
PUNCTUATION = [" ", " ", " ", ". ", ", ", "; ", " — ", "\n", "\n\n", '"', "“", "”", "''", "? ", "..."]
texts = st.lists(st.sampled_from(WORDS + PUNCTUATION), max_size=60).map("".join)


@settings(max_examples=60, deadline=None)
@given(text=texts, passage=texts, limit=st.integers(0, 4))
def test_suggestions_are_trimmed_slices_of_the_text_at_most_limit_best_first(text, passage, limit):
    found = suggest(passage, text=text, limit=limit)
    assert len(found) <= limit
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    for s in found:
        assert s.exact == text[s.start : s.end]
        assert s.exact == s.exact.strip()
        assert s.exact
        assert s.score > 0
        assert s.score == round(s.score, 3)


@settings(max_examples=60, deadline=None)
@given(text=texts)
def test_no_candidate_crosses_a_paragraph_or_a_heading(text):
    index = build_index(text)
    paragraphs = suggestlib.sentencelib.paragraphs(text)
    for start, end in zip(index.starts, index.ends, strict=True):
        assert any(p_start <= start < end <= p_end for p_start, p_end in paragraphs)
        assert text[start:end] == text[start:end].strip()
    sentences = sentencelib.sentences(text)
    for start, end in sentences:
        for s, e in clauses(text, start, end):
            assert start <= s < e <= end


@settings(max_examples=60, deadline=None)
@given(text=texts)
def test_split_sentences_are_in_order_trimmed_and_disjoint(text):
    found = split(text)
    for a, b in zip(found, found[1:], strict=False):
        assert a.end <= b.start
    for s in found:
        assert s.start < s.end
        assert text[s.start : s.end] == text[s.start : s.end].strip()
