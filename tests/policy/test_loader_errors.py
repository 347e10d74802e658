"""A bad policy file is refused with every problem: the file, the key path and the reason.

Each case mutates the shipped policy text (one exact replacement) and names the problems
the loader must report, word for word.
"""

from __future__ import annotations

import pytest

from sladesk.policy import PolicyError, Problem, default_policy_path, load_policy_text

TEXT = default_policy_path().read_text(encoding="utf-8")
SOURCE = "mattermost.toml"

PREMIER_L1 = 'L1 = { within = "1h", calendar = "always" }'
PREMIER_L3_L4 = (
    'L3 = { within = "8h", calendar = "weekday_24x5" }\n'
    'L4 = { within = "24h", calendar = "weekday_24x5" }\n\n[plans.premier.next_reply]'
)
ENTERPRISE_L4 = (
    'L4 = { rule = "next_business_day", calendar = "business_day", at = "17:00" }\n\n'
    "[plans.enterprise.next_reply]"
)
WEEKEND = 'windows = [{ from = "Fri 17:00", to = "Mon 09:00" }]'
ALWAYS = 'union = ["weekday_24x5", "weekend"]'


def line_of(anchor):
    """Return the 1-based line of ``anchor`` in the shipped file (so edits don't break cases)."""
    return TEXT[: TEXT.index(anchor)].count("\n") + 1


NAME_LINE = line_of('name = "Mattermost support policy"')
PREMIER_NAME_LINE = line_of('marketing_name = "Premier Support"')


