"""`scrutiny catalogue ...` commands, and confirmed aliases being used by the mapping stage."""
from __future__ import annotations

from typer.testing import CliRunner

from catalogue import load_catalogue
from catalogue.assign import assign_indicators
from flows.cli import app
from reconcile.examples import seed_row
from store import Store

runner = CliRunner()


def test_list_shows_core_and_lait_indicators():
    result = runner.invoke(app, ["catalogue", "list"])
    assert result.exit_code == 0, result.output
    assert "REREF_12M" in result.output and "LAIT_" in result.output
    core = runner.invoke(app, ["catalogue", "list", "--core"])
    assert "LAIT_" not in core.output and "CLA_DIST_LE20" in core.output


def test_show_gives_definition_aliases_and_england_values():
    result = runner.invoke(app, ["catalogue", "show", "REREF_12M"])
    assert result.exit_code == 0
    assert "lower_better" in result.output and "% repeat referrals" in result.output
    assert "England:" in result.output
    missing = runner.invoke(app, ["catalogue", "show", "NOPE"])
    assert missing.exit_code == 1 and "No indicator" in missing.output


def test_search_ranks_the_obvious_indicator_first():
    result = runner.invoke(app, ["catalogue", "search", "care leavers suitable accommodation", "--limit", "3"])
    assert result.exit_code == 0
    rows = [line for line in result.output.splitlines() if "CL_SUITABLE" in line or "│" in line]
    assert any("CL_SUITABLE" in line for line in rows[:6])


def test_map_explains_inverse_guard(tmp_path):
    result = runner.invoke(app, ["catalogue", "map", "% of CLA living more than 20 miles from home",
                                 "--database", f"sqlite:///{tmp_path}/s.db"])
    assert result.exit_code == 0
    assert "auto: CLA_DIST_GT20" in result.output
    assert "dropped CLA_DIST_LE20" in result.output


def test_alias_added_by_cli_maps_the_name_on_the_next_run(tmp_path):
    url = f"sqlite:///{tmp_path}/s.db"
    label = "Kids in care seen by their worker on time"  # a council's own wording nobody could guess
    row = seed_row("x", "1", label, values=[("Q1", 90)])
    before = assign_indicators([row], load_catalogue(), aliases={})[0]
    assert before.mapping_status.value != "auto"
    result = runner.invoke(app, ["catalogue", "alias", "add", label, "CLA_SEEN_6W", "--database", url, "--by", "ana"])
    assert result.exit_code == 0, result.output
    with Store(url) as store:
        aliases = store.aliases()
    after = assign_indicators([row], load_catalogue(), aliases=aliases)[0]
    assert (after.indicator_id, after.mapping_status.value) == ("CLA_SEEN_6W", "auto")
    listed = runner.invoke(app, ["catalogue", "alias", "list", "--database", url])
    assert label in listed.output


def test_alias_to_unknown_indicator_is_refused(tmp_path):
    result = runner.invoke(app, ["catalogue", "alias", "add", "x", "NOT_AN_ID", "--database", f"sqlite:///{tmp_path}/s.db"])
    assert result.exit_code == 1
