"""/compare/new/: two articles, pasted or uploaded, become two Documents and a Comparison.

Good input is stored exactly as given, except that CRLF and lone CR become LF
and a UTF-8 byte-order mark is dropped.

Bad inputs tried (each on the right side, with a valid left side, so a write of
the left document alone would show): an empty text; a whitespace-only text; no
text field and no file at all; both a pasted text and a file; an empty file; a
whitespace-only file; a file that is not UTF-8 (latin-1 "café"); a file over
2 MB; a pasted text over 2 MB (in ASCII, and in two-byte characters that are
fewer than 2 MB characters but more than 2 MB of UTF-8); a missing title; a
URL that is not a URL; NUL characters, pasted and in a file (UTF-16 without a
byte-order mark); a paste larger than the request limit; an anonymous POST. Each answers 400 (401 for the
anonymous POST) with a clear message and writes nothing.
"""

import html

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reader.models import Comparison, Document

pytestmark = pytest.mark.django_db

URL = reverse("comparison_new")
LEFT_TEXT = "The talks failed, the minister said.\n\nOfficials denied it."
RIGHT_TEXT = "Talks collapsed on Friday.\n\nNobody commented."


def side(prefix, **fields):
    """The POST fields of one side of the form: `left-title`, `left-text`…"""
    return {f"{prefix}-{name}": value for name, value in fields.items()}


def valid_left():
    return side("left", title="Left article", outlet="Wire A", text=LEFT_TEXT)


def txt(content, name="article.txt"):
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    return SimpleUploadedFile(name, data, content_type="text/plain")


def counts():
    return Document.objects.count(), Comparison.objects.count()


def post(client, data):
    return client.post(URL, data)


# --- good input ---------------------------------------------------------------------------------


def test_pasting_two_texts_creates_two_documents_and_a_comparison(user_client, user):
    response = post(
        user_client,
        {
            **side("left", title="Talks fail", outlet="Wire A", published="2021-03-04", text=LEFT_TEXT),
            **side("right", title="Talks collapse", url="https://example.org/talks", text=RIGHT_TEXT),
        },
    )
    comparison = Comparison.objects.get()
    assert response.status_code == 302
    assert response["Location"] == comparison.get_absolute_url()
    assert (comparison.left.title, comparison.left.text) == ("Talks fail", LEFT_TEXT)
    assert (comparison.right.title, comparison.right.text) == ("Talks collapse", RIGHT_TEXT)
    assert comparison.left.outlet == "Wire A"
    assert comparison.left.published.isoformat() == "2021-03-04"
    assert comparison.right.url == "https://example.org/talks"
    assert comparison.created_by == user
    assert Document.objects.count() == 2


def test_the_new_comparison_page_shows_both_titles(user_client):
    response = user_client.post(
        URL,
        {
            **side("left", title="Talks fail", text=LEFT_TEXT),
            **side("right", title="Talks go on", text=RIGHT_TEXT),
        },
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == Comparison.objects.get().get_absolute_url()
    assert "Talks fail" in page
    assert "Talks go on" in page


def test_uploading_two_txt_files_works_too(user_client):
    response = post(
        user_client,
        {
            **side("left", title="Left", file=txt(LEFT_TEXT, "left.txt")),
            **side("right", title="Right", file=txt(RIGHT_TEXT, "right.txt")),
        },
    )
    comparison = Comparison.objects.get()
    assert response.status_code == 302
    assert comparison.left.text == LEFT_TEXT
    assert comparison.right.text == RIGHT_TEXT


def test_a_pasted_text_and_an_uploaded_file_can_be_mixed(user_client):
    post(user_client, {**valid_left(), **side("right", title="Right", file=txt(RIGHT_TEXT))})
    comparison = Comparison.objects.get()
    assert (comparison.left.text, comparison.right.text) == (LEFT_TEXT, RIGHT_TEXT)


# Lines with everything that must survive untouched: emoji, ZWJ, flags, combining
# accents, astral characters, tabs, leading and trailing spaces, blank lines.
LINES = [
    "  Family 👨\u200d👩\u200d👧 met in Zürich 🇮🇷  ",
    "e\u0301lan\tnai\u0308ve 𝒳 ",
    "",
    "   ",
    "Last line 👍🏽 ends here.  ",
    "",
]


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "lone-cr"])
def test_pasted_newlines_are_normalised_and_nothing_else_changes(user_client, newline):
    post(user_client, {**valid_left(), **side("right", title="Right", text=newline.join(LINES))})
    assert Document.objects.get(title="Right").text == "\n".join(LINES)


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "lone-cr"])
def test_uploaded_newlines_are_normalised_and_nothing_else_changes(user_client, newline):
    post(user_client, {**valid_left(), **side("right", title="Right", file=txt(newline.join(LINES)))})
    assert Document.objects.get(title="Right").text == "\n".join(LINES)


