#!/usr/bin/env python3
"""Writes the Terraform plan fixtures of this folder, in the JSON output
format of `terraform show -json PLANFILE` (HashiCorp, "JSON Output Format",
format_version 1.2). No Terraform binary was used: each plan is what
Terraform prints for the configuration sketched in its comment, written to
the published format. Run from this folder: `python3 make_fixtures.py`."""
import json

ACCOUNT = "111122223333"
PROVIDER = "registry.terraform.io/hashicorp/aws"


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)},
                      separators=(",", ":"))


def allow(actions, resource="*"):
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


TRUST_EC2 = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                 "Action": "sts:AssumeRole"})


class Plan:
    def __init__(self):
        self.changes, self.prior, self.config, self.planned = [], [], [], []

    def change(self, rtype, name, actions, before=None, after=None, unknown=(),
               refs=None, mode="managed"):
        after_unknown = {}
        if after is not None:
            after = dict(after)
            for attr in unknown:
                after.pop(attr, None)
                after_unknown[attr] = True
        prefix = "data." if mode == "data" else ""
        address = f"{prefix}{rtype}.{name}"
        entry = {"address": address, "mode": mode, "type": rtype, "name": name,
                 "provider_name": PROVIDER,
                 "change": {"actions": actions, "before": before, "after": after,
                            "after_unknown": after_unknown,
                            "before_sensitive": False if before is None else {},
                            "after_sensitive": False if after is None else {}}}
        if actions in (["delete", "create"], ["create", "delete"]):
            entry["action_reason"] = "replace_because_cannot_update"
        self.changes.append(entry)
        if after is not None:
            self.planned.append({"address": address, "mode": mode, "type": rtype,
                                 "name": name, "provider_name": PROVIDER,
                                 "schema_version": 0, "values": after,
                                 "sensitive_values": {}})
        expressions = {}
        for attr, value in (after or before or {}).items():
            if attr in ("arn", "id", "unique_id", "policy_id"):
                continue
            expressions[attr] = {"constant_value": value}
        for attr, references in (refs or {}).items():
            expressions[attr] = {"references": references}
        if not any(c["address"] == address for c in self.config):
            self.config.append({"address": address, "mode": mode, "type": rtype,
                                "name": name, "provider_config_key": "aws",
                                "expressions": expressions, "schema_version": 0})
        return self

    def deployed(self, rtype, name, values, mode="managed"):
        prefix = "data." if mode == "data" else ""
        self.prior.append({"address": f"{prefix}{rtype}.{name}", "mode": mode,
                           "type": rtype, "name": name, "provider_name": PROVIDER,
                           "schema_version": 0, "values": values,
                           "sensitive_values": {}})
        return self

    def config_only(self, rtype, name, expressions, mode="managed"):
        prefix = "data." if mode == "data" else ""
        self.config.append({"address": f"{prefix}{rtype}.{name}", "mode": mode,
                            "type": rtype, "name": name, "provider_config_key": "aws",
                            "expressions": expressions, "schema_version": 0})

    def write(self, path):
        plan = {
            "format_version": "1.2",
            "terraform_version": "1.9.5",
            "planned_values": {"root_module": {"resources": self.planned}},
            "resource_changes": self.changes,
            "prior_state": {"format_version": "1.0", "terraform_version": "1.9.5",
                            "values": {"root_module": {"resources": self.prior}}},
            "configuration": {
                "provider_config": {"aws": {"name": "aws", "full_name": PROVIDER,
                                            "expressions": {"region": {"constant_value": "us-east-1"}}}},
                "root_module": {"resources": self.config}},
            "relevant_attributes": [],
            "timestamp": "2026-12-04T12:00:00Z",
            "applyable": True, "complete": True, "errored": False,
        }
        with open(path, "w") as f:
            json.dump(plan, f, indent=2)
            f.write("\n")


def arn(kind, name, path="/"):
    return f"arn:aws:iam::{ACCOUNT}:{kind}{path}{name}"


