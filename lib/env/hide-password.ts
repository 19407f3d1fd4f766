/**
 * Attaches `password` as a non-enumerable property, the way knex and node-postgres hide
 * it: drivers read it, while util.inspect, JSON.stringify, object spread and loggers
 * that walk enumerable keys never see it.
 */
export function hidePassword<T extends object>(target: T, password: string | undefined): T {
  if (password !== undefined) {
    Object.defineProperty(target, 'password', { value: password, enumerable: false, writable: true, configurable: true });
  }
  return target;
}
