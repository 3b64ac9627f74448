"""HARNESS FIDELITY: service-managed CloudFormation StackSets as AWS runs them.

moto 5.2.5 runs StackSets, and creates the stack instances' resources in the member
accounts with its own CloudFormation engine (templates, parameters, conditions and
intrinsic functions are moto's). Where it answers differently from AWS for what
aws-oidc-wizard relies on, this module makes it answer as AWS does. Each point names
the AWS page it follows. Imported by moto_server.py before the server starts.

1. AWS::IAM::OIDCProvider is a resource (moto skips it): created in the account,
   EntityAlreadyExists when the account has a provider for that URL, deleted with its
   stack. https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-oidcprovider.html
2. AWS::IAM::Role attaches its ManagedPolicyArns (moto ignores them) and detaches them
   when deleted. https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html
3. A stack instance whose resources fail is an instance with Status OUTDATED,
   DetailedStatus FAILED and the reason; its stack is rolled back; the operation ends
   FAILED (failure tolerance 0). moto answered HTTP 500.
   https://docs.aws.amazon.com/AWSCloudFormationStackSets/latest/APIReference/API_StackInstanceSummary.html
4. Deployment targets: an OU means every account under it at any depth; the management
   account is never a target; AccountFilterType INTERSECTION, DIFFERENCE and UNION are
   applied; DeleteStackInstances honours DeploymentTargets and RetainStacks. moto went
   one level deep and ignored the filter.
   https://docs.aws.amazon.com/AWSCloudFormationStackSets/latest/APIReference/API_DeploymentTargets.html
   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-manage-auto-deployment.html
   ("StackSets doesn't deploy stack instances to the organization's management account")
5. AutoDeployment is kept and described; ParameterOverrides are kept per instance and
   described by DescribeStackInstance; each summary names its OrganizationalUnitId.
6. UpdateStackSet updates the resources of every instance (moto changed parameters
   only), keeping each instance's overrides; an instance whose update fails is rolled back
   to what it was (its role and provider stay) and left OUTDATED.
   https://docs.aws.amazon.com/AWSCloudFormationStackSets/latest/APIReference/API_UpdateStackSet.html
Operations still finish at once (the waiting is exercised by the product's own tests).
"""

from moto.cloudformation import models as cfm
from moto.cloudformation import parsing
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.common_models import CloudFormationModel
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.iam import models as iam
from moto.moto_api._internal import mock_random
from moto.organizations.models import organizations_backends


# --- 1. AWS::IAM::OIDCProvider ---
class OidcProviderResource(CloudFormationModel):
    # moto's model registry files a model under the service its module names.
    __module__ = "moto.iam.harness"

    @staticmethod
    def cloudformation_type():
        return "AWS::IAM::OIDCProvider"

    @staticmethod
    def cloudformation_name_type():
        return ""

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        p = cloudformation_json["Properties"]
        backend = iam.iam_backends[account_id]["global"]
        return backend.create_open_id_connect_provider(
            p["Url"], p.get("ThumbprintList", []), p.get("ClientIdList", []), p.get("Tags", [])
        )

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name
    ):
        backend = iam.iam_backends[account_id]["global"]
        if resource_name in backend.open_id_providers:
            backend.delete_open_id_connect_provider(resource_name)


iam.OpenIDConnectProvider.physical_resource_id = property(lambda self: self.arn)
iam.OpenIDConnectProvider.is_created = lambda self: True
iam.OpenIDConnectProvider.delete = lambda self, account_id, region_name: (
    iam.iam_backends[account_id]["global"].delete_open_id_connect_provider(self.arn)
)
parsing.get_model_list.cache_clear()
parsing.get_model_map.cache_clear()
parsing.get_name_type_map.cache_clear()


# --- 2. ManagedPolicyArns of AWS::IAM::Role ---
_create_role = iam.Role.create_from_cloudformation_json.__func__
_delete_role = iam.Role.delete_from_cloudformation_json.__func__


def _role_create(cls, resource_name, cloudformation_json, account_id, region_name, **kw):
    role = _create_role(cls, resource_name, cloudformation_json, account_id, region_name, **kw)
    backend = iam.iam_backends[account_id]["global"]
    try:
        for arn in cloudformation_json["Properties"].get("ManagedPolicyArns", []):
            backend.attach_role_policy(arn, role.name)
    except Exception:
        # The resource failed: CloudFormation leaves nothing of it behind.
        _role_delete(cls, role.name, cloudformation_json, account_id, region_name)
        raise
    return role


def _role_delete(cls, resource_name, cloudformation_json, account_id, region_name):
    backend = iam.iam_backends[account_id]["global"]
    for role in list(backend.roles.values()):
        if role.name == resource_name:
            for arn in list(role.managed_policies):
                backend.detach_role_policy(arn, role.name)
    _delete_role(cls, resource_name, cloudformation_json, account_id, region_name)


iam.Role.create_from_cloudformation_json = classmethod(_role_create)
iam.Role.delete_from_cloudformation_json = classmethod(_role_delete)
# A Role made by a stack is deleted through its resource entry, not Role.delete.
if hasattr(iam.Role, "delete"):
    del iam.Role.delete


