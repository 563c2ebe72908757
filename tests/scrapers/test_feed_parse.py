"""scrapers.feeds: parsing odd feeds and normalising entries (fixtures in tests/fixtures/feeds/)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from scrapers.feeds import (
    canonical_url,
    detect_language,
    normalise_lang,
    parse_feed,
    title_fingerprint,
    to_plain_text,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
FETCHED = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)


def load(name: str, **kwargs):  # type: ignore[no-untyped-def]
    return parse_feed((FIXTURES / name).read_bytes(), feed_url=f"http://feeds.test/{name}", fetched_at=FETCHED, **kwargs)


@pytest.mark.parametrize("name", ["zh_gb2312.xml", "zh_gbk.xml"])
def test_chinese_legacy_encodings_are_decoded(name):
    feed = load(name)
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["东莞宏达电子厂发生火灾 三名工人受伤", "深圳市电子行业协会发布季度报告"]
    assert feed.entries[0].summary == "5月1日凌晨，东莞宏达电子厂车间起火，消防部门已介入调查。"
    assert feed.entries[0].lang == "zh"


def test_gbk_traditional_feed_title_is_kept_as_written():
    assert load("zh_gbk.xml").title == "華南工業新聞（繁體標題）"


def test_publication_time_is_converted_to_utc():
    entry = load("zh_gb2312.xml").entries[0]
    assert entry.published_at == datetime(2024, 5, 1, 0, 30, tzinfo=timezone.utc)


def test_atom_entries_get_plain_text_canonical_link_and_language():
    feed = load("atom.xml")
    first, second = feed.entries
    assert first.title == "Bribery probe at Apex Components widens"
    assert first.summary == "Prosecutors say managers paid officials."
    assert first.url == "https://www.example.com/news/apex-bribery?ref=atom"
    assert first.published_at == datetime(2024, 5, 3, 7, 15, tzinfo=timezone.utc)
    assert first.lang == "en"
    assert second.summary == "Rates fell 3%."  # xhtml content used when there is no summary


def test_bozo_feed_keeps_readable_entries_and_reports_the_rest():
    feed = load("bozo.xml")
    assert feed.bozo
    assert [e.title for e in feed.entries] == ["Workers protest unpaid wages at garment plant",
                                               "Second readable story survives the broken markup"]
    wheres = {p["where"]: p for p in feed.problems}
    assert "line" in wheres["feed"]  # where the XML broke
    assert wheres["entry 2"]["rejected"] and "neither title nor summary" in wheres["entry 2"]["error"]
    assert "unreadable date" in wheres["entry 1"]["error"]
    assert "javascript" in wheres["entry 3"]["error"]
    assert feed.entries[1].url is None  # javascript: link dropped
    assert feed.entries[0].published_at == FETCHED  # fallback to fetch time
    assert feed.rejected == 1


def test_script_and_style_content_never_survive():
    feed = load("script_injection.xml")
    texts = [t for e in feed.entries for t in (e.title, e.summary or "")]
    joined = " ".join(texts).lower()
    for bad in ("<script", "alert(", "document.cookie", "display:none", "onerror", "onclick", "<iframe",
                "javascript:", "<svg", "steal()"):
        assert bad not in joined, bad
    assert feed.entries[0].title == "Factory audit results published"
    assert feed.entries[1].title == "Second story"
    assert feed.entries[1].summary == "Body & more"


def test_bytes_that_look_like_a_path_or_url_are_never_opened():
    for body in (b"/etc/passwd", b"http://127.0.0.1:1/feed.xml", str(FIXTURES / "atom.xml").encode()):
        feed = parse_feed(body, feed_url="http://feeds.test/x", fetched_at=FETCHED)
        assert feed.entries == []


def test_empty_and_garbage_documents_report_a_problem():
    for body in (b"", b"\x00\xff\xfe garbage", b"<html><body>Not a feed</body></html>"):
        feed = parse_feed(body, feed_url="http://feeds.test/x", fetched_at=FETCHED)
        assert feed.entries == [] and feed.problems


def test_future_dates_fall_back_to_fetch_time():
    body = (b'<rss version="2.0"><channel><item><title>Tomorrow never comes story</title>'
            b"<link>http://a.test/1</link><pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item></channel></rss>")
    feed = parse_feed(body, feed_url="http://feeds.test/x", fetched_at=FETCHED)
    assert feed.entries[0].published_at == FETCHED
    assert "future" in feed.problems[0]["error"]


def test_repeated_entries_in_one_document_are_rejected_once():
    item = b"<item><title>Same story twice here</title><link>http://a.test/same</link></item>"
    body = b'<rss version="2.0"><channel>' + item + item + b"</channel></rss>"
    feed = parse_feed(body, feed_url="http://feeds.test/x", fetched_at=FETCHED)
    assert len(feed.entries) == 1 and feed.rejected == 1


def test_short_guids_are_scoped_to_their_feed_but_links_are_global():
    body = b'<rss version="2.0"><channel><item><title>Numbered guid item story</title><guid>1</guid></item></channel></rss>'
    a = parse_feed(body, feed_url="http://one.test/rss", fetched_at=FETCHED).entries[0]
    b = parse_feed(body, feed_url="http://two.test/rss", fetched_at=FETCHED).entries[0]
    assert a.entry_key != b.entry_key
    linked = b'<rss version="2.0"><channel><item><title>Linked story in two feeds</title><link>http://a.test/x?utm_source=1</link></item></channel></rss>'
    c = parse_feed(linked, feed_url="http://one.test/rss", fetched_at=FETCHED).entries[0]
    d = parse_feed(linked.replace(b"?utm_source=1", b"#frag"), feed_url="http://two.test/rss", fetched_at=FETCHED).entries[0]
    assert c.entry_key == d.entry_key


# --- normalisation helpers ---------------------------------------------------------------------


def test_plain_text_strips_tags_unescapes_and_collapses_whitespace():
    assert to_plain_text("<p>Hello&nbsp;<b>world</b></p>\n\n<p>AT&amp;T</p>") == "Hello world AT&T"
    assert to_plain_text("<style>p{color:red}</style><script>x()</script>text") == "text"
    assert to_plain_text("&lt;script&gt;alert(1)&lt;/script&gt;ok") == "ok"
    assert to_plain_text(None) == ""


def test_canonical_url():
    assert canonical_url("HTTP://News.Example.COM:80/a/b?utm_source=x&id=3&utm_medium=y#part") == "http://news.example.com/a/b?id=3"
    assert canonical_url("https://example.com:8443/x") == "https://example.com:8443/x"
    assert canonical_url("javascript:alert(1)") is None
    assert canonical_url("mailto:a@b.c") is None
    assert canonical_url("http://[::1") is None


def test_title_fingerprint_folds_case_punctuation_outlet_and_script():
    assert title_fingerprint("Fire at Apex plant kills 3 - Reuters") == title_fingerprint("FIRE AT APEX PLANT KILLS 3!")
    assert title_fingerprint("東莞工廠發生火災 三人受傷") == title_fingerprint("东莞工厂发生火灾，三人受伤")
    assert title_fingerprint("Update") is None


def test_language_detection_and_normalisation():
    assert detect_language("东莞工厂发生火灾") == "zh"
    assert detect_language("Factory fire in Dongguan") == "en"
    assert detect_language("Пожар на фабрике") == "other"
    assert detect_language("12345 !!") is None
    assert normalise_lang("zh-CN") == "zh" and normalise_lang("en_US") == "en" and normalise_lang("") is None
