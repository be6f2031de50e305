"""The state machines and the functions their tasks call: one table read by the CDK stack (to
deploy them), the local stack (to run them in-process) and the tests (to check them).

A definition names each function by a `${Placeholder}`, and the AWS partition of its service
integrations by `${Partition}` (`aws`, or `aws-cn` in the China regions); both runtimes
substitute the same names.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)\}")
PARTITION = "Partition"  # not a function: where the stack is deployed


@dataclass(frozen=True)
class TaskFunction:
    placeholder: str  # `${...}` in the definition
    name: str  # the function's name suffix (yunchetong-<stage>-<name>)
    handler: str  # module.function, as Lambda's handler setting


@dataclass(frozen=True)
class Workflow:
    name: str
    definition: Path
    functions: tuple[TaskFunction, ...]

    def text(self) -> str:
        return self.definition.read_text(encoding="utf-8")

    def placeholders(self) -> set[str]:
        """The functions the definition calls (every `${...}` but the partition)."""
        return set(_PLACEHOLDER.findall(self.text())) - {PARTITION}

    def render(self, arns: dict[str, str], partition: str = "aws") -> str:
        """The definition with every placeholder replaced; a missing one is an error, not a hole."""
        missing = self.placeholders() - set(arns)
        if missing:
            raise KeyError(f"no value for placeholders: {', '.join(sorted(missing))}")
        values = {**arns, PARTITION: partition}
        rendered = _PLACEHOLDER.sub(lambda m: values[m.group(1)], self.text())
        json.loads(rendered)
        return rendered


_RESCUE = "functions.rescue.handler"
RESCUE = Workflow(
    name="rescue",
    definition=ROOT / "statemachines" / "rescue.asl.json",
    functions=(
        TaskFunction("FindCandidatesArn", "rescue-find-candidates", f"{_RESCUE}.find_candidates"),
        TaskFunction("OfferNextArn", "rescue-offer-next", f"{_RESCUE}.offer_next"),
        TaskFunction("CloseOfferArn", "rescue-close-offer", f"{_RESCUE}.close_offer"),
        TaskFunction("AssignTruckArn", "rescue-assign-truck", f"{_RESCUE}.assign_truck"),
        TaskFunction("AwaitMilestoneArn", "rescue-await-milestone", f"{_RESCUE}.await_milestone"),
        TaskFunction("RaiseAlertArn", "rescue-raise-alert", f"{_RESCUE}.raise_alert"),
        TaskFunction("EscalateArn", "rescue-escalate", f"{_RESCUE}.escalate"),
        TaskFunction("ReleaseTruckArn", "rescue-release-truck", f"{_RESCUE}.release_truck"),
    ),
)
_FUND = "functions.fund.handler"
FUND = Workflow(
    name="fund",
    definition=ROOT / "statemachines" / "fund.asl.json",
    functions=(
        TaskFunction("AwaitReviewArn", "fund-await-review", f"{_FUND}.await_review"),
        TaskFunction("RemindArn", "fund-remind", f"{_FUND}.remind"),
        TaskFunction("EscalateArn", "fund-escalate", f"{_FUND}.escalate"),
    ),
)
_MEDICAL = "functions.medical.handler"
MEDICAL = Workflow(
    name="medical",
    definition=ROOT / "statemachines" / "medical.asl.json",
    functions=(
        TaskFunction("AwaitMilestoneArn", "medical-await-milestone", f"{_MEDICAL}.await_milestone"),
        TaskFunction("CloseWaitArn", "medical-close-wait", f"{_MEDICAL}.close_wait"),
    ),
)
WORKFLOWS = (RESCUE, FUND, MEDICAL)