CASES = [
    pytest.param(
        'name = "Mattermost support policy"',
        'name = "Mattermost support policy',
        [
            (
                f"line {NAME_LINE}, column 34",
                "invalid TOML: Illegal character '\\n'",
            )
        ],
        id="toml-syntax-error-with-line",
    ),
    pytest.param(
        'marketing_name = "Premier Support"',
        'marketing_name = "Premier Support"\nname = "Again"',
        [
            (
                f"line {PREMIER_NAME_LINE + 1}, column 15",
                "invalid TOML: Cannot overwrite a value",
            )
        ],
        id="duplicate-key-is-a-toml-error",
    ),
    pytest.param(
        'L2 = { within = "2h", calendar = "always" }\nL3 = { within = "8h"',
        'L2 = { within = "2h", calendar = "alwyas" }\nL3 = { within = "8h"',
        [
            (
                "plans.premier.first_response.L2.calendar",
                "unknown calendar 'alwyas' (did you mean 'always'?)",
            )
        ],
        id="unknown-calendar-in-target",
    ),
    pytest.param(
        PREMIER_L1,
        PREMIER_L1 + '\nL5 = { within = "1h", calendar = "always" }',
        [("plans.premier.first_response.L5", "unknown severity 'L5' (known: L1, L2, L3, L4)")],
        id="unknown-severity-in-target-table",
    ),
    pytest.param(
        'L4 = { rule = "next_business_day", calendar = "business_day", at = "17:00" }\n\n'
        "# Professional",
        "\n# Professional",
        [("plans.professional.first_response", "missing target for L4")],
        id="plan-missing-a-level",
    ),
    pytest.param(
        PREMIER_L1,
        'L1 = { within = "1x", calendar = "always" }',
        [
            (
                "plans.premier.first_response.L1.within",
                'bad duration \'1x\' (expected e.g. "1h", "90m", "1h30m")',
            )
        ],
        id="bad-duration",
    ),
    pytest.param(
        PREMIER_L1,
        'L1 = { within = "0h", calendar = "always" }',
        [("plans.premier.first_response.L1.within", "duration must be positive, got '0h'")],
        id="zero-duration",
    ),
    pytest.param(
        PREMIER_L1,
        'L1 = { within = "-1h", calendar = "always" }',
        [("plans.premier.first_response.L1.within", "duration must be positive, got '-1h'")],
        id="negative-duration",
    ),
    pytest.param(
        'to = "17:00" }]',
        'to = "08:00" }]',
        [
            (
                "calendars.business_day.windows[0].to",
                "'08:00' is not after from '09:00' (for a window past midnight write it "
                'spanning days: { from = "Mon 22:00", to = "Tue 06:00" })',
            )
        ],
        id="daily-window-to-before-from",
    ),
    pytest.param(
        'days = "Mon-Fri"',
        'days = "Mon-Fru"',
        [
            (
                "calendars.business_day.windows[0].days",
                "unknown weekday 'Fru' (expected Mon, Tue, Wed, Thu, Fri, Sat, Sun)",
            )
        ],
        id="bad-weekday",
    ),
    pytest.param(
        'from = "09:00"',
        'from = "25:00"',
        [
            (
                "calendars.business_day.windows[0].from",
                "bad time '25:00' (expected HH:MM between 00:00 and 23:59)",
            )
        ],
        id="bad-time",
    ),
    pytest.param(
        'name = "Weekend"\nzone = "America/Los_Angeles"',
        'name = "Weekend"\nzone = "America/Los_Angles"',
        [
            (
                "calendars.weekend.zone",
                "unknown time zone 'America/Los_Angles' (expected an IANA name such as "
                "'America/Los_Angeles')",
            )
        ],
        id="unknown-time-zone",  # and `always`, built on `weekend`, adds no second problem
    ),
    pytest.param(
        'country = "US"',
        'country = "XX"',
        [
            (
                "holidays.us_federal.country",
                "unknown holiday country 'XX' (expected an ISO 3166-1 alpha-2 code that the "
                "holidays package supports, such as 'US' or 'DE')",
            )
        ],
        id="unknown-holiday-country",
    ),
    pytest.param(
        'country = "US"',
        'country = "DE"\nsubdivision = "XY"',
        [
            (
                "holidays.us_federal.subdivision",
                "unknown subdivision 'XY' for country DE (known: BB, BE, BW, BY, HB, HE, HH, "
                "MV, NI, NW, RP, SH, SL, SN, ST, TH, Augsburg)",
            )
        ],
        id="unknown-holiday-subdivision",
    ),
    pytest.param(
        '"Columbus Day",',
        '"Colombus Day",',
        [
            (
                "holidays.us_federal.only[7]",
                "'Colombus Day' is not a US holiday name in the holidays package "
                "(did you mean 'Columbus Day'?)",
            )
        ],
        id="unknown-holiday-name",
    ),
    pytest.param(
        ALWAYS,
        'union = ["weekday_24x5", "always"]',
        [("calendars.always.union", "calendar 'always' refers to itself")],
        id="union-refers-to-itself",
    ),
    pytest.param(
        ALWAYS,
        'union = ["weekday_24x5", "weekend", "loop_a"]\n\n'
        '[calendars.loop_a]\nunion = ["loop_b"]\n\n[calendars.loop_b]\nunion = ["always"]',
        [("calendars.always.union", "cycle: always -> loop_a -> loop_b -> always")],
        id="union-cycle",
    ),
    pytest.param(
        ALWAYS,
        'union = ["weekday_24x5", "weekends"]',
        [("calendars.always.union[1]", "unknown calendar 'weekends' (did you mean 'weekend'?)")],
        id="union-of-an-unknown-calendar",
    ),
    pytest.param(
        WEEKEND,
        'windows = [{ from = "Fri 17:00", to = "Fri 17:00" }]',
        [
            (
                "calendars.weekend.windows[0]",
                "window 'Fri 17:00' to 'Fri 17:00' is empty (for the whole week write "
                '{ from = "Mon 00:00", to = "Sun 24:00" })',
            )
        ],
        id="empty-spanning-window",
    ),
    pytest.param(
        'non_production_severity = "L4"',
        'non_production_severity = "L5"',
        [
            (
                "production.non_production_severity",
                "unknown severity 'L5' (known: L1, L2, L3, L4); it must be a defined level",
            )
        ],
        id="non-production-severity-not-a-level",
    ),
    pytest.param(
        "named_contact_limit = 3",
        "named_contact_limit = -1",
        [
            (
                "plans.premier.entitlements.named_contact_limit",
                'expected a whole number >= 0 or "unlimited", got integer -1',
            )
        ],
        id="named-contact-limit-negative",
    ),
    pytest.param(
        "named_contact_limit = 3",
        'named_contact_limit = "three"',
        [
            (
                "plans.premier.entitlements.named_contact_limit",
                "expected a whole number >= 0 or \"unlimited\", got string 'three'",
            )
        ],
        id="named-contact-limit-not-an-integer",
    ),
    pytest.param(
        'channels = ["portal", "api", "chat"]',
        'channels = ["portal", "fax", "chat"]',
        [
            (
                "plans.professional.entitlements.channels[1]",
                "unknown channel 'fax' (known: api, chat, email, phone, portal)",
            )
        ],
        id="unknown-channel",
    ),
    pytest.param(
        'vendor = "Mattermost, Inc."\n',
        "",
        [("policy", "missing key 'vendor'")],
        id="missing-required-key",
    ),
    pytest.param(
        PREMIER_L3_L4,
        PREMIER_L3_L4.replace('calendar = "weekday_24x5" }\nL4', 'calender = "weekday_24x5" }\nL4'),
        [
            (
                "plans.premier.first_response.L3.calender",
                "unknown key 'calender' (did you mean 'calendar'?)",
            )
        ],
        id="unknown-key-typo",
    ),
    pytest.param(
        'zone = "America/Los_Angeles"\n\n[sla]',
        'zone = "America/Los_Angeles"\ncolour = "blue"\n\n[sla]',
        [("policy.colour", "unknown key 'colour' (expected: id, name, vendor, version, zone)")],
        id="unknown-key-without-a-near-miss",
    ),
    pytest.param(
        "warning_thresholds = [0.75, 0.9]",
        "warning_thresholds = [0.75, 1.5]",
        [("sla.warning_thresholds[1]", "threshold 1.5 is outside (0, 1)")],
        id="threshold-outside-0-1",
    ),
    pytest.param(
        "warning_thresholds = [0.75, 0.9]",
        "warning_thresholds = [0.9, 0.75]",
        [("sla.warning_thresholds", "thresholds must increase: 0.9 then 0.75")],
        id="thresholds-not-increasing",
    ),
    pytest.param(
        ENTERPRISE_L4,
        ENTERPRISE_L4.replace(', at = "17:00"', ""),
        [
            (
                "plans.enterprise.first_response.L4",
                "next_business_day needs 'at', the wall time it falls due (e.g. \"17:00\")",
            )
        ],
        id="next-business-day-without-at",
    ),
    pytest.param(
        PREMIER_L1,
        'L1 = { within = "1h", rule = "next_business_day", calendar = "always" }',
        [("plans.premier.first_response.L1", "give either 'within' or 'rule', not both")],
        id="target-with-both-forms",
    ),
    pytest.param(
        PREMIER_L1,
        'L1 = "1h"',
        [
            (
                "plans.premier.first_response.L1",
                'expected a table like { within = "4h", calendar = "weekday_24x5" }, '
                "got string '1h'",
            )
        ],
        id="target-not-a-table",
    ),
    pytest.param(
        "rank = 2",
        "rank = 1",
        [("severities.L2.rank", "rank 1 is already used by severity 'L1'")],
        id="duplicate-severity-rank",
    ),
    pytest.param(
        'id = "remote_administration"',
        'id = "language"',
        [("exclusions[6].id", "duplicate exclusion id 'language' (also exclusions[0])")],
        id="duplicate-exclusion-id",
    ),
    pytest.param(
        'holidays = "us_federal"\nopen_on_holidays = false',
        "open_on_holidays = false",
        [
            (
                "calendars.business_day.open_on_holidays",
                'false needs a holidays rule to close on (add holidays = "<rule id>")',
            )
        ],
        id="closed-on-holidays-without-holidays",
    ),
    pytest.param(
        "removed_dates = []",
        "removed_dates = [2026-07-04]",
        [
            (
                "holidays.us_federal.removed_dates[0]",
                "2026-07-04 is not one of this rule's holidays; nothing to remove",
            )
        ],
        id="removed-date-not-a-holiday",
    ),
    pytest.param(
        "extra_dates = []",
        "extra_dates = [2050-01-01]",
        [
            (
                "holidays.us_federal.extra_dates[0]",
                "2050-01-01 is outside the rule's years 2020..2040",
            )
        ],
        id="extra-date-outside-the-years",
    ),
    pytest.param(
        'rule = "latest_or_previous_major"',
        'rule = "latest"',
        [
            (
                "releases.rule",
                "unknown release rule 'latest' (known: latest_or_previous_major, vendor_lifecycle)",
            )
        ],
        id="unknown-release-rule",
    ),
    pytest.param(
        'weekend_coverage_levels = ["L1", "L2"]',
        'weekend_coverage_levels = ["L1", "L7"]',
        [
            (
                "plans.premier.entitlements.weekend_coverage_levels[1]",
                "unknown severity 'L7' (known: L1, L2, L3, L4)",
            )
        ],
        id="weekend-coverage-of-an-unknown-level",
    ),
    pytest.param(
        "named_contacts_required = true",
        'named_contacts_required = "yes"',
        [
            (
                "plans.premier.entitlements.named_contacts_required",
                "expected true or false, got string 'yes'",
            )
        ],
        id="boolean-expected",
    ),
]


