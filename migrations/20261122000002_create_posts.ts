import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('posts', (table) => {
    table.increments('id').primary();
    table.integer('author_id').unsigned().notNullable().references('id').inTable('authors').onDelete('CASCADE');
    table.string('title', 300).notNullable();
    table.text('body').notNullable();
    table.boolean('published').notNullable().defaultTo(false);
    table.timestamps(true, true);
    table.index(['author_id', 'published']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('posts');
}
