"""reader/attribution.py, rule by rule: one sentence per rule of the extractor that the broader tests in
test_attribution.py leave unexercised (words of the rule tables, bounds of the windows, the guards that keep
a rule from firing), each pinning what the rule is for.

Every text is invented for these tests. Bad inputs tried: plural nouns and headline phrases that look
like reporting verbs, colons that introduce no speaker, a question word far from its cue, and a lead-in
time phrase before a one-word name.
"""

from reader.attribution import DIRECT, propose
from tests.test_attribution import at, only


def cues(text):
    return [text[slice(*p.cue)] for p in propose(text)]


# -- sources ------------------------------------------------------------------------------------------------


def test_a_relative_clause_with_an_auxiliary_belongs_to_the_source():
    text = "Two senators who had voted for the bill said they regretted it."
    found = only(text)
    assert found.source == at(text, "Two senators who had voted for the bill")
    assert found.content == at(text, "they regretted it")


def test_a_plural_in_ors_after_a_lead_in_is_a_source():
    text = "By noon, investors at home said the crisis was over."
    found = only(text)
    assert found.source == at(text, "investors at home")
    assert found.cue == at(text, "said")


def test_a_time_phrase_before_a_one_word_name_is_left_out_of_the_source():
    text = "This week Smith said the plan was dead."
    assert only(text).source == at(text, "Smith")


def test_a_name_before_an_appositive_opening_a_sentence_joins_the_source():
    text = "The talks ended. Sam Lau, the communications director for the party said the deal was dead."
    found = only(text)
    assert found.source == at(text, "Sam Lau, the communications director for the party")
    assert found.speaker == "Sam Lau"


# -- cues and contents --------------------------------------------------------------------------------------


def test_asked_takes_the_question_after_its_object_as_content():
    text = "The mayor shook hands and asked reporters if they planned to stay."
    found = only(text)
    assert found.cue == at(text, "asked")
    assert found.content == at(text, "if they planned to stay")


def test_a_present_tense_thought_verb_after_but_stays_inside_the_content():
    # "..., but thinks ..." is too often a plural noun ("but hopes ...") to open an attribution
    text = "Doe said the bridge was safe, but thinks the road needs repairs."
    found = only(text)
    assert found.cue == at(text, "said")
    assert found.content == at(text, "the bridge was safe, but thinks the road needs repairs")


# -- colons -------------------------------------------------------------------------------------------------


def test_a_quotation_after_a_colon_is_attributed_to_a_group_named_before_it():
    text = "Jane Doe and her supporters: “We will be back.”"
    found = only(text)
    assert found.cue == at(text, ":")
    assert found.source == at(text, "Jane Doe and her supporters")
    assert found.kind == DIRECT


def test_a_colon_after_a_clause_that_names_no_speaker_is_not_a_cue():
    assert propose("The lesson is simple: nobody reads the fine print.") == []


def test_a_colon_after_a_programme_note_is_not_a_cue():
    assert propose("Coming up next: the weather in Denver.") == []


def test_telling_them_after_a_comma_takes_the_quotation_and_the_subject_of_the_sentence():
    text = "The coach emailed parents on Monday, telling them, “The season is over.”"
    found = only(text)
    assert found.cue == at(text, "telling")
    assert found.source == at(text, "The coach")
    assert found.content == at(text, "“The season is over.”")


def test_an_imperative_after_a_dash_is_not_an_attribution():
    # only "to tell X that ..." after another verb may borrow the sentence's subject
    assert propose("The crowd had one demand—tell us to leave.") == []


def test_a_parenthesis_opening_the_content_before_according_to_is_left_out():
    text = "The storm cost millions. (The insurers will pay most of it, according to the state.)"
    found = only(text)
    assert found.content == at(text, "The insurers will pay most of it")
    assert found.source == at(text, "the state")


# -- quotations continuing an attribution -------------------------------------------------------------------


def test_a_sentence_that_only_begins_with_a_quotation_does_not_stop_the_next_quotation_continuing():
    text = 'Doe argues that the fine was unfair. "Reckless" is the word her lawyers use. "We will appeal it."'
    found = only(text)
    assert found.cue == at(text, "argues")
    assert found.content == [at(text, "that the fine was unfair"), at(text, '"We will appeal it."')]


# -- polls and documents ------------------------------------------------------------------------------------


def test_a_poll_set_off_by_commas_takes_the_clauses_on_both_sides_as_content():
    text = "The mayor leads by 8 points, in the new survey, far ahead of her rival."
    found = only(text)
    assert found.cue == at(text, "in")
    assert found.source == at(text, "the new survey")
    assert found.content == [at(text, "The mayor leads by 8 points"), at(text, "far ahead of her rival")]


# -- words that only look like reporting verbs --------------------------------------------------------------


def test_a_plural_noun_after_a_quantifier_is_not_a_reporting_verb():
    assert propose("He makes fewer references to the scandal in his speeches now.") == []


# -- truncated and unusual texts ----------------------------------------------------------------------------


def test_a_text_cut_off_after_a_conjunction_and_an_auxiliary_keeps_its_attribution():
    text = "She said the plan worked, but was"
    found = only(text)
    assert found.cue == at(text, "said")
    assert found.content == at(text, "the plan worked, but was")