# --- 3, 4, 5: instances, targets, overrides ---
def _units_under(org, units):
    """Every unit under `units` (them included), at any depth."""
    found = list(units)
    frontier = list(units)
    while frontier:
        children = [ou.id for ou in org.ou if getattr(ou, "parent_id", None) in frontier]
        frontier = [c for c in children if c not in found]
        found += frontier
    return found


def _targets(admin, targets):
    """(account, unit) pairs the deployment targets name, as AWS resolves them, for the
    stack set of the account `admin`."""
    org = organizations_backends[admin]["aws"]
    management = org.org.master_account_id if org.org else None
    units = targets.get("OrganizationalUnitIds", [])
    accounts = targets.get("Accounts", [])
    kind = targets.get("AccountFilterType", "NONE")
    under = []
    for unit in units:
        for u in _units_under(org, [unit]):
            for a in org.accounts:
                if a.parent_id == u and a.id != management:
                    under.append((a.id, unit))
    if kind == "INTERSECTION":
        return [(a, u) for a, u in under if a in accounts]
    if kind == "DIFFERENCE":
        return [(a, u) for a, u in under if a not in accounts]
    if kind == "UNION":
        return under + [(a, None) for a in accounts if a not in [x for x, _ in under]]
    return under if units else [(a, None) for a in accounts]


class Instance:
    """A stack instance: its stack in the member account, or why it failed."""

    def __init__(self, stackset, account, region, unit, overrides):
        self.stackset = stackset
        self.account_id = account
        self.region_name = region
        self.organizational_unit_id = unit
        self.overrides = {p["ParameterKey"]: p["ParameterValue"] for p in overrides}
        self.stack = None
        self.status = "CURRENT"
        self.detailed = "SUCCEEDED"
        self.reason = None

    def parameters(self):
        merged = dict(self.stackset.parameters or {})
        merged.update(self.overrides)
        return merged

    def deploy(self, template=None, overrides=None):
        """Create the stack from the stack set's template; roll back on failure."""
        saved = self.overrides
        if overrides is not None:
            self.overrides = overrides
        params = self.parameters()
        self.overrides = saved
        self.stack = cfm.Stack(
            stack_id=cfm.generate_stack_id(
                "StackSet-" + self.stackset.name, self.region_name, self.account_id
            ),
            name=f"StackSet-{self.stackset.name}-{mock_random.uuid4()}",
            template=template or self.stackset.template,
            parameters=params,
            account_id=self.account_id,
            region_name=self.region_name,
            notification_arns=[],
            tags=None,
            role_arn=None,
            cross_stack_resources={},
            enable_termination_protection=False,
        )
        try:
            self.stack.create_resources()
        except Exception as e:  # the resource's own error, as CloudFormation reports it
            self.remove()
            self.status, self.detailed = "OUTDATED", "FAILED"
            self.reason = f"ResourceLogicalId:{_failed_resource(self.stack)}, ResourceType:AWS::IAM, ResourceStatusReason:{getattr(e, 'message', None) or e}."
            self.stack = None
            return False
        self.status, self.detailed, self.reason = "CURRENT", "SUCCEEDED", None
        return True

    def update(self, old_template, old_overrides):
        """Move the stack to the current template and overrides; where that fails, back to
        what it was (CloudFormation rolls a failed update back), the instance OUTDATED."""
        had_stack = self.stack is not None
        self.remove()
        if self.deploy():
            return True
        failed = (self.status, self.detailed, self.reason)
        if had_stack:
            self.deploy(old_template, old_overrides)
        self.status, self.detailed, self.reason = failed
        return False

    def remove(self):
        if self.stack is not None:
            try:
                self.stack.delete()
            except Exception as e:
                import sys, traceback
                traceback.print_exc(file=sys.stderr)
            self.stack = None

    def summary(self):
        return {
            "StackSetId": self.stackset.id,
            "Region": self.region_name,
            "Account": self.account_id,
            "StackId": self.stack.stack_id if self.stack else None,
            "Status": self.status,
            "StatusReason": self.reason,
            "StackInstanceStatus": {"DetailedStatus": self.detailed},
            "OrganizationalUnitId": self.organizational_unit_id,
        }

    def described(self):
        d = self.summary()
        d["ParameterOverrides"] = [
            {"ParameterKey": k, "ParameterValue": v} for k, v in self.overrides.items()
        ]
        return d


def _failed_resource(stack):
    try:
        done = set(stack.resource_map._parsed_resources)
        for name in stack.template_dict.get("Resources", {}):
            if name not in done:
                return name
    except Exception:
        pass
    return "unknown"


def _instances(stackset):
    if not hasattr(stackset, "fidelity_instances"):
        stackset.fidelity_instances = []
    return stackset.fidelity_instances


def _operation(stackset, action, ok):
    op = stackset._create_operation(
        operation_id=str(mock_random.uuid4()),
        action=action,
        status="SUCCEEDED" if ok else "FAILED",
    )
    op["EndTimestamp"] = utcnow()
    return op["OperationId"]


