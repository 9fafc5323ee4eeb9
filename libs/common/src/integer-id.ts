/** The largest PostgreSQL `integer` (int4): the type of every `serial`/`integer` row id. */
export const INT4_MAX = 2_147_483_647;

/**
 * Whether `value` can be the id of a row with an `integer` key. Anything else finds nothing, and
 * must not reach a query: PostgreSQL refuses 2^31 as an `integer` with an error, not an empty result.
 */
export function isIntegerId(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= INT4_MAX;
}