def test_mixed_newlines_all_become_lf(user_client):
    pasted = LINES[0] + "\r\n" + LINES[1] + "\r" + LINES[3] + "\n" + LINES[4] + "\r\r\n"
    post(user_client, {**valid_left(), **side("right", title="Right", text=pasted)})
    expected = "\n".join([LINES[0], LINES[1], LINES[3], LINES[4], "", ""])
    assert Document.objects.get(title="Right").text == expected


def test_a_utf8_byte_order_mark_is_dropped(user_client):
    body = "\n".join(LINES)
    post(
        user_client,
        {**valid_left(), **side("right", title="Right", file=txt(b"\xef\xbb\xbf" + body.encode()))},
    )
    document = Document.objects.get(title="Right")
    assert document.text == body
    assert not document.text.startswith("\ufeff")


def test_a_file_of_exactly_2_mb_is_accepted(user_client):
    body = "a" * (settings.MAX_DOCUMENT_BYTES - 1) + "\n"
    response = post(user_client, {**valid_left(), **side("right", title="Right", file=txt(body))})
    assert response.status_code == 302
    assert len(Document.objects.get(title="Right").text.encode()) == settings.MAX_DOCUMENT_BYTES


def test_two_articles_with_the_same_title_get_different_slugs(user_client):
    post(
        user_client,
        {
            **side("left", title="Same title", text=LEFT_TEXT),
            **side("right", title="Same title", text=RIGHT_TEXT),
        },
    )
    comparison = Comparison.objects.get()
    assert comparison.left.title == comparison.right.title == "Same title"
    assert comparison.left.slug != comparison.right.slug


def test_the_form_page_shows_both_sides(user_client):
    response = user_client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    for prefix in ("left", "right"):
        for field in ("title", "outlet", "published", "url", "text", "file"):
            assert f'name="{prefix}-{field}"' in page
    assert 'enctype="multipart/form-data"' in page


# --- bad input ----------------------------------------------------------------------------------


def assert_refused(response, before, message, status=400):
    page = html.unescape(response.content.decode())
    assert response.status_code == status
    assert message in page
    assert counts() == before


BIG = settings.MAX_DOCUMENT_BYTES
MB = f"over {BIG // (1024 * 1024)} MB"
EMPTY = "The article is empty"

