"""``parse_mail``: the project's own fixtures, shape by shape, and the shared corpus."""

from __future__ import annotations

import pytest

from sladesk.mail.parsing import html_to_text, parse_mail, trim_for_display
from tests.mail.conftest import FIXTURES, eml


def test_outlook_windows_1252_alternative_with_attachment_and_inline_image():
    mail = parse_mail(eml("outlook-new-request-cp1252.eml"))
    assert mail.subject == "Server crash after upgrade – urgent"
    assert mail.from_address == "gus@globex.example"
    assert mail.from_name == "Gus Grissom"
    assert "whole café team is blocked" in mail.text
    assert mail.html_only is False
    names = {(a.filename, a.inline) for a in mail.attachments}
    assert names == {("server.log", False), ("image001.png", True)}
    png = next(a for a in mail.attachments if a.filename == "image001.png")
    assert png.payload.startswith(b"\x89PNG")
    assert png.content_id == "image001.png@01DB0000.00000000"
    assert mail.is_automatic is False


def test_gmail_reply_threading_headers_and_quote_trimmed():
    mail = parse_mail(eml("gmail-reply.eml", REF="abc@sladesk.localhost", SUBJECT="x"))
    assert mail.in_reply_to == ("abc@sladesk.localhost",)
    assert mail.thread_ids == ("abc@sladesk.localhost",)
    assert (
        mail.display_text
        == "Here is the output you asked for: it still crashes — twice since noon."
    )
    assert "We have received" in mail.text  # the original is kept


def test_apple_mail_latin1_and_rfc2231_filename_and_signature():
    mail = parse_mail(eml("applemail-attachment-latin1.eml"))
    assert mail.subject == "Fehler beim Export über die API"
    assert "schlägt fehl" in mail.display_text
    assert "Sent from my iPhone" not in mail.display_text
    assert [a.filename for a in mail.attachments] == ["Fehlerbericht_über_Export.txt"]


def test_thunderbird_bottom_posted_reply_below_quote():
    mail = parse_mail(eml("thunderbird-reply-tag-flowed.eml", SUBJECT="s"))
    assert mail.display_text == "The restart did not help; the café team still waits."


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("mailinglist-bulk.eml", "Precedence: list"),
        ("autoreply-rfc3834.eml", "Auto-Submitted: auto-replied"),
    ],
)
def test_automatic_mail_is_recognised(name, reason):
    mail = parse_mail(eml(name, REF="r@x", SUBJECT="s"))
    assert mail.auto == reason
    assert mail.is_automatic is True


def test_dsn_names_the_bounced_message_and_recipient():
    mail = parse_mail(eml("dsn-rfc3464.eml", REF="sladesk.t1.abc@sladesk.localhost"))
    assert mail.bounce is not None
    assert mail.bounce.kind == "dsn"
    assert mail.bounce.permanent is True
    assert mail.bounce.original_message_id == "sladesk.t1.abc@sladesk.localhost"
    assert [(r.address, r.action, r.status) for r in mail.bounce.recipients] == [
        ("gus@globex.example", "failed", "5.1.1")
    ]


@pytest.mark.parametrize(
    ("name", "subject", "text"),
    [
        ("charset-koi8r.eml", "Проверка", "Привет, сервер падает."),
        ("charset-shiftjis.eml", "テスト", "サーバー"),
    ],
)
def test_non_utf8_charsets(name, subject, text):
    mail = parse_mail(eml(name))
    assert mail.subject == subject
    assert text in mail.text


def test_broken_mime_without_boundaries_keeps_the_text():
    mail = parse_mail(eml("broken-mime-no-boundary.eml"))
    assert mail.from_address == "maria.garcia@acme.example"
    assert mail.defects  # recorded, not fatal


def test_html_only_becomes_safe_text():
    mail = parse_mail(eml("html-only-script.eml"))
    assert mail.html_only is True
    assert "alert" not in mail.text and "<" not in mail.text and "color:red" not in mail.text
    assert "The login page shows an error." in mail.text
    assert "the screenshot (https://acme.example/err)" in mail.text


def test_path_traversal_names_are_cut_and_tnef_noted():
    mail = parse_mail(eml("path-traversal-tnef.eml"))
    assert [a.filename for a in mail.attachments] == ["passwd", "winmail.dat", "logs.zip"]
    assert mail.tnef == "kept"  # a truncated blob with nothing in it


