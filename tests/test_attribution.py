"""reader/attribution.py: proposed attributions (source, cue, content) in the PARC / PolNeAR scheme.

Pure, so no database. Every text here is written for these tests. Bad inputs tried: an empty
text, white space only, a quotation mark left open, a lone quotation mark, a closing curly mark
typed the wrong way round, emoji (ZWJ sequences, flags) and combining marks before the spans,
headlines and datelines that look like attributions, scare quotes, and (hypothesis) arbitrary
mixes of names, reporting verbs, quotation marks of every style, punctuation and emoji.
"""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader import attribution
from reader.attribution import DIRECT, INDIRECT, MIXED, Proposal, propose

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl: 5 code points
FLAG_IR = "\U0001f1ee\U0001f1f7"


def at(text, part, nth=0):
    """(start, end) of the nth occurrence of `part` in `text`, not inside a longer word."""
    pattern = (
        (r"(?<!\w)" if part[0].isalnum() else "")
        + re.escape(part)
        + (r"(?!\w)" if part[-1].isalnum() else "")
    )
    return [m.span() for m in re.finditer(pattern, text)][nth]


def only(text):
    proposals = propose(text)
    assert len(proposals) == 1, proposals
    return proposals[0]


# -- direct quotations --------------------------------------------------------------------------------------


def test_a_quotation_before_an_inverted_cue_is_direct_with_the_appositive_in_the_source():
    text = "“We will win,” said Jane Doe, a spokeswoman for the party."
    found = only(text)
    assert found.content == at(text, "“We will win,”")
    assert found.cue == at(text, "said")
    assert found.source == at(text, "Jane Doe, a spokeswoman for the party")
    assert found.kind == DIRECT
    assert found.speaker == "Jane Doe"


def test_a_quote_split_by_its_cue_is_one_attribution_with_two_pieces():
    text = '"We will win," she said. "And we will win big."'
    found = only(text)
    assert found.content == [at(text, '"We will win,"'), at(text, '"And we will win big."')]
    assert found.pieces == (at(text, '"We will win,"'), at(text, '"And we will win big."'))
    assert found.cue == at(text, "said")
    assert found.source == at(text, "she")
    assert found.kind == DIRECT


def test_the_new_york_times_double_apostrophes_are_quotation_marks():
    text = "''It is over,'' Mr. Garin said."
    found = only(text)
    assert found.content == at(text, "''It is over,''")
    assert found.source == at(text, "Mr. Garin")
    assert found.cue == at(text, "said")
    assert found.kind == DIRECT
    assert found.speaker == "Garin"


def test_backtick_quotes_open_a_quotation():
    text = "``We are ready,'' the senator said."
    found = only(text)
    assert found.content == at(text, "``We are ready,''")
    assert found.source == at(text, "the senator")
    assert found.kind == DIRECT


def test_a_source_before_its_cue_after_the_quotation():
    text = "“The numbers are clear,” the minister told reporters on Monday."
    found = only(text)
    assert found.content == at(text, "“The numbers are clear,”")
    assert found.source == at(text, "the minister")
    assert found.cue == at(text, "told")
    assert found.speaker == "the minister"


def test_a_cue_with_a_colon_before_the_quotation_keeps_the_colon():
    text = 'The minister said: "We are not leaving."'
    found = only(text)
    assert found.cue == at(text, "said:")
    assert found.content == at(text, '"We are not leaving."')
    assert found.source == at(text, "The minister")
    assert found.kind == DIRECT


def test_a_name_and_a_colon_before_a_quotation_is_an_attribution():
    text = 'Smith: "We are not leaving."'
    found = only(text)
    assert found.cue == at(text, ":")
    assert found.source == at(text, "Smith")
    assert found.content == at(text, '"We are not leaving."')
    assert found.kind == DIRECT


def test_said_in_a_statement_is_one_cue():
    text = 'The company said in a statement: "We regret the error."'
    found = only(text)
    assert found.cue == at(text, "said in a statement:")
    assert found.source == at(text, "The company")
    assert found.content == at(text, '"We regret the error."')


def test_a_quotation_continues_in_the_next_paragraph():
    text = "“It is over,” she wrote.\n\n“There is nothing more to say.”"
    found = only(text)
    assert found.content == [at(text, "“It is over,”"), at(text, "“There is nothing more to say.”")]
    assert found.kind == DIRECT


def test_a_quoted_paragraph_after_a_paragraph_without_attribution_is_left_alone():
    text = "The rain fell all day.\n\n“There is nothing more to say.”"
    assert propose(text) == []


def test_a_cue_ending_a_paragraph_with_a_colon_takes_the_quoted_paragraph_after_it():
    text = "The governor said in a statement:\n\n“We will rebuild.”"
    found = only(text)
    assert found.cue == at(text, "said in a statement:")
    assert found.content == at(text, "“We will rebuild.”")


def test_a_curly_quote_typed_the_wrong_way_round_still_closes():
    text = "“It's unusual,“ said Larry Noble."
    found = only(text)
    assert found.content == at(text, "“It's unusual,“")
    assert found.source == at(text, "Larry Noble")


def test_single_curly_quotes_quote_in_a_headline():
    text = "Clinton: ‘We will not back down’"
    found = only(text)
    assert found.source == at(text, "Clinton")
    assert found.cue == at(text, ":")
    assert found.content == at(text, "‘We will not back down’")
    assert found.kind == DIRECT


def test_manner_verbs_report_speech_only_next_to_a_quotation():
    text = "“Go back home,” he snapped."
    found = only(text)
    assert found.cue == at(text, "snapped")
    assert found.kind == DIRECT
    assert propose("The branch snapped in the storm and fell on the car.") == []


# -- paraphrase ---------------------------------------------------------------------------------------------


def test_an_indirect_attribution_takes_the_that_clause_as_content():
    text = "The mayor said that the bridge would reopen in May."
    found = only(text)
    assert found.source == at(text, "The mayor")
    assert found.cue == at(text, "said")
    assert found.content == at(text, "that the bridge would reopen in May")
    assert found.kind == INDIRECT


