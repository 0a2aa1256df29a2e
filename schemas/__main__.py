"""Write the JSON Schema of every record to schemas/json/."""
import json
from pathlib import Path

from . import ALL_RECORDS

out = Path(__file__).parent / "json"
out.mkdir(exist_ok=True)
for model in ALL_RECORDS:
    (out / f"{model.__name__}.json").write_text(json.dumps(model.model_json_schema(), indent=2) + "\n")
    print(out / f"{model.__name__}.json")
