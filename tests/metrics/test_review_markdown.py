"""Commentary is Markdown typed by people: each injection case is rendered inert by
`safe_markdown` (what the pages give st.markdown) and reads as words in `plain_text` (the pack)."""

from __future__ import annotations

import pytest

from metrics.review.markdown import plain_text, safe_markdown, short


def test_script_block_is_removed_with_its_content():
    out = safe_markdown("Spend is fine.<script>alert('x')</script> Really.")
    assert "script" not in out and "alert" not in out
    assert out == "Spend is fine. Really."


def test_html_tags_and_event_handlers_are_removed_keeping_the_words():
    out = safe_markdown('We <b onclick="steal()">agreed</b> <img src=x onerror=alert(1)> this.')
    assert "<" not in out.replace("\\<", "") and "onerror" not in out and "onclick" not in out
    assert out == "We agreed  this."


def test_html_comment_and_iframe_are_removed():
    assert safe_markdown("<!-- hidden -->Seen<iframe src='https://evil.example'></iframe>") == "Seen"


def test_javascript_link_keeps_its_text_only():
    out = safe_markdown("See [the plan](javascript:alert(document.cookie)) now")
    assert out == "See the plan now"
    assert "javascript" not in out


@pytest.mark.parametrize(
    "target", ["data:text/html;base64,PHNjcmlwdD4=", "file:///etc/passwd", "vbscript:x", "//evil.example"]
)
def test_links_to_anything_but_http_lose_their_target(target):
    assert safe_markdown(f"[open]({target})") == "open"


def test_http_and_https_links_are_kept():
    text = "[the deck](https://intranet.example/q3) and [old](http://wiki.example/a_(b))"
    assert safe_markdown(text) == text


def test_javascript_autolink_is_removed_and_https_autolink_kept():
    assert safe_markdown("<javascript:alert(1)> <https://ok.example>") == "https://ok.example"


def test_reference_definitions_are_removed_so_reference_links_stay_text():
    out = safe_markdown("[the plan][p]\n\n[p]: javascript:alert(1)")
    assert "javascript" not in out and out == "[the plan][p]"


def test_image_becomes_its_alt_text():
    assert safe_markdown("Chart ![tracking pixel](https://evil.example/p.png) here") == "Chart tracking pixel here"
    assert safe_markdown("![x][ref]") == "x"


@pytest.mark.parametrize(
    "directive",
    [":red[Alarm]", ":blue-background[calm]", ":rainbow[party]", ":orange-badge[Late]", ":material/warning:"],
)
def test_streamlit_colour_badge_and_icon_syntax_is_made_literal(directive):
    out = safe_markdown(f"Status {directive} today")
    assert out == "Status " + directive.replace(":", "\\:") + " today"


def test_katex_dollars_are_escaped():
    assert safe_markdown("Saved $120,400 of $1.2M") == "Saved \\$120,400 of \\$1.2M"
    assert safe_markdown("$$\\int x$$") == "\\$\\$\\int x\\$\\$"


def test_directive_after_a_link_scheme_is_still_escaped_but_the_link_works():
    out = safe_markdown("[ok](https://x.example/a:b) :red[no]")
    assert out == "[ok](https://x.example/a:b) \\:red[no]"


def test_plain_colons_are_escaped_and_still_read_as_colons():
    assert safe_markdown("Note: review at 10:30") == "Note\\: review at 10\\:30"
    assert plain_text("Note: review at 10:30") == "Note: review at 10:30"


def test_control_and_bidi_characters_are_removed():
    assert safe_markdown("ok\u202eevil\x1b[31m") == "okevil"


def test_emphasis_and_lists_stay_markdown():
    text = "**Agreed** to consolidate\n\n- one CDP\n- _by Q4_"
    assert safe_markdown(text) == text


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        ":red[x] $a$ ![i](https://e.example/i.png)",
        "<<script>script>alert(1)<</script>/script>",
        "\\:red[x] \\$",
    ],
)
def test_sanitising_twice_changes_nothing(payload):
    once = safe_markdown(payload)
    assert safe_markdown(once) == once


def test_plain_text_for_the_pack():
    text = "## Plan\n**Agreed** to [the deck](https://intranet.example/q3), not [that](javascript:x). Cost $5 :red[!]"
    assert plain_text(text) == "Plan\nAgreed to the deck (https://intranet.example/q3), not that. Cost $5 :red[!]"


def test_short_takes_the_first_paragraph_and_cuts_at_a_word():
    assert short("First **point**.\n\nSecond.") == "First point."
    cut = short("word " * 60, limit=40)
    assert cut.endswith("…") and len(cut) <= 40 and "wor…" not in cut
