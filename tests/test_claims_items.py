"""Claims from commentary, item by item: the commentary entries of seed-discrepancies.md (D1, D2, D4, D5, D6,
D7, D13, D14, D15, S1-S6, A1, A5 and the traps about commentary) and other councils' wording.

Each test states what a rule needs to see: the claims that make a D flaggable, and the claims that keep a T
from being flagged. The texts are the seeds' commentary as printed (OCR line breaks included).
"""
from __future__ import annotations

from datetime import date

import pytest

from catalogue.normalise import normalise
from reconcile.claims import ClaimKind, extract_claims
from test_claims import E, assert_claims

JUN18 = date(2018, 6, 30)  # seed 003: the Jun-18 monthly dataset


def claims_of(text: str, context: date | None = JUN18):
    return extract_claims(text, context_date=context)


def only(claims, kind: str):
    return [c for c in claims if c.kind.value == kind]


# --------------------------------------------------------------------------- D: hard discrepancies

def test_D1_commentary_names_another_cohort():
    """000 #11 (CLA reviews): the definition is about looked-after children, the figure about CP plans."""
    text = ("<p>This indicator measures the proportion of Children Looked After who have their reviews completed on "
            "time.</p> <p>At the end of Quarter 4, 100% of children with Child Protection Plans had been reviewed "
            "within timescales. Benchmarking information is not available.</p>")
    claims = claims_of(text, date(2018, 6, 1))
    definition, value = claims[0], only(claims, "value")[0]
    assert definition.kind == ClaimKind.definition and definition.cohort == "cla"
    assert value.value == 100 and value.cohort == "cp" and value.cohorts == ["cp"]
    assert value.period.key == "2018-03-31"


def test_D2_commentary_copied_from_the_own_provision_row():
    """000 #17 (adoption within 14 months) carries #15's 'placed in our own provision'."""
    text = ("<p>This indicator measures the length of time children who are placed for adoption wait before they "
            "move into an adoptive family.</p> <p>At the end of Quarter 4, 56% of children in care were placed in our "
            "own provision, which is below our target of 100%.</p>")
    claims = claims_of(text, date(2018, 6, 1))
    assert claims[0].cohort == "adoption"
    value = only(claims, "value")[0]
    assert "own provision" in value.subject and value.cohort == "cla" and value.value == 56


def test_D4_better_worse_against_benchmarks_with_values():
    text = ("<p>At the end of Quarter 4, 56% of children in care were placed in our own provision, which is below our "
            "target of 100%. Our performance is worse than that reported by statistical neighbours (43%) and "
            "nationally (47%).</p>")
    claims = only(claims_of(text, date(2018, 6, 1)), "comparison")
    assert_claims(claims, [
        E("comparison", rel="below", comp="target", cv=100, v=56),
        E("comparison", rel="worse", comp="stat_neighbours", cv=43, v=56, ante=True),
        E("comparison", rel="worse", comp="england", cv=47, v=56, ante=True)])


def test_D5_commentary_threshold_differs_from_the_measure():
    """004 Red #3: the measure is 'within 10 days', the figure is 'within 15 working days'."""
    name = "% CP Visits due in the period that were on-time (within 10 days of the previous visit)."
    text = "97.4% of visits took place within 15 working days of the previous visit."
    (claim,) = claims_of(text, date(2017, 9, 12))
    assert claim.kind == ClaimKind.value and claim.value == 97.4
    assert claim.thresholds == ["15 working days"] and claim.threshold_directions == ["upper"]
    assert [t.token for t in normalise(name).thresholds] == ["10 days"]


def test_D6_claim_about_a_sibling_band():
    """003 EH3d (36-45 days) says the 11-25 day share rose: resolvable to EH3b by its threshold."""
    text = ("There has been a significant reduction in the completion of Single\nAssessments within the longer "
            "timeframes, whilst the percentage\ncompleted within 11-25 days has increased. It is a positive\n"
            "development that we are able to complete assessments quickly.")
    claims = claims_of(text)
    assert_claims(claims, [
        E("change", dir="decrease", word="significant", size_class="large",
          subj="the completion of Single Assessments within the longer timeframes"),
        E("change", dir="increase", subj="the percentage completed within 11-25 days", thr=["11-25 days"],
          thr_dir=["band"], past=False, mod=None)])


