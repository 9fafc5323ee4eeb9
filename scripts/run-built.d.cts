/** Why `app` must be built before it runs, or undefined when dist/ holds a build of its current sources. */
export function staleness(root: string, app: 'api' | 'worker' | 'cli'): string | undefined;
