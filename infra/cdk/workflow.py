"""`DeployedWorkflow`: one workflow of `infra.workflows.WORKFLOWS` (the rescue) as deployed: a
Standard state machine from its `statemachines/*.asl.json` file, one function per task sharing one
least-privilege role, the state machine's own role that may invoke exactly those functions, logs
and traces. Its grants are what the API and the sweeper may do with its runs."""

from __future__ import annotations

from aws_cdk import ArnFormat, Aws, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from chalicelib.store.models import TowTruckItem
from infra.cdk.common import Capability, acknowledge, camel_case, log_group
from infra.cdk.compute import Compute, FunctionRole
from infra.cdk.storage import Storage
from infra.workflows import PARTITION, Workflow

# The index the rescue steps query for standby tow trucks near a pickup (store.fleet.standby_in).
TOW_TRUCK_INDEX = TowTruckItem.gsi1.Meta.index_name


def grant_case_steps(storage: Storage, role: FunctionRole) -> None:
    """What a workflow step does to the table (chalicelib.services.rescue.steps), shared by the
    task functions and the rescue sweeper (which runs the compensation, `release_truck`)."""
    # the case (Query on its partition), a truck (GetItem), the case's TransactWriteItems (Put of
    # every item, conditioned, and the report counters' Update); no Scan, no other Update, no Delete
    storage.grant_table_items(role, "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem")
    storage.grant_report_counters(role)
    storage.grant_table_key(role)


