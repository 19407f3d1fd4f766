// What `npx knex …` loads. Each environment resolves lazily from the env contract:
// ELOQUENT_DB_ROLE=migration npx knex migrate:latest   → migration credentials
// npx knex migrate:latest                              → refused: runtime role
import { createKnexfile } from './lib';

export default createKnexfile();