def test_header_injection_is_flattened_and_flagged():
    mail = parse_mail(eml("header-injection.eml"))
    assert mail.subject == "Hello Bcc: victim@evil.example X-Evil: 1"
    assert mail.header_injection is True


@pytest.mark.parametrize(
    "raw", [b"", b"\r\n", b"garbage without headers", b"From \n", b"\xff\xfe\x00"]
)
def test_degenerate_input_never_raises(raw):
    mail = parse_mail(raw)
    assert mail.from_address == ""


def test_trim_keeps_the_text_when_everything_is_quoted():
    assert trim_for_display("> only a quote") == "> only a quote"


def test_html_to_text_drops_scripts_and_styles():
    assert html_to_text("<style>x{}</style><script>bad()</script><p>a&amp;b</p>") == "a&b"


def test_every_project_fixture_parses():
    for path in sorted(FIXTURES.glob("*.eml")):
        parse_mail(path.read_bytes())


# -- the shared real-world corpus -------------------------------------------------------

#: file -> expected facts (auto reason prefix, bounce kind, bounced Message-ID prefix).
CORPUS_FACTS = {
    "sisimai-rfc3834-autoreply-away-plain.eml": {"auto": "Auto-Submitted"},
    "sisimai-rfc3834-exchange-automatic-reply.eml": {"auto": "X-Auto-Response-Suppress"},
    "sisimai-rfc3834-icloud-vacation-threaded.eml": {"auto": "X-Apple-Action"},
    "mailparser-mailchimp-newsletter-list-id.eml": {"auto": "mailing list"},
    "flanker-mailinglist-8bit-from-references.eml": {"auto": "Precedence: bulk"},
    "flanker-arf-aol-feedback-report-list.eml": {"auto": "Precedence: list"},
    "zammad-mail089-servicenow-autogenerated-truncated-multipart.eml": {"auto": "Auto-Submitted"},
    "sisimai-dsn-postfix-user-unknown.eml": {"bounce": "dsn"},
    "flanker-dsn-mailbox-full-rfc822-headers.eml": {
        "bounce": "dsn",
        "bounced": "4E326A95.3010907@example.com",
    },
    "mikelmail-dsn-postfix-multi-recipient.eml": {"bounce": "dsn", "recipients": 5},
    "mikelmail-dsn-delayed-warning-rfc822-headers.eml": {"bounce": "dsn", "permanent": False},
    "zammad-mail033-postfix-bounce-of-ticket-notification.eml": {"bounce": "dsn"},
    "sisimai-bounce-qmail-failure-notice.eml": {"bounce": "heuristic"},
    "sisimai-bounce-exim-plaintext.eml": {"bounce": "heuristic", "bounced": "E1P1ce6-000Egt-GZ@"},
    "sisimai-applemail-forward-as-attachment.eml": {"auto": "", "bounce": None},
    "mailparser-outlook-express-gb2312-html-only.eml": {"html_only": True},
    "zbateson-eudora-html-only.eml": {"html_only": True, "text": "Die Hasen und die Frösche"},
    "mikelmail-charset-shiftjis-8bit.eml": {"text": "あいうえお"},
    "mikelmail-charset-ks-c-5601-1987-8bit.eml": {"text": "스티해"},
    "mailparser-outlook-express-gb2312-8bit.eml": {"text": "你好"},
    "zbateson-outlook-utf7-subject-and-body.eml": {"text": "Die Hasen und die Frösche"},
    "zbateson-unknown-charset-label.eml": {"text": "The Hare and the Tortoise"},
    "phpmimeparser-path-traversal-filename.eml": {"filenames": ["1234.txt"]},
    "sisimai-dsn-workmail-tnef-winmail.eml": {"tnef": "kept"},
    "zbateson-outlook-read-receipt-tnef-only.eml": {"tnef": "kept"},
    "flanker-iphone-mail-photo-text-split.eml": {"inline_images": 1},
    "zammad-mail005-thunderbird-reply-ticket-flowed-8bit.eml": {"display_starts": "Hallo Martin,"},
}


