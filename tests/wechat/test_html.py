"""The article HTML sent to WeChat keeps only an allow-list."""

from __future__ import annotations

from syndicator_adapters.wechat.html import paragraphs_to_html, sanitize_html


def test_scripts_styles_and_event_handlers_never_pass():
    dirty = (
        '<p onclick="steal()">Hi <script>alert(1)</script><style>p{}</style>'
        '<strong style="color:red">there</strong></p><iframe src="x">frame</iframe>'
    )
    assert sanitize_html(dirty) == "<p>Hi <strong>there</strong></p>"


def test_links_keep_only_http_href_and_images_only_wechat_hosted():
    markup = (
        '<a href="https://bit.edu.cn/" target="_blank">ok</a> <a href="javascript:evil()">bad</a>'
        '<img src="https://mmbiz.qpic.cn/abc/0" alt="p" onerror="x()"><img src="https://evil.test/x.png">'
    )
    assert sanitize_html(markup) == (
        '<a href="https://bit.edu.cn/">ok</a> bad<img src="https://mmbiz.qpic.cn/abc/0" alt="p">'
    )


def test_unknown_tags_are_unwrapped_and_nesting_repaired():
    assert sanitize_html("<div><h1>T</h1><ul><li>a<li>b</ul><span>x</span>") == (
        "<h2>T</h2><ul><li>a</li><li>b</li></ul>x"
    )


def test_plain_text_becomes_escaped_paragraphs():
    assert paragraphs_to_html("a < b\n\nline1\nline2") == "<p>a &lt; b</p><p>line1<br>line2</p>"
