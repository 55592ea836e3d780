"""``leadflow schema lead|activity|event``: JSON Schema (draft 2020-12) of the payloads."""

from __future__ import annotations

import argparse
import json
from typing import Any, Final

from leadflow._cli.common import OK

__all__ = ("SCHEMA_DIALECT", "add_parser", "schema_of")

SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"


def schema_of(name: str) -> dict[str, Any]:
    """The JSON Schema of a payload, generated from its pydantic model.

    ``event`` is any webhook event ``Agreement.process`` takes (one of the eleven types, told
    apart by ``type``); ``handoff-event`` is the lifecycle's
    :class:`~leadflow.lifecycle.HandoffEvent`, for hosts that drive the lifecycle directly.
    """
    from typing import Annotated

    from pydantic import Field, TypeAdapter

    from leadflow.lead import Activity, Lead

    if name == "lead":
        model: Any = Lead
    elif name == "activity":
        model = Activity
    elif name == "event":
        from leadflow.agreement.events import Event

        model = Annotated[Event, Field(discriminator="type")]
    else:
        from leadflow.lifecycle import HandoffEvent

        model = HandoffEvent
    schema = TypeAdapter(model).json_schema(mode="validation")
    return {"$schema": SCHEMA_DIALECT, **schema}


def run(args: argparse.Namespace) -> int:
    print(json.dumps(schema_of(args.payload), indent=2))
    return OK


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "schema",
        help="print the JSON Schema of a payload",
        description="Print the JSON Schema (draft 2020-12) of a lead, an activity, an agreement "
        "event (what Agreement.process takes) or a lifecycle handoff event, generated from leadflow's models, for validating webhooks on the host side.",
    )
    parser.add_argument("payload", choices=("lead", "activity", "event", "handoff-event"))
    parser.set_defaults(run=run)
    return parser
