"""A real Python `bittensor` dendrite queries our miner axon with the payloads subnet 33's
validator sends: `CgSynapse(cgp_input=[{"task": masked_task}])` for each task type (today's
generation) and `{guid, window_idx, lines}` (the first generation).

argv[1]: JSON {"ip", "port", "axon_hotkey", "callers": {name: mnemonic}, "cases": [[case, caller]],
               "timeout": float}
Prints one JSON line per case with what the Python dendrite reports."""
import asyncio
import json
import sys
from typing import Optional

import bittensor as bt

from cg_common import Dendrite, emit, wallet_for


class CgSynapse(bt.Synapse):
    """As subnet 33 (conversationgenome/protocol.py) declares it."""

    cgp_input: list[dict]
    cgp_output: Optional[list[dict]] = None
    time_elapsed: int = 0


CONVERSATION = [
    [0, "I finally finished restoring the old sailboat my grandfather built in the seventies."],
    [1, "That is amazing! Did you have to replace the mast or just the sails?"],
    [0, "Both, and we varnished the teak deck. Next summer we sail along the Maine coast."],
    [1, "Bring a good camera, the lighthouses near Portland are beautiful at sunset."],
]
CODING = [
    [0, "My Rust web server panics with a borrow checker error when I share the database pool."],
    [1, "Wrap the pool in an Arc and clone it into each handler; tokio tasks need 'static data."],
    [0, "That fixed it. Should I use sqlx or diesel for async Postgres queries?"],
    [1, "sqlx is async-native and checks your SQL at compile time against the schema."],
]
MARKDOWN = (
    "# Community Garden Opens Downtown\n\nThe city council opened a new community garden on Elm "
    "Street with raised vegetable beds, a composting station and weekly workshops on urban "
    "beekeeping and organic tomato growing for local families."
)
ENRICHMENT = [
    "Urban beekeeping basics\nHow city residents keep honeybee hives on rooftops and gardens.",
    "Composting at home\nTurning kitchen scraps into rich soil for vegetable beds.",
]
TRANSCRIPT = (
    "Mayor Linda Carter announced that the Springfield City Council approved a 4.2 million "
    "dollar budget for the Riverside Park renovation project, in partnership with the "
    "Greenway Foundation and the Illinois Department of Natural Resources."
)
NER_ENRICHMENT = ["Greenway Foundation\nA nonprofit funding parks and trails across Illinois."]

PROMPT_STEP = {
    "step": 0, "id": "12345", "crc": 1111, "title": "Infer tags", "name": "infer_tags",
    "description": "Infer tags", "type": "inference", "input_path": "conversation",
    "prompt_template": "Analyze the conversation and return comma-delimited tags.",
    "output_variable": "tags", "output_type": "List",
}


def masked_task(task_type, input_type, data, categories=None):
    """A task as the validator's `mask_task_for_miner` leaves it: guids HIDDEN."""
    return {
        "mode": "production",
        "api_version": 1.4,
        "guid": "HIDDEN",
        "bundle_guid": "HIDDEN",
        "type": task_type,
        "scoring_mechanism": None,
        "input": {
            "guid": "HIDDEN",
            "input_type": input_type,
            "data": data,
            "input_categories": categories,
        },
        "prompt_chain": [PROMPT_STEP],
        "example_output": None,
    }


def window_data(window):
    return {"window_idx": -1, "window": window, "participants": ["p0", "p1"],
            "prompt": PROMPT_STEP["prompt_template"]}


def cgp_input(case):
    if case == "conversation_tagging":
        task = masked_task("conversation_tagging", "conversation", window_data(CONVERSATION))
    elif case == "conversation_tagging_coding":
        task = masked_task("conversation_tagging", "conversation", window_data(CODING),
                           categories=["coding"])
    elif case == "webpage_metadata_generation":
        lines = [[0, MARKDOWN]] + [[i + 1, t] for i, t in enumerate(ENRICHMENT)]
        task = masked_task("webpage_metadata_generation", "webpage_markdown",
                           {"window_idx": 0, "window": lines, "participants": None,
                            "prompt": None})
    elif case == "survey_tagging":
        task = masked_task("survey_tagging", "survey", {
            "participants": None, "prompt": None,
            "survey_question": "What would make you visit the public library more often?",
            "comment": "Longer evening opening hours and a quiet study room with fast wifi.",
        })
    elif case == "named_entities_extraction":
        lines = [[0, TRANSCRIPT]] + [[i + 1, t] for i, t in enumerate(NER_ENRICHMENT)]
        task = masked_task("named_entities_extraction", "document", window_data(lines))
    elif case == "legacy_window":
        return [{"guid": 52718, "window_idx": 3, "lines": CONVERSATION}]
    elif case == "garbage":
        return [{"nonsense": True, "task_is_missing": [1, 2, 3]}]
    else:
        raise ValueError(case)
    return [{"task": task}]


async def main():
    cfg = json.loads(sys.argv[1])
    axon_info = bt.AxonInfo(
        version=0, ip=cfg["ip"], port=cfg["port"], ip_type=4, hotkey=cfg["axon_hotkey"],
        coldkey=cfg["axon_hotkey"],
    )
    dendrites = {name: Dendrite(wallet=wallet_for(m)) for name, m in cfg["callers"].items()}
    for case, caller in cfg["cases"]:
        syn = CgSynapse(cgp_input=cgp_input(case))
        out = await dendrites[caller].call(
            axon_info, syn, timeout=float(cfg.get("timeout", 30)), deserialize=False)
        emit({
            "case": case,
            "caller": caller,
            "status_code": out.dendrite.status_code,
            "status_message": out.dendrite.status_message,
            "cgp_output": out.cgp_output,
            "version": bt.__version__,
        })
    for d in dendrites.values():
        await d.aclose_session()


asyncio.run(main())
