import { expect } from 'chai';
import { assertDriver } from '../../lib/dialects/load-driver';
import { ConnectionError } from '../../lib/error-classes';

// createKnex() / startKnex() check the dialect's driver first (new-user trial: knex threw its own plain Error, twice).
describe('assertDriver', () => {
  it('passes for a driver knex can load', () => {
    expect(() => assertDriver('better-sqlite3')).not.to.throw();
  });
  it('is E_DRIVER_MISSING with the install that fixes it for one it cannot', () => {
    expect(() => assertDriver('knex-roles-no-such-driver')).to.throw(ConnectionError).that.deep.includes({ code: 'E_DRIVER_MISSING', remedy: 'npm install knex-roles-no-such-driver (knex-roles loads it only for this dialect).' });
  });
});