def create_plan():
    """Every IAM resource type, all created:

    data "aws_caller_identity" "current" {}
    data "aws_iam_policy_document" "deploy" { statement { actions = ["chime:CreateMeeting"] resources = ["*"] } }
    resource "aws_iam_policy" "deploy"   { name = "deploy" policy = data.aws_iam_policy_document.deploy.json }
    resource "aws_iam_policy" "boundary" { name = "boundary" path = "/guard/" policy = jsonencode(...) }
    resource "aws_iam_user" "alice"  { name = "alice" path = "/eng/" }
    resource "aws_iam_user" "bob"    { name = "bob" permissions_boundary = "arn:...:policy/guard/boundary" }
    resource "aws_iam_group" "devs"  { name = "devs" }
    resource "aws_iam_role" "ci"     { name = "ci" assume_role_policy = ... inline_policy {...}
                                       managed_policy_arns = [aws_iam_policy.deploy.arn] }
    resource "aws_iam_user_policy" ..., "aws_iam_group_policy" ..., "aws_iam_role_policy" ...
    resource "aws_iam_user_policy_attachment" "alice_deploy" { user = aws_iam_user.alice.name policy_arn = aws_iam_policy.deploy.arn }
    resource "aws_iam_group_policy_attachment", "aws_iam_role_policy_attachment", "aws_iam_policy_attachment"
    resource "aws_iam_user_group_membership" "alice" { user = "alice" groups = [aws_iam_group.devs.name] }
    resource "aws_iam_group_membership" "ops" { group = "devs" users = ["bob"] }
    resource "aws_iam_service_linked_role" "chime" { aws_service_name = "voiceconnector.chime.amazonaws.com" }
    """
    p = Plan()
    p.deployed("aws_caller_identity", "current",
               {"account_id": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/terraform",
                "id": ACCOUNT, "user_id": "AIDAEXAMPLE"}, mode="data")
    deploy_doc = doc(allow(["chime:CreateMeeting"]))
    p.deployed("aws_iam_policy_document", "deploy",
               {"id": "1234", "json": deploy_doc,
                "statement": [{"actions": ["chime:CreateMeeting"], "resources": ["*"],
                               "effect": "Allow"}]}, mode="data")
    p.config_only("aws_iam_policy_document", "deploy",
                  {"statement": [{"actions": {"constant_value": ["chime:CreateMeeting"]},
                                  "resources": {"constant_value": ["*"]}}]}, mode="data")
    p.change("aws_iam_policy", "deploy", ["create"],
             after={"name": "deploy", "path": "/", "description": "", "tags": None},
             unknown=["arn", "id", "policy_id", "policy"],
             refs={"policy": ["data.aws_iam_policy_document.deploy.json",
                              "data.aws_iam_policy_document.deploy"]})
    p.change("aws_iam_policy", "boundary", ["create"],
             after={"name": "boundary", "path": "/guard/",
                    "policy": doc(allow(["chime:List*", "chime:Get*", "chime:CreateMeeting"]))},
             unknown=["arn", "id", "policy_id"])
    p.change("aws_iam_user", "alice", ["create"],
             after={"name": "alice", "path": "/eng/", "force_destroy": False,
                    "permissions_boundary": None, "tags": {"team": "eng"}},
             unknown=["arn", "id", "unique_id"])
    p.change("aws_iam_user", "bob", ["create"],
             after={"name": "bob", "path": "/", "force_destroy": False,
                    "permissions_boundary": arn("policy", "boundary", "/guard/"), "tags": None},
             unknown=["arn", "id", "unique_id"])
    p.change("aws_iam_group", "devs", ["create"], after={"name": "devs", "path": "/"},
             unknown=["arn", "id", "unique_id"])
    p.change("aws_iam_role", "ci", ["create"],
             after={"name": "ci", "path": "/", "assume_role_policy": TRUST_EC2,
                    "force_detach_policies": False, "max_session_duration": 3600,
                    "permissions_boundary": None, "tags": None,
                    "inline_policy": [{"name": "ci-inline",
                                       "policy": doc(allow("chime:ListMeetings"))}]},
             unknown=["arn", "id", "unique_id", "managed_policy_arns"],
             refs={"managed_policy_arns": ["aws_iam_policy.deploy.arn", "aws_iam_policy.deploy"]})
    p.change("aws_iam_user_policy", "alice_inline", ["create"],
             after={"user": "alice", "name": "alice-inline", "policy": doc(allow("chime:ListUsers"))},
             unknown=["id"])
    p.change("aws_iam_group_policy", "devs_inline", ["create"],
             after={"group": "devs", "name": "devs-inline", "policy": doc(allow("chime:ListAccounts"))},
             unknown=["id"])
    p.change("aws_iam_role_policy", "ci_extra", ["create"],
             after={"role": "ci", "name": "ci-extra", "policy": doc(allow("chime:GetAccount"))},
             unknown=["id"])
    p.change("aws_iam_user_policy_attachment", "alice_deploy", ["create"],
             after={"user": "alice"}, unknown=["id", "policy_arn"],
             refs={"policy_arn": ["aws_iam_policy.deploy.arn", "aws_iam_policy.deploy"]})
    p.change("aws_iam_group_policy_attachment", "devs_boundary", ["create"],
             after={"group": "devs", "policy_arn": arn("policy", "boundary", "/guard/")},
             unknown=["id"])
    p.change("aws_iam_role_policy_attachment", "ci_boundary", ["create"],
             after={"role": "ci"}, unknown=["id", "policy_arn"],
             refs={"policy_arn": ["aws_iam_policy.boundary.arn", "aws_iam_policy.boundary"]})
    p.change("aws_iam_policy_attachment", "everyone", ["create"],
             after={"name": "everyone", "users": ["bob"], "groups": [], "roles": []},
             unknown=["id", "policy_arn"],
             refs={"policy_arn": ["aws_iam_policy.deploy.arn", "aws_iam_policy.deploy"]})
    p.change("aws_iam_user_group_membership", "alice", ["create"],
             after={"user": "alice"}, unknown=["id", "groups"],
             refs={"groups": ["aws_iam_group.devs.name", "aws_iam_group.devs"]})
    p.change("aws_iam_group_membership", "devs", ["create"],
             after={"name": "devs-members", "group": "devs", "users": ["bob"]}, unknown=["id"])
    p.change("aws_iam_service_linked_role", "chime", ["create"],
             after={"aws_service_name": "voiceconnector.chime.amazonaws.com",
                    "custom_suffix": None, "description": None},
             unknown=["arn", "id", "name", "path", "unique_id", "create_date"])
    p.write("create.json")