def _create_stack_set(self):
    result = _orig_create_stack_set(self)
    stackset = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
    auto = self._get_params().get("AutoDeployment")
    if auto:
        stackset.auto_deployment = {
            "Enabled": str(auto.get("Enabled")).lower() == "true",
            "RetainStacksOnAccountRemoval": str(auto.get("RetainStacksOnAccountRemoval")).lower() == "true",
        }
    return result


def _create_stack_instances(self):
    name = self._get_param("StackSetName")
    stackset = self.cloudformation_backend.describe_stack_set(name)
    targets = self._get_params().get("DeploymentTargets") or {}
    if stackset.permission_model == "SERVICE_MANAGED" and not targets.get("OrganizationalUnitIds"):
        raise cfm.ValidationError(message="OrganizationalUnitIds are required")
    regions = self._get_param("Regions", [])
    overrides = self._get_param("ParameterOverrides", [])
    ok = True
    instances = _instances(stackset)
    for region in regions:
        for account, unit in _targets(self.cloudformation_backend.account_id, targets):
            if any(i.account_id == account and i.region_name == region for i in instances):
                continue
            instance = Instance(stackset, account, region, unit, overrides)
            instances.append(instance)
            ok = instance.deploy() and ok
    return ActionResult({"OperationId": _operation(stackset, "CREATE", ok)})


def _update_stack_set(self):
    name = self._get_param("StackSetName")
    stackset = self.cloudformation_backend.describe_stack_set(name)
    old_template = stackset.template
    body = self._get_param("TemplateBody")
    if body:
        stackset.template = body
    params = self._get_param("Parameters", [])
    if params:
        stackset.parameters = {p["ParameterKey"]: p["ParameterValue"] for p in params}
    auto = self._get_params().get("AutoDeployment")
    if auto:
        stackset.auto_deployment = {
            "Enabled": str(auto.get("Enabled")).lower() == "true",
            "RetainStacksOnAccountRemoval": str(auto.get("RetainStacksOnAccountRemoval")).lower() == "true",
        }
    ok = True
    for instance in _instances(stackset):
        ok = instance.update(old_template, dict(instance.overrides)) and ok
    return ActionResult({"OperationId": _operation(stackset, "UPDATE", ok)})


def _update_stack_instances(self):
    name = self._get_param("StackSetName")
    stackset = self.cloudformation_backend.describe_stack_set(name)
    targets = self._get_params().get("DeploymentTargets") or {}
    regions = self._get_param("Regions", [])
    overrides = self._get_param("ParameterOverrides", None)
    wanted = {(a, r) for a, _ in _targets(self.cloudformation_backend.account_id, targets) for r in regions}
    ok = True
    for instance in _instances(stackset):
        if (instance.account_id, instance.region_name) in wanted:
            before = dict(instance.overrides)
            if overrides:
                instance.overrides.update(
                    {p["ParameterKey"]: p["ParameterValue"] for p in overrides}
                )
            ok = instance.update(stackset.template, before) and ok
    return ActionResult({"OperationId": _operation(stackset, "UPDATE", ok)})


def _delete_stack_instances(self):
    name = self._get_param("StackSetName")
    stackset = self.cloudformation_backend.describe_stack_set(name)
    targets = self._get_params().get("DeploymentTargets") or {}
    regions = self._get_param("Regions", [])
    retain = str(self._get_param("RetainStacks")).lower() == "true"
    wanted = {(a, r) for a, _ in _targets(self.cloudformation_backend.account_id, targets) for r in regions}
    keep = []
    for instance in _instances(stackset):
        if (instance.account_id, instance.region_name) in wanted:
            if not retain:
                instance.remove()
        else:
            keep.append(instance)
    stackset.fidelity_instances = keep
    return ActionResult({"OperationId": _operation(stackset, "DELETE", True)})


def _delete_stack_set(self):
    name = self._get_param("StackSetName")
    stackset = self.cloudformation_backend.describe_stack_set(name)
    if _instances(stackset):
        raise cfm.StackSetNotEmpty()
    stackset.delete()
    return EmptyResult()


def _list_stack_instances(self):
    stackset = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
    return ActionResult({"Summaries": [i.summary() for i in _instances(stackset)]})


def _describe_stack_instance(self):
    stackset = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
    account = self._get_param("StackInstanceAccount")
    region = self._get_param("StackInstanceRegion")
    for i in _instances(stackset):
        if i.account_id == account and i.region_name == region:
            return ActionResult({"StackInstance": i.described()})
    raise cfm.StackInstanceNotFound()


_orig_create_stack_set = CloudFormationResponse.create_stack_set
CloudFormationResponse.create_stack_set = _create_stack_set
CloudFormationResponse.create_stack_instances = _create_stack_instances
CloudFormationResponse.update_stack_set = _update_stack_set
CloudFormationResponse.update_stack_instances = _update_stack_instances
CloudFormationResponse.delete_stack_instances = _delete_stack_instances
CloudFormationResponse.delete_stack_set = _delete_stack_set
CloudFormationResponse.list_stack_instances = _list_stack_instances
CloudFormationResponse.describe_stack_instance = _describe_stack_instance