BAD_RIGHT_SIDES = {
    "empty text": (lambda: side("right", title="Right", text=""), EMPTY),
    "whitespace-only text": (lambda: side("right", title="Right", text=" \r\n\t\n\u00a0 \n"), EMPTY),
    "no text and no file": (lambda: side("right", title="Right"), EMPTY),
    "text and file": (
        lambda: side("right", title="Right", text=RIGHT_TEXT, file=txt(RIGHT_TEXT)),
        "not both",
    ),
    "empty file": (lambda: side("right", title="Right", file=txt(b"")), "empty"),
    "whitespace-only file": (lambda: side("right", title="Right", file=txt(" \n\n\t ")), EMPTY),
    "latin-1 file": (lambda: side("right", title="Right", file=txt(b"caf\xe9", "cafe.txt")), "not UTF-8"),
    "file over 2 MB": (lambda: side("right", title="Right", file=txt(b"a" * (BIG + 1))), MB),
    "pasted text over 2 MB": (lambda: side("right", title="Right", text="a" * (BIG + 1)), MB),
    "pasted two-byte text over 2 MB": (lambda: side("right", title="Right", text="é" * (BIG // 2 + 1)), MB),
    "missing title": (lambda: side("right", text=RIGHT_TEXT), "Give the article a title"),
    "blank title": (lambda: side("right", title="   ", text=RIGHT_TEXT), "Give the article a title"),
    "invalid URL": (
        lambda: side("right", title="Right", url="not a url at all", text=RIGHT_TEXT),
        "valid URL",
    ),
}


@pytest.mark.parametrize("case", list(BAD_RIGHT_SIDES), ids=list(BAD_RIGHT_SIDES))
def test_bad_input_is_refused_with_a_message_and_writes_nothing(user_client, case):
    make_right, message = BAD_RIGHT_SIDES[case]
    before = counts()
    response = post(user_client, {**valid_left(), **make_right()})
    assert_refused(response, before, message)


def test_pasted_nul_characters_are_refused(user_client):
    before = counts()
    response = post(user_client, {**valid_left(), **side("right", title="Right", text="Hello\x00world")})
    assert_refused(response, before, "Null characters are not allowed")


def test_an_uploaded_file_holding_nul_characters_is_refused(user_client):
    # UTF-16 saved without a byte-order mark decodes as "valid" UTF-8 full of NULs.
    utf16 = txt("Hello world".encode("utf-16-le"), "notepad.txt")
    before = counts()
    response = post(user_client, {**valid_left(), **side("right", title="Right", file=utf16)})
    assert response.status_code == 400
    assert counts() == before


def test_a_paste_too_big_for_the_request_limit_gets_a_message_about_its_size(user_client):
    huge = "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    before = counts()
    response = post(user_client, {**valid_left(), **side("right", title="Right", text=huge)})
    assert_refused(response, before, f"{BIG // (1024 * 1024)} MB")


def test_bad_input_keeps_what_was_typed(user_client):
    response = post(user_client, {**valid_left(), **side("right", title="Right", text="   ")})
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert LEFT_TEXT in page
    assert 'value="Left article"' in page


def test_the_non_utf8_message_names_the_file(user_client):
    before = counts()
    response = post(
        user_client, {**valid_left(), **side("right", title="Right", file=txt(b"caf\xe9", "cafe.txt"))}
    )
    assert_refused(response, before, "cafe.txt")


def test_two_bad_sides_both_get_a_message(user_client):
    before = counts()
    response = post(user_client, {**side("left", title="Left"), **side("right", text=RIGHT_TEXT)})
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert EMPTY in page
    assert "Give the article a title" in page
    assert counts() == before


# --- access -------------------------------------------------------------------------------------


def test_anonymous_get_redirects_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_post_gets_401_and_writes_nothing(client):
    before = counts()
    response = client.post(URL, {**valid_left(), **side("right", title="Right", text=RIGHT_TEXT)})
    assert response.status_code == 401
    assert "Log in" in response.content.decode()
    assert counts() == before


# --- escaping -----------------------------------------------------------------------------------


def test_html_in_a_title_is_shown_as_text_on_the_comparison_page(user_client):
    script = "<script>alert(1)</script>"
    response = user_client.post(
        URL,
        {**side("left", title=script, text=LEFT_TEXT), **side("right", title="Right", text=RIGHT_TEXT)},
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert Document.objects.filter(title=script).exists()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert script not in page


def test_html_in_a_text_is_shown_as_text_on_the_comparison_page(user_client):
    body = 'Before <img src=x onerror="alert(1)"> after.'
    response = user_client.post(
        URL,
        {**valid_left(), **side("right", title="Right", text=body)},
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert Document.objects.get(title="Right").text == body
    assert "<img src=x" not in page
    assert "&lt;img src=x" in page


# --- duplicates, headlines, headings ---------------------------------------------------------------


def test_an_article_already_here_with_the_same_text_is_used_not_copied(user_client):
    post(user_client, {**valid_left(), **side("right", title="Right", text=RIGHT_TEXT)})
    third = "A third article.\n\nWith its own words."
    response = post(
        user_client, {**side("left", title="Copy", text=LEFT_TEXT), **side("right", title="T", text=third)}
    )
    assert response.status_code == 302
    assert Document.objects.count() == 3  # the left text was used, not stored twice
    assert Comparison.objects.count() == 2
    assert Comparison.objects.get(right__title="T").left.title == "Left article"
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert "“Left article” was already here with the same text: it is used as it is." in messages


def test_the_same_two_articles_again_open_their_comparison(user_client):
    first = post(user_client, {**valid_left(), **side("right", title="Right", text=RIGHT_TEXT)})
    again = post(
        user_client,
        {**side("left", title="L2", text=RIGHT_TEXT), **side("right", title="R2", text=LEFT_TEXT)},
    )
    assert again["Location"] == first["Location"]
    assert counts() == (2, 1)


def test_the_same_text_on_both_sides_is_refused(user_client):
    before = counts()
    response = post(user_client, {**valid_left(), **side("right", title="Right", text=LEFT_TEXT)})
    assert response.status_code == 400
    assert "same text" in response.content.decode()
    assert counts() == before


def test_the_first_line_can_be_taken_as_the_title_and_out_of_the_text(user_client):
    pasted = "Talks collapse in Vienna\n\nTalks collapsed on Friday.\n\nNobody commented."
    post(user_client, {**valid_left(), **side("right", text=pasted, first_line_is_title="on")})
    document = Document.objects.get(title="Talks collapse in Vienna")
    assert document.text == "Talks collapsed on Friday.\n\nNobody commented."


def test_a_headline_alone_is_not_an_article(user_client):
    before = counts()
    response = post(
        user_client, {**valid_left(), **side("right", text="Only a headline\n\n", first_line_is_title="on")}
    )
    assert response.status_code == 400
    assert "nothing after its first line" in response.content.decode()
    assert counts() == before


def test_markdown_headings_in_a_paste_become_headings_and_the_text_is_kept(user_client):
    pasted = "Intro paragraph.\n\n## Reactions\n\nNobody commented."
    post(user_client, {**valid_left(), **side("right", title="Right", text=pasted)})
    document = Document.objects.get(title="Right")
    assert document.text == pasted
    assert document.headings == [[18, 30]]
