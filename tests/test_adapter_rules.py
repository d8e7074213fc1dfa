"""Each adapter declares its own counting rule: a third-party adapter brings a ``Rule``
without editing ``syndicator/text/rules.py``, and its name then works everywhere a
rule name does; a rule name nobody registered is an error naming the adapter or the
config key, never a count by ``len()``. The adapters here are loaded through a real
``syndicator.adapters`` entry point, as a third-party package's would be."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from syndicator.adapter import Adapter, available_adapters
from syndicator.config import load_config
from syndicator.errors import ConfigError
from syndicator.models import Article, Post
from syndicator.targets import bind_targets
from syndicator.text import measure
from syndicator.text.rules import Rule, register_rule
from tests.engine_helpers import write_config


class ShortPostAdapter(Adapter):
    """A platform that counts graphemes up to 40, a rule syndicator does not ship."""

    rule = Rule("shortpost_test", 40, "graphemes", url_length=None)

    def render(self, article: Article) -> Post:
        from syndicator.text import fit

        fitted = fit("{title} {url}", title=article.title, url=article.url, rule=self.rule)
        return Post(self.target.name, "shortpost", fitted.text, self.rule.name,
                    fitted.length, fitted.limit)  # fmt: skip


class UnknownRuleAdapter(Adapter):
    rule = "myspace"


ENTRY_POINTS = {
    "test_shortpost": f"{__name__}:ShortPostAdapter",
    "test_unknown_rule": f"{__name__}:UnknownRuleAdapter",
}


@pytest.fixture
def third_party(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    folder = tmp_path_factory.mktemp("site")
    info = folder / "syndicator_rules_test-0.0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: syndicator-rules-test\nVersion: 0.0.0\n", encoding="utf-8"
    )
    lines = "".join(f"{name} = {value}\n" for name, value in ENTRY_POINTS.items())
    (info / "entry_points.txt").write_text(f"[syndicator.adapters]\n{lines}", encoding="utf-8")
    sys.path.insert(0, str(folder))
    available_adapters.cache_clear()
    yield
    sys.path.remove(str(folder))
    available_adapters.cache_clear()


def _bind(tmp_path: Path, targets: str):  # type: ignore[no-untyped-def]
    return bind_targets(load_config(write_config(tmp_path, targets)))


ARTICLE = Article(
    key="url:https://news.example.edu/1",
    url="https://news.example.edu/1",
    title="A rather long headline about the new campus library opening this week",
    source="news",
)


def test_an_adapter_brings_its_own_rule_and_another_target_can_fit_to_it(
    tmp_path: Path, third_party: None
) -> None:
    bound = _bind(
        tmp_path,
        '[[targets]]\nname = "short"\nadapter = "test_shortpost"\n\n'
        '[[targets]]\nname = "box"\nadapter = "outbox"\nrule = "shortpost_test"\n',
    )
    short = bound["short"].adapter.render(ARTICLE)
    boxed = bound["box"].adapter.render(ARTICLE)
    for post in (short, boxed):
        assert (post.rule, post.limit) == ("shortpost_test", 40)
        assert post.length == measure(post.text, "shortpost_test") <= 40
        assert ARTICLE.url in post.text
    assert len(ARTICLE.title) > 40  # so the title had to be cut to fit


def test_an_adapter_naming_an_unknown_rule_cannot_be_loaded(
    tmp_path: Path, third_party: None
) -> None:
    with pytest.raises(ConfigError) as raised:
        _bind(tmp_path, '[[targets]]\nname = "odd"\nadapter = "test_unknown_rule"\n')
    message = str(raised.value)
    assert "targets[0].adapter" in message and "UnknownRuleAdapter" in message
    assert "unknown length rule 'myspace'" in message


def test_an_outbox_fitted_to_an_unknown_rule_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"targets\[0\]\.rule: unknown length rule 'myspace'"):
        _bind(tmp_path, '[[targets]]\nname = "box"\nadapter = "outbox"\nrule = "myspace"\n')


def test_one_rule_name_cannot_count_two_ways() -> None:
    register_rule(Rule("twoways_test", 100, "graphemes"))
    register_rule(Rule("twoways_test", 100, "graphemes"))  # the same rule again: harmless
    with pytest.raises(ValueError, match="already registered with other numbers"):
        register_rule(Rule("twoways_test", 200, "graphemes"))