def test_a_paraphrase_with_a_partial_quote_is_mixed():
    text = "The mayor said the bridge was “perfectly safe” and would reopen."
    found = only(text)
    assert found.content == at(text, "the bridge was “perfectly safe” and would reopen")
    assert found.kind == MIXED


def test_a_recipient_after_told_is_not_content():
    text = "She told reporters that the vote was rigged."
    found = only(text)
    assert found.cue == at(text, "told")
    assert found.content == at(text, "that the vote was rigged")


def test_the_content_before_the_cue():
    text = "The plan will fail, he said."
    found = only(text)
    assert found.content == at(text, "The plan will fail")
    assert found.source == at(text, "he")
    assert found.kind == INDIRECT


def test_a_cue_in_the_middle_splits_the_content():
    text = "The plan, she said, will fail."
    found = only(text)
    assert found.content == [at(text, "The plan"), at(text, "will fail")]
    assert found.source == at(text, "she")


def test_the_auxiliaries_and_adverbs_of_the_verb_belong_to_the_cue():
    text = "Rouhani has repeatedly said that talks are over."
    found = only(text)
    assert found.cue == at(text, "has repeatedly said")
    assert found.source == at(text, "Rouhani")


def test_according_to_at_the_start_of_a_sentence():
    text = "According to the ministry, the talks will resume on Monday."
    found = only(text)
    assert found.cue == at(text, "According to")
    assert found.source == at(text, "the ministry")
    assert found.content == at(text, "the talks will resume on Monday")


def test_according_to_at_the_end_of_a_sentence():
    text = "The talks will resume on Monday, according to two officials."
    found = only(text)
    assert found.cue == at(text, "according to")
    assert found.source == at(text, "two officials")
    assert found.content == at(text, "The talks will resume on Monday")
    assert found.speaker == "two officials"


def test_a_quotation_tagged_with_a_dash_and_a_name_has_the_dash_as_its_cue():
    text = "“The river is rising. We need help now.” ― Mara Quinn “Nobody listened to us.” ― Tom Reyes."
    first, second = propose(text)
    assert (first.cue, first.source, first.content) == (
        at(text, "―"),
        at(text, "Mara Quinn"),
        at(text, "“The river is rising. We need help now.”"),
    )
    assert (second.cue, second.source, second.content) == (
        at(text, "―", 1),
        at(text, "Tom Reyes"),
        at(text, "“Nobody listened to us.”"),
    )
    assert first.kind == second.kind == DIRECT


def test_a_dash_tag_on_the_line_after_a_quotation_is_its_cue():
    text = '"Taxes are too high."\n— Senator Ann Hall, speaking in Ohio.'
    found = only(text)
    assert found.cue == at(text, "—")
    assert found.source == at(text, "Senator Ann Hall")
    assert found.content == at(text, '"Taxes are too high."')


def test_a_quoted_word_before_a_dash_is_not_a_tagged_quotation():
    assert propose('He hated the word "socialist" - Jones used it daily.') == []


def test_a_party_and_state_label_does_not_end_the_sentence_before_the_cue():
    text = '"We will win this seat," Rep. Ann Hall (D-Ore.) said.'
    found = only(text)
    assert found.cue == at(text, "said")
    assert found.source == at(text, "Rep. Ann Hall (D-Ore.)")
    assert found.content == at(text, '"We will win this seat,"')


def test_and_said_with_a_comma_and_a_quotation_is_its_own_attribution():
    text = 'Hayek confirmed she had been and said, "It is a severe problem."'
    confirmed, said = propose(text)
    assert (confirmed.cue, confirmed.content) == (at(text, "confirmed"), at(text, "she had been"))
    assert (said.cue, said.content) == (at(text, "said"), at(text, '"It is a severe problem."'))
    assert said.source == at(text, "Hayek")


def test_according_to_takes_any_noun_phrase_as_its_source():
    text = "The old mill closed in May, according to early figures compiled by the county for the board."
    found = only(text)
    assert found.cue == at(text, "according to")
    assert found.source == at(text, "early figures compiled by the county for the board")
    assert found.content == at(text, "The old mill closed in May")


def test_a_participle_after_a_comma_is_an_attribution_sharing_the_source():
    text = "Smith said the plan would fail, adding that nobody had read it."
    said, adding = propose(text)
    assert said.cue == at(text, "said")
    assert said.content == at(text, "the plan would fail")
    assert adding.cue == at(text, "adding")
    assert adding.content == at(text, "that nobody had read it")
    assert said.source == adding.source == at(text, "Smith")


def test_a_passive_names_no_source_and_keeps_its_subject_as_content():
    text = "The bill is expected to pass next week."
    found = only(text)
    assert found.source is None
    assert found.cue == at(text, "is expected")
    assert found.content == [at(text, "The bill"), at(text, "to pass next week")]
    assert found.speaker is None


def test_a_passive_with_an_agent_takes_the_agent_as_source():
    text = "The attack was initially portrayed by the White House as a protest."
    found = only(text)
    assert found.source == at(text, "the White House")
    assert found.cue == at(text, "was initially portrayed by")
    assert found.content == [at(text, "The attack"), at(text, "as a protest")]
    text = "The move was first reported by MSNBC."
    found = only(text)
    assert found.source == at(text, "MSNBC")
    assert found.cue == at(text, "was first reported by")
    assert found.content == at(text, "The move")


def test_a_possessive_before_a_noun_cue_is_the_source():
    text = "His claim that the border was closed surprised nobody."
    found = only(text)
    assert found.source == at(text, "His")
    assert found.cue == at(text, "claim")
    assert found.content == at(text, "that the border was closed surprised nobody")


def test_a_transcript_speaker_speaks_to_the_end_of_the_paragraph():
    text = "SMITH: We will not leave. We are staying here.\n\nJONES: You must go."
    smith, jones = propose(text)
    assert smith.source == at(text, "SMITH")
    assert smith.cue == at(text, ":")
    assert smith.content == at(text, "We will not leave. We are staying here.")
    assert jones.source == at(text, "JONES")
    assert jones.content == at(text, "You must go.")


