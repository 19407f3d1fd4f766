// How app code gets its database: a runtime instance, resolved from the env contract.
// Runtime is the default role, so this can never change the schema.
import { createKnex } from '../lib';

export const db = createKnex();