def change_plan():
    """A plan over a deployed account (live.json): alice's path changes
    (update), her attachment of `read` goes (delete), `admin` is created and
    attached to her by reference (its ARN unknown until apply), role `ci` is
    replaced with a wider inline policy, user `old` is deleted, policy `read`
    stays (no-op), a group policy is added to the deployed group `ops` (not
    managed by Terraform), and a policy document read only at apply is
    rendered from its statement blocks."""
    p = Plan()
    read = {"name": "read", "path": "/", "arn": arn("policy", "read"),
            "id": arn("policy", "read"), "policy": doc(allow(["chime:List*"]))}
    alice_before = {"name": "alice", "path": "/", "arn": arn("user", "alice"),
                    "id": "alice", "unique_id": "AIDAALICE", "permissions_boundary": None,
                    "tags": None, "force_destroy": False}
    alice_after = dict(alice_before, path="/eng/", arn=arn("user", "alice", "/eng/"))
    ci_before = {"name": "ci", "path": "/", "arn": arn("role", "ci"), "id": "ci",
                 "unique_id": "AROACI", "assume_role_policy": TRUST_EC2,
                 "permissions_boundary": None, "tags": None, "managed_policy_arns": [],
                 "inline_policy": [{"name": "ci", "policy": doc(allow("chime:ListMeetings"))}]}
    ci_after = dict(ci_before, path="/ci/",
                    inline_policy=[{"name": "ci", "policy": doc(allow("chime:*"))}])
    old = {"name": "old", "path": "/", "arn": arn("user", "old"), "id": "old",
           "unique_id": "AIDAOLD", "permissions_boundary": None, "tags": None}
    old_att = {"user": "old", "policy_arn": arn("policy", "read"), "id": "old-read"}
    alice_att = {"user": "alice", "policy_arn": arn("policy", "read"), "id": "alice-read"}
    for rtype, name, values in [("aws_iam_policy", "read", read), ("aws_iam_user", "alice", alice_before),
                                ("aws_iam_role", "ci", ci_before), ("aws_iam_user", "old", old),
                                ("aws_iam_user_policy_attachment", "old_read", old_att),
                                ("aws_iam_user_policy_attachment", "alice_read", alice_att)]:
        p.deployed(rtype, name, values)
    p.change("aws_iam_policy", "read", ["no-op"], before=read, after=read)
    p.change("aws_iam_user", "alice", ["update"], before=alice_before, after=alice_after)
    p.change("aws_iam_user_policy_attachment", "alice_read", ["delete"], before=alice_att)
    p.change("aws_iam_role", "ci", ["delete", "create"], before=ci_before, after=ci_after,
             unknown=["arn", "id", "unique_id"])
    p.change("aws_iam_user", "old", ["delete"], before=old)
    p.change("aws_iam_user_policy_attachment", "old_read", ["delete"], before=old_att)
    p.config_only("aws_iam_policy_document", "admin",
                  {"statement": [{"sid": {"constant_value": "Admin"},
                                  "actions": {"constant_value": ["chime:*"]},
                                  "resources": {"constant_value": ["*"]}}]}, mode="data")
    p.change("aws_iam_policy_document", "admin", ["read"], after={"statement": []},
             unknown=["id", "json"], mode="data")
    p.change("aws_iam_policy", "admin", ["create"],
             after={"name": "admin", "path": "/", "tags": None},
             unknown=["arn", "id", "policy_id", "policy"],
             refs={"policy": ["data.aws_iam_policy_document.admin.json",
                              "data.aws_iam_policy_document.admin"]})
    p.change("aws_iam_user_policy_attachment", "alice_admin", ["create"],
             after={"user": "alice"}, unknown=["id", "policy_arn"],
             refs={"user": ["aws_iam_user.alice.name"],
                   "policy_arn": ["aws_iam_policy.admin.arn", "aws_iam_policy.admin"]})
    p.change("aws_iam_group_policy", "ops_meetings", ["create"],
             after={"group": "ops", "name": "meetings", "policy": doc(allow("chime:CreateMeeting"))},
             unknown=["id"])
    p.write("change.json")