@pytest.mark.parametrize("text", ["Contributing: Jane Doe.", "Q: Is he conservative?", "BYLINE: Amber Lee."])
def test_bylines_and_questions_are_not_speakers(text):
    assert propose(text) == []


def test_a_poll_is_the_source_of_what_it_shows():
    text = "Clinton led by 8 points in a new CNN poll."
    found = only(text)
    assert found.cue == at(text, "in")
    assert found.source == at(text, "a new CNN poll")
    assert found.content == at(text, "Clinton led by 8 points")
    text = "In the new Post-ABC poll, Trump wins a third of the vote."
    found = only(text)
    assert found.cue == at(text, "In")
    assert found.source == at(text, "the new Post-ABC poll")
    assert found.content == at(text, "Trump wins a third of the vote")


def test_find_reports_only_what_evidence_finds():
    text = "The survey found Clinton leading by seven points."
    found = only(text)
    assert found.source == at(text, "The survey")
    assert found.cue == at(text, "found")
    assert found.content == at(text, "Clinton leading by seven points")
    text = "A study by the university found that turnout fell."
    assert only(text).content == at(text, "that turnout fell")
    assert propose("She found her keys under the sofa.") == []


def test_a_noun_cue_takes_its_prepositional_phrase_as_content():
    text = "His criticism of the developer was harsh."
    found = only(text)
    assert found.source == at(text, "His")
    assert found.cue == at(text, "criticism")
    assert found.content == at(text, "of the developer")


def test_an_asked_question_is_an_attribution_without_a_source():
    text = "Asked whether he would run, Smith said he would not."
    asked, said = propose(text)
    assert asked.source is None
    assert asked.cue == at(text, "Asked")
    assert asked.content == at(text, "whether he would run")
    assert said.source == at(text, "Smith")
    assert said.content == at(text, "he would not")


def test_seems_is_an_attribution_without_a_source():
    text = "The senator seems to favor a delay."
    found = only(text)
    assert found.source is None
    assert found.cue == at(text, "seems")
    assert found.content == [at(text, "The senator"), at(text, "to favor a delay")]
    assert propose("The senator appeared on television on Sunday.") == []


def test_an_exclamation_keeps_the_cue_after_it_and_its_recipient_is_not_content():
    text = '"Sometimes we need a break!" Clinton said to People. The trip ended.'
    found = only(text)
    assert found.content == at(text, '"Sometimes we need a break!"')
    assert found.source == at(text, "Clinton")
    assert found.cue == at(text, "said")


def test_some_verbs_report_only_with_their_particle():
    assert propose("He spoke at length.") == []
    assert propose("They voted on Tuesday.") == []
    text = "He spoke about the war."
    assert only(text).cue == at(text, "spoke about")
    text = "They voted for the bill."
    found = only(text)
    assert found.cue == at(text, "voted for")
    assert found.content == at(text, "the bill")


def test_a_relative_clause_with_its_own_cue_does_not_take_the_quotation():
    text = 'Trump, who has told aides he sees the issues as linked, said in his statement: "We will act."'
    said, told = propose(text)
    assert told.source == at(text, "who")
    assert told.content == at(text, "he sees the issues as linked")
    assert said.source == at(text, "Trump")
    assert said.cue == at(text, "said in his statement:")
    assert said.content == at(text, '"We will act."')
    assert said.kind == DIRECT


def test_a_progressive_form_is_a_cue_with_its_auxiliary():
    text = "Trump is arguing that the judge cannot be fair."
    found = only(text)
    assert found.cue == at(text, "is arguing")
    assert found.source == at(text, "Trump")
    assert found.content == at(text, "that the judge cannot be fair")
    assert propose("A growing number of voters stayed home.") == []


def test_a_catenative_verb_joins_the_cue():
    text = "Clinton continued to defend the notion that the video inspired the attacks."
    found = only(text)
    assert found.cue == at(text, "continued to defend")
    assert found.source == at(text, "Clinton")
    assert found.content == at(text, "the notion that the video inspired the attacks")


def test_a_participle_after_before_shares_the_source():
    text = '"Nothing you can do," Trump said before adding: "Maybe there is."'
    said, adding = propose(text)
    assert said.content == at(text, '"Nothing you can do,"')
    assert adding.cue == at(text, "adding:")
    assert adding.content == at(text, '"Maybe there is."')
    assert said.source == adding.source == at(text, "Trump")


def test_a_contracted_relative_pronoun_is_the_source():
    text = "Curly Haugland, who’s argued for years that delegates are free, lost."
    found = only(text)
    assert found.source == at(text, "who’s")
    assert found.cue == at(text, "argued for")
    assert found.content == at(text, "years that delegates are free")
    assert found.speaker == "Curly Haugland"


def test_a_dash_ends_the_adjuncts_after_a_final_cue():
    text = (
        "Deficits will rise this year, the budget office reported on Tuesday -- a new question for the race."
    )
    found = only(text)
    assert found.source == at(text, "the budget office")
    assert found.content == at(text, "Deficits will rise this year")


def test_a_participial_clause_before_the_source_is_not_content():
    text = "Holding open a book, Beck said, “I just want to ask you.”"
    found = only(text)
    assert found.content == at(text, "“I just want to ask you.”")
    assert found.kind == DIRECT


def test_an_adjunct_after_a_quotation_is_not_content():
    text = 'Trump tweeted, "Thank you Indiana!" on Friday afternoon.'
    found = only(text)
    assert found.content == at(text, '"Thank you Indiana!"')
    assert found.kind == DIRECT


def test_a_long_appositive_between_quotation_and_cue():
    text = '"Both scare me," Harry Bond, 30, of Raleigh, who was among those polled, said later.'
    found = only(text)
    assert found.content == at(text, '"Both scare me,"')
    assert found.cue == at(text, "said")
    assert found.source == at(text, "Harry Bond, 30, of Raleigh, who was among those polled,")
    assert found.speaker == "Harry Bond"


