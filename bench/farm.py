#!/usr/bin/env python3
"""A deterministic farm of news feeds for polling benchmarks.

    python bench/farm.py generate --dir FARM [--n 1000] [--seed 7] [--host 127.0.0.1:8932]
    python bench/farm.py publish  --dir FARM --round 3 [--fraction 0.05]

Why deterministic: every tool in a benchmark run must see the same bytes and the
same validators (ETag = mtime + size in nginx), so each item is a pure function of
(seed, feed number, item number) and every file gets a fixed mtime.

The farm looks like a university news network: about two thirds RSS 2.0 and one
third Atom, 20-50 items per feed, one feed in 50 "large" (~450 KB, long articles
in full), titles and bodies half English and half Chinese, bodies as escaped HTML
with paragraphs, links, emphasis and sometimes an image, some enclosures.

``state.json`` keeps each feed's window of item numbers ``[first, last]``;
``publish`` slides the window of a deterministic ``fraction`` of the feeds by 1-3
new items (the oldest fall off, as on a real site), gives those files a strictly
newer mtime and writes ``expected/round-R.json`` with the exact count of new items.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape

EPOCH = datetime(2025, 3, 3, 6, 30, tzinfo=UTC)
FIXED_MTIME = 1_710_000_000

SUBJECTS_EN = [
    "physics",
    "linguistics",
    "ocean engineering",
    "machine learning",
    "history",
    "optoelectronics",
    "veterinary science",
    "urban planning",
    "mathematics",
    "pharmacology",
    "energy storage",
    "journalism",
    "geology",
    "philosophy",
]
SUBJECTS_ZH = [
    "物理学",
    "语言学",
    "海洋工程",
    "机器学习",
    "历史学",
    "光电信息",
    "兽医学",
    "城乡规划",
    "数学",
    "药理学",
    "储能材料",
    "新闻传播",
    "地质学",
    "哲学",
]
PEOPLE = [
    "Ma Jun",
    "Xu Ling",
    "Gao Yan",
    "Tang Hao",
    "Anna Schmidt",
    "Peter Lee",
    "Zhou Qing",
    "He Rui",
    "Lin Mei",
    "James Carter",
    "Feng Bo",
    "Deng Xia",
    "马骏",
    "徐玲",
    "高岩",
    "唐浩",
    "周青",
    "何睿",
]
HEADLINES_EN = [
    "{who} elected fellow of the national academy for work in {what}",
    "New joint centre for {what} opens on the east campus",
    "Undergraduates in {what} win gold at the world finals",
    "{what} group reports record result in Science",
    "Summer school in {what} welcomes students from 40 countries",
    "Spring lecture series: {who} on the future of {what}",
    "Graduate admissions for {what} open next Monday",
    "Campus volunteers bring {what} workshops to rural schools",
]
HEADLINES_ZH = [
    "{who}团队在{what}研究中取得新突破",
    "{what}国际学术研讨会在我校开幕",
    "我校{what}专业学生获全国大赛特等奖",
    "{what}重点实验室通过专家验收",
    "关于{what}方向研究生招生复试安排的通知",
    "{who}教授应邀作{what}前沿讲座",
]
SENTENCES_EN = [
    "More than three hundred students and staff attended the ceremony in the main hall.",
    "The research was supported by a five-year grant from the science foundation.",
    "Organisers said the programme would be repeated in the autumn semester.",
    "Visitors toured the laboratories and met the doctoral candidates.",
    "The team thanked its partners in industry for their continued support.",
    "Applications close at the end of the month; details are on the faculty website.",
]
SENTENCES_ZH = [
    "仪式在学校大礼堂举行，三百余名师生参加。",
    "该研究得到国家自然科学基金五年期项目的资助。",
    "主办方表示，该项目将于秋季学期继续开展。",
    "来宾参观了实验室，并与博士研究生进行了交流。",
    "团队感谢合作企业长期以来的大力支持。",
    "报名将于本月底截止，详情请见学院网站。",
]


def feed_plan(seed: int, number: int) -> dict[str, object]:
    """The fixed shape of one feed: format, size class, number of items."""
    rng = random.Random(f"plan/{seed}/{number}")
    large = number % 50 == 25
    count = rng.randint(20, 50)
    per_item = (620_000 if large else 22_500) // count
    return {
        "number": number,
        "format": "atom" if rng.random() < 0.32 else "rss",
        "per_item": per_item,
        "large": large,
        "subject": rng.choice(SUBJECTS_EN),
        "first": 0,
        "last": count - 1,
    }


def item(seed: int, number: int, seq: int, per_item: int, host: str) -> dict[str, object]:
    """One news item, always the same for the same arguments."""
    rng = random.Random(f"item/{seed}/{number}/{seq}")
    chinese = rng.random() < 0.5
    who = rng.choice(PEOPLE)
    if chinese:
        title = rng.choice(HEADLINES_ZH).format(who=who, what=rng.choice(SUBJECTS_ZH))
    else:
        title = rng.choice(HEADLINES_EN).format(who=who, what=rng.choice(SUBJECTS_EN))
    name = f"n{number:05d}"
    parts: list[str] = []
    if rng.random() < 0.35:
        parts.append(f'<p><img src="/images/{name}/{seq}.jpg" alt="{escape(title)}"/></p>')
    size = sum(len(p) for p in parts)
    while size < per_item * 0.6:
        pool = SENTENCES_ZH if chinese else SENTENCES_EN
        text = " ".join(rng.choice(pool) for _ in range(rng.randint(2, 4)))
        if rng.random() < 0.25:
            text += f' <a href="http://{host}/people/{rng.randint(1, 500)}.html">{who}</a>'
        if rng.random() < 0.2:
            text = f"<strong>{escape(rng.choice(SUBJECTS_ZH + SUBJECTS_EN))}</strong> {text}"
        paragraph = f"<p>{text}</p>"
        parts.append(paragraph)
        size += len(paragraph.encode())
    enclosure = None
    roll = rng.random()
    if roll < 0.14:
        enclosure = (
            f"http://{host}/audio/{name}/{seq}.mp3",
            "audio/mpeg",
            rng.randint(10**6, 10**8),
        )
    elif roll < 0.28:
        enclosure = (
            f"http://{host}/images/{name}/{seq}-big.jpg",
            "image/jpeg",
            rng.randint(10**5, 10**7),
        )
    return {
        "title": title,
        "link": f"http://{host}/news/{name}/{seq:05d}.htm",
        "id": f"tag:{host.split(':')[0]},2025:{name}/{seq}",
        "when": EPOCH + timedelta(hours=5 * seq + number % 17, minutes=(number + 3 * seq) % 60),
        "html": "".join(parts),
        "author": who,
        "category": rng.choice(["News", "Research", "Campus", "新闻", "科研", "通知"]),
        "enclosure": enclosure,
    }


def render(seed: int, plan: dict[str, object], host: str) -> bytes:
    number = int(plan["number"])  # type: ignore[arg-type]
    name = f"n{number:05d}"
    seqs = range(int(plan["last"]), int(plan["first"]) - 1, -1)  # type: ignore[arg-type]
    items = [item(seed, number, s, int(plan["per_item"]), host) for s in seqs]  # type: ignore[arg-type]
    title = escape(f"{str(plan['subject']).title()} · 校园新闻 {number}")
    home = f"http://{host}/news/{name}/"
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    if plan["format"] == "rss":
        out.append(
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
            f"<title>{title}</title>\n<link>{home}</link>\n"
            f"<description>News from {name}</description>\n<language>zh-CN</language>\n"
            f"<lastBuildDate>{format_datetime(items[0]['when'])}</lastBuildDate>\n"
        )
        for it in items:
            out.append(
                f"<item>\n<title>{escape(it['title'])}</title>\n<link>{it['link']}</link>\n"
                f'<guid isPermaLink="false">{it["id"]}</guid>\n'
                f"<pubDate>{format_datetime(it['when'])}</pubDate>\n"
                f"<dc:creator>{escape(it['author'])}</dc:creator>\n"
                f"<category>{escape(it['category'])}</category>\n"
                f"<description>{escape(it['html'])}</description>\n"
            )
            if it["enclosure"]:
                href, kind, length = it["enclosure"]
                out.append(f'<enclosure url="{href}" type="{kind}" length="{length}"/>\n')
            out.append("</item>\n")
        out.append("</channel>\n</rss>\n")
    else:
        out.append(
            '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">\n'
            f"<title>{title}</title>\n<id>tag:{host.split(':')[0]},2025:{name}</id>\n"
            f"<updated>{items[0]['when'].isoformat()}</updated>\n"
            f'<link rel="alternate" href="{home}"/>\n'
        )
        for it in items:
            out.append(
                f"<entry>\n<title>{escape(it['title'])}</title>\n"
                f'<link rel="alternate" href="{it["link"]}"/>\n<id>{it["id"]}</id>\n'
                f"<published>{it['when'].isoformat()}</published>\n"
                f"<updated>{it['when'].isoformat()}</updated>\n"
                f"<author><name>{escape(it['author'])}</name></author>\n"
                f'<category term="{escape(it["category"])}"/>\n'
                f'<summary type="html">{escape(it["html"][:300])}</summary>\n'
                f'<content type="html">{escape(it["html"])}</content>\n'
            )
            if it["enclosure"]:
                href, kind, length = it["enclosure"]
                out.append(
                    f'<link rel="enclosure" href="{href}" type="{kind}" length="{length}"/>\n'
                )
            out.append("</entry>\n")
        out.append("</feed>\n")
    return "".join(out).encode()


def write(farm: str, seed: int, plan: dict[str, object], host: str, mtime: int) -> int:
    path = os.path.join(farm, "feeds", f"n{int(plan['number']):05d}.xml")  # type: ignore[arg-type]
    data = render(seed, plan, host)
    with open(path + ".part", "wb") as fh:
        fh.write(data)
    os.utime(path + ".part", (mtime, mtime))
    os.replace(path + ".part", path)  # a GET in flight never sees half a file
    return len(data)


def _save(farm: str, name: str, payload: object) -> None:
    with open(os.path.join(farm, name), "w") as fh:
        json.dump(payload, fh)


def generate(farm: str, n: int, seed: int, host: str) -> dict[str, int]:
    os.makedirs(os.path.join(farm, "feeds"), exist_ok=True)
    os.makedirs(os.path.join(farm, "expected"), exist_ok=True)
    plans = [feed_plan(seed, i) for i in range(n)]
    size = sum(write(farm, seed, p, host, FIXED_MTIME) for p in plans)
    items = sum(int(p["last"]) - int(p["first"]) + 1 for p in plans)  # type: ignore[arg-type]
    _save(farm, "state.json", {"seed": seed, "host": host, "mtime": FIXED_MTIME, "plans": plans})
    with open(os.path.join(farm, "urls.txt"), "w") as fh:
        fh.writelines(f"http://{host}/feeds/n{i:05d}.xml\n" for i in range(n))
    _save(farm, "expected/round-1.json", {"new_items": items, "changed_feeds": n})
    return {
        "feeds": n,
        "items": items,
        "bytes": size,
        "large": sum(bool(p["large"]) for p in plans),
        "atom": sum(p["format"] == "atom" for p in plans),
    }


def publish(farm: str, round_no: int, fraction: float) -> dict[str, int]:
    with open(os.path.join(farm, "state.json")) as fh:
        state = json.load(fh)
    plans = state["plans"]
    rng = random.Random(f"publish/{state['seed']}/{round_no}")
    chosen = sorted(rng.sample(range(len(plans)), round(len(plans) * fraction)))
    mtime = max(int(time.time()), state["mtime"] + 1)
    added = 0
    for index in chosen:
        more = rng.randint(1, 3)
        plans[index]["first"] += more
        plans[index]["last"] += more
        added += more
        write(farm, state["seed"], plans[index], state["host"], mtime)
    state["mtime"] = mtime
    _save(farm, "state.json", state)
    expected = {"new_items": added, "changed_feeds": len(chosen)}
    _save(farm, f"expected/round-{round_no}.json", expected)
    return expected


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--dir", required=True)
    gen.add_argument("--n", type=int, default=1000)
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--host", default="127.0.0.1:8932")
    pub = sub.add_parser("publish")
    pub.add_argument("--dir", required=True)
    pub.add_argument("--round", type=int, required=True)
    pub.add_argument("--fraction", type=float, default=0.05)
    args = parser.parse_args()
    if args.command == "generate":
        print(json.dumps(generate(args.dir, args.n, args.seed, args.host)))
    else:
        print(json.dumps(publish(args.dir, args.round, args.fraction)))


if __name__ == "__main__":
    main()
