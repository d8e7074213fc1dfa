"""The dashboard's two languages: English (the message keys themselves) and
Simplified Chinese. The browser's Accept-Language chooses, unless the person picked
one with the switch in the page (a cookie). A key with no translation shows in
English rather than blank; ``tests/web/test_i18n.py`` keeps the table complete."""

from __future__ import annotations

LANGUAGES = ("en", "zh-CN")
COOKIE = "lang"

ZH_CN: dict[str, str] = {
    "Overview": "概览",
    "Queue": "待审",
    "Articles": "文章",
    "Log": "日志",
    "Post": "发布",
    "Users": "用户",
    "Log in": "登录",
    "Log out": "退出",
    "Username": "用户名",
    "Password": "密码",
    "Text": "正文",
    "Approve": "批准",
    "Reject": "拒绝",
    "Approve selected": "批准所选",
    "Select all": "全选",
    "Save text": "保存正文",
    "Note": "备注",
    "Add note": "添加备注",
    "Notes": "备注",
    "Retry": "重试",
    "Resolve": "处理",
    "Was sent at URL": "已发送，链接",
    "Was not sent": "未发送",
    "Post now": "立即发布",
    "Hold for approval": "提交审核",
    "Preview": "预览",
    "Article URL": "文章链接",
    "Targets": "目标",
    "Target": "目标",
    "Sources": "来源",
    "Source": "来源",
    "State": "状态",
    "Title": "标题",
    "Search": "搜索",
    "Filter": "筛选",
    "From": "从",
    "Until": "至",
    "Date": "日期",
    "Time": "时间",
    "Length": "长度",
    "Why": "原因",
    "History": "历史",
    "Card": "卡片",
    "Export CSV": "导出 CSV",
    "Previous": "上一页",
    "Next": "下一页",
    "any": "全部",
    "Service": "服务",
    "running": "运行中",
    "not running": "未运行",
    "since": "启动于",
    "Store": "存储",
    "Last poll": "上次抓取",
    "Next poll": "下次抓取",
    "Failures": "失败次数",
    "Last error": "最近错误",
    "Backoff until": "退避至",
    "Pending": "待发送",
    "Held": "待审",
    "Retrying": "重试中",
    "Unknown": "未知",
    "Paused until": "暂停至",
    "Next send": "下次发送",
    "Recent errors": "最近错误",
    "Nothing is waiting for approval.": "没有待审核的内容。",
    "No articles match.": "没有符合条件的文章。",
    "No deliveries match.": "没有符合条件的投递。",
    "No errors.": "没有错误。",
    "Refused": "拒绝访问",
    "Back": "返回",
    "Wrong username or password.": "用户名或密码错误。",
    "Too many attempts; wait a minute and try again.": "尝试次数过多，请一分钟后再试。",
    "Your role does not allow this.": "您的角色无权执行此操作。",
    "The form has expired or did not come from this page; reload and try again.": (
        "表单已过期或并非来自本页面，请刷新后重试。"
    ),
    "Not found": "未找到",
    "Page": "页",
    "of": "共",
    "Role": "角色",
    "Created": "创建于",
    "Language": "语言",
    "What would be sent": "将要发送的内容",
    "Choose targets": "选择目标",
    "Nothing was chosen.": "未选择任何内容。",
    "Done": "完成",
    "over the limit": "超出限制",
    "Signed in as": "当前用户",
}

TABLES = {"en": {}, "zh-CN": ZH_CN}


def choose_language(accept_language: str | None, chosen: str | None) -> str:
    """The person's pick if valid, else the first supported language the browser
    asks for (``zh``, ``zh-CN``, ``zh-Hans`` all mean Simplified Chinese), else English."""
    if chosen in LANGUAGES:
        return chosen
    weighted: list[tuple[float, str]] = []
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((quality, tag.strip().lower()))
    for _, tag in sorted(weighted, key=lambda item: -item[0]):
        if tag in ("zh", "zh-cn", "zh-hans", "zh-sg") or tag.startswith("zh-hans"):
            return "zh-CN"
        if tag.startswith("en") or tag == "*":
            return "en"
    return "en"


def translator(language: str) -> dict[str, str]:
    return TABLES.get(language, {})


def translate(table: dict[str, str], key: str) -> str:
    return table.get(key, key)