def test_a_three_word_title_case_headline_with_a_verb_and_a_name():
    text = "Obama Slams Congress"
    found = only(text)
    assert (found.source, found.cue, found.content) == (
        at(text, "Obama"),
        at(text, "Slams"),
        at(text, "Congress"),
    )


def test_a_belief_or_intention_verb_takes_a_pronoun_object_but_not_a_bare_noun():
    text = "She denied it."
    assert only(text).content == at(text, "it")
    assert propose("They wanted more.") == []


def test_a_participial_appositive_belongs_to_the_source():
    text = "Judge Smith, writing for the majority, said the law stands."
    found = only(text)
    assert found.source == at(text, "Judge Smith, writing for the majority,")
    assert found.content == at(text, "the law stands")
    assert found.speaker == "Smith"


def test_find_that_is_an_attribution_whoever_finds():
    text = "She found that the plan failed."
    found = only(text)
    assert (found.source, found.cue, found.content) == (
        at(text, "She"),
        at(text, "found"),
        at(text, "that the plan failed"),
    )


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("Asked which candidate she backs, Le Pen said nobody.", "which candidate she backs"),
        ("Asked to comment, he declined.", "to comment"),
        ("When asked about the vote, she smiled.", "the vote"),
    ],
)
def test_asked_takes_the_question_up_to_the_comma(text, question):
    asked = propose(text)[0]
    assert asked.cue == at(text, "asked about" if "When" in text else "Asked")
    assert asked.content == at(text, question)
    assert asked.source is None


def test_seems_to_before_a_reporting_verb_keeps_the_subject_as_source():
    text = "The emails seem to show that the aide knew."
    found = only(text)
    assert found.source == at(text, "The emails")
    assert found.cue == at(text, "seem to show")
    assert found.content == at(text, "that the aide knew")


def test_it_seems_that_has_no_source_and_no_subject():
    text = "It seems that the plan failed."
    found = only(text)
    assert found.source is None
    assert found.cue == at(text, "seems")
    assert found.content == at(text, "that the plan failed")
    assert propose("The plan seemed to me a mistake.") == []


def test_an_inverted_source_may_start_with_a_number():
    text = "The plan failed, said two officials."
    found = only(text)
    assert found.source == at(text, "two officials")
    assert found.content == at(text, "The plan failed")


@pytest.mark.parametrize(
    ("text", "source", "cue", "content"),
    [
        ("The senator argued that the bill was unfair.", "The senator", "argued", "that the bill was unfair"),
        ("Officials say the road will reopen.", "Officials", "say", "the road will reopen"),
        ("The governor pointed out that taxes fell.", "The governor", "pointed out", "that taxes fell"),
        ("She talked about her childhood.", "She", "talked about", "her childhood"),
        ("He warned against a rush to war.", "He", "warned against", "a rush to war"),
        ("The mayor called for calm.", "The mayor", "called for", "calm"),
        ("Critics accused him of lying.", "Critics", "accused", "him of lying"),
        ("Sanders vowed to fight on.", "Sanders", "vowed", "to fight on"),
        ("Clinton pledges to protect workers.", "Clinton", "pledges", "to protect workers"),
        ("The group plans to sue.", "The group", "plans", "to sue"),
        ("They urged voters to stay home.", "They", "urged", "to stay home"),
        ("The report shows that crime fell.", "The report", "shows", "that crime fell"),
        ("Polls show Trump leading in Ohio.", "Polls", "show", "Trump leading in Ohio"),
        ("He believes the plan will work.", "He", "believes", "the plan will work"),
        ("I think he is lying.", "I", "think", "he is lying"),
        ("The campaign denied the report.", "The campaign", "denied", "the report"),
        ("He referred to the deal as a disaster.", "He", "referred to", "the deal as a disaster"),
        ("She responded to the attack on Twitter.", "She", "responded to", "the attack on Twitter"),
        ("Trump tweeted that the poll was fake.", "Trump", "tweeted", "that the poll was fake"),
        ("The senator later said he had been misquoted.", "The senator", "said", "he had been misquoted"),
        (
            "Democrats have long argued that the law works.",
            "Democrats",
            "have long argued",
            "that the law works",
        ),
        ("Smith told The Associated Press that he would run.", "Smith", "told", "that he would run"),
        ("Aides told reporters the trip was off.", "Aides", "told", "the trip was off"),
        ("The White House declined to comment.", "The White House", "declined", "to comment"),
        ("The judge ruled that the ban was lawful.", "The judge", "ruled", "that the ban was lawful"),
        ("“No,” she replied.", "she", "replied", "“No,”"),
        ("“We are done here,” the chairman announced.", "the chairman", "announced", "“We are done here,”"),
        ("He added: “It is over.”", "He", "added:", "“It is over.”"),
        ("Her plan to cut taxes was popular.", "Her", "plan", "to cut taxes"),
        ("Most economists expect growth to slow.", "Most economists", "expect", "growth to slow"),
        ("Many Republicans fear that he will lose.", "Many Republicans", "fear", "that he will lose"),
        ("Obama: ‘We Will Win’", "Obama", ":", "‘We Will Win’"),
    ],
)
def test_reporting_belief_and_intention_cues(text, source, cue, content):
    found = only(text)
    assert (found.source, found.cue, found.content) == (at(text, source), at(text, cue), at(text, content))


@pytest.mark.parametrize(
    "text",
    [
        "Voters want change.",
        "The remarks, which he made on Sunday, angered many.",
        "He spoke to the crowd for an hour.",
        "The show began at noon.",
        "A so-called expert arrived.",
        "Eilperin reported from Washington.",
        "The program called Sandy Hook Promise grew.",
    ],
)
def test_sentences_that_only_look_like_attributions(text):
    assert propose(text) == []


# -- sources and speakers -----------------------------------------------------------------------------------


