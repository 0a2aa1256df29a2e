"""repair_value and repair_series: every OCR damage form in seed 003 (see seed-discrepancies.md §4, §7.3)
and the evidence rules: strong -> applied and logged; weak -> kept as printed, flagged, suggested."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.values import Direction, ParsedValue, RepairKind, glyph_direction, repair_series, repair_value
from extractors.values.repair import _repair_series, _repair_value
from schemas import Unit

P, C, R = Unit.percent, Unit.count, Unit.rate_per_10000
DOWN, UP, SIM = Direction.down, Direction.up, Direction.similar


def assert_invariants(v: ParsedValue):
    """What every repaired value promises."""
    assert (v.value is None) == (v.missing_reason is not None)
    assert all(r.evidence_strength == "strong" for r in v.repairs)  # applied only on strong evidence
    if v.suggestions:
        assert v.needs_review and v.review_reason
    if v.needs_review:
        assert v.review_reason


# (printed, value, glyph, direction) -- the % change cells of 003 with DoT glyphs in front.
GLYPHS = [
    ("¥ -20%", -20.0, "¥", DOWN),  # M2
    ("¥\n-30%", -30.0, "¥", DOWN),  # the OCR puts the glyph on its own line
    ("3 -14%", -14.0, "3", DOWN),  # M3
    ("3 -19%", -19.0, "3", DOWN),  # S47
    ("‘} -52%", -52.0, "‘}", DOWN),  # EH1b
    ("‘} -85%", -85.0, "‘}", DOWN),  # M5
    ("T+ 36%", 36.0, "T+", UP),  # EH1c
    ("1t 20%", 20.0, "1t", UP),  # CP6B
    ("& -3%", -3.0, "&", SIM),  # M8-QL, CP6B
    ("= 2%", 2.0, "=", SIM),  # LAC1
    ("= -8%", -8.0, "=", SIM),  # M6-QL
    ("= 0%", 0.0, "=", SIM),  # CP5 (val)
    ("¥+ -80%", -80.0, "¥+", DOWN),  # M4
    ("T+ -100%", -100.0, "T+", UP),  # sign and glyph disagree: value from the sign, flagged
    ("↓ -5%", -5.0, "↓", DOWN),
    ("▲ 12%", 12.0, "▲", UP),
    ("P -3%", -3.0, "P", None),  # unknown glyph, signed number: the number is clear
    ("¥-20%", -20.0, "¥", DOWN),  # glyph glued to an explicit sign
    ("¥+-80%", -80.0, "¥+", DOWN),
]


@pytest.mark.parametrize("printed, value, glyph, direction", GLYPHS)
def test_direction_glyphs(printed, value, glyph, direction):
    v = repair_value(printed, P)
    assert_invariants(v)
    assert v.value == value and v.unit == P
    assert v.direction_glyph == glyph and v.direction_hint == direction
    assert [r.kind for r in v.repairs] == [RepairKind.direction_glyph]
    assert v.repairs[0].from_text == printed.replace("\n", " ")
    assert v.text == printed  # the printed text is kept


def test_glyph_sign_conflict_is_flagged():
    v = repair_value("T+ -100%", P)
    assert v.value == -100.0 and v.needs_review and "points up" in v.review_reason
    v = repair_value("¥ 20%", P)  # a down glyph and no minus: value as printed, minus suggested
    assert v.value == 20.0 and v.needs_review
    assert v.suggestions[0].to_text == "-20%" and v.suggestions[0].evidence_strength == "weak"


@pytest.mark.parametrize("printed", ["3 7%", "4 75%"])
def test_digit_glyph_with_unsigned_number_is_not_repaired(printed):
    # '3 7%' (003 M6-QL) is -37% per the notes; '4 75%' (003 M4) is -75%: a digit glyph before an
    # unsigned number could as well be part of the number, so nothing is applied.
    v = repair_value(printed, P)
    assert_invariants(v)
    assert v.value is None and v.needs_review
    assert {r.to_text for r in v.suggestions} >= {printed.replace(" ", "")}


@pytest.mark.parametrize("printed, value", [("¥ “56%", -56.0), ("‘} =37%", -37.0)])
def test_garbled_minus_confirmed_by_down_glyph(printed, value):
    # 003 M6-QL (val) '“56%' = -56%; CP3 (val) '=37%' = -37%
    v = repair_value(printed, P)
    assert_invariants(v)
    assert v.value == value and v.repairs[0].kind == RepairKind.garbled_sign


@pytest.mark.parametrize("printed", ["“56%", "=37%"])
def test_garbled_minus_alone_is_only_suggested(printed):
    v = repair_value(printed, P)
    assert_invariants(v)
    assert v.value is None and v.suggestions[0].kind == RepairKind.garbled_sign
    assert v.suggestions[0].to_text.startswith("-")


@pytest.mark.parametrize("printed, value, kind", [
    ("85.6!", 85.6, RepairKind.trailing_noise),  # 003 CP4 benchmark
    ("12.7%|", 12.7, RepairKind.trailing_noise),
    ("0%.", 0.0, None),  # a full stop is punctuation, not damage: parse_value reads it
    ("1O5", 105.0, RepairKind.letter_digit),
    ("l2", 12.0, RepairKind.letter_digit),
    ("I2.5%", 12.5, RepairKind.letter_digit),
    ("1,O57", 1057.0, RepairKind.letter_digit),
    ("10O%", 100.0, RepairKind.letter_digit),
    ("-l5%", -15.0, RepairKind.letter_digit),
])
def test_cell_repairs(printed, value, kind):
    v = repair_value(printed)
    assert_invariants(v)
    assert v.value == value
    assert [r.kind for r in v.repairs] == ([kind] if kind else [])
    if kind:
        assert v.repairs[0].from_text == printed and v.repairs[0].reason


@pytest.mark.parametrize("printed", [
    "w58",  # 003 EH2 = 1058: 'w' is not a safe digit
    "i",  # 003 M4 = 1: no digit to anchor a swap
    "O", "l", "gso%", "-w00%", "Jan", "jane White", "",
])
def test_not_repaired(printed):
    v = repair_value(printed)
    assert_invariants(v)
    assert not v.repairs
    assert v.value is None


@pytest.mark.parametrize("printed", ["S19%", "S19%{"])
def test_glued_letters_only_suggested(printed):
    v = repair_value(printed, P)  # 003 EH3a: 'S19%{' = 19% per the notes, but S could be a 5
    assert_invariants(v)
    assert v.value is None and v.suggestions[0].to_text == "19%"


def test_digit_glued_to_signed_number_is_not_a_glyph():
    v = repair_value("3-14%", P)  # a range '3-14%'? not read as glyph '3' + '-14%'
    assert v.value is None and not v.repairs


def test_good_values_untouched():
    for t in ["30%", "-8%", "1357", "New", "n/a", "0.04%"]:
        v = repair_value(t)
        assert not v.repairs and not v.needs_review


# --------------------------------------------------------------------------- rows (seed 003)

def values(out):
    return [v.value for v in out]


# (name, printed row, unit, expected values, indices repaired)
ROWS = [
    ("EH3b 11-25 days", "21.3% 12.2% 19.7% 26.4% 36.2% 221% 24.0% 30.1% 23.5% 19.6% 24.2% 22.6% 157%", P,
     [21.3, 12.2, 19.7, 26.4, 36.2, 22.1, 24.0, 30.1, 23.5, 19.6, 24.2, 22.6, 15.7], {5, 12}),
    ("EH3c 26-35 days", "8.7% 7.9% 7.3% 6.2% 15.1% 103% 17.7% 14.6% 27.0% 18.2% 8.6% 8.6% 88%", P,
     [8.7, 7.9, 7.3, 6.2, 15.1, 10.3, 17.7, 14.6, 27.0, 18.2, 8.6, 8.6, 8.8], {5, 12}),
    ("CP5 %", "39.5% 18.2% 28.2% 7.1% 47.7% 24.0% 27.8% 25.5% 4.2% 19.2% 8.7% 26.8% 367%", P,
     [39.5, 18.2, 28.2, 7.1, 47.7, 24.0, 27.8, 25.5, 4.2, 19.2, 8.7, 26.8, 36.7], {12}),
    ("NI LA7", "84.4% 83.1% 83.1% 86.0% 83.8% 87.5% 87.7% 88.1% 88.1% 86.8% 90.4% 92.1% 913%", P,
     [84.4, 83.1, 83.1, 86.0, 83.8, 87.5, 87.7, 88.1, 88.1, 86.8, 90.4, 92.1, 91.3], {12}),
    ("P2b%", "100.0% 1000% 1000% 50.0% 1000% 75.0% 100.0%", P,
     [100.0, 100.0, 100.0, 50.0, 100.0, 75.0, 100.0], {1, 2, 4}),
    ("SGO %", "200% 385% 7.1% 1% 438% 143% 321% 6.3% 5.3% 8.3% 0.0% 38.9% 00%", P,
     [20.0, 38.5, 7.1, 1.0, 43.8, 14.3, 32.1, 6.3, 5.3, 8.3, 0.0, 38.9, 0.0], {0, 1, 4, 5, 6}),
    ("M1 contacts", "1 357|1491|1259|1358|1378|1215|997|1421|1309|1376|1649|1554|1433", C,
     [1357, 1491, 1259, 1358, 1378, 1215, 997, 1421, 1309, 1376, 1649, 1554, 1433], {0}),
    ("M2-NI rate", "62 60 49 56 62 52 61 46 54 49 54 43", R,
     [62, 60, 49, 56, 62, 52, 61, 46, 54, 49, 54, 43], set()),
    ("EH3a (2.7 is an OCR slip only arithmetic finds)", "11.6% 10.1% 2.6% 7.3% 8.6% 7.4% 10.9% 10.6% 6.1% 8.1% "
     "2.7% 12.7% 13.8%", P, [11.6, 10.1, 2.6, 7.3, 8.6, 7.4, 10.9, 10.6, 6.1, 8.1, 2.7, 12.7, 13.8], set()),
    ("% change column", "-8% 6% ¥ -20% 850%", None, None, None),
]


@pytest.mark.parametrize("name, row, unit, expected, repaired", ROWS[:-1], ids=[r[0] for r in ROWS[:-1]])
def test_rows(name, row, unit, expected, repaired):
    texts = row.split("|") if "|" in row else row.split()
    out = repair_series(texts, unit)
    assert len(out) == len(texts)
    for v in out:
        assert_invariants(v)
    assert values(out) == [pytest.approx(x) for x in expected]
    assert {i for i, v in enumerate(out) if v.repairs} == repaired
    for i in repaired:
        r = out[i].repairs[-1]
        assert r.evidence_strength == "strong" and r.from_text and r.to_text and r.reason
        assert out[i].text == texts[i]


def test_seed_sgo_row_flags_lost_digits():
    # SGO % September '1%' is 11.1 (digits lost): in range, so only flagged
    out = repair_series("200% 385% 7.1% 1% 438% 143% 321% 6.3% 5.3% 8.3% 0.0% 38.9% 00%".split(), P)
    assert out[3].value == 1.0 and out[3].needs_review and "decimal" in out[3].review_reason


def test_lost_decimal_needs_plausible_result():
    # '221%' among values near 60%: 22.1 is not among them either, so keep 221 and flag it
    out = repair_series(["61.0%", "58.2%", "221%", "63.4%"], P)
    v = out[2]
    assert v.value == 221.0 and v.needs_review and not v.repairs
    assert v.suggestions[0].kind == RepairKind.lost_decimal_point and v.suggestions[0].evidence_strength == "weak"


def test_lost_decimal_single_value_is_only_suggested():
    v = repair_series(["1000%"], P)[0]
    assert v.value == 1000.0 and v.needs_review and v.suggestions[0].to_text == "100.0%"


def test_percent_over_100_allowed_for_changes():
    out = repair_series(["-8%", "6%", "850%", "¥ -20%"], P, share=False)
    assert values(out) == [-8.0, 6.0, 850.0, -20.0]
    assert not out[2].needs_review


def test_weak_evidence_two_among_twenties():
    out = repair_series(["21", "24", "2", "26", "23"], C)
    v = out[2]
    assert v.value == 2.0 and v.needs_review and not v.repairs
    assert v.suggestions[0].kind == RepairKind.lost_digit
    assert all(not o.needs_review for i, o in enumerate(out) if i != 2)


def test_volatile_small_counts_not_flagged():
    # 003 EH1c: real 1s and 2s among 33s
    out = repair_series("2 8 33 11 33 12 19 7 1 13 9 14 19".split(), C)
    assert not any(v.needs_review for v in out)


def test_counts_never_get_decimal_points():
    out = repair_series(["1040", "1046", "10580", "1030"], C)
    assert out[2].value == 10580.0 and out[2].needs_review and not out[2].repairs


def test_split_number_needs_row_in_thousands():
    out = repair_series(["12", "1 357", "15"], C)  # the row is small: '1 357' is not a split 1357
    assert out[1].value is None and out[1].needs_review and not out[1].repairs
    out = repair_series(["1 357"], C)
    assert out[0].value is None and out[0].suggestions[0].to_text == "1357"


def test_placeholders_pass_through():
    out = repair_series(["New", "30%", "n/a", "", "-", "31%", "29%"], P)
    assert [v.missing_reason for v in out] == ["new indicator", None, "not applicable", "blank", "no value",
                                              None, None]
    assert not any(v.needs_review for v in out)


def test_cell_repairs_inside_rows():
    out = repair_series(["85.6!", "86.7%", "87.1"], P)
    assert values(out) == [85.6, 86.7, 87.1] and out[0].repairs[0].kind == RepairKind.trailing_noise


@pytest.mark.parametrize("glyph, direction", [("¥", DOWN), ("¥+", DOWN), ("3", DOWN), ("‘}", DOWN),
                                              ("T", UP), ("T+", UP), ("1t", UP), ("=", SIM), ("&", SIM),
                                              ("4", None), ("P", None)])
def test_glyph_direction(glyph, direction):
    assert glyph_direction(glyph) == direction


# --------------------------------------------------------------------------- properties

@settings(max_examples=400, deadline=None)
@given(st.text(max_size=40))
def test_repair_value_never_raises(text):
    v = _repair_value(text, P)
    assert_invariants(v)


_CELLS = st.one_of(
    st.floats(0, 100, allow_nan=False).map(lambda x: f"{x:.1f}%"),
    st.integers(0, 3000).map(str),
    st.sampled_from(["221%", "1000%", "¥ -20%", "3 7%", "1 357", "New", "n/a", "-", "", "85.6!", "1O5", "“56%",
                     "w58", "i", "T+ 36%", "0.0%", "00%"]),
    st.text(max_size=8),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_CELLS, max_size=15), st.sampled_from([P, C, R, None]), st.sampled_from([None, True, False]))
def test_repair_series_invariants(texts, unit, share):
    out = _repair_series(texts, unit, share)
    assert len(out) == len(texts)
    for t, v in zip(texts, out, strict=True):
        assert_invariants(v)
        assert v.text == t
        # an applied repair changed something, and says from what to what
        for r in v.repairs:
            assert r.from_text != r.to_text or r.kind in (RepairKind.lost_digit, RepairKind.outlier)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(5, 95, allow_nan=False).map(lambda x: round(x, 1)), min_size=4, max_size=13))
def test_clean_percent_rows_are_untouched(xs):
    out = repair_series([f"{x:.1f}%" for x in xs], P)
    assert values(out) == xs
    assert not any(v.repairs for v in out)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(10.1, 99.9, allow_nan=False).map(lambda x: round(x, 1)), min_size=5, max_size=13),
       st.data())
def test_dropped_point_is_restored(xs, data):
    # drop the decimal point of a value lying within its neighbours' range: its digits now read as
    # over 100%, and the row's own decimals say where the point goes
    i = data.draw(st.integers(0, len(xs) - 1))
    others = xs[:i] + xs[i + 1:]
    if not min(others) <= xs[i] <= max(others):
        xs[i] = round((min(others) + max(others)) / 2, 1)
    texts = [f"{x:.1f}%" for x in xs]
    texts[i] = texts[i].replace(".", "")
    out = repair_series(texts, P)
    assert out[i].value == pytest.approx(xs[i])
    assert out[i].repairs and out[i].repairs[-1].kind == RepairKind.lost_decimal_point
    assert [v.value for j, v in enumerate(out) if j != i] == others
