/** Captures process warnings emitted while `run` runs (they are dispatched on a later tick). */
export async function warningsDuring(run: () => Promise<unknown>): Promise<Array<Error & { code?: string }>> {
  const seen: Array<Error & { code?: string }> = [];
  const listener = (warning: Error & { code?: string }): void => void seen.push(warning);
  process.on('warning', listener);
  try {
    await run();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
  }
  return seen;
}