def test_a_pronoun_source_suggests_the_nearest_preceding_name():
    text = "Hillary Clinton spoke in Ohio. She said the economy was improving."
    found = only(text)
    assert found.source == at(text, "She")
    assert found.speaker == "Hillary Clinton"


def test_a_pronoun_skips_a_name_of_the_other_gender():
    text = "Mrs. Clinton spoke first. Mr. Trump spoke next. She said the debate was over."
    found = only(text)
    assert found.source == at(text, "She")
    assert found.speaker == "Clinton"


def test_a_short_form_resolves_to_the_full_name_named_before():
    text = "George Zimmerman said he was innocent. Later Mr. Zimmerman said he would appeal."
    first, second = propose(text)
    assert first.speaker == second.speaker == "George Zimmerman"
    assert second.source == at(text, "Mr. Zimmerman")


def test_a_title_is_dropped_from_the_speaker_name():
    text = "Foreign Ministry spokesman Saeed Khatibzadeh said the talks were over."
    found = only(text)
    assert found.source == at(text, "Foreign Ministry spokesman Saeed Khatibzadeh")
    assert found.speaker == "Saeed Khatibzadeh"


def test_an_organisation_keeps_its_whole_name_as_speaker():
    text = "Iran's Foreign Ministry said the talks were over."
    found = only(text)
    assert found.speaker == "Iran's Foreign Ministry"


def test_a_relative_pronoun_source_names_its_antecedent():
    text = "Podesta, who said the project was vetted, said he was unaware of it."
    outer, inner = propose(text)
    assert outer.source == at(text, "Podesta")
    assert outer.content == at(text, "he was unaware of it")
    assert inner.source == at(text, "who")
    assert inner.content == at(text, "the project was vetted")
    assert inner.speaker == "Podesta"


def test_an_appositive_subject_is_part_of_the_source():
    text = "Sam Lau, the communications director, said the count was final."
    found = only(text)
    assert found.source == at(text, "Sam Lau, the communications director,")
    assert found.content == at(text, "the count was final")
    assert found.speaker == "Sam Lau"


# -- nesting, order, one token one attribution --------------------------------------------------------------


def test_a_nested_attribution_keeps_only_the_outer_one():
    text = "Rouhani said that Trump claimed the deal was dead."
    found = only(text)
    assert found.cue == at(text, "said")
    assert found.content == at(text, "that Trump claimed the deal was dead")


def test_a_quotation_with_its_own_cue_is_not_swallowed_by_the_paraphrase_before_it():
    text = "Trump asserted that France had changed: “France is no longer France,” he claimed."
    asserted, claimed = propose(text)
    assert asserted.content == at(text, "that France had changed")
    assert claimed.content == at(text, "“France is no longer France,”")
    assert claimed.cue == at(text, "claimed")


def test_two_attributions_joined_by_but_stay_two():
    text = "Smith said the plan would work, but Jones argued that it would fail."
    smith, jones = propose(text)
    assert smith.content == at(text, "the plan would work")
    assert jones.source == at(text, "Jones")
    assert jones.content == at(text, "that it would fail")


def test_proposals_are_sorted_by_position():
    text = "“Yes,” Ann said. Bob said no. According to Carl, it rained."
    found = propose(text)
    assert [p.cue for p in found] == [at(text, "said"), at(text, "said", 1), at(text, "According to")]


# -- what is not an attribution -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n  ",
        "The rain fell all day and the river rose.",
        "WASHINGTON (AP) — The Senate voted on Tuesday.",
        "DALLAS — The storm moved east overnight.",
        "The so-called “truce” ended on Friday.",
        '"',
        "“",
        "The Latest: Storm moves east",
    ],
)
def test_texts_without_attribution_propose_nothing(text):
    assert propose(text) == []


def test_a_title_case_headline_with_a_reporting_verb_is_an_attribution():
    text = "Trump Says He Will Win Ohio"
    found = only(text)
    assert found.source == at(text, "Trump")
    assert found.cue == at(text, "Says")
    assert found.content == at(text, "He Will Win Ohio")


def test_a_headline_with_a_name_and_a_colon_is_an_attribution():
    text = "Obama: I’m Optimistic About the Economy\n\nThe president spoke in Ohio."
    found = only(text)
    assert found.source == at(text, "Obama")
    assert found.cue == at(text, ":")
    assert found.content == at(text, "I’m Optimistic About the Economy")


def test_a_dateline_before_an_attribution_stays_out_of_the_source():
    text = "WASHINGTON (AP) — Hillary Clinton said Tuesday that she would campaign in Ohio."
    found = only(text)
    assert found.source == at(text, "Hillary Clinton")
    assert found.content == at(text, "that she would campaign in Ohio")


def test_a_quotation_left_open_runs_to_the_end_of_its_paragraph():
    text = "“We will never give up, said the coach.\n\nThe game ended."
    assert propose(text) == []
    text = "“We will never give up,” she said. “And we will win\n\nThe game ended."
    found = only(text)
    assert found.content == [at(text, "“We will never give up,”"), at(text, "“And we will win")]


# -- offsets are code points --------------------------------------------------------------------------------


def test_offsets_after_emoji_are_code_points():
    text = f"{FAMILY}{FLAG_IR} Officials said the parade “was a great success.”"
    found = only(text)
    assert found.source == (8, 17)
    assert text[found.source[0] : found.source[1]] == "Officials"
    assert found.cue == at(text, "said")
    assert found.content == at(text, "the parade “was a great success.”")
    assert found.kind == MIXED


def test_emoji_inside_a_quotation_stay_inside_its_content():
    text = f"“We won {FAMILY}!” said Anna Lee."
    found = only(text)
    assert found.content == (0, len(f"“We won {FAMILY}!”"))
    assert found.source == at(text, "Anna Lee")


def test_combining_marks_do_not_shift_offsets():
    text = "Jose\u0301 Marti\u0301 said the vote was fair."
    found = only(text)
    assert found.source == at(text, "Jose\u0301 Marti\u0301")
    assert found.content == at(text, "the vote was fair")


