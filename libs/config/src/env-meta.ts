/** What the README's configuration table and every error line say about one variable. */
export interface EnvMeta {
  description: string;
  /** The expected form, quoted in the one-line error: "an integer from 0 to 65535". */
  expected: string;
  /** Never echo the value (keys, passwords, URLs with credentials). */
  secret?: boolean;
}

const registry = new Map<string, EnvMeta>();

/** Declares an environment variable of the schema with its description and expected form. */
export function Env(meta: EnvMeta): PropertyDecorator {
  return (_target, property) => {
    registry.set(String(property), meta);
  };
}

export function envMeta(name: string): EnvMeta | undefined {
  return registry.get(name);
}

export function envVariableNames(): string[] {
  return [...registry.keys()];
}