def test_the_whole_corpus_parses_with_the_expected_facts(shared_dir):
    corpus = sorted((shared_dir / "corpus" / "mail").glob("*.eml"))
    assert len(corpus) >= 119
    seen = 0
    for path in corpus:
        mail = parse_mail(path.read_bytes())
        facts = CORPUS_FACTS.get(path.name)
        if facts is None:
            continue
        seen += 1
        where = path.name
        if "auto" in facts:
            assert mail.auto.startswith(facts["auto"]) if facts["auto"] else mail.auto == "", where
        if "bounce" in facts:
            if facts["bounce"] is None:
                assert mail.bounce is None, where
            else:
                assert mail.bounce is not None and mail.bounce.kind == facts["bounce"], where
        if "bounced" in facts:
            assert mail.bounce.original_message_id.startswith(facts["bounced"]), where
        if "recipients" in facts:
            assert len(mail.bounce.recipients) == facts["recipients"], where
        if "permanent" in facts:
            assert mail.bounce.permanent is facts["permanent"], where
        if "html_only" in facts:
            assert mail.html_only is facts["html_only"], where
            assert "<" not in mail.text, where
        if "text" in facts:
            assert facts["text"] in mail.text, where
        if "filenames" in facts:
            assert [a.filename for a in mail.attachments] == facts["filenames"], where
        if "tnef" in facts:
            assert mail.tnef == facts["tnef"], where
        if "inline_images" in facts:
            assert (
                sum(a.inline and a.content_type.startswith("image/") for a in mail.attachments)
                == facts["inline_images"]
            ), where
        if "display_starts" in facts:
            assert mail.display_text.startswith(facts["display_starts"]), where
            assert ">" not in mail.display_text, where
    assert seen == len(CORPUS_FACTS)


def test_every_corpus_bounce_and_autoreply_is_automatic(shared_dir):
    for path in sorted((shared_dir / "corpus" / "mail").glob("*.eml")):
        if any(k in path.name for k in ("-dsn-", "-bounce-", "rfc3834", "autoreply")):
            assert parse_mail(path.read_bytes()).is_automatic, path.name


def test_requested_level_reads_the_subject_tag_then_body_lines():
    from sladesk.mail.parsing import requested_level

    levels = ("L1", "L2", "L3", "L4")
    assert requested_level("[l2] Slow", "Severity: L1", levels) == ("L2", "Slow")
    assert requested_level("Slow", "Hi\n  Level : L1\n", levels) == ("L1", "Slow")
    assert requested_level("Slow", "> Severity: L1", levels) == (None, "Slow")
    assert requested_level("Slow [L12]", "the severity: L1 is mine", levels) == (None, "Slow [L12]")


def test_each_header_is_parsed_once_and_the_result_is_the_same(shared_dir, monkeypatch):
    """``parse_mail`` keeps each part's parsed headers (``policy.default`` parses again on
    every read): the same facts as with a plain ``EmailMessage``, for every message."""
    from email.message import EmailMessage

    from sladesk.mail import parsing

    paths = sorted(FIXTURES.glob("*.eml")) + sorted((shared_dir / "corpus" / "mail").glob("*.eml"))
    quick = [parse_mail(p.read_bytes()) for p in paths]
    monkeypatch.setattr(parsing, "_ParsedMessage", EmailMessage)
    plain = [parse_mail(p.read_bytes()) for p in paths]
    for path, a, b in zip(paths, quick, plain, strict=True):
        assert a == b, path.name


def test_parsed_headers_are_forgotten_when_a_part_changes():
    from email import policy
    from email.parser import BytesParser

    from sladesk.mail.parsing import _ParsedMessage

    raw = eml("outlook-new-request-cp1252.eml")
    msg = BytesParser(_ParsedMessage, policy=policy.default).parsebytes(raw)
    assert msg.get("subject") is msg.get("Subject")  # parsed once, kept
    msg.replace_header("Subject", "one")
    assert msg["subject"] == "one"
    del msg["Subject"]
    assert msg["subject"] is None and msg.get("subject", "gone") == "gone"
    msg["Subject"] = "two"
    assert msg["subject"] == "two"
    msg.set_raw("X-Extra", "raw value")
    assert msg["x-extra"] == "raw value"
    msg.set_boundary("new-boundary")
    assert msg.get_boundary() == "new-boundary"
    for part in msg.walk():
        assert isinstance(part, _ParsedMessage)