class DeployedWorkflow(Capability):
    """A workflow of the registry: its task functions, then the state machine that calls them.

    The definition file goes up as an asset (`DefinitionS3Location`), never inlined in the
    template; each `${Placeholder}` is substituted by CloudFormation with its function's ARN.
    """

    def __init__(self, scope: Construct, construct_id: str, *, stage: str, workflow: Workflow, storage: Storage, compute: Compute) -> None:
        super().__init__(scope, construct_id, stage=stage)
        self.workflow = workflow
        prefix = camel_case(workflow.name)
        self.state_machine_name = self.physical_name(workflow.name)  # as the local stack names it
        # Formatted from the name, so a role may name the machine without referring to the resource
        # (the machine refers to the functions, which refer to their role: a Ref would be a cycle).
        self.state_machine_arn = Stack.of(self).format_arn(
            service="states", resource="stateMachine", resource_name=self.state_machine_name, arn_format=ArnFormat.COLON_RESOURCE_NAME
        )
        # every run of the machine: arn:...:execution:<machine name>:*
        self.executions_arn = Stack.of(self).format_arn(
            service="states", resource="execution", resource_name=f"{self.state_machine_name}:*", arn_format=ArnFormat.COLON_RESOURCE_NAME
        )
        self.function_logs = log_group(self, f"{prefix}Logs")
        self.function_role = self._function_role(prefix, storage)
        self.functions = {
            task.placeholder: compute.function(
                self,
                camel_case(task.name),
                function_name=self.physical_name(task.name),  # as the local stack names it
                description=f"{workflow.name} workflow step {task.handler.rsplit('.', 1)[-1]}",
                handler=task.handler,
                role=self.function_role,
                # A step reads the case, decides, writes one transaction (retried on conflict).
                timeout=Duration.seconds(30),
                memory_size=512,
                environment=compute.base_environment,
            )
            for task in workflow.functions
        }
        placeholders = workflow.placeholders()
        if placeholders != set(self.functions):
            raise ValueError(
                f"{workflow.definition.name}: placeholders without a function {sorted(placeholders - set(self.functions))}, "
                f"functions the definition never calls {sorted(set(self.functions) - placeholders)}"
            )
        self.state_machine_logs = log_group(self, f"{prefix}StateMachineLogs")
        self.state_machine_role = self._state_machine_role(prefix)
        self.state_machine = sfn.StateMachine(
            self,
            f"{prefix}StateMachine",
            state_machine_name=self.state_machine_name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_file(str(workflow.definition)),
            definition_substitutions={
                PARTITION: Aws.PARTITION,
                **{placeholder: function.function_arn for placeholder, function in self.functions.items()},
            },
            # Immutable: the inline policy already has what CDK would add (log delivery, X-Ray)
            # as a separate policy resource.
            role=self.state_machine_role.without_policy_updates(),
            # Every state transition (cdk-nag SF1), without inputs and outputs: they carry case
            # and order ids, never personal data, but the table is where a run's data lives.
            logs=sfn.LogOptions(destination=self.state_machine_logs, level=sfn.LogLevel.ALL, include_execution_data=False),
            tracing_enabled=True,
        )
        # RESCUE_STATE_MACHINE_ARN, ...: a Ref, so whoever reads it is created after the machine
        self.environment = {f"{workflow.name.upper()}_STATE_MACHINE_ARN": self.state_machine.state_machine_arn}

    # --- grants ----------------------------------------------------------------------------

    def grant_start(self, role: FunctionRole) -> None:
        role.allow(iam.PolicyStatement(sid=f"{self._sid}Start", actions=["states:StartExecution"], resources=[self.state_machine_arn]))

    def grant_stop(self, role: FunctionRole) -> None:
        """Stop (cancel) any run of the machine."""
        role.allow(iam.PolicyStatement(sid=f"{self._sid}Stop", actions=["states:StopExecution"], resources=[self.executions_arn]))

    def grant_task_response(self, role: FunctionRole) -> None:
        """Answer a waiting step (a driver's answer to an offer, an arrival or completion report)."""
        role.allow(
            iam.PolicyStatement(
                # Task tokens carry no ARN of their own: IAM authorises the answer against the state
                # machine whose task issued the token (as CDK's StateMachine.grantTaskResponse does).
                sid=f"{self._sid}Answer",
                actions=["states:SendTaskSuccess", "states:SendTaskFailure"],
                resources=[self.state_machine_arn],
            )
        )

    def grant_read_run_status(self, role: FunctionRole) -> None:
        """Is a run still RUNNING? Only the runs of this state machine."""
        role.allow(iam.PolicyStatement(sid="RunStatus", actions=["states:DescribeExecution"], resources=[self.executions_arn]))

    def accept_every_run(self, role: FunctionRole, what_the_role_does: str) -> None:
        """A role's statement on every run of the machine: run names are only known at run time."""
        role.accept_wildcard(
            self.executions_arn,
            f"Runs of {self.state_machine_name} are named per rescue order at run time "
            f"(case id + flow); {what_the_role_does}, on this state machine only.",
        )

    @property
    def _sid(self) -> str:
        return camel_case(self.workflow.name)

    # --- metrics ---------------------------------------------------------------------------

    def metric_failed_runs(self, period: Duration) -> cloudwatch.Metric:
        return self.state_machine.metric_failed(period=period, statistic="Sum")

    # --- roles -----------------------------------------------------------------------------

    def _function_role(self, prefix: str, storage: Storage) -> FunctionRole:
        """The role all task functions of the workflow share (chalicelib.services.rescue.steps): the
        steps' role, and the standby trucks by geohash cell (store.fleet.standby_in); no other index."""
        role = self._step_role(prefix, storage)
        storage.grant_index_query(role, "TowTruckIndex", TOW_TRUCK_INDEX)
        return role

    def _step_role(self, prefix: str, storage: Storage) -> FunctionRole:
        """What every workflow's steps need: read the case, write the case's transaction (items,
        audit, outbox notices), answer their own waiting task."""
        role = FunctionRole(
            self,
            f"{prefix}Role",
            purpose=f"execution role of the {self.workflow.name} workflow's functions",
            policy_name=self.workflow.name,
            log_group=self.function_logs,
        )
        grant_case_steps(storage, role)
        role.allow(
            iam.PolicyStatement(
                # A waiting step answers its own task when the answer it waits for came first. Only
                # success: no step reports a task failure. On the machine's ARN formatted from its
                # name (a Ref would be a cycle: machine -> functions -> this role -> machine).
                sid="AnswerOwnTask",
                actions=["states:SendTaskSuccess"],
                resources=[self.state_machine_arn],
            )
        )
        return role

    def _state_machine_role(self, prefix: str) -> iam.Role:
        """The state machine's role: invoke exactly its task functions, deliver its logs, trace."""
        functions: list[lambda_.Function] = list(self.functions.values())
        role = iam.Role(
            self,
            f"{prefix}StateMachineRole",
            assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
            description=self.describe(f"role of the {self.workflow.name} state machine"),
            inline_policies={
                f"{self.workflow.name}-state-machine": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(
                            # unqualified ARNs, as the definition names them: no versions or aliases
                            sid="InvokeTasks",
                            actions=["lambda:InvokeFunction"],
                            resources=[function.function_arn for function in functions],
                        ),
                        iam.PolicyStatement(
                            # CloudWatch Logs vended delivery: these actions take no resource ARN
                            sid="LogDelivery",
                            actions=[
                                "logs:CreateLogDelivery",
                                "logs:GetLogDelivery",
                                "logs:UpdateLogDelivery",
                                "logs:DeleteLogDelivery",
                                "logs:ListLogDeliveries",
                                "logs:PutResourcePolicy",
                                "logs:DescribeResourcePolicies",
                                "logs:DescribeLogGroups",
                            ],
                            resources=["*"],
                        ),
                        iam.PolicyStatement(
                            sid="Tracing",
                            actions=[
                                "xray:PutTraceSegments",
                                "xray:PutTelemetryRecords",
                                "xray:GetSamplingRules",
                                "xray:GetSamplingTargets",
                            ],
                            resources=["*"],
                        ),
                    ]
                )
            },
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "Resource '*' only for what supports no resource-level permissions: CloudWatch Logs "
            "vended log delivery (Create/Get/Update/Delete/ListLogDeliveries, Put/DescribeResourcePolicies, "
            "DescribeLogGroups), which Step Functions needs to log to its log group, and X-Ray tracing.",
        )
        return role
