"""Parsing and validating the email domains typed for a customer (customers/domains.py)."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from customers.domains import normalise_domain, parse_domains, split_domains


def error_of(raw: str) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        normalise_domain(raw)
    return excinfo.value


class TestNormaliseDomain:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("acme.com", "acme.com"),
            ("ACME.Com", "acme.com"),
            ("  acme.com  ", "acme.com"),
            ("@acme.com", "acme.com"),
            ("acme.com.", "acme.com"),
            ("@Acme.COM.", "acme.com"),
            ("eu.mail.acme.co.uk", "eu.mail.acme.co.uk"),
            ("my-company.example", "my-company.example"),
            ("bücher.example", "xn--bcher-kva.example"),
            ("BÜCHER.example", "xn--bcher-kva.example"),
            ("xn--bcher-kva.example", "xn--bcher-kva.example"),
            ("3com.com", "3com.com"),
        ],
    )
    def test_accepted_forms(self, raw, expected):
        assert normalise_domain(raw) == expected

    @pytest.mark.parametrize(
        "raw",
        [
            "acme",
            "-acme.com",
            "acme-.com",
            "acme..com",
            "under_score.com",
            "acme.123",
            "192.168.0.1",
            "a" * 64 + ".com",
            ".".join(["a" * 60] * 5),
            "acme com.",
        ],
    )
    def test_invalid_host_names_are_refused(self, raw):
        error = error_of(raw)

        assert error.code == "invalid"
        assert "is not a valid domain name" in error.messages[0]

    @pytest.mark.parametrize("raw", ["user@acme.com", "http://acme.com", "acme.com/path"])
    def test_addresses_and_urls_are_refused_with_a_hint(self, raw):
        error = error_of(raw)

        assert error.code == "invalid"
        assert error.messages == [
            f"“{raw}” is not a domain; enter it without “@”, such as example.com."
        ]

    @pytest.mark.parametrize("raw", ["", "   ", "@", "."])
    def test_nothing_typed_asks_for_a_domain(self, raw):
        error = error_of(raw)

        assert error.code == "empty"

    @pytest.mark.parametrize(
        "raw",
        [
            "gmail.com",
            "googlemail.com",
            "outlook.com",
            "hotmail.com",
            "yahoo.com",
            "icloud.com",
            "@GMail.com",
            "gmail.com.",
        ],
    )
    def test_free_mail_domains_are_refused_with_a_clear_message(self, raw):
        error = error_of(raw)

        assert error.code == "freemail"
        message = error.messages[0]
        assert "shared free-mail domain" in message
        assert "cannot identify one customer" in message
        assert raw.strip("@.").lower() in message

    def test_a_sub_domain_of_a_free_mail_domain_is_not_free_mail(self):
        assert normalise_domain("corp.gmail.com") == "corp.gmail.com"

    def test_extra_free_mail_domains_come_from_settings(self, settings):
        settings.ATERA_FREEMAIL_EXTRA = ["Mail.Example"]

        assert error_of("mail.example").code == "freemail"

    def test_allowed_domains_from_settings_are_taken_off_the_list(self, settings):
        settings.ATERA_FREEMAIL_ALLOW = ["GMX.de"]

        assert normalise_domain("gmx.de") == "gmx.de"
        assert error_of("gmx.net").code == "freemail"

    def test_without_overrides_the_extra_domain_is_accepted(self, settings):
        settings.ATERA_FREEMAIL_EXTRA = []
        settings.ATERA_FREEMAIL_ALLOW = []

        assert normalise_domain("mail.example") == "mail.example"
        assert error_of("gmx.de").code == "freemail"


class TestSplitDomains:
    def test_splits_on_newlines_commas_semicolons_and_spaces(self):
        text = "acme.com\nacme.co.uk, acme.fr;acme.de  acme.es\r\n\tacme.it;;,"

        assert split_domains(text) == [
            "acme.com",
            "acme.co.uk",
            "acme.fr",
            "acme.de",
            "acme.es",
            "acme.it",
        ]

    @pytest.mark.parametrize("text", ["", "  \n ,; ", None])
    def test_nothing_typed_gives_no_entries(self, text):
        assert split_domains(text) == []


class TestParseDomains:
    def test_normalises_every_entry_and_drops_repeats_keeping_the_order(self):
        text = "Acme.com\n@acme.COM; bücher.example, acme.com. xn--bcher-kva.example acme.fr"

        assert parse_domains(text) == ["acme.com", "xn--bcher-kva.example", "acme.fr"]

    def test_empty_text_is_an_empty_list(self):
        assert parse_domains("  \n ") == []

    def test_every_bad_entry_is_reported(self):
        text = "acme.com, gmail.com; nodot\nuser@acme.com acme.fr http://x.com"

        with pytest.raises(ValidationError) as excinfo:
            parse_domains(text)

        messages = excinfo.value.messages
        assert len(messages) == 4
        assert "“gmail.com” is a shared free-mail domain" in messages[0]
        assert "“nodot” is not a valid domain name." in messages[1]
        assert "“user@acme.com” is not a domain" in messages[2]
        assert "“http://x.com” is not a domain" in messages[3]
        assert [error.code for error in excinfo.value.error_list] == [
            "freemail",
            "invalid",
            "invalid",
            "invalid",
        ]


DOMAIN_ALPHABET = "abcxyzABCXYZ0129-._@üßÉ "


@hypothesis_settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
@given(
    st.one_of(
        st.text(alphabet=DOMAIN_ALPHABET, max_size=40),
        st.lists(
            st.text(alphabet="abcdeüéAB09-", min_size=1, max_size=12), min_size=2, max_size=5
        ).map(".".join),
    )
)
def test_normalise_domain_is_idempotent_on_what_it_accepts(raw):
    try:
        once = normalise_domain(raw)
    except ValidationError:
        assume(False)
        return

    assert normalise_domain(once) == once
    assert once == once.lower()
    assert once.isascii()


def test_idna_2008_keeps_sharp_s_and_refuses_broken_a_labels():
    assert normalise_domain("straße.de") == "xn--strae-oqa.de"
    assert normalise_domain("strasse.de") == "strasse.de"
    with pytest.raises(ValidationError):
        normalise_domain("xn--zz.com")


def test_domains_display_in_unicode():
    from customers.domains import display_domain

    assert display_domain("xn--strae-oqa.de") == "straße.de"
    assert display_domain("acme.example") == "acme.example"
    assert display_domain("xn--zz.com") == "xn--zz.com"


def test_a_pasted_list_of_too_many_domains_is_refused_at_once():
    text = "\n".join(f"d{i}.example" for i in range(101))
    with pytest.raises(ValidationError, match="at most 100 domains"):
        parse_domains(text)
    assert len(parse_domains("\n".join(f"d{i}.example" for i in range(100)))) == 100
