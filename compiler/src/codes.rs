//! The registry of diagnostic codes: one constant per code, and [`ALL`]
//! with each code's severity and one-line meaning (the README's code table
//! says the same; a tidy test keeps the two in step). Codes are stable:
//! `E00xx` reading inputs and limits, `E01xx` policy documents, `E02xx`
//! names and the model, `E03xx` IAM quotas, `E09xx` internal; `W01xx` policy
//! documents, `W02xx` catalog matches and the model, `W03xx` quotas, `W04xx`
//! policy lints. Code everywhere names them through these constants.

use crate::diag::Severity;

/// A diagnostic code with its severity and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeInfo {
    pub code: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

/// a syntax error in an input file (DSL, IAM JSON or account dump).
pub const E0001: &str = "E0001";
/// an input file cannot be read: missing, unreadable, over `input-bytes` or past `files`.
pub const E0002: &str = "E0002";
/// an input is over a limit: nesting, string length, statements, policies or principals.
pub const E0003: &str = "E0003";
/// `convert`: a JSON policy document IAM rejects (no `Effect`, both or neither of `Action` and `NotAction`, …).
pub const E0010: &str = "E0010";
/// invalid policy `Version`.
pub const E0101: &str = "E0101";
/// a managed policy or SCP whose `Version` is older than 2012-10-17.
pub const E0102: &str = "E0102";
/// policy document has no `Statement`, or an empty one.
pub const E0103: &str = "E0103";
/// `Principal` or `NotPrincipal` in an identity policy.
pub const E0104: &str = "E0104";
/// statement without a valid `Effect` (`Allow` or `Deny`).
pub const E0105: &str = "E0105";
/// statement without `Action` or `NotAction`, or with both.
pub const E0106: &str = "E0106";
/// statement without `Resource` or `NotResource`, or with both.
pub const E0107: &str = "E0107";
/// malformed action: no service prefix, several colons, an invalid vendor or character.
pub const E0108: &str = "E0108";
/// malformed resource: not an ARN or `*`, unknown partition, unqualified service.
pub const E0109: &str = "E0109";
/// statement id (`Sid`) not alpha-numeric.
pub const E0110: &str = "E0110";
/// duplicate `Sid` in one policy.
pub const E0111: &str = "E0111";
/// unknown or malformed condition operator.
pub const E0112: &str = "E0112";
/// policy contains a character IAM rejects.
pub const E0113: &str = "E0113";
/// condition key with an empty list of values.
pub const E0114: &str = "E0114";
/// a Numeric, Date, IpAddress or BinaryEquals policy value does not parse.
pub const E0115: &str = "E0115";
/// trust policy statement without a principal, or with both `Principal` and `NotPrincipal`.
pub const E0120: &str = "E0120";
/// trust policy statement with `Resource` or `NotResource`.
pub const E0121: &str = "E0121";
/// trust policy action that does not assume a role.
pub const E0122: &str = "E0122";
/// invalid principal, or an empty principal list.
pub const E0123: &str = "E0123";
/// unknown principal type.
pub const E0124: &str = "E0124";
/// a malformed `verdict:` pragma: no code, no reason, an error code, or nothing after it to accept.
pub const E0130: &str = "E0130";
/// unknown name (policy, group, role, user), with a did-you-mean.
pub const E0201: &str = "E0201";
/// a name defined twice.
pub const E0202: &str = "E0202";
/// an include cycle.
pub const E0203: &str = "E0203";
/// a clause on an entity that does not allow it.
pub const E0204: &str = "E0204";
/// a policy attached in an account dump but not in it.
pub const E0205: &str = "E0205";
/// more than one permissions boundary.
pub const E0206: &str = "E0206";
/// managed policy without a default version.
pub const E0207: &str = "E0207";
/// invalid IAM path, role session name or federated user name.
pub const E0208: &str = "E0208";
/// an entity without account in a compilation with several accounts.
pub const E0209: &str = "E0209";
/// invalid or conflicting account: not 12 digits, declared twice, a dump mixing accounts.
pub const E0210: &str = "E0210";
/// policy name ambiguous between accounts.
pub const E0211: &str = "E0211";
/// service-linked role without `service`, federated user without `user`.
pub const E0212: &str = "E0212";
/// a clause given more than once where one is allowed.
pub const E0213: &str = "E0213";
/// the policy of a service-linked role attached to something else.
pub const E0220: &str = "E0220";
/// a service-linked role with a path, inline policies, a boundary or attachments.
pub const E0221: &str = "E0221";
/// the trust of a service-linked role is not its service's alone.
pub const E0222: &str = "E0222";
/// a CloudFormation value that cannot be resolved within the template where it decides (an action, a principal, an effect, a name, an attachment): the statement or resource is reported, never guessed.
pub const E0250: &str = "E0250";
/// a CloudFormation template that uses an intrinsic function or a resource property wrongly (wrong arguments, an undeclared `Ref` or condition, a missing mapping key, a missing required property).
pub const E0251: &str = "E0251";
/// a template gives a policy or group to a user, group or role it does not create.
pub const E0252: &str = "E0252";
/// a Terraform plan value known only after apply (a name, an ARN, a policy document) that the plan's configuration references do not resolve.
pub const E0260: &str = "E0260";
/// over an IAM size quota in an account dump.
pub const E0301: &str = "E0301";
/// managed policy with more versions than IAM keeps.
pub const E0302: &str = "E0302";
/// internal error: the compiler built something the runtime rejects.
pub const E0900: &str = "E0900";
/// policy variables in a policy without `Version` 2012-10-17: read as literal text.
pub const W0101: &str = "W0101";
/// `Id` in an identity policy: ignored.
pub const W0102: &str = "W0102";
/// action with the vendor `*`: matches that action name in every service.
pub const W0103: &str = "W0103";
/// action that matches nothing: empty or with white space.
pub const W0104: &str = "W0104";
/// resource with fewer than 6 ARN fields: the missing ones are read as `*`.
pub const W0105: &str = "W0105";
/// policy variable in ARN fields 1–5: read as literal text.
pub const W0106: &str = "W0106";
/// condition operator not spelled canonically.
pub const W0107: &str = "W0107";
/// `Bool` value neither `true` nor `false`: never matches.
pub const W0108: &str = "W0108";
/// set prefix on `Null` (`ForAllValues:Null`): ignored.
pub const W0110: &str = "W0110";
/// trust policy names the unique id of a deleted principal: matches nobody.
pub const W0120: &str = "W0120";
/// unknown action, with a did-you-mean.
pub const W0201: &str = "W0201";
/// a wildcard that matches no action of the catalog.
pub const W0202: &str = "W0202";
/// unknown service.
pub const W0203: &str = "W0203";
/// wildcard-only action scoped to a resource ARN: the statement grants (or denies) nothing for it.
pub const W0204: &str = "W0204";
/// Deny scoped to resource ARNs: a check without `--resource` does not see it.
pub const W0205: &str = "W0205";
/// Allow with `ForAllValues` and no `Null {key: "false"}`: also allows requests without the key.
pub const W0206: &str = "W0206";
/// set operator on a single-valued global key such as `aws:SourceIp`.
pub const W0207: &str = "W0207";
/// unknown `aws:` condition key (read as a request key).
pub const W0208: &str = "W0208";
/// account dump with `IsTruncated` true: one page of several.
pub const W0210: &str = "W0210";
/// a managed policy that differs between dumps: the first one is used.
pub const W0211: &str = "W0211";
/// a Terraform plan object left out: a service-linked role named only at apply, or an attachment, inline policy or membership of an entity neither the plan nor a dump declares.
pub const W0260: &str = "W0260";
/// an `sts:AssumeRole` statement scoped to role ARNs, checked against a role without ARN (no account): an Allow is taken not to apply, a Deny to apply.
pub const W0230: &str = "W0230";
/// the conditions under which a principal may assume a role are too complex to compile: the edge is left out.
pub const W0231: &str = "W0231";
/// a service condition key the service does not define: never in a request.
pub const W0240: &str = "W0240";
/// a condition key no action of the statement supports: never in its requests.
pub const W0241: &str = "W0241";
/// a condition operator that does not fit the key's type.
pub const W0242: &str = "W0242";
/// a single-valued operator on a multivalued key, without `ForAnyValue`/`ForAllValues`.
pub const W0243: &str = "W0243";
/// a set operator on a single-valued service key.
pub const W0244: &str = "W0244";
/// a role trusted by the principal of a service that uses no service roles.
pub const W0245: &str = "W0245";
/// a template statement names a resource the template creates that is not an IAM resource: in `Resource`, `NotResource` and condition values it stands in as its logical id or a stand-in ARN.
pub const W0250: &str = "W0250";
/// over an IAM size quota outside account dumps.
pub const W0301: &str = "W0301";
/// an `Allow` statement whose every action the same policy denies unconditionally on every resource.
pub const W0401: &str = "W0401";
/// `Allow` with `NotAction` (it also allows every action a service adds later).
pub const W0402: &str = "W0402";
/// a statement that allows only what another statement of the same policy already allows.
pub const W0403: &str = "W0403";
/// an admin-equivalent grant: `Allow` of `*`, `*:*` or `service:*` on `Resource: "*"` without a condition.
pub const W0404: &str = "W0404";
/// a policy attached to nobody, as identity policy or boundary.
pub const W0405: &str = "W0405";
/// one policy alone grants a privilege-escalation method on every resource.
pub const W0406: &str = "W0406";

