"""reader/names.py: which known speaker a mention refers to, and what kind of speaker a name is.

Pure, so no database. Bad inputs tried: empty and punctuation-only mentions, mentions in odd
case and spacing, possessives with straight and curly apostrophes, two speakers sharing a
surname (with and without known genders), two speakers sharing an alias, pronouns with no
compatible speaker before them, and unknown pronouns.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader import names
from reader.names import (
    ANONYMOUS,
    DOCUMENT,
    FEMALE,
    MALE,
    ORGANISATION,
    OUTLET,
    PERSON,
    Known,
    core_name,
    guess_gender,
    guess_kind,
    normalise,
    resolve,
    resolve_pronoun,
)

HILLARY = Known(1, "Hillary Rodham Clinton", aliases=("Hillary Clinton",), gender=FEMALE)
BILL = Known(2, "Bill Clinton", gender=MALE)
ZIMMERMAN = Known(3, "George Zimmerman")
ROUHANI = Known(4, "Hassan Rouhani", gender=MALE)
KHATIBZADEH = Known(5, "Saeed Khatibzadeh")
SOLEIMANI = Known(6, "Qasem Soleimani")
MINISTRY = Known(7, "Iran's Foreign Ministry", kind=ORGANISATION)
OFFICIALS = Known(8, "officials", kind=ANONYMOUS, plural=True)
STATEMENT = Known(9, "the statement", kind=DOCUMENT)
OUTLET_VOICE = Known(10, "Tasnim", kind=OUTLET)
SPEAKERS = [HILLARY, BILL, ZIMMERMAN, ROUHANI, KHATIBZADEH, SOLEIMANI, MINISTRY]


# -- resolve: names and aliases ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mention", ["George Zimmerman", "george zimmerman", "  George   Zimmerman ", "GEORGE ZIMMERMAN"]
)
def test_a_name_resolves_ignoring_case_and_spacing(mention):
    assert resolve(mention, SPEAKERS) is ZIMMERMAN


def test_an_alias_resolves_to_its_speaker():
    assert resolve("hillary clinton", SPEAKERS) is HILLARY


@pytest.mark.parametrize(
    "mention", ["Zimmerman", "Mr. Zimmerman", "Mr Zimmerman", "Zimmerman's", "Zimmerman’s"]
)
def test_news_forms_of_a_person_resolve_to_the_person(mention):
    assert resolve(mention, SPEAKERS) is ZIMMERMAN


@pytest.mark.parametrize(
    ("mention", "speaker"),
    [
        ("President Hassan Rouhani", ROUHANI),
        ("Rouhani's", ROUHANI),
        ("President Rouhani", ROUHANI),
        ("Foreign Ministry spokesman Saeed Khatibzadeh", KHATIBZADEH),
        ("Gen. Qasem Soleimani", SOLEIMANI),
        ("Soleimani", SOLEIMANI),
        ("Mrs. Clinton", HILLARY),
        ("Mr. Clinton", BILL),
        ("Hillary Clinton", HILLARY),
        ("iran's foreign ministry", MINISTRY),
    ],
)
def test_titles_roles_and_possessives_are_dropped(mention, speaker):
    assert resolve(mention, SPEAKERS) is speaker


def test_a_surname_shared_by_two_people_resolves_to_nobody():
    assert resolve("Clinton", SPEAKERS) is None
    assert resolve("Clinton's", SPEAKERS) is None


def test_a_courtesy_title_does_not_guess_when_genders_are_unknown():
    two = [Known(1, "Hillary Clinton"), Known(2, "Bill Clinton")]
    assert resolve("Mrs. Clinton", two) is None
    assert resolve("Mr. Clinton", two) is None


def test_a_courtesy_title_rules_out_the_other_gender_for_one_person():
    assert resolve("Mrs. Zimmerman", [Known(1, "George Zimmerman", gender=MALE)]) is None
    assert resolve("Mr. Zimmerman", [Known(1, "George Zimmerman", gender=MALE)]).name == "George Zimmerman"
    assert resolve("Mrs. Zimmerman", [Known(1, "George Zimmerman")]).name == "George Zimmerman"


def test_an_alias_shared_by_two_speakers_resolves_to_nobody():
    one = Known(1, "Ali Khamenei", aliases=("the Leader",))
    two = Known(2, "Ali Larijani", aliases=("the Leader",))
    assert resolve("the leader", [one, two]) is None


def test_the_same_speaker_matched_twice_is_not_ambiguous():
    speaker = Known(1, "Ali Khamenei", aliases=("Ali Khamenei",))
    assert resolve("Ali Khamenei", [speaker]) is speaker


def test_a_name_with_middle_names_left_out_resolves_to_the_full_name():
    full = Known(1, "Hillary Rodham Clinton")
    assert resolve("Hillary Clinton", [full]) is full
    assert resolve("Rodham Clinton", [full]) is full
    assert resolve("Clinton Hillary", [full]) is None
    assert resolve("Hillary Rodham", [full]) is None


def test_short_forms_look_past_organisations_to_the_people():
    assert resolve("Zimmerman", [Known(1, "Zimmerman Group", kind=ORGANISATION), ZIMMERMAN]) is ZIMMERMAN
    assert resolve("Group", [Known(1, "Zimmerman Group", kind=ORGANISATION)]) is None
    assert resolve("Zimmerman", [Known(1, "George Zimmerman", kind=None)]).name == "George Zimmerman"


def test_curly_and_straight_apostrophes_are_the_same():
    speaker = Known(1, "Conan O'Brien")
    assert resolve("Conan O’Brien", [speaker]) is speaker
    assert resolve("O’Brien", [speaker]) is speaker


def test_a_courtesy_title_does_not_pick_a_person_of_known_gender_over_one_of_unknown_gender():
    known, unknown = Known(1, "Hillary Clinton", gender=FEMALE), Known(2, "Chelsea Clinton")
    assert resolve("Mrs. Clinton", [known, unknown]) is None
    assert resolve("Mr. Clinton", [known, unknown]) is unknown


def test_a_first_name_alone_is_not_guessed():
    assert resolve("George", SPEAKERS) is None


def test_an_organisation_is_not_matched_by_its_last_word():
    assert resolve("Ministry", SPEAKERS) is None
    assert resolve("the Foreign Ministry", [MINISTRY]) is None


def test_a_longer_name_never_resolves_to_a_shorter_speaker():
    assert resolve("Robert Zimmerman", SPEAKERS) is None
    assert resolve("George Zimmerman Jr.", SPEAKERS) is None


@pytest.mark.parametrize("mention", ["", "   ", ",", "’s", "Mr."])
def test_empty_mentions_resolve_to_nobody(mention):
    assert resolve(mention, SPEAKERS) is None


def test_a_speaker_whose_name_is_only_a_title_matches_only_itself():
    titled = Known(1, "Mr.")
    assert resolve("Smith", [titled, ZIMMERMAN]) is None
    assert resolve("Zimmerman", [titled, ZIMMERMAN]) is ZIMMERMAN
    assert resolve("mr.", [titled]) is titled


def test_nobody_resolves_among_no_speakers():
    assert resolve("George Zimmerman", []) is None


# -- pronouns -----------------------------------------------------------------------------------------------


def test_he_is_the_nearest_preceding_person_not_known_to_be_female():
    assert resolve_pronoun("he", [ZIMMERMAN, HILLARY]) is ZIMMERMAN
    assert resolve_pronoun("He", [HILLARY, ZIMMERMAN]) is ZIMMERMAN
    assert resolve_pronoun("his", [BILL, HILLARY]) is BILL
    assert resolve_pronoun("him", [HILLARY]) is None


def test_she_is_the_nearest_preceding_person_not_known_to_be_male():
    assert resolve_pronoun("she", [HILLARY, BILL]) is HILLARY
    assert resolve_pronoun("her", [ZIMMERMAN, BILL]) is ZIMMERMAN
    assert resolve_pronoun("She", [BILL]) is None


def test_it_is_an_organisation_or_a_document():
    assert resolve_pronoun("it", [MINISTRY, ZIMMERMAN]) is MINISTRY
    assert resolve_pronoun("its", [STATEMENT, ZIMMERMAN]) is STATEMENT
    assert resolve_pronoun("it", [ZIMMERMAN]) is None


def test_they_is_an_organisation_a_group_or_a_speaker_of_unknown_kind():
    assert resolve_pronoun("they", [MINISTRY, ZIMMERMAN]) is MINISTRY
    assert resolve_pronoun("they", [OFFICIALS, ZIMMERMAN]) is OFFICIALS
    assert resolve_pronoun("their", [Known(1, "the Smiths", kind=PERSON, plural=True)]).name == "the Smiths"
    assert resolve_pronoun("them", [Known(1, "X", kind=None)]).name == "X"
    assert resolve_pronoun("they", [ZIMMERMAN, HILLARY]) is None


def test_a_group_is_not_he_or_it():
    group = Known(1, "the Smiths", kind=PERSON, plural=True)
    assert resolve_pronoun("he", [group]) is None
    assert resolve_pronoun("she", [group]) is None
    assert resolve_pronoun("it", [Known(2, "the ministries", kind=ORGANISATION, plural=True)]) is None


def test_we_is_the_outlets_own_voice():
    assert resolve_pronoun("we", [OUTLET_VOICE, ZIMMERMAN]) is OUTLET_VOICE
    assert resolve_pronoun("our", [ZIMMERMAN]) is None


@pytest.mark.parametrize("pronoun", ["you", "I", "who", "", "the"])
def test_other_words_are_not_resolved_as_pronouns(pronoun):
    assert resolve_pronoun(pronoun, SPEAKERS + [OUTLET_VOICE, OFFICIALS]) is None


# -- kinds, genders, core names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Hassan Rouhani", PERSON),
        ("Foreign Ministry spokesman Saeed Khatibzadeh", PERSON),
        ("Iran's Foreign Ministry", ORGANISATION),
        ("the Islamic Revolutionary Guard Corps", ORGANISATION),
        ("the White House", ORGANISATION),
        ("the Democratic Party", ORGANISATION),
        ("the Security Council", ORGANISATION),
        ("the Atomic Energy Agency", ORGANISATION),
        ("FBI", ORGANISATION),
        ("the FBI", ORGANISATION),
        ("NGOs", ORGANISATION),
        ("the U.N.", ORGANISATION),
        ("FBI Director James Comey", PERSON),
        ("it", ORGANISATION),
        ("its", ORGANISATION),
        ("Itself", ORGANISATION),
        ("them", ANONYMOUS),
        ("their", ANONYMOUS),
        ("themselves", ANONYMOUS),
        ("officials", ANONYMOUS),
        ("White House officials", ANONYMOUS),
        ("a spokesman", ANONYMOUS),
        ("a source close to the negotiations", ANONYMOUS),
        ("people familiar with the talks", ANONYMOUS),
        ("they", ANONYMOUS),
        ("", ANONYMOUS),
        ("a statement", DOCUMENT),
        ("the tweet", DOCUMENT),
        ("Rouhani's statement", DOCUMENT),
        ("a report by the agency", DOCUMENT),
        ("we", OUTLET),
        ("this reporter", OUTLET),
        ("Sean Spicer, a spokesman", PERSON),
    ],
)
def test_guess_kind(name, kind):
    assert guess_kind(name) == kind


@pytest.mark.parametrize(
    ("name", "gender"),
    [
        ("Mrs. Clinton", FEMALE),
        ("Ms Clinton", FEMALE),
        ("Miss Smith", FEMALE),
        ("Mr. Zimmerman", MALE),
        ("Sir John Major", MALE),
        ("President Mr. Smith", MALE),
        ("Gen. Mrs. Smith", FEMALE),
        ("Hillary Clinton", None),
        ("Zimmerman Mr.", None),
        ("", None),
    ],
)
def test_guess_gender_reads_courtesy_titles_only(name, gender):
    assert guess_gender(name) == gender


@pytest.mark.parametrize(
    ("mention", "core"),
    [
        ("President Hassan Rouhani", "Hassan Rouhani"),
        ("Foreign Ministry spokesman Saeed Khatibzadeh", "Saeed Khatibzadeh"),
        ("Gen. Qasem Soleimani's", "Qasem Soleimani"),
        ("Secretary of State John Kerry", "John Kerry"),
        ("Sean Spicer, a spokesman for the president", "Sean Spicer"),
        ("Supreme Leader Ayatollah Ali Khamenei", "Ali Khamenei"),
        ("Charles de Gaulle", "Charles de Gaulle"),
        ("Iran's Foreign Ministry", "Iran's Foreign Ministry"),
        ("the White House", "White House"),
        ("Democrats’", "Democrats"),
        ("a spokesman", ""),
        ("", ""),
        ("President", "President"),
    ],
)
def test_core_name(mention, core):
    assert core_name(mention) == core


def test_normalise_folds_case_spacing_possessives_and_punctuation():
    assert normalise("  Mr.  ZIMMERMAN’s ") == "mr zimmerman"
    assert normalise("“Rouhani,”") == "rouhani"
    assert normalise("") == ""


def test_known_speakers_are_frozen_and_default_to_a_person_of_unknown_gender():
    speaker = Known(1, "Jane Doe")
    assert (speaker.kind, speaker.gender, speaker.plural, speaker.aliases) == (PERSON, None, None, ())
    with pytest.raises(AttributeError):
        speaker.name = "John Doe"  # type: ignore[misc]
    assert names.KINDS == (PERSON, ORGANISATION, OUTLET, ANONYMOUS, DOCUMENT)


# -- properties ---------------------------------------------------------------------------------------------

# Words that are names: not titles or determiners ("His", "The", "Gen"), which a name drops.
name_words = (
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzéü", min_size=3, max_size=8)
    .filter(lambda word: word not in names._TITLES and word not in names._NAME_PARTICLES)
    .map(str.capitalize)
)
full_names = st.lists(name_words, min_size=2, max_size=3, unique=True).map(" ".join)


@given(full_names)
def test_every_name_resolves_to_its_speaker_and_its_surname_too(name):
    speaker = Known(1, name)
    assert resolve(name, [speaker]) is speaker
    assert resolve(name.upper(), [speaker]) is speaker
    assert resolve(f"Mr. {name.split()[-1]}", [speaker]) is speaker
    assert resolve(f"President {name}", [speaker]) is speaker


@given(full_names, full_names)
def test_two_speakers_with_one_surname_make_the_surname_ambiguous(first, second):
    surname = first.split()[-1]
    other = " ".join([*second.split()[:-1], surname]) if second.split()[:-1] != first.split()[:-1] else None
    if other is None or other == first:
        return
    speakers = [Known(1, first), Known(2, other)]
    assert resolve(surname, speakers) is None


@given(st.text(max_size=30))
def test_normalise_is_idempotent(text):
    assert normalise(normalise(text)) == normalise(text)
