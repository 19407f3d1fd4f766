// A runtime-only process, as docker-compose's `app` service runs it: validate the
// privileges at boot, then serve (here: one round of reads and writes) and stop.
import { startKnex } from '../lib';
import { RuntimeDdlError } from '../lib/error-classes';

async function main(): Promise<void> {
  const db = await startKnex(); // E_UNREACHABLE / E_PRIVILEGES / E_ENV_* fail the boot, with the fix
  try {
    const [author] = await db('authors').insert({ name: 'Compose', email: `compose+${Date.now()}@example.org` }, ['id']);
    const authorId = typeof author === 'object' ? author.id : author;
    await db('posts').insert({ author_id: authorId, title: 'Hello from the app user', body: 'Runtime credentials only.' });
    const total = await db('posts').count({ n: '*' }).first();
    console.log(`app: ${Number(total?.n)} posts`);
    await db.schema.dropTable('posts').catch((err: unknown) => {
      if (!(err instanceof RuntimeDdlError)) throw err;
      console.log(`app: ${err.code} refused ${err.keyword}`);
    });
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exitCode = 1;
});