def test_D7_joint_subject_is_split_and_previously_inside_it_is_not_a_past_marker():
    text = ("The number and percentage of children previously subject to CP\nplanning is higher this month - but the "
            "cohort includes one family with\nfour children and one family with three children.")
    changes = only(claims_of(text), "change")
    assert_claims(changes, [
        E("change", dir="increase", subj="number of children previously subject to CP planning", cohort="cp",
          period="2018-06", past=False, comp="previous_period"),
        E("change", dir="increase", subj="percentage of children previously subject to CP planning", cohort="cp",
          period="2018-06", past=False, comp="previous_period")])


def test_D13_comparison_year_is_recorded():
    text = ("In 2018, 79% of Buckinghamshire pupils achieved at least the expected standard in Key Stage 1 Reading. "
            "Results have remained the same as in 2016, but remain above both regional and national averages.")
    claims = claims_of(text, date(2018, 10, 31))
    assert claims[0].period.key == "2018"
    static = claims[1]
    assert static.direction == "static" and static.comparator.value == "earlier_period"
    assert static.comparator_period.key == "2016" and static.comparator_period_text == "2016"


def test_D14_comparator_named_differs_from_the_comparator_group():
    text = "Our performance is worse than that of statistical neighbours reported in the 2016 CIPFA report (44%)."
    (claim,) = claims_of(text)
    assert claim.comparator.value == "cipfa_neighbours" and claim.comparator_named.value == "stat_neighbours"
    assert claim.comparator_value == 44 and claim.comparator_period.key == "2016"


@pytest.mark.parametrize("text,past", [
    # EH4 (val): the trap
    ("There has been a significant decrease in the number of Single\nAssessments completed within 45 days this month. "
     "The proactive\nreporting being used by managers and workers has previously resulted\nin improved timescales.",
     True),
    # EH4-QL: D15
    ("There has been a significant decrease (48%) in Single Assessments\ncompleted within 45 days this month. The "
     "proactive reporting being\nused by managers and workers has resulted in improved timescales.", False),
])
def test_D15_past_marker(text, past):
    claims = claims_of(text)
    first, judged = claims[0], claims[1]
    assert first.direction == "decrease" and first.size_word == "significant" and first.period.key == "2018-06"
    assert judged.judgement == "improved" and judged.subject == "timescales"
    assert judged.period_is_past is past
    assert (judged.past_marker == "previously") is past


# --------------------------------------------------------------------------- S: size words

@pytest.mark.parametrize("item,text,expected", [
    ("S1", "There has been a slight decrease in the conversion rate from the\nprevious month, this though remains a "
           "reduced number overall.",
     E("change", dir="decrease", word="slight", size_class="small", subj="the conversion rate",
       comp="previous_period", cohort="referrals")),
    ("S2", "There has been a slight decrease in the number of referrals this\nmonth.",
     E("change", dir="decrease", word="slight", subj="the number of referrals", period="2018-06")),
    ("S3/S4", "There has been a slight decrease in the number of Section 47\nEnquiries started this month, this would "
              "be expected as the number of\nreferral overall is lower this month.",
     E("change", dir="decrease", word="slight", subj="the number of Section 47 Enquiries started", cohort="cp",
       period="2018-06")),
    ("S5", "There has been a slight decrease in the completion of Single\nAssessments within this timeframe",
     E("change", dir="decrease", word="slight", cohort="assessments")),
    ("S6", "There has been a reduction in referrals dealt with within 24 hours over\nthe last four months.",
     E("change", dir="decrease", window=4, thr=["24 hours"], subj="referrals dealt with within 24 hours")),
    ("M1 (correct)", "There has been a slight decrease in contacts for the second\nconsecutive month, however the "
                     "number remains high.",
     E("change", dir="decrease", word="slight", run=2, subj="contacts")),
])
def test_S_size_words(item, text, expected):
    assert_claims(claims_of(text)[:1], [expected], where=item)


def test_EH2_slight_increase_and_the_12_month_average():
    text = ("There has been a slight increase this month, and the figure is again\nlower than the 12-month average. "
            "Caseloads remain a challenge.")
    assert_claims(claims_of(text), [
        E("change", dir="increase", word="slight", period="2018-06", subj=None),
        E("comparison", rel="lower", comp="average", label="12-month average", subj="the figure", generic=True)])


# --------------------------------------------------------------------------- A: ambiguous

