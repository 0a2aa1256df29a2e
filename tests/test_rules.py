"""Every registered rule passes and fails its own examples (taken from real seed rows)."""
import pytest

from reconcile import load_rules, reconcile_paper
from schemas import SourceDocument

RULES = load_rules()
CASES = [(code, ex) for code, rule in sorted(RULES.items()) for ex in rule.examples()]


def test_every_rule_has_pass_and_fail_examples():
    for code, rule in RULES.items():
        expectations = {ex.expect_flags > 0 for ex in rule.examples()}
        assert expectations == {True, False}, f"{code} needs both pass and fail examples"


@pytest.mark.parametrize("code,example", CASES, ids=[f"{c}: {e.name}" for c, e in CASES])
def test_rule_example(code, example):
    doc = SourceDocument(id=example.rows[0].document_id, source="example", file_name="example")
    flags = reconcile_paper(doc, example.rows, only={code})
    assert len(flags) == example.expect_flags, [f.message for f in flags]
    for flag in flags:
        assert flag.evidence and flag.message
        assert flag.id == reconcile_paper(doc, example.rows, only={code})[0].id  # stable


def test_rag_message_reads_plainly():
    example = next(e for e in RULES["RAG_MISMATCH"].examples() if e.name.startswith("001 #3"))
    doc = SourceDocument(id="001", source="example", file_name="example")
    [flag] = reconcile_paper(doc, example.rows, only={"RAG_MISMATCH"})
    assert "rates this measure Red" in flag.message
    assert "gives Amber" in flag.message and "30.8" in flag.message
    assert flag.changes_rag


def test_polarity_message_cites_the_papers_own_figures():
    example = RULES["POLARITY_CONFLICT"].examples()[0]
    doc = SourceDocument(id="000", source="example", file_name="example")
    [flag] = reconcile_paper(doc, example.rows, only={"POLARITY_CONFLICT"})
    assert "'Good to be Low'" in flag.message and "ADOPT_LT14M" in flag.message
    assert "a target of 100% only makes sense when higher is better" in flag.message
    assert "printed Red at 56% against 100% follows only if higher is better" in flag.message
