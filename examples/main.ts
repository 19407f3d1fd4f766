// The main job: migrate with the migration role, then do real CRUD with the runtime
// role, and show the guard refusing DDL on the runtime connection. With nothing
// configured it runs on the embedded SQLite file data/development.sqlite3.
import { join } from 'node:path';
import { createKnex, resolveConnection } from '../lib';
import { RuntimeDdlError } from '../lib/error-classes';
import { db } from './db';

async function main(): Promise<void> {
  const runtime = resolveConnection();
  const target = 'filename' in runtime.connection ? runtime.connection.filename : `${runtime.connection.host}:${runtime.connection.port}/${runtime.connection.database}`;
  console.log(`runtime role → ${runtime.dialect} ${target} (dialect from ${runtime.sources['dialect']})`);

  const migrator = createKnex({ role: 'migration', knex: { migrations: { directory: join(__dirname, '../migrations') } } });
  try {
    const [batch, applied] = await migrator.migrate.latest();
    console.log(applied.length > 0 ? `migration role → batch ${batch}: applied ${applied.join(', ')}` : 'migration role → schema already up to date');
  } finally {
    await migrator.destroy();
  }

  try {
    const [author] = await db('authors').insert({ name: 'Ada Lovelace', email: `ada+${Date.now()}@example.org` }, ['id']);
    const authorId = typeof author === 'object' ? author.id : author;
    await db('posts').insert([
      { author_id: authorId, title: 'Notes on the Analytical Engine', body: 'It weaves algebraic patterns.' },
      { author_id: authorId, title: 'Draft', body: 'Unpublished.' },
    ]);
    const updated = await db('posts').where({ author_id: authorId, title: 'Notes on the Analytical Engine' }).update({ published: true });
    const rows = await db('posts').join('authors', 'authors.id', 'posts.author_id').where('posts.author_id', authorId).orderBy('posts.id').select('authors.name', 'posts.title', 'posts.published');
    console.log(`runtime role → inserted author ${authorId} and 2 posts, published ${updated}:`);
    for (const row of rows) console.log(`  ${row.name}: ${row.title} (${row.published ? 'published' : 'draft'})`);
    const deleted = await db('authors').where({ id: authorId }).delete();
    const left = await db('posts').where({ author_id: authorId }).count({ n: '*' }).first();
    console.log(`runtime role → deleted ${deleted} author; ${Number(left?.n)} posts left (ON DELETE CASCADE)`);

    let remedy = '';
    for (const attempt of [() => db.schema.dropTable('posts'), () => db.raw('select 1; drop table authors'), () => db.migrate.latest()]) {
      try {
        await attempt();
        throw new Error('the guard let a runtime DDL statement through');
      } catch (err) {
        if (!(err instanceof RuntimeDdlError)) throw err;
        console.log(`runtime role → refused ${err.keyword} (${err.code}): ${err.statement}`);
        remedy = err.remedy;
      }
    }
    console.log(`  remedy: ${remedy}`);
    const still = await db('posts').count({ n: '*' }).first();
    console.log(`runtime role → posts table still there (${Number(still?.n)} rows)`);
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exitCode = 1;
});