def test_A1_size_in_brackets_is_neither_points_nor_relative():
    (claim,) = claims_of("There has been a significant decrease (48%) in Single Assessments completed within 45 days "
                         "this month.")
    assert claim.size_value == 48 and claim.size_is_points is None and claim.size_class == "large"
    assert claim.thresholds == ["45 days"]


def test_A5_referrals_decreased_by_26_percent():
    (claim,) = claims_of("Referrals in January have decreased by 26% due to both the seasonal impact.",
                         date(2015, 2, 10))
    assert claim.direction == "decrease" and claim.size_value == 26 and claim.size_is_points is None
    assert claim.subject == "Referrals" and claim.period.key == "2015-01"


# --------------------------------------------------------------------------- T: traps

def test_T3_achieved_target_with_stated_polarity():
    text = ("At the end of Quarter 4 18% of children became the subject of a Child Protection Plan for a second or "
            "subsequent time. This has achieved our target of 18% (good to be low)")
    ach = only(claims_of(text, date(2018, 6, 1)), "achievement")[0]
    assert ach.relation == "achieved" and ach.comparator_value == 18 and ach.value == 18
    assert ach.polarity_stated.value == "lower_better"


def test_T4_below_target_is_performance_language():
    (claim,) = claims_of("Performance is currently below target, and will be until local capacity is developed and "
                         "new entrants into care are consistently placed locally.", date(2017, 9, 12))
    assert claim.relation == "below" and claim.comparator.value == "target" and claim.performance_language
    assert claim.modality is None


def test_T6_summary_counts():
    claims = claims_of("In 17/18 Q1 there are three red indicators, four amber indicators and six green indicators.",
                       date(2017, 9, 12))
    assert [(c.count, c.count_subject, c.period.key) for c in claims] == [
        (3, "red indicators", "FY2017-18 Q1"), (4, "amber indicators", "FY2017-18 Q1"),
        (6, "green indicators", "FY2017-18 Q1")]


def test_T9_later_period_than_the_table():
    (claim,) = claims_of("At the end of April, performance had improved to 29%.", date(2018, 6, 1))
    assert claim.period.key == "2018-04-30" and claim.value == 29 and claim.judgement == "improved"


def test_T17_higher_is_neutral_and_T18_above_target():
    text = ("At the end of September 2018, 55% of children looked after were placed more than 20 miles from their "
            "home. This performance is higher than England, South East and statistical neighbour averages.")
    comps = only(claims_of(text, date(2018, 10, 31)), "comparison")
    assert {c.relation for c in comps} == {"higher"} and {c.value for c in comps} == {55}
    (above,) = only(claims_of("At the end of Quarter 4 our performance is 36%. This is above the 20% target.",
                              date(2018, 6, 1)), "comparison")
    assert above.relation == "above" and above.comparator_value == 20 and above.value == 36


@pytest.mark.parametrize("text", [
    "There has been a reduction in performance this month, with\nSouthampton timeliness 1.7% lower than the "
    "Statistical Neighbour (SN)\naverage.",
])
def test_T22_T34_gap_in_points(text):
    change, comparison = claims_of(text)
    assert change.judgement == "worsened" and change.direction is None
    assert comparison.relation == "lower" and comparison.comparator.value == "stat_neighbours"
    assert comparison.size_value == 1.7 and comparison.size_is_points is True
    assert comparison.subject == "Southampton timeliness"


def test_T26_remained_static():
    (claim,) = claims_of("The number of Single Assessments completed within this timeframe\nfrom the previous month "
                         "has remained static.")
    assert claim.direction == "static" and claim.comparator.value == "previous_period"


def test_T27_typically_under():
    (claim,) = claims_of("The number is typically under 300 per\nmonth, which indicates that the front door changes "
                         "are having an\nimpact")
    assert claim.value == 300 and claim.value_bound == "upper" and claim.qualifier == "typically under"


@pytest.mark.parametrize("text", ["However, the % figure has stayed the same.",
                                  "No change in % in quarter 1 despite one school achieving a first inspection "
                                  "outcome of Good (Wheatfield Primary School has only 60 pupils)."])
def test_T28_percentage_unchanged(text):
    change = only(claims_of(text, date(2017, 9, 12)), "change")[0]
    assert change.direction == "static"