def problems_of(text):
    with pytest.raises(PolicyError) as info:
        load_policy_text(text, source=SOURCE)
    return info.value


@pytest.mark.parametrize(("old", "new", "expected"), CASES)
def test_bad_policy_is_refused_with_exact_problems(old, new, expected):
    assert TEXT.count(old) == 1, f"the mutation anchor must occur once: {old!r}"
    error = problems_of(TEXT.replace(old, new))
    assert [(p.path, p.message) for p in error.problems] == expected


def test_the_unmutated_text_is_valid():
    assert load_policy_text(TEXT, source=SOURCE).id == "mattermost"


def test_every_problem_is_collected_not_just_the_first():
    text = (
        TEXT.replace(
            'L2 = { within = "2h", calendar = "always" }',
            'L2 = { within = "2h", calendar = "alwyas" }',
            1,
        )
        .replace('days = "Mon-Fri"', 'days = "Mon-Fru"')
        .replace("named_contact_limit = 3", "named_contact_limit = -1")
    )
    error = problems_of(text)
    assert [p.path for p in error.problems] == [
        "calendars.business_day.windows[0].days",
        "plans.premier.entitlements.named_contact_limit",
        "plans.premier.first_response.L2.calendar",
    ]


def test_error_text_names_the_file_the_key_path_and_the_reason():
    text = TEXT.replace(
        'L2 = { within = "2h", calendar = "always" }\nL3 = { within = "8h"',
        'L2 = { within = "2h", calendar = "alwyas" }\nL3 = { within = "8h"',
    )
    error = problems_of(text)
    assert str(error) == (
        "mattermost.toml: plans.premier.first_response.L2.calendar: "
        "unknown calendar 'alwyas' (did you mean 'always'?)"
    )
    assert isinstance(error, ValueError)
    assert error.problems == [
        Problem(
            "plans.premier.first_response.L2.calendar",
            "unknown calendar 'alwyas' (did you mean 'always'?)",
        )
    ]


def test_several_problems_read_one_per_line():
    text = TEXT.replace("warning_thresholds = [0.75, 0.9]", "warning_thresholds = [0, 1]")
    assert str(problems_of(text)).splitlines() == [
        "mattermost.toml: sla.warning_thresholds[0]: threshold 0 is outside (0, 1)",
        "mattermost.toml: sla.warning_thresholds[1]: threshold 1 is outside (0, 1)",
    ]


def test_an_empty_file_lists_the_missing_tables():
    error = problems_of("")
    assert [str(p) for p in error.problems] == [
        "missing key 'policy'",
        "missing key 'calendars'",
        "missing key 'severities'",
        "missing key 'production'",
        "missing key 'plans'",
    ]
