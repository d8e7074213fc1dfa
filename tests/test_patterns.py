"""RE2 patterns: a bad one is a clear error, and RE2 prints nothing of its own."""

from __future__ import annotations

import subprocess
import sys

import pytest

from syndicator.patterns import compile_re2


def test_a_valid_pattern_matches_in_linear_time_semantics() -> None:
    assert compile_re2(r"/news/\d{4}/").search("https://x.edu/news/2024/a")


def test_an_invalid_pattern_is_a_value_error_with_re2s_reason() -> None:
    with pytest.raises(ValueError, match=r"RE2 syntax.*missing \)"):
        compile_re2("a(")


def test_rejecting_a_pattern_writes_nothing_to_stderr() -> None:
    code = "from syndicator.patterns import compile_re2\ntry:\n compile_re2('a(')\nexcept ValueError:\n pass"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr == ""