def test_T30_shared_value():
    claims = claims_of("This is equal to Statistical Neighbours and England (2%), and below the South East (3%).")
    assert [(c.comparator.value, c.comparator_value, c.comparator_value_shared, c.relation) for c in claims] == [
        ("stat_neighbours", 2, True, "equal"), ("england", 2, False, "equal"), ("region", 3, False, "below")]


def test_T33_the_rate_is_the_subject():
    text = ("There has been a decrease in numbers in June, although the rate\nremains higher than Statistical "
            "Neighbour (SN), regional and national\naverages.")
    claims = claims_of(text)
    assert claims[0].direction == "decrease" and claims[0].subject == "numbers" and claims[0].period.key == "2018-06"
    assert [(c.subject, c.comparator.value, c.relation) for c in claims[1:]] == [
        ("the rate", "stat_neighbours", "higher"), ("the rate", "region", "higher"), ("the rate", "england", "higher")]


def test_004_counts_add_up_through_part_of():
    text = ("All the 9 children who did not achieve permanence are care leavers who reached their 18<sup>th</sup> "
            "Birthday in Q1. Of these, 4 are “staying put” with their foster carers, 3 moved into independent living "
            "accommodation and 2 moved into Residential Care commissioned by Adults’ Social Care.")
    claims = claims_of(text, date(2017, 9, 12))
    whole, *parts = claims
    assert whole.count == 9 and whole.qualifier == "all" and whole.count_subject == "children who did not achieve permanence"
    assert [p.count for p in parts] == [4, 3, 2] and all(p.part_of == 0 for p in parts)
    assert sum(p.count for p in parts) == whole.count


def test_004_green_4_count_over_20_miles():
    text = ("In line with our target of placing all new entrants to care within 20 miles from their home, only one "
            "child was placed in an emergency placement over 20 miles from their home for one night.")
    (claim,) = claims_of(text, date(2017, 9, 12))
    assert claim.kind == ClaimKind.count and claim.count == 1 and claim.qualifier == "only"
    assert claim.thresholds == ["20 miles"] and claim.threshold_directions == ["lower"]


def test_future_and_purpose_are_not_current_claims():
    claims = claims_of("Anticpated increase of S47 enquiries will lead to more children being subject to CP plans and "
                       "will bring numbers up to be in line with statistical neighbours.", date(2015, 2, 10))
    assert claims and all(c.modality == "future" for c in claims)
    assert claims_of("Work to improve performance further includes the development of a skills database.") == []
    assert claims_of("We would not move already settled children to local placements in order to meet the target.") == []


# --------------------------------------------------------------------------- other councils' wording

