import { expect } from 'chai';
import { mysqlDriverView } from '../../lib/dialects/mysql/driver-view';
import { configuredCharset } from '../../lib/dialects/mysql/lexing-settings';
import { unsettledSetting } from '../../lib/guard/unsettled-setting';

/**
 * What the guard reads of the knex connection settings before connecting (red teams 27 and
 * 28): judged settings must be plain data, and on MySQL the view judged is mysql2's, `uri` included.
 */
describe('connection settings judged before connecting', () => {
  it('a getter on a judged setting, own or inherited, or a Proxy of the settings is named', () => {
    expect(unsettledSetting(Object.defineProperty({ host: 'h' }, 'options', { get: () => '-c x=1', enumerable: true }), [])).to.equal('options');
    expect(unsettledSetting(Object.create({ get initSql() { return 'drop table t'; } }) as object, ['initSql'])).to.equal('initSql');
    expect(unsettledSetting(new Proxy({ host: 'h' }, {}), [])).to.equal('(the settings object, a Proxy)');
  });

  it('plain settings pass, and so does a getter of a setting the guard does not judge (a held password)', () => {
    expect(unsettledSetting({ host: 'h', options: '-c search_path=app', charset: 'utf8mb4' }, ['initSql'])).to.equal(undefined);
    expect(unsettledSetting(Object.defineProperty({ host: 'h' }, 'password', { get: () => 'pw' }), ['initSql'])).to.equal(undefined);
    expect(unsettledSetting('postgres://h/db', [])).to.equal(undefined);
  });

  it("mysql2's uri fills the options left unset, so its character set is judged", () => {
    const view = mysqlDriverView({ host: 'h', uri: 'mysql://h:3306/?charset=GB18030_CHINESE_CI' });
    expect(configuredCharset(view)).to.include({ option: 'charset', verdict: 'refused' });
    expect(configuredCharset(mysqlDriverView({ uri: 'mysql://h/db?charsetNumber=248' }))).to.include({ option: 'charsetNumber', verdict: 'refused' });
    // An option given wins over the uri's, as in mysql2.
    expect(configuredCharset(mysqlDriverView({ charset: 'utf8mb4', uri: 'mysql://h/db?charset=sjis' }))).to.equal(undefined);
    expect(configuredCharset(mysqlDriverView({ uri: 'mysql://u:p@h/db?ssl=%7B%7D' }))).to.equal(undefined);
    expect(configuredCharset(mysqlDriverView({ uri: 'not a url' }))).to.include({ option: 'charsetNumber', verdict: 'refused' });
  });
});
