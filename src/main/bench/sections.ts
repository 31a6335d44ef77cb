// The benchmark's sections that run alone (`showcase bench --only <name>`); the CLI offers these names.
export const benchSections = ['hetero', 'resume', 'team'] as const;
export type BenchSection = (typeof benchSections)[number];