/// Every code, in order, with its severity and one-line meaning.
pub const ALL: &[CodeInfo] = &[
    CodeInfo { code: E0001, severity: Severity::Error, summary: "a syntax error in an input file (DSL, IAM JSON or account dump)" },
    CodeInfo { code: E0002, severity: Severity::Error, summary: "an input file cannot be read: missing, unreadable, over `input-bytes` or past `files`" },
    CodeInfo { code: E0003, severity: Severity::Error, summary: "an input is over a limit: nesting, string length, statements, policies or principals" },
    CodeInfo { code: E0010, severity: Severity::Error, summary: "`convert`: a JSON policy document IAM rejects (no `Effect`, both or neither of `Action` and `NotAction`, …)" },
    CodeInfo { code: E0101, severity: Severity::Error, summary: "invalid policy `Version`" },
    CodeInfo { code: E0102, severity: Severity::Error, summary: "a managed policy or SCP whose `Version` is older than 2012-10-17" },
    CodeInfo { code: E0103, severity: Severity::Error, summary: "policy document has no `Statement`, or an empty one" },
    CodeInfo { code: E0104, severity: Severity::Error, summary: "`Principal` or `NotPrincipal` in an identity policy" },
    CodeInfo { code: E0105, severity: Severity::Error, summary: "statement without a valid `Effect` (`Allow` or `Deny`)" },
    CodeInfo { code: E0106, severity: Severity::Error, summary: "statement without `Action` or `NotAction`, or with both" },
    CodeInfo { code: E0107, severity: Severity::Error, summary: "statement without `Resource` or `NotResource`, or with both" },
    CodeInfo { code: E0108, severity: Severity::Error, summary: "malformed action: no service prefix, several colons, an invalid vendor or character" },
    CodeInfo { code: E0109, severity: Severity::Error, summary: "malformed resource: not an ARN or `*`, unknown partition, unqualified service" },
    CodeInfo { code: E0110, severity: Severity::Error, summary: "statement id (`Sid`) not alpha-numeric" },
    CodeInfo { code: E0111, severity: Severity::Error, summary: "duplicate `Sid` in one policy" },
    CodeInfo { code: E0112, severity: Severity::Error, summary: "unknown or malformed condition operator" },
    CodeInfo { code: E0113, severity: Severity::Error, summary: "policy contains a character IAM rejects" },
    CodeInfo { code: E0114, severity: Severity::Error, summary: "condition key with an empty list of values" },
    CodeInfo { code: E0115, severity: Severity::Error, summary: "a Numeric, Date, IpAddress or BinaryEquals policy value does not parse" },
    CodeInfo { code: E0120, severity: Severity::Error, summary: "trust policy statement without a principal, or with both `Principal` and `NotPrincipal`" },
    CodeInfo { code: E0121, severity: Severity::Error, summary: "trust policy statement with `Resource` or `NotResource`" },
    CodeInfo { code: E0122, severity: Severity::Error, summary: "trust policy action that does not assume a role" },
    CodeInfo { code: E0123, severity: Severity::Error, summary: "invalid principal, or an empty principal list" },
    CodeInfo { code: E0124, severity: Severity::Error, summary: "unknown principal type" },
    CodeInfo { code: E0130, severity: Severity::Error, summary: "a malformed `verdict:` pragma: no code, no reason, an error code, or nothing after it to accept" },
    CodeInfo { code: E0201, severity: Severity::Error, summary: "unknown name (policy, group, role, user), with a did-you-mean" },
    CodeInfo { code: E0202, severity: Severity::Error, summary: "a name defined twice" },
    CodeInfo { code: E0203, severity: Severity::Error, summary: "an include cycle" },
    CodeInfo { code: E0204, severity: Severity::Error, summary: "a clause on an entity that does not allow it" },
    CodeInfo { code: E0205, severity: Severity::Error, summary: "a policy attached in an account dump but not in it" },
    CodeInfo { code: E0206, severity: Severity::Error, summary: "more than one permissions boundary" },
    CodeInfo { code: E0207, severity: Severity::Error, summary: "managed policy without a default version" },
    CodeInfo { code: E0208, severity: Severity::Error, summary: "invalid IAM path, role session name or federated user name" },
    CodeInfo { code: E0209, severity: Severity::Error, summary: "an entity without account in a compilation with several accounts" },
    CodeInfo { code: E0210, severity: Severity::Error, summary: "invalid or conflicting account: not 12 digits, declared twice, a dump mixing accounts" },
    CodeInfo { code: E0211, severity: Severity::Error, summary: "policy name ambiguous between accounts" },
    CodeInfo { code: E0212, severity: Severity::Error, summary: "service-linked role without `service`, federated user without `user`" },
    CodeInfo { code: E0213, severity: Severity::Error, summary: "a clause given more than once where one is allowed" },
    CodeInfo { code: E0220, severity: Severity::Error, summary: "the policy of a service-linked role attached to something else" },
    CodeInfo { code: E0221, severity: Severity::Error, summary: "a service-linked role with a path, inline policies, a boundary or attachments" },
    CodeInfo { code: E0222, severity: Severity::Error, summary: "the trust of a service-linked role is not its service's alone" },
    CodeInfo { code: E0250, severity: Severity::Error, summary: "a CloudFormation value that cannot be resolved within the template where it decides (an action, a principal, an effect, a name, an attachment): the statement or resource is reported, never guessed" },
    CodeInfo { code: E0251, severity: Severity::Error, summary: "a CloudFormation template that uses an intrinsic function or a resource property wrongly (wrong arguments, an undeclared `Ref` or condition, a missing mapping key, a missing required property)" },
    CodeInfo { code: E0252, severity: Severity::Error, summary: "a template gives a policy or group to a user, group or role it does not create" },
    CodeInfo { code: E0260, severity: Severity::Error, summary: "a Terraform plan value known only after apply that the configuration's references do not resolve" },
    CodeInfo { code: E0301, severity: Severity::Error, summary: "over an IAM size quota in an account dump" },
    CodeInfo { code: E0302, severity: Severity::Error, summary: "managed policy with more versions than IAM keeps" },
    CodeInfo { code: E0900, severity: Severity::Error, summary: "internal error: the compiler built something the runtime rejects" },
    CodeInfo { code: W0101, severity: Severity::Warning, summary: "policy variables in a policy without `Version` 2012-10-17: read as literal text" },
    CodeInfo { code: W0102, severity: Severity::Warning, summary: "`Id` in an identity policy: ignored" },
    CodeInfo { code: W0103, severity: Severity::Warning, summary: "action with the vendor `*`: matches that action name in every service" },
    CodeInfo { code: W0104, severity: Severity::Warning, summary: "action that matches nothing: empty or with white space" },
    CodeInfo { code: W0105, severity: Severity::Warning, summary: "resource with fewer than 6 ARN fields: the missing ones are read as `*`" },
    CodeInfo { code: W0106, severity: Severity::Warning, summary: "policy variable in ARN fields 1–5: read as literal text" },
    CodeInfo { code: W0107, severity: Severity::Warning, summary: "condition operator not spelled canonically" },
    CodeInfo { code: W0108, severity: Severity::Warning, summary: "`Bool` value neither `true` nor `false`: never matches" },
    CodeInfo { code: W0110, severity: Severity::Warning, summary: "set prefix on `Null` (`ForAllValues:Null`): ignored" },
    CodeInfo { code: W0120, severity: Severity::Warning, summary: "trust policy names the unique id of a deleted principal: matches nobody" },
    CodeInfo { code: W0201, severity: Severity::Warning, summary: "unknown action, with a did-you-mean" },
    CodeInfo { code: W0202, severity: Severity::Warning, summary: "a wildcard that matches no action of the catalog" },
    CodeInfo { code: W0203, severity: Severity::Warning, summary: "unknown service" },
    CodeInfo { code: W0204, severity: Severity::Warning, summary: "wildcard-only action scoped to a resource ARN: the statement grants (or denies) nothing for it" },
    CodeInfo { code: W0205, severity: Severity::Warning, summary: "Deny scoped to resource ARNs: a check without `--resource` does not see it" },
    CodeInfo { code: W0206, severity: Severity::Warning, summary: "Allow with `ForAllValues` and no `Null {key: \"false\"}`: also allows requests without the key" },
    CodeInfo { code: W0207, severity: Severity::Warning, summary: "set operator on a single-valued global key such as `aws:SourceIp`" },
    CodeInfo { code: W0208, severity: Severity::Warning, summary: "unknown `aws:` condition key (read as a request key)" },
    CodeInfo { code: W0210, severity: Severity::Warning, summary: "account dump with `IsTruncated` true: one page of several" },
    CodeInfo { code: W0211, severity: Severity::Warning, summary: "a managed policy that differs between dumps: the first one is used" },
    CodeInfo { code: W0230, severity: Severity::Warning, summary: "an `sts:AssumeRole` statement scoped to role ARNs, checked against a role without ARN (no account): an Allow is taken not to apply, a Deny to apply" },
    CodeInfo { code: W0231, severity: Severity::Warning, summary: "the conditions under which a principal may assume a role are too complex to compile: the edge is left out" },
    CodeInfo { code: W0240, severity: Severity::Warning, summary: "a service condition key the service does not define: never in a request" },
    CodeInfo { code: W0241, severity: Severity::Warning, summary: "a condition key no action of the statement supports: never in its requests" },
    CodeInfo { code: W0242, severity: Severity::Warning, summary: "a condition operator that does not fit the key's type" },
    CodeInfo { code: W0243, severity: Severity::Warning, summary: "a single-valued operator on a multivalued key, without `ForAnyValue`/`ForAllValues`" },
    CodeInfo { code: W0244, severity: Severity::Warning, summary: "a set operator on a single-valued service key" },
    CodeInfo { code: W0245, severity: Severity::Warning, summary: "a role trusted by the principal of a service that uses no service roles" },
    CodeInfo { code: W0250, severity: Severity::Warning, summary: "a template statement names a resource the template creates that is not an IAM resource: in `Resource`, `NotResource` and condition values it stands in as its logical id or a stand-in ARN" },
    CodeInfo { code: W0260, severity: Severity::Warning, summary: "a Terraform plan object left out: a service-linked role named only at apply, or facts of an entity neither the plan nor a dump declares" },
    CodeInfo { code: W0301, severity: Severity::Warning, summary: "over an IAM size quota outside account dumps" },
    CodeInfo { code: W0401, severity: Severity::Warning, summary: "an `Allow` statement whose every action the same policy denies unconditionally on every resource" },
    CodeInfo { code: W0402, severity: Severity::Warning, summary: "`Allow` with `NotAction` (it also allows every action a service adds later)" },
    CodeInfo { code: W0403, severity: Severity::Warning, summary: "a statement that allows only what another statement of the same policy already allows" },
    CodeInfo { code: W0404, severity: Severity::Warning, summary: "an admin-equivalent grant: `Allow` of `*`, `*:*` or `service:*` on `Resource: \"*\"` without a condition" },
    CodeInfo { code: W0405, severity: Severity::Warning, summary: "a policy attached to nobody, as identity policy or boundary" },
    CodeInfo { code: W0406, severity: Severity::Warning, summary: "one policy alone grants a privilege-escalation method on every resource" },
];

/// The registry entry of `code`, if it is one.
pub fn info(code: &str) -> Option<&'static CodeInfo> {
    ALL.iter().find(|c| c.code == code)
}

#[cfg(test)]
// why: a test fails by panicking; indexing and unwrapping say so shortest.
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sorted_unique_and_their_letter_is_their_severity() {
        for pair in ALL.windows(2) {
            if let [a, b] = pair {
                assert!(a.code < b.code, "{} before {}", a.code, b.code);
            }
        }
        for c in ALL {
            let letter = match c.severity {
                Severity::Error => 'E',
                Severity::Warning => 'W',
            };
            assert!(c.code.starts_with(letter), "{}", c.code);
            assert_eq!(c.code.len(), 5, "{}", c.code);
            assert!(
                c.code[1..].bytes().all(|b| b.is_ascii_digit()),
                "{}",
                c.code
            );
            assert!(
                !c.summary.is_empty() && !c.summary.contains('\n'),
                "{}",
                c.code
            );
        }
        assert_eq!(info(E0101).map(|c| c.severity), Some(Severity::Error));
        assert_eq!(info("E9999"), None);
    }
}