def test_a_quotation_ending_in_an_exclamation_mark_before_an_inverted_cue_is_direct():
    text = "“Enough!” claims the mayor."
    found = only(text)
    assert found.cue == at(text, "claims")
    assert found.source == at(text, "the mayor")
    assert found.content == at(text, "“Enough!”")
    assert found.kind == DIRECT


def test_a_quoted_phrase_with_no_punctuation_before_its_cue_is_part_of_a_mixed_content():
    text = "The plan is “dead on arrival” Smith said on Tuesday."
    found = only(text)
    assert found.cue == at(text, "said")
    assert found.source == at(text, "Smith")
    assert found.content == at(text, "The plan is “dead on arrival”")


def test_known_online_as_takes_the_quoted_name():
    text = 'Jan Novak, 41, known online as "Nightjar," was arrested in 2019.'
    found = only(text)
    assert found.cue == at(text, "known online as")
    assert found.content == at(text, '"Nightjar,"')


# -- noun and phrase cues -----------------------------------------------------------------------------------


def test_the_possessor_of_a_noun_cue_is_its_source():
    text = "They are focused on the union’s opposition to longer hours."
    found = only(text)
    assert found.cue == at(text, "opposition")
    assert found.source == at(text, "union’s")
    assert found.content == at(text, "to longer hours")


def test_a_noun_cue_without_a_possessor_takes_its_that_clause():
    text = "The senator stirred anger with an assertion that the border was open."
    found = only(text)
    assert found.cue == at(text, "assertion")
    assert found.source is None
    assert found.content == at(text, "that the border was open")


def test_a_phrase_cue_is_proposed_with_less_confidence_than_a_reporting_verb():
    phrase = only("Doe also took a shot at the mayor, without naming him.")
    verb = only("Doe said the mayor was wrong.")
    assert 0 < phrase.confidence < verb.confidence


def test_a_possessive_ending_in_an_apostrophe_stays_in_the_source():
    text = "Jones’ aides say the campaign will go on."
    assert only(text).source == at(text, "Jones’ aides")


def test_a_name_followed_by_earlier_and_a_weekday_is_the_source():
    text = "Smith earlier Thursday said the hearing would go on."
    found = only(text)
    assert found.source == at(text, "Smith")
    assert found.cue == at(text, "said")


def test_a_second_verb_joined_by_and_shares_the_opening_pronoun_as_source():
    text = "She has also called on the council to act and proposed a new tax on sugar."
    proposed = propose(text)[-1]
    assert proposed.cue == at(text, "proposed")
    assert proposed.source == at(text, "She")


def test_a_text_ending_on_a_cue_and_a_colon_proposes_nothing():
    assert propose("The mayor continued:") == []


def test_two_time_words_before_a_name_are_both_left_out_of_the_source():
    text = "Later Monday Smith said the vote was off."
    assert only(text).source == at(text, "Smith")


# -- quotation marks ----------------------------------------------------------------------------------------


def test_an_inch_mark_followed_by_a_space_does_not_open_a_quotation():
    text = 'The pipe is 6" wide, the mayor said.'
    found = only(text)
    assert found.cue == at(text, "said")
    assert found.source == at(text, "the mayor")
    assert found.content == at(text, 'The pipe is 6" wide')


def test_a_straight_mark_after_a_space_opens_a_quotation_when_the_one_before_was_left_open():
    text = 'He said "It is over. Then she said "It is not."'
    found = propose(text)[0]
    assert text[slice(*found.pieces[-1])].endswith('not."')


def test_a_long_subject_before_an_appositive_name_in_a_text_without_quotations_keeps_its_cue():
    text = "The head of the biggest group backing Smith for mayor, Mike Lund, praised the efforts of a donor."
    found = only(text)
    assert found.cue == at(text, "praised")
    assert found.content == at(text, "the efforts of a donor")


def test_a_participle_after_an_inverted_cue_shares_the_source_that_follows_the_cue():
    text = "The plan will fail, said the mayor, adding that taxes would rise."
    adding = next(p for p in propose(text) if text[slice(*p.cue)] == "adding")
    assert adding.source == at(text, "the mayor")


def test_a_five_word_name_opening_a_sentence_is_who_a_later_pronoun_refers_to():
    text = 'State Senator Maria Lopez Garcia visited the plant on Monday. "It is safe," she said.'
    assert only(text).speaker == "Maria Lopez Garcia"


def test_a_name_before_but_is_not_part_of_the_source_after_it():
    text = "Biden met Obama but White House aides said the talks failed."
    assert only(text).source == at(text, "White House aides")


def test_a_short_quotation_inside_an_appositive_stays_in_the_source():
    text = 'John Smith, a self-described "fixer", said the plan would fail.'
    found = only(text)
    assert text[slice(*found.source)].startswith('John Smith, a self-described "fixer"')
    assert found.speaker == "John Smith"


def test_a_quotation_ending_a_sentence_belongs_to_a_cue_followed_by_a_time_phrase():
    text = 'The storm passed. "We will rebuild the city." Mayor Lopez said on Monday.'
    found = only(text)
    assert found.content == at(text, '"We will rebuild the city."')
    assert found.source == at(text, "Mayor Lopez")