@pytest.mark.parametrize(
    ("entry", "forms"),
    [
        ("say/said", {"say", "says", "saying", "said"}),
        ("know/knew/known", {"know", "knows", "knowing", "knew", "known"}),
        ("argue", {"argue", "argues", "argued", "arguing"}),
        ("deny", {"deny", "denies", "denied", "denying"}),
        ("stay", {"stay", "stays", "stayed", "staying"}),
        ("admit+", {"admit", "admits", "admitted", "admitting"}),
        ("stress", {"stress", "stresses", "stressed", "stressing"}),
        ("vow", {"vow", "vows", "vowed", "vowing"}),
    ],
)
def test_verbs_are_inflected_by_rule(entry, forms):
    assert attribution._inflections(entry) == forms


def test_the_extractor_names_its_version():
    assert isinstance(attribution.EXTRACTOR_VERSION, str)
    assert attribution.EXTRACTOR_VERSION.startswith("attribution-rules/")


def test_a_proposal_is_frozen():
    found = only("Anna said it rained.")
    with pytest.raises(AttributeError):
        found.kind = INDIRECT  # type: ignore[misc]
    assert isinstance(found, Proposal)


# -- a table of behaviours, one rule or one exception per text ----------------------------------------------
# Each proposal is written "S[source@start] C[cue@start] Q[piece@start | ...] kind speaker" ("-": no
# source): exact offsets, kinds and speakers in one line. A text with [] must propose nothing.


def rendered(text):
    def span(pair):
        return f"{text[pair[0] : pair[1]]}@{pair[0]}"

    return [
        f"S[{span(p.source) if p.source else '-'}] C[{span(p.cue)}] "
        f"Q[{' | '.join(span(piece) for piece in p.pieces)}] {p.kind} {p.speaker}"
        for p in propose(text)
    ]


