"""Reconciliation: rules that flag, with evidence, where a paper contradicts itself or its own rules."""
from .engine import flag_id, reconcile_paper
from .registry import RULES, Finding, PaperContext, Rule, load_rules, register

__all__ = ["flag_id", "reconcile_paper", "RULES", "Finding", "PaperContext", "Rule", "load_rules", "register"]