VARIANTS = [
    ("Performance in June was 72.5%, up from 68.0% in May.", date(2018, 10, 15), [
        E("value", v=72.5, period="2018-06", subj="Performance"),
        E("change", dir="increase", cv=68.0, comp="earlier_period", cperiod="2018-05", v=72.5, ante=True)]),
    ("This is 4 percentage points above the national average of 22% and in line with our statistical neighbours "
     "(26%).", None, [
        E("comparison", rel="above", comp="england", cv=22, size=4, pts=True),
        E("comparison", rel="equal", comp="stat_neighbours", cv=26)]),
    ("The rate of 45.2 per 10,000 remains below the England rate (52.1) but above the regional average of 40.3.", None, [
        E("value", v=45.2, unit="rate_per_10000", subj="The rate"),
        E("comparison", rel="below", comp="england", cv=52.1, v=45.2),
        E("comparison", rel="above", comp="region", cv=40.3, v=45.2)]),
    ("We have exceeded our target of 85% for the third consecutive quarter.", None, [
        E("achievement", rel="achieved", comp="target", cv=85, run=3)]),
    ("Timeliness has deteriorated slightly to 81%.", None, [
        E("change", judg="worsened", word="slightly", size_class="small", v=81)]),
    ("Performance has not met the target of 90%.", None, [
        E("achievement", rel="not_achieved", comp="target", cv=90, neg=True)]),
    ("The figure remained stable at 14%.", None, [E("change", dir="static", v=14)]),
    ("Re-referrals have dropped sharply from 28% in March to 19%.", date(2018, 10, 15), [
        E("change", dir="decrease", word="sharply", size_class="large", cv=28, v=19, cperiod="2018-03",
          cohort="referrals")]),
    ("Our performance (64%) is better than the national average (60%) and worse than statistical neighbours (67%).",
     None, [
         E("value", v=64, subj="Our performance"),
         E("comparison", rel="better", comp="england", cv=60, v=64),
         E("comparison", rel="worse", comp="stat_neighbours", cv=67, v=64)]),
    ("Of the 46 children who left care in the quarter, 12 were adopted.", None, [
        E("count", count=46, csubj="children who left care in the quarter"),
        E("count", count=12, csubj="adopted", part_of=0)]),
    ("The proportion of care leavers in EET is 3 percentage points lower than the regional figure of 54%.", None, [
        E("comparison", rel="lower", comp="region", cv=54, size=3, pts=True, cohort="care_leavers")]),
    ("Performance remains below target, and below statistical neighbours (88%).", None, [
        E("comparison", rel="below", comp="target", perf=True),
        E("comparison", rel="below", comp="stat_neighbours", cv=88)]),
    ("There were 5 red, 7 amber and 12 green measures this quarter.", None, [
        E("count", count=5, csubj="red measures"), E("count", count=7, csubj="amber measures"),
        E("count", count=12, csubj="green measures")]),
    ("Assessments completed within 45 working days improved to 88% in Q2 from 79% in Q1.", date(2018, 10, 15), [
        E("change", judg="improved", v=88, period="FY2018-19 Q2", cv=79, cperiod="FY2018-19 Q1",
          thr=["45 working days"], cohort="assessments")]),
    ("The percentage of children seen within 10 working days has fallen slightly, from 92% to 89%.", None, [
        E("change", dir="decrease", word="slightly", cv=92, v=89, thr=["10 working days"])]),
    ("The conversion rate is marginally higher than last month.", None, [
        E("change", dir="increase", rel="higher", word="marginally", size_class="small", comp="previous_period")]),
    ("Performance continues to exceed the England average (84%).", None, [
        E("comparison", rel="above", comp="england", cv=84)]),
    ("We remain behind our statistical neighbours on this measure.", None, [
        E("comparison", rel="below", comp="stat_neighbours", cv=None)]),
    ("The number of children subject to a CP plan for two years or more has remained at zero.", None, [
        E("change", dir="static", v=0, thr=["2 years"], cohort="cp")]),
    ("Only 52% of reviews were held within timescale, well short of the 95% target.", None, [
        E("value", v=52, q="only"),
        E("comparison", rel="below", comp="target", cv=95, v=52, subj="reviews were held within timescale")]),
    ("Performance was on target at the end of Quarter 2.", date(2018, 10, 15), [
        E("achievement", rel="achieved", comp="target", period="2018-09-30")]),
    ("Numbers have increased by 14% compared to the same month last year.", None, [
        E("change", dir="increase", size=14, pts=None, comp="same_period_last_year")]),
    ("The number of contacts (1,433) was 8% lower than in May.", date(2018, 6, 30), [
        E("value", v=1433, cohort="referrals"),
        E("change", dir="decrease", size=8, pts=None, comp="earlier_period", cperiod="2018-05", v=1433)]),
    ("This places us in line with the South East average of 63% but well below England (74%).", None, [
        E("comparison", rel="equal", comp="region", cv=63), E("comparison", rel="below", comp="england", cv=74)]),
    ("Children's Services has missed its target of 90% for the second month running.", None, [
        E("achievement", rel="not_achieved", cv=90, run=2)]),
    ("The number of looked after children has fallen by 12 to 346 since March 2018.", None, [
        E("change", dir="decrease", size=12, pts=None, v=346, comp="earlier_period", cperiod="2018-03",
          cohort="cla")]),
    ("Timeliness of initial health assessments has improved significantly this quarter, to 76%, although it remains "
     "below the 90% target.", None, [
         E("change", judg="improved", word="significantly", v=76),
         E("comparison", rel="below", comp="target", cv=90, v=76, ante=True)]),
    ("Repeat referrals (22.4%) are now lower than both England (22.6%) and our comparator authorities (24.1%).", None, [
        E("value", v=22.4, cohort="referrals"),
        E("comparison", rel="lower", comp="england", cv=22.6, v=22.4),
        E("comparison", rel="lower", comp="other", label="comparator authorities", cv=24.1, v=22.4)]),
    ("Placement stability has worsened compared with the same period last year.", None, [
        E("change", judg="worsened", comp="same_period_last_year")]),
    ("The target of 95% was not met this quarter.", None, [
        E("achievement", rel="not_achieved", cv=95, neg=True)]),
    ("At 31 March 2018, 62.1 per 10,000 children were subject to a child protection plan.", None, [
        E("value", v=62.1, unit="rate_per_10000", period="2018-03-31", cohort="cp",
          subj="children were subject to a child protection plan")]),
    ("The proportion of children seen within 5 working days fell from 91% to 84% over the quarter.", None, [
        E("change", dir="decrease", cv=91, v=84, thr=["5 working days"])]),
    ("Performance against this indicator has dipped to 78% from 84% last quarter.", None, [
        E("change", dir="decrease", v=78, cv=84, comp="previous_period")]),
    ("The percentage of re-referrals within 12 months stands at 19.2%, which compares favourably with the national "
     "average of 21.9%.", None, [
         E("value", v=19.2, thr=["12 months"], cohort="referrals"),
         E("comparison", rel="better", comp="england", cv=21.9, v=19.2)]),
    ("At the end of March 2019 there were 412 children looked after, a rate of 58 per 10,000, slightly above the "
     "statistical neighbour rate of 55.", date(2019, 5, 31), [
         E("count", count=412, csubj="children looked after", period="2019-03-31", cohort="cla"),
         E("value", v=58, unit="rate_per_10000"),
         E("comparison", rel="above", comp="stat_neighbours", cv=55, v=58, word="slightly")]),
    ("Timeliness of reviews remains strong at 97%, exceeding the 95% target.", None, [
        E("value", v=97, subj="Timeliness of reviews"),
        E("achievement", rel="achieved", cv=95, v=97)]),
    ("Compared to last year, the number of children on a child protection plan has risen by 15%.", None, [
        E("change", dir="increase", size=15, comp="same_period_last_year", cohort="cp")]),
    ("Although still below target, performance has improved for the third month in a row.", None, [
        E("comparison", rel="below", comp="target", run=None),
        E("change", judg="improved", run=3)]),
    ("Two of the eight measures are rated red.", None, [
        E("count", count=2, csubj="measures", part_of=1), E("count", count=8, csubj="measures")]),
    ("There were 1,204 contacts in May, a 7% increase on April.", date(2019, 5, 31), [
        E("count", count=1204, csubj="contacts", period="2019-05"),
        E("change", dir="increase", size=7, comp="earlier_period", cperiod="2019-04", v=1204, ante=True)]),
    ("Performance is broadly in line with statistical neighbours.", None, [
        E("comparison", rel="equal", comp="stat_neighbours", subj="Performance")]),
    ("We are now performing better than the regional average for the first time.", None, [
        E("comparison", rel="better", comp="region", subj="We")]),
    ("This is significantly worse than the England average of 12%.", None, [
        E("comparison", rel="worse", comp="england", cv=12, word="significantly", size_class="large")]),
    ("Historically, performance has been below the national average.", None, [
        E("comparison", rel="below", comp="england", past=True, subj="performance")]),
    ("• 85% of children were seen within 10 working days (target 90%).", None, [
        E("value", v=85, thr=["10 working days"], subj="children were seen within 10 working days")]),
    ("Performance dipped in May but has since recovered to 91%, above the 90% target.", date(2018, 6, 30), [
        E("change", judg="worsened", period="2018-05"),
        E("change", judg="improved", v=91),
        E("comparison", rel="above", comp="target", cv=90, v=91, subj="Performance")]),
    ("The number of children in care (352) is lower than the same month last year (371).", None, [
        E("value", v=352, cohort="cla"),
        E("change", dir="decrease", comp="same_period_last_year", cv=371, v=352)]),
    ("Since March 2018, 95% of reviews have been held within timescales.", date(2018, 6, 1), [
        E("value", v=95, period="2018-03", past=True)]),
    ("We have reduced the number of children waiting more than 14 months for adoption by 6.", None, [
        E("change", dir="decrease", size=6, subj="the number of children waiting more than 14 months for adoption",
          thr=["14 months"], thr_dir=["lower"], cohort="adoption")]),
]


@pytest.mark.parametrize("text,context,expected", VARIANTS, ids=[v[0][:50] for v in VARIANTS])
def test_other_councils_wording(text, context, expected):
    assert_claims(claims_of(text, context), expected, where=text[:60])


def test_at_least_twenty_variants():
    assert len(VARIANTS) >= 20