BEHAVIOURS = [
    (
        "“We will win,” said Jane Doe, a spokeswoman for the party.",
        [
            "S[Jane Doe, a spokeswoman for the party@20] C[said@15] Q[“We will win,”@0] direct Jane Doe",
        ],
    ),
    (
        '"It is over," the coach told reporters on Friday. "We lost."',
        [
            'S[the coach@14] C[told@24] Q["It is over,"@0 | "We lost."@50] direct the coach',
        ],
    ),
    (
        "Smith said the plan would fail, adding that taxes would rise.",
        [
            "S[Smith@0] C[said@6] Q[the plan would fail@11] indirect Smith",
            "S[Smith@0] C[adding@32] Q[that taxes would rise@39] indirect Smith",
        ],
    ),
    (
        "The report, officials said, was false.",
        [
            "S[officials@12] C[said@22] Q[The report@0 | was false@28] indirect officials",
        ],
    ),
    (
        "The plan will fail, critics warned on Tuesday.",
        [
            "S[critics@20] C[warned@28] Q[The plan will fail@0] indirect critics",
        ],
    ),
    (
        "According to the police, the driver fled.",
        [
            "S[the police@13] C[According to@0] Q[the driver fled@25] indirect the police",
        ],
    ),
    (
        "The driver fled, according to police records.",
        [
            "S[police records@30] C[according to@17] Q[The driver fled@0] indirect police records",
        ],
    ),
    (
        "The senator is expected to resign.",
        [
            "S[-] C[is expected@12] Q[The senator@0 | to resign@24] indirect None",
        ],
    ),
    (
        "The economy seems to be recovering.",
        [
            "S[-] C[seems@12] Q[The economy@0 | to be recovering@18] indirect None",
        ],
    ),
    (
        "The emails seem to show that she knew.",
        [
            "S[The emails@0] C[seem to show@11] Q[that she knew@24] indirect The emails",
        ],
    ),
    (
        "There was criticism of the mayor from the unions.",
        [
            "S[-] C[criticism@10] Q[of the mayor from the unions@20] indirect None",
        ],
    ),
    (
        "Asked whether he would run, Smith smiled.",
        [
            "S[-] C[Asked@0] Q[whether he would run@6] indirect None",
        ],
    ),
    (
        "The festival, known as the Big Fair, opened.",
        [
            "S[-] C[known as@14] Q[the Big Fair@23] indirect None",
        ],
    ),
    (
        "Republicans are critical of the deal.",
        [
            "S[Republicans@0] C[are critical of@12] Q[the deal@28] indirect Republicans",
        ],
    ),
    (
        "The party issued a statement saying it would appeal.",
        [
            "S[The party@0] C[issued a statement saying@10] Q[it would appeal@36] indirect The party",
        ],
    ),
    (
        "Smith made it clear that he would run.",
        [
            "S[Smith@0] C[made it clear@6] Q[that he would run@20] indirect Smith",
        ],
    ),
    (
        "Cruz took aim at Trump over his taxes.",
        [
            "S[Cruz@0] C[took aim at@5] Q[Trump over his taxes@17] indirect Cruz",
        ],
    ),
    (
        "Noting that taxes had risen, Smith said the plan failed.",
        [
            "S[Smith@29] C[Noting@0] Q[that taxes had risen@7] indirect Smith",
            "S[Smith@29] C[said@35] Q[the plan failed@40] indirect Smith",
        ],
    ),
    (
        "SMITH: We will not leave.\nJONES: Then we will wait.",
        [
            "S[SMITH@0] C[:@5] Q[We will not leave.@7] indirect SMITH",
            "S[JONES@26] C[:@31] Q[Then we will wait.@33] indirect JONES",
        ],
    ),
    (
        "Trump: ‘I will win’",
        [
            "S[Trump@0] C[:@5] Q[‘I will win’@7] direct Trump",
        ],
    ),
    (
        "Sen. Jack Reed (D-R.I.) said that he had not read the plan.",
        [
            "S[Sen. Jack Reed (D-R.I.)@0] C[said@24] Q[that he had not read the plan@29] indirect Jack Reed",
        ],
    ),
    (
        "One in four voters in a poll last year said taxes were too high.",
        [
            "S[One in four voters in a poll@0] C[said@39] Q[taxes were too high@44] indirect One in "
            "four voters in a poll",
        ],
    ),
    (
        "But Podesta said Gates was not involved and said Manafort was not either.",
        [
            "S[Podesta@4] C[said@12] Q[Gates was not involved@17] indirect Podesta",
            "S[Podesta@4] C[said@44] Q[Manafort was not either@49] indirect Podesta",
        ],
    ),
    (
        "Sanders, whose coalition includes young voters, said the primaries were closed.",
        [
            "S[Sanders, whose coalition includes young voters,@0] C[said@48] Q[the primaries were "
            "closed@53] indirect Sanders",
        ],
    ),
    (
        "Mrs. Clinton, who did not say that the senator was unqualified, left early.",
        [
            "S[who@14] C[did not say@18] Q[that the senator was unqualified@30] indirect Clinton",
        ],
    ),
    (
        "Anderson said the vote was close. “We did our best.”",
        [
            "S[Anderson@0] C[said@9] Q[the vote was close@14 | “We did our best.”@34] mixed Anderson",
        ],
    ),
    (
        "“We are ready.”\n\n“We have always been ready,” the captain said.",
        [
            "S[the captain@46] C[said@58] Q[“We have always been ready,”@17] direct the captain",
        ],
    ),
    (
        "The Rev. John Smith said the church would reopen.",
        [
            "S[The Rev. John Smith@0] C[said@20] Q[the church would reopen@25] indirect John Smith",
        ],
    ),
    (
        "Gen. Mark Milley told Congress that the withdrawal was a mistake.",
        [
            "S[Gen. Mark Milley@0] C[told@17] Q[that the withdrawal was a mistake@31] indirect Mark Milley",
        ],
    ),
    (
        "Hillary Clinton spoke in Ohio. She said the economy was strong.",
        [
            "S[She@31] C[said@35] Q[the economy was strong@40] indirect Hillary Clinton",
        ],
    ),
    (
        "Mr. Garin arrived late.\nGeorge Garin said the vote was fair.\nMr. Garin added that he was pleased.",
        [
            "S[George Garin@24] C[said@37] Q[the vote was fair@42] indirect George Garin",
            "S[Mr. Garin@61] C[added@71] Q[that he was pleased@77] indirect Garin",
        ],
    ),
    (
        "The mayor was criticized by residents.",
        [
            "S[residents@28] C[was criticized by@10] Q[The mayor@0] indirect residents",
        ],
    ),
    (
        "She repeated her claim that the vote was rigged.",
        [
            "S[She@0] C[repeated@4] Q[her claim that the vote was rigged@13] indirect None",
        ],
    ),
    (
        "His call to abandon the plan was ignored.",
        [
            "S[His@0] C[call@4] Q[to abandon the plan@9] indirect None",
        ],
    ),
    (
        "He cited emails showing that she knew.",
        [
            "S[emails@9] C[showing@16] Q[that she knew@24] indirect emails",
        ],
    ),
    (
        "The senator, for example, said the bill was dead.",
        [
            "S[The senator@0] C[said@26] Q[the bill was dead@31] indirect The senator",
        ],
    ),
    (
        "Sam Lau, the director of the party, said the vote was fair.",
        [
            "S[Sam Lau, the director of the party,@0] C[said@36] Q[the vote was fair@41] indirect Sam Lau",
        ],
    ),
    (
        "“We will appeal,” said spokesman John Kirby, adding that the ruling was wrong.",
        [
            "S[spokesman John Kirby@23] C[said@18] Q[“We will appeal,”@0] direct John Kirby",
            "S[spokesman John Kirby@23] C[adding@45] Q[that the ruling was wrong@52] indirect John Kirby",
        ],
    ),
    (
        "“No comment,” she said, “and no more questions.”",
        [
            "S[she@14] C[said@18] Q[“No comment,”@0 | “and no more questions.”@24] direct None",
        ],
    ),
    (
        "The governor tweeted on Twitter that the storm had passed.",
        [
            "S[The governor@0] C[tweeted on Twitter@13] Q[that the storm had passed@32] indirect The "
            "governor",
        ],
    ),
    (
        "She pointed out that the law had changed.",
        [
            "S[She@0] C[pointed out@4] Q[that the law had changed@16] indirect None",
        ],
    ),
    (
        "He talked about the war for an hour.",
        [
            "S[He@0] C[talked about@3] Q[the war for an hour@16] indirect None",
        ],
    ),
    (
        "The group called for calm.",
        [
            "S[The group@0] C[called for@10] Q[calm@21] indirect The group",
        ],
    ),
    (
        "The poll found that most voters were undecided.",
        [
            "S[The poll@0] C[found@9] Q[that most voters were undecided@15] indirect The poll",
        ],
    ),
    (
        "The hikers found a wallet on the trail.",
        [],
    ),
    (
        "Researchers found that the drug worked.",
        [
            "S[Researchers@0] C[found@12] Q[that the drug worked@18] indirect Researchers",
        ],
    ),
    (
        "Smith, 45, of Raleigh, said the fire began at noon.",
        [
            "S[Smith, 45, of Raleigh,@0] C[said@23] Q[the fire began at noon@28] indirect Smith",
        ],
    ),
    (
        "“Go!” Smith shouted. “Now!”",
        [
            "S[Smith@6] C[shouted@12] Q[“Go!”@0 | “Now!”@21] direct Smith",
        ],
    ),
    (
        "“Is it over?” he asked.",
        [
            "S[he@14] C[asked@17] Q[“Is it over?”@0] direct None",
        ],
    ),
    (
        "Critics say the plan, which passed on Tuesday, will fail.",
        [
            "S[Critics@0] C[say@8] Q[the plan, which passed on Tuesday, will fail@12] indirect Critics",
        ],
    ),
    (
        "The Times reported that the talks had collapsed.",
        [
            "S[The Times@0] C[reported@10] Q[that the talks had collapsed@19] indirect The Times",
        ],
    ),
    (
        "Eilperin reported from Washington.",
        [],
    ),
    (
        "The crowd chanted “Lock her up” as he spoke.",
        [
            "S[The crowd@0] C[chanted@10] Q[“Lock her up”@18] direct The crowd",
        ],
    ),
    (
        "He said: “We are done.”",
        [
            "S[He@0] C[said:@3] Q[“We are done.”@9] direct None",
        ],
    ),
    (
        "They said they would return, and they did.",
        [
            "S[They@0] C[said@5] Q[they would return, and they did@10] indirect None",
        ],
    ),
    (
        "A growing number of voters are worried.",
        [],
    ),
    (
        "She is believed to have left the country.",
        [
            "S[-] C[is believed@4] Q[She@0 | to have left the country@16] indirect None",
        ],
    ),
    (
        "The team appeared unconvinced by the offer.",
        [
            "S[-] C[appeared@9] Q[The team@0 | unconvinced by the offer@18] indirect None",
        ],
    ),
    (
        "It seems that the plan failed.",
        [
            "S[-] C[seems@3] Q[that the plan failed@9] indirect None",
        ],
    ),
    (
        "The plan was seen as a failure.",
        [
            "S[-] C[was seen@9] Q[The plan@0 | as a failure@18] indirect None",
        ],
    ),
    (
        "Officials told The New York Times that the deal was off.",
        [
            "S[Officials@0] C[told@10] Q[that the deal was off@34] indirect Officials",
        ],
    ),
    (
        "Mr. Obama, speaking in Ohio, said the economy was strong.",
        [
            "S[Mr. Obama, speaking in Ohio,@0] C[said@29] Q[the economy was strong@34] indirect Obama",
        ],
    ),
    (
        "When asked, Smith said nothing would change.",
        [
            "S[Smith@12] C[said@18] Q[nothing would change@23] indirect Smith",
        ],
    ),
    (
        "Holding a book, Beck said the author was right.",
        [
            "S[Beck@16] C[said@21] Q[the author was right@26] indirect Beck",
        ],
    ),
    (
        "A program called Sandy Hook Promise trains students.",
        [],
    ),
    (
        "Support for the plan is growing.",
        [],
    ),
    (
        "Questions about the deal remain.",
        [],
    ),
    (
        "Complaints from his neighbor that the music was loud went unanswered.",
        [
            "S[his neighbor@16] C[Complaints from@0] Q[that the music was loud went unanswered@29] "
            "indirect his neighbor",
        ],
    ),
    (
        "The claims were false.",
        [],
    ),
    (
        "BREAKING: Storm hits the coast.",
        [],
    ),
    (
        "Opinion: Why the vote matters.",
        [],
    ),
]


