// One process's guarded-vs-plain measurement for bench/guard.ts (benchGuard runs several
// and takes the median): prints one JSON line.
import { measureGuard } from './guard';

measureGuard()
  .then((measurement) => process.stdout.write(`${JSON.stringify(measurement)}\n`))
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
