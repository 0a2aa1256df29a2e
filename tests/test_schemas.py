"""The committed JSON Schema (schemas/json/) matches the pydantic records, and records round-trip."""
import json
from pathlib import Path

import pytest

from schemas import ALL_RECORDS, BBox, Observation, Provenance, Unit

JSON_DIR = Path(__file__).resolve().parent.parent / "schemas" / "json"


@pytest.mark.parametrize("model", ALL_RECORDS, ids=lambda m: m.__name__)
def test_committed_json_schema_is_current(model):
    committed = json.loads((JSON_DIR / f"{model.__name__}.json").read_text())
    assert committed == model.model_json_schema(), "run `python -m schemas` and commit schemas/json/"


def test_observation_round_trips_through_json():
    prov = Provenance(document_id="d" * 64, page=2, bbox=BBox(x0=1, top=2, x1=3, bottom=4), raw_text="36%")
    obs = Observation(key="k", document_id="d" * 64, row_ref="1", row_label="% repeat referrals",
                      period_label="Q4 Mar 2018", value=36, value_text="36%", unit=Unit.percent, provenance=prov)
    assert Observation.model_validate_json(obs.model_dump_json()) == obs


def test_unknown_fields_are_refused():
    with pytest.raises(ValueError):
        BBox(x0=0, top=0, x1=1, bottom=1, colour="red")
