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
    expect(unsettledSetting(new Proxy({ host: 'h' }, {}), [])).to.equal('(the settings object, a Proxy on its prototype chain)');
  });

  it('a Proxy further down the chain, and an object where a driver reads text, are named (red team 29)', () => {
    expect(unsettledSetting(Object.create(new Proxy({}, {})) as object, [])).to.equal('(the settings object, a Proxy on its prototype chain)');
    expect(unsettledSetting({ uri: { toString: () => 'mysql://h/' } }, [])).to.equal('uri');
    expect(unsettledSetting({ options: Object('-c x=1') as unknown }, [])).to.equal('options');
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
    // The view keeps what mysql2 reads besides the uri: hidden and inherited settings (red team 29).
    const hidden = Object.defineProperty({ uri: 'mysql://h/db' }, 'charset', { value: 'GB18030_CHINESE_CI', enumerable: false });
    expect(configuredCharset(mysqlDriverView(hidden, 'mysql2'))).to.include({ option: 'charset', verdict: 'refused' });
    const inherited = Object.assign(Object.create({ charset: 'sjis' }) as object, { uri: 'mysql://h/db' });
    expect(configuredCharset(mysqlDriverView(inherited, 'mysql2'))).to.include({ option: 'charset', verdict: 'refused' });
    // Only mysql2 reads uri, and only a truthy one.
    expect(configuredCharset(mysqlDriverView({ uri: '' }, 'mysql2'))).to.equal(undefined);
    expect(configuredCharset(mysqlDriverView({ uri: 'mysql://h/db?charset=sjis' }, 'mariadb'))).to.equal(undefined);
  });
});
