import type { PrivilegeProblem } from '../errors';

/** What a dialect's verify collects: the grants it found, and each problem, excess or missing. */
export interface FindingsCollector {
  readonly found: string[];
  readonly problems: PrivilegeProblem[];
  excess(privilege: string): void;
  missing(privilege: string): void;
}

export function findingsCollector(): FindingsCollector {
  const found: string[] = [];
  const problems: PrivilegeProblem[] = [];
  return {
    found,
    problems,
    excess: (privilege) => void problems.push({ privilege, problem: 'excess' }),
    missing: (privilege) => void problems.push({ privilege, problem: 'missing' }),
  };
}
