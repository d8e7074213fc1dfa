"""wrap_units: line-break opportunities for the share-card renderer.

The reference is UAX #14 as ``uniseg`` implements it (Unicode 14 rules): on the
corpus of news sentences below our units must equal uniseg's. Where we differ on
purpose we only ever *remove* break opportunities, and each case says why.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from uniseg.linebreak import line_break_units

from syndicator.text import wrap_units

#: The brief's closing punctuation, plus what the card layout also forbids at a line
#: start ("%·…—～", adapters/wechat/wrap.py NO_LINE_START).
CLOSING = set("，。、；：！？）」』】》〉”’,.;:!?)]}%·…—～")
OPENING = set("（「『【《〈“‘([{")


def test_cjk_breaks_between_characters_but_punctuation_stays_attached() -> None:
    units = wrap_units("北京理工大学，举行音乐会。")
    assert "".join(units) == "北京理工大学，举行音乐会。"
    assert not any(u.startswith(("，", "。")) for u in units)
    assert "学，" in units


def test_latin_words_stay_whole() -> None:
    assert wrap_units("Beijing Institute 理工") == ["Beijing ", "Institute ", "理", "工"]


def test_empty_text_has_no_units() -> None:
    assert wrap_units("") == []


def test_spaces_stay_with_the_unit_before_them() -> None:
    assert wrap_units("  two  words ") == ["  ", "two  ", "words "]


def test_a_hyphenated_word_may_break_after_its_hyphen_but_not_before_a_digit() -> None:
    assert wrap_units("well-known COVID-19 -5") == ["well-", "known ", "COVID-19 ", "-5"]


def test_numbers_keep_their_separators_and_units() -> None:
    assert wrap_units("增长26.1%，共1,000人") == ["增", "长", "26.1%，", "共", "1,000", "人"]
    assert wrap_units("费用￥100或$15") == ["费", "用", "￥100", "或", "$15"]


def test_dashes_and_ellipses_stay_whole_and_attached_to_the_text_before() -> None:
    assert wrap_units("他说——好……吧") == ["他", "说——", "好……", "吧"]


def test_opening_punctuation_holds_the_character_after_it() -> None:
    assert wrap_units("见《自然》（2020）") == ["见", "《自", "然》", "（2020）"]
    assert wrap_units("see ( notes )") == ["see ", "( notes )"]


def test_closing_punctuation_after_spaces_still_joins_the_text_before() -> None:
    assert wrap_units("好 ， 的") == ["好 ， ", "的"]


def test_a_url_is_one_unit_even_inside_chinese_text() -> None:
    url = "https://english.bit.edu.cn/2020-02/09/c_123456.htm?utm_source=wechat"
    assert wrap_units(f"详见{url}。谢谢") == ["详", "见", f"{url}。", "谢", "谢"]
    assert wrap_units("at www.bit.edu.cn/news/a.htm today") == [
        "at ",
        "www.bit.edu.cn/news/a.htm ",
        "today",
    ]


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("cafe\u0301 ok", ["cafe\u0301 ", "ok"]),  # combining accent
        ("中\u0301文", ["中\u0301", "文"]),
        ("家👨\u200d👩\u200d👧好", ["家", "👨\u200d👩\u200d👧", "好"]),  # ZWJ family
        ("赞👍🏽！", ["赞", "👍🏽！"]),  # skin tone modifier
        ("🇨🇳🇺🇸", ["🇨🇳", "🇺🇸"]),  # two flags, two units
        ("\u1100\u1161\u11a8가", ["\u1100\u1161\u11a8", "가"]),  # conjoining jamo
    ],
)
def test_no_break_inside_a_grapheme_cluster(text: str, units: list[str]) -> None:
    assert wrap_units(text) == units


# Realistic mixed Chinese/English news text: our units equal UAX #14's (uniseg).
AGREES_WITH_UAX14 = [
    "北京理工大学研究生国际交流人数创历史新高，全年超过一千人次。",
    "其中国家公派项目一百九十一人，联合培养五十人，暑期学校八十人。",
    "北理工与University of Cambridge签署合作协议：AI与量子计算（Quantum Computing）联合实验室揭牌。",
    "首批20名研究生入选，“双一流”建设迈出新步伐。",
    "2020年2月9日，学校召开疫情防控工作会议。",
    "学校2023年科研经费突破50亿元，同比增长26.1%。",
    "《自然》杂志发表我校团队在5G通信领域的最新成果。",
    "校长在开幕式上指出：“要把论文写在祖国大地上！”",
    "会议讨论了以下议题：人才培养、科学研究、社会服务、文化传承。",
    "新华社记者张伟报道：北京时间3月15日，“嫦娥五号”任务取得圆满成功。",
    "本次活动共吸引了来自30多个国家和地区的1,000余名学生参加。",
    "Beijing Institute of Technology held its 2023 commencement ceremony on June 28.",
    "The university's well-known programme attracted 1,000 applicants, up 26.1% on last year.",
    'President Zhang said the COVID-19 response was "a test of our resilience".',
    "Researchers at BIT (Beijing Institute of Technology) published their findings in Nature.",
    "The event, held on 2023-06-28, drew students from Europe, Asia and Africa.",
    "Tickets cost $20 for adults and $10 for students; see the website for details.",
    "‘We are proud of our students,’ said the dean.",
    "BIT ranks 7th nationally in engineering and 51st–75th in the world.",
    "The lab's new state-of-the-art facility opened on Monday.",
    "北理工机器人队在RoboCup 2023世界杯中获得冠军。",
    "报名截止日期为2024年3月1日（星期五）。",
    "图为学生在iGEM国际大赛上展示项目成果。",
    "该项目获国家自然科学基金资助，经费共计1200万元。",
    "留学生代表Maria Garcia用流利的中文发言。",
    "研究成果发表于IEEE Transactions on Robotics，引起广泛关注。",
    "活动现场气氛热烈，掌声不断……",
    "他说：“我们要继续努力。”",
    '所谓"双一流"建设，即China\'s "Double First-Class" plan.',
    "一，二，三，四，五，六，七，八，九，十。甲、乙、丙、丁；戊：己！庚？辛）壬》癸」。",
    "ソフトウェア、ちょっと。한국어 텍스트입니다.",
]


@pytest.mark.parametrize("text", AGREES_WITH_UAX14)
def test_news_sentences_break_where_uax14_breaks(text: str) -> None:
    assert wrap_units(text) == list(line_break_units(text))


# Where we differ from uniseg on purpose: (text, our units, why).
DIFFERS_FROM_UAX14 = [
    (
        "访问https://www.bit.edu.cn/xww/2020-02/09/c_654321.htm了解更多",
        ["访", "问", "https://www.bit.edu.cn/xww/2020-02/09/c_654321.htm", "了", "解", "更", "多"],
        "a URL is one unit (UAX #14 breaks after '/' and before '.'); the card "
        "force-breaks an overlong unit only when nothing else fits",
    ),
    (
        "他说——这是真的",
        ["他", "说——", "这", "是", "真", "的"],
        "UAX #14 allows a break before '——'; the card layout never starts a line with it",
    ),
    (
        "马克·吐温",
        ["马", "克·", "吐", "温"],
        "UAX #14 allows a break before '·'; the card layout never starts a line with it",
    ),
    (
        "word — word",
        ["word — ", "word"],
        "UAX #14 breaks before an em dash after a space; the card never starts a line with '—'",
    ),
    (
        "增长 26.1 %",
        ["增", "长 ", "26.1 %"],
        "a lone '%' after a space would start a line; the card layout forbids that",
    ),
    (
        "学院举办“AI+教育”论坛",
        ["学", "院", "举", "办", "“AI+教", "育”", "论", "坛"],
        "Unicode 14 UAX #14 treats '“' as an ambiguous quote and glues it to '办'; in "
        "Chinese it is opening punctuation, and a line may start with it",
    ),
]


@pytest.mark.parametrize(("text", "ours", "why"), DIFFERS_FROM_UAX14)
def test_deliberate_differences_from_uax14_add_breaks_only_before_opening_punctuation(
    text: str, ours: list[str], why: str
) -> None:
    theirs = list(line_break_units(text))
    assert wrap_units(text) == ours, why
    assert ours != theirs, f"uniseg now agrees; move this case to AGREES_WITH_UAX14 ({why})"
    assert all(text[at] in OPENING for at in breaks(ours) - breaks(theirs)), why


def breaks(units: list[str]) -> set[int]:
    offsets, total = set(), 0
    for unit in units[:-1]:
        total += len(unit)
        offsets.add(total)
    return offsets


NEWS_ALPHABET = st.sampled_from(
    [*"北京理工大学ソ한ａ", *"abcXYZ019", *CLOSING, *OPENING, *" \t\n\u3000-–/'\"#$%+@_",
     "——", "……", "https://", "www.", "\u0301", "\u200d", "👍", "🏽", "🇨", "️", "\u00a0"]
)  # fmt: skip


def check_units(text: str) -> None:
    units = wrap_units(text)
    assert "".join(units) == text
    assert all(units)
    for unit in units[1:]:
        assert unit[0] not in CLOSING, units
    for unit in units[:-1]:
        assert unit[-1] not in OPENING, units


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NEWS_ALPHABET, max_size=40).map("".join))
@example("f(（测")
@example("A+（测")
@example("(a)")
def test_units_rebuild_the_text_and_respect_punctuation_on_news_like_text(text: str) -> None:
    check_units(text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_units_rebuild_any_text_and_respect_punctuation(text: str) -> None:
    check_units(text)
