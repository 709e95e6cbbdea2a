import { Aspects, CfnResource, IAspect, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * A cdk-nag finding on this construct's own resources that it accepts on purpose, with the reason.
 * @internal
 */
export interface AcceptedFinding {
  /** The rule, e.g. `AwsSolutions-IAM5`. */
  readonly id: string;
  /** Why the finding is accepted, in a sentence. */
  readonly reason: string;
  /** For rules with one finding per permission (IAM4, IAM5): the findings it covers, e.g. `/^Resource::\*$/`; without it, every finding of the rule. */
  readonly appliesTo?: RegExp[];
}

/** Construct metadata that cdk-nag 3 reads acknowledgments from (`Validations.ACKNOWLEDGED_RULES_METADATA_KEY`, newer than our aws-cdk-lib floor). */
const ACKNOWLEDGED_RULES = 'aws:cdk:acknowledged-rules';

/**
 * Attach accepted findings to every CloudFormation resource under `scope`, as both versions of
 * cdk-nag read them, so that an app that applies cdk-nag reports nothing about them and the library
 * needs no dependency on cdk-nag: cdk-nag 2 reads `cdk_nag.rules_to_suppress` template metadata
 * (rules with `applies_to` patterns); cdk-nag 3 reads exact finding ids (`AwsSolutions-IAM5[Resource::*]`)
 * from construct metadata. Applied when the app synthesizes, to the resources and policies as they are then.
 *
 * @example
 * acceptFindings(this.bucket, [{ id: 'AwsSolutions-S1', reason: 'Holds short-lived reports only; CloudTrail data events audit it.' }]);
 * @internal
 */
export function acceptFindings(scope: IConstruct, findings: AcceptedFinding[]): void {
  const parent = scope.node.scope ?? scope;
  Aspects.of(parent).add(new AcceptFindings(parent, scope, findings));
}

/**
 * Acts once, when synthesis visits the parent of `scope`: aspects visit a parent before its children,
 * so the metadata is in place before a cdk-nag 2 aspect (inherited from the app or stack) visits the resources.
 */
class AcceptFindings implements IAspect {
  constructor(private readonly parent: IConstruct, private readonly scope: IConstruct, private readonly findings: AcceptedFinding[]) {}

  public visit(node: IConstruct): void {
    if (node !== this.parent) return;
    for (const resource of this.scope.node.findAll()) {
      if (CfnResource.isCfnResource(resource)) this.accept(resource);
    }
  }

  private accept(resource: CfnResource): void {
    // Per-permission findings arise on IAM resources only; keep the other resources' templates free of them.
    const findings = isIamResource(resource) ? this.findings : this.findings.filter((f) => !f.appliesTo);
    if (findings.length === 0) return;
    const existing = resource.getMetadata('cdk_nag') as { rules_to_suppress?: unknown[] } | undefined;
    resource.addMetadata('cdk_nag', {
      rules_to_suppress: [
        ...(existing?.rules_to_suppress ?? []),
        ...findings.map(({ id, reason, appliesTo }) => ({
          id, reason, ...(appliesTo ? { applies_to: appliesTo.map((regex) => ({ regex: String(regex) })) } : {}),
        })),
      ],
    });
    const candidates = permissionFindings(resource);
    const acknowledged: Record<string, string> = {};
    for (const { id, reason, appliesTo } of findings) {
      if (!appliesTo) acknowledged[id] = reason;
      for (const finding of candidates.filter((c) => appliesTo?.some((regex) => regex.test(c)))) acknowledged[`${id}[${finding}]`] = reason;
    }
    resource.node.addMetadata(ACKNOWLEDGED_RULES, acknowledged);
  }
}

function isIamResource(resource: CfnResource): boolean {
  return resource instanceof iam.CfnRole || resource instanceof iam.CfnPolicy || resource instanceof iam.CfnManagedPolicy;
}

interface PolicyDocumentJson {
  readonly Statement?: Array<{ readonly Effect?: string; readonly Action?: string | string[]; readonly Resource?: unknown }>;
}

/** Every finding id a per-permission rule can report on an IAM resource: its managed policies, and each action and resource of its allowing statements, named as cdk-nag names them. */
function permissionFindings(resource: CfnResource): string[] {
  const stack = Stack.of(resource);
  let managedPolicies: unknown[] = [];
  let documents: PolicyDocumentJson[] = [];
  if (resource instanceof iam.CfnRole) {
    managedPolicies = asArray(stack.resolve(resource.managedPolicyArns));
    documents = asArray(stack.resolve(resource.policies)).map((p) => stack.resolve((p as iam.CfnRole.PolicyProperty).policyDocument));
  } else if (resource instanceof iam.CfnPolicy || resource instanceof iam.CfnManagedPolicy) {
    documents = [stack.resolve(resource.policyDocument)];
  }
  const statements = documents.flatMap((d) => d.Statement ?? []).filter((s) => s.Effect === 'Allow');
  return [
    ...managedPolicies.map((arn) => `Policy::${flatten(arn)}`),
    ...statements.flatMap((s) => asArray(s.Action)).map((action) => `Action::${action}`),
    ...statements.flatMap((s) => asArray(s.Resource)).map((r) => `Resource::${flatten(r)}`),
  ];
}

function asArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** A CloudFormation value as one string, the way cdk-nag writes it into finding ids (`<Logical.Arn>`, `<AWS::Partition>`). */
function flatten(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\${/g, '<').replace(/}/g, '>');
  const v = value as Record<string, any>;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(flatten).join(v['Fn::Join'][0]);
  if (v['Fn::Sub']) return flatten(v['Fn::Sub']);
  if (v['Fn::GetAtt']) return `<${flatten(v['Fn::GetAtt'][0])}.${flatten(v['Fn::GetAtt'][1])}>`;
  if (v['Fn::ImportValue']) return flatten(v['Fn::ImportValue']);
  if (v.Ref) return `<${flatten(v.Ref)}>`;
  return JSON.stringify(value);
}