def live_dump():
    """The deployed account of change.json, as `aws iam
    get-account-authorization-details` prints it: Terraform's objects plus
    what Terraform does not manage (user carol, group ops with alice in it,
    an attachment of `read` to ci made by hand)."""
    def policy(name, document):
        return {"PolicyName": name, "Arn": arn("policy", name), "Path": "/",
                "DefaultVersionId": "v1",
                "PolicyVersionList": [{"Document": json.loads(document), "VersionId": "v1",
                                       "IsDefaultVersion": True}]}
    dump = {
        "UserDetailList": [
            {"UserName": "alice", "Path": "/", "Arn": arn("user", "alice"), "UserId": "AIDAALICE",
             "GroupList": ["ops"], "UserPolicyList": [],
             "AttachedManagedPolicies": [{"PolicyName": "read", "PolicyArn": arn("policy", "read")}]},
            {"UserName": "old", "Path": "/", "Arn": arn("user", "old"), "UserId": "AIDAOLD",
             "GroupList": [], "AttachedManagedPolicies": [{"PolicyName": "read", "PolicyArn": arn("policy", "read")}]},
            {"UserName": "carol", "Path": "/", "Arn": arn("user", "carol"), "UserId": "AIDACAROL",
             "GroupList": ["ops"],
             "UserPolicyList": [{"PolicyName": "carol", "PolicyDocument": json.loads(doc(allow("chime:GetAccount")))}],
             "AttachedManagedPolicies": []},
        ],
        "GroupDetailList": [{"GroupName": "ops", "Path": "/", "Arn": arn("group", "ops"),
                             "GroupPolicyList": [], "AttachedManagedPolicies": []}],
        "RoleDetailList": [
            {"RoleName": "ci", "Path": "/", "Arn": arn("role", "ci"), "RoleId": "AROACI",
             "AssumeRolePolicyDocument": json.loads(TRUST_EC2),
             "RolePolicyList": [{"PolicyName": "ci", "PolicyDocument": json.loads(doc(allow("chime:ListMeetings")))}],
             "AttachedManagedPolicies": [{"PolicyName": "read", "PolicyArn": arn("policy", "read")}]}],
        "Policies": [policy("read", doc(allow(["chime:List*"])))],
    }
    with open("live.json", "w") as f:
        json.dump(dump, f, indent=2)
        f.write("\n")


def unresolved_plan():
    """Values no reference resolves: a policy whose document uses an S3
    bucket's ARN (`jsonencode({... Resource = aws_s3_bucket.logs.arn})`), and
    an attachment of a policy from a module output."""
    p = Plan()
    p.change("aws_iam_user", "dave", ["create"], after={"name": "dave", "path": "/"},
             unknown=["arn", "id", "unique_id"])
    p.change("aws_iam_policy", "logs", ["create"], after={"name": "logs", "path": "/"},
             unknown=["arn", "id", "policy_id", "policy"],
             refs={"policy": ["aws_s3_bucket.logs.arn", "aws_s3_bucket.logs"]})
    p.change("aws_iam_user_policy_attachment", "dave_shared", ["create"],
             after={"user": "dave"}, unknown=["id", "policy_arn"],
             refs={"policy_arn": ["module.shared.policy_arn", "module.shared"]})
    p.write("unresolved.json")


if __name__ == "__main__":
    create_plan()
    change_plan()
    live_dump()
    unresolved_plan()
