// The one statement this app owns in a bucket policy: public read of the published prefix. Other
// statements are kept as they are; a policy that cannot be parsed is never overwritten.

/** The Sid of the one statement this app owns in a bucket policy; other statements are left alone. */
export const POLICY_SID = 'ProductShowcasePublicRead';

interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  Resource?: string | string[];
  [key: string]: unknown;
}
export interface BucketPolicy {
  Version?: string;
  Statement?: PolicyStatement[];
  [key: string]: unknown;
}

export function parsePolicy(text: string): BucketPolicy | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const statement = (value as { Statement?: unknown }).Statement;
    if (statement !== undefined && !Array.isArray(statement)) return null;
    return value as BucketPolicy;
  } catch {
    return null;
  }
}

const asList = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** The policy with our public-read statement covering `resources`, or null when it already does. */
export function withPublicRead(policy: BucketPolicy | null, resources: string[]): BucketPolicy | null {
  const statements = policy?.Statement ?? [];
  const ours = statements.find((s) => s.Sid === POLICY_SID);
  const have = new Set(asList(ours?.Resource));
  if (
    ours?.Effect === 'Allow' &&
    asList(ours.Action).includes('s3:GetObject') &&
    resources.every((r) => have.has(r))
  ) {
    return null;
  }
  const statement: PolicyStatement = {
    Sid: POLICY_SID,
    Effect: 'Allow',
    Principal: { AWS: ['*'] },
    Action: ['s3:GetObject'],
    Resource: [...new Set([...have, ...resources])].sort(),
  };
  return {
    ...(policy ?? {}),
    Version: policy?.Version ?? '2012-10-17',
    Statement: [...statements.filter((s) => s.Sid !== POLICY_SID), statement],
  };
}