@pytest.mark.parametrize(("text", "expected"), BEHAVIOURS, ids=[text[:40] for text, _ in BEHAVIOURS])
def test_the_table_of_behaviours(text, expected):
    assert rendered(text) == expected


# -- properties ---------------------------------------------------------------------------------------------

ATOMS = [
    "said",
    "says",
    "told reporters",
    "added",
    "according to",
    "wrote",
    "claimed",
    "argued",
    "believes",
    "the minister",
    "Jane Doe",
    "Mr. Smith",
    "she",
    "he",
    "they",
    "officials",
    "Iran's Foreign Ministry",
    "that",
    "the plan",
    "would fail",
    "is expected to",
    "his claim that",
    "in a statement",
    "“",
    "”",
    '"',
    "''",
    "``",
    "‘",
    "’",
    "'",
    ",",
    ".",
    ":",
    ";",
    "—",
    "(",
    ")",
    "?",
    "!",
    "\n",
    "\n\n",
    FAMILY,
    FLAG_IR,
    "e\u0301",
    "\U0001d4b3",
    "and",
    "but",
    "adding",
    "saying",
    "who",
    "The",
]
texts = st.lists(st.sampled_from(ATOMS), max_size=40).map(" ".join) | st.text(max_size=120)
OPENING = ("“", '"', "''", "``", "‘", "'")
CLOSING = ("”", '"', "''", "’", "'", "“")


def spans_of(proposal):
    return [proposal.cue, *proposal.pieces] + ([proposal.source] if proposal.source else [])


@settings(max_examples=300, deadline=None)
@given(texts)
def test_every_span_is_a_non_empty_range_of_the_text(text):
    for proposal in propose(text):
        for start, end in spans_of(proposal):
            assert 0 <= start < end <= len(text)
            assert text[start:end].strip()
        assert proposal.kind in (DIRECT, INDIRECT, MIXED)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_the_contents_of_direct_quotations_begin_and_end_with_quotation_marks(text):
    for proposal in propose(text):
        if proposal.kind == DIRECT:
            for start, end in proposal.pieces:
                assert text[start:end].startswith(OPENING)
                assert text[start:end].endswith(CLOSING)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_no_cue_or_content_character_belongs_to_two_attributions(text):
    proposals = propose(text)
    owned = {}
    for number, proposal in enumerate(proposals):
        for start, end in [proposal.cue, *proposal.pieces]:
            for position in range(start, end):
                assert position not in owned, (text, proposals)
                owned[position] = number
    for proposal in proposals:
        if proposal.source:
            assert not any(position in owned for position in range(*proposal.source))
    # sources are shared whole (", adding ..." shares the clause's source) or not at all
    sources = {p.source for p in proposals if p.source}
    for a in sources:
        for b in sources:
            assert a == b or a[1] <= b[0] or b[1] <= a[0]


@settings(max_examples=200, deadline=None)
@given(texts)
def test_proposals_are_deterministic_and_sorted(text):
    first, second = propose(text), propose(text)
    assert first == second
    starts = [min(start for start, _ in spans_of(p)) for p in first]
    assert starts == sorted(starts)
    for proposal in first:
        assert list(proposal.pieces) == sorted(proposal.pieces)
        assert all(a[1] <= b[0] for a, b in zip(proposal.pieces, proposal.pieces[1:], strict=False))
