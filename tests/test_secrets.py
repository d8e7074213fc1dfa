"""Redaction: a remembered secret is masked whole, in the forms a server echoes it,
and in part; a text is redacted before it is cut."""

from __future__ import annotations

import re
from urllib.parse import quote

from syndicator.secrets import MASK, redact, remember, shorten


def test_a_secret_is_masked_percent_encoded_in_either_case_and_json_escaped():
    secret = 'Tk/9+x "q"=RedactMe01'
    remember(secret)
    encoded = quote(secret, safe="")
    lower_hex = re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), encoded)
    for form in (secret, encoded, lower_hex, quote(secret), secret.replace('"', '\\"')):
        assert redact(f"echo [{form}] end") == f"echo [{MASK}] end", form


def test_any_run_of_eight_characters_of_a_secret_is_masked():
    secret = "PartialLeakCheck0042xyz"
    remember(secret)
    assert redact(f"token={secret[:9]} was cut") == f"token={MASK} was cut"
    assert redact(f"tail {secret[-8:]}.") == f"tail {MASK}."
    assert redact(f"seven {secret[3:10]} chars") == f"seven {secret[3:10]} chars"


def test_the_scheme_and_host_of_a_secret_url_stay_readable():
    remember("https://hooks.example.com/services/T01/B02/HookSecretZZ9988")
    text = "cannot reach https://hooks.example.com/ now"
    assert redact(text) == text
    assert "HookSecretZZ9988" not in redact("path /services/T01/B02/HookSecretZZ9988 echoed")


def test_shorten_redacts_before_it_cuts():
    secret = "CutAcrossTheEdge7777"
    remember(secret)
    for offset in range(280, 301):
        kept = shorten("#" * offset + secret + "#" * 100, 300)
        assert len(kept) <= 300
        assert secret[:8] not in kept and "CutAcros" not in kept
        assert MASK in kept or len(kept) == 300
