import { expect } from 'chai';
import { classifySql } from '../../lib/guard/classify';
import { describeCaseGroups, type Case } from '../support/classify-cases';

/*
 * Settings that change how the server reads text belong to the guard: a runtime statement
 * may set them only to values that keep the reading (lib/guard/lexing-settings.ts).
 */

const POSTGRES_REFUSED: Case[] = [
  ["SET client_encoding TO 'SJIS'", 'refused', 'SET CLIENT_ENCODING'],
  ["set client_encoding = 'sjis'", 'refused', 'SET CLIENT_ENCODING'],
  ['SET client_encoding TO sjis', 'refused', 'SET CLIENT_ENCODING'],
  ["SET SESSION client_encoding TO 'GBK'", 'refused', 'SET CLIENT_ENCODING'],
  ["SET LOCAL client_encoding = 'BIG5'", 'refused', 'SET CLIENT_ENCODING'],
  ["SET client_encoding TO 'GB18030'", 'refused', 'SET CLIENT_ENCODING'],
  ["SET client_encoding TO 'Shift_JIS_2004'", 'refused', 'SET CLIENT_ENCODING'],
  ["SET client_encoding TO 'UHC'", 'refused', 'SET CLIENT_ENCODING'],
  ["SET client_encoding TO 'JOHAB'", 'refused', 'SET CLIENT_ENCODING'],
  ["SET client_encoding TO 'WIN932'", 'refused', 'SET CLIENT_ENCODING'],
  ["SET client_encoding TO 'mskanji'", 'refused', 'SET CLIENT_ENCODING'],
  ["SET client_encoding TO $$SJIS$$", 'refused', 'SET CLIENT_ENCODING'],
  ["SET client_encoding TO E'\\123JIS'", 'refused', 'SET CLIENT_ENCODING'],
  ["SET client_encoding TO U&'SJIS'", 'refused', 'SET CLIENT_ENCODING'],
  ["SET \"client_encoding\" TO 'SJIS'", 'refused', 'SET CLIENT_ENCODING'],
  ["SET/**/client_encoding/**/TO/**/'SJIS'", 'refused', 'SET CLIENT_ENCODING'],
  ["SET\n\tCLIENT_ENCODING\tTO\n'SJIS'", 'refused', 'SET CLIENT_ENCODING'],
  ["select 1; SET client_encoding TO 'SJIS'", 'refused', 'SET CLIENT_ENCODING'],
  ["SET NAMES 'SJIS'", 'refused', 'SET NAMES'],
  ['set names gbk', 'refused', 'SET NAMES'],
  ["SET client_encoding TO 'UTF8', 'SJIS'", 'refused', 'SET CLIENT_ENCODING'],
  ['SET standard_conforming_strings = off', 'refused', 'SET STANDARD_CONFORMING_STRINGS'],
  ["SET standard_conforming_strings TO 'off'", 'refused', 'SET STANDARD_CONFORMING_STRINGS'],
  ['SET LOCAL standard_conforming_strings = false', 'refused', 'SET STANDARD_CONFORMING_STRINGS'],
  ['SET standard_conforming_strings = 0', 'refused', 'SET STANDARD_CONFORMING_STRINGS'],
  ['SET backslash_quote = on', 'refused', 'SET BACKSLASH_QUOTE'],
  ["SET backslash_quote TO 'on'", 'refused', 'SET BACKSLASH_QUOTE'],
  // Back to the default: a value the guard does not know (server, role or database configuration).
  ['SET client_encoding TO DEFAULT', 'refused', 'SET CLIENT_ENCODING'],
  ['set session client_encoding = default', 'refused', 'SET CLIENT_ENCODING'],
  ['SET NAMES DEFAULT', 'refused', 'SET NAMES'],
  ['SET standard_conforming_strings TO DEFAULT', 'refused', 'SET STANDARD_CONFORMING_STRINGS'],
  ['SET LOCAL "standard_conforming_strings" = DEFAULT', 'refused', 'SET STANDARD_CONFORMING_STRINGS'],
  ['SET backslash_quote TO DEFAULT', 'refused', 'SET BACKSLASH_QUOTE'],
  ['RESET client_encoding', 'refused', 'RESET'],
  ['RESET standard_conforming_strings', 'refused', 'RESET'],
  ['reset "STANDARD_CONFORMING_STRINGS"', 'refused', 'RESET'],
  ['RESET backslash_quote', 'refused', 'RESET'],
  ['RESET ALL', 'refused', 'RESET'],
  ['discard all', 'refused', 'DISCARD'],
  ['select 1; DISCARD ALL', 'refused', 'DISCARD'],
];

const POSTGRES_ALLOWED: Case[] = [
  ["SET client_encoding TO 'UTF8'", 'session', 'SET'],
  ["SET client_encoding = 'utf-8'", 'session'],
  ["SET client_encoding TO 'LATIN1'", 'session'],
  ["SET client_encoding TO 'EUC_JP'", 'session'],
  ["SET NAMES 'UTF8'", 'session'],
  ['SET standard_conforming_strings = on', 'session'],
  ['SET backslash_quote = safe_encoding', 'session'],
  ['SET backslash_quote = off', 'session'],
  ['SET search_path TO public', 'session'],
  ['RESET search_path', 'session'],
  ['SET search_path TO DEFAULT', 'session'],
  ['DISCARD PLANS', 'session'],
  ["SET application_name = 'sjis'", 'session'],
];

const MYSQL_REFUSED: Case[] = [
  ["SET sql_mode = 'NO_BACKSLASH_ESCAPES'", 'refused', 'SET SQL_MODE'],
  ["set sql_mode='no_backslash_escapes'", 'refused', 'SET SQL_MODE'],
  ["SET SESSION sql_mode = 'ANSI'", 'refused', 'SET SQL_MODE'],
  ["SET LOCAL sql_mode = 'ANSI_QUOTES'", 'refused', 'SET SQL_MODE'],
  ["SET @@session.sql_mode = 'STRICT_TRANS_TABLES,ANSI_QUOTES'", 'refused', 'SET SQL_MODE'],
  ["SET @@local.sql_mode = 'ORACLE'", 'refused', 'SET SQL_MODE'],
  ["SET @@sql_mode = 'POSTGRESQL'", 'refused', 'SET SQL_MODE'],
  ["SET @@sql_mode := 'MSSQL'", 'refused', 'SET SQL_MODE'],
  ["SET sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')", 'refused', 'SET SQL_MODE'],
  ['SET sql_mode = @saved', 'refused', 'SET SQL_MODE'],
  ["SET sql_mode = 'a' 'NSI'", 'refused', 'SET SQL_MODE'],
  ["SET sql_mode = _latin1'ANSI'", 'refused', 'SET SQL_MODE'],
  ["SET sql_mode = X'414E5349'", 'refused', 'SET SQL_MODE'],
  ['SET sql_mode = 0x414E5349', 'refused', 'SET SQL_MODE'],
  ['SET sql_mode = 4', 'refused', 'SET SQL_MODE'],
  ["SET sql_mode = b'100'", 'refused', 'SET SQL_MODE'],
  ['SET sql_mode = 2097152', 'refused', 'SET SQL_MODE'],
  ["SET sql_mode = N'ANSI'", 'refused', 'SET SQL_MODE'],
  ['SET sql_mode = "ANSI"', 'refused', 'SET SQL_MODE'],
  ["SET sql_mode = 'AN\\SI'", 'refused', 'SET SQL_MODE'],
  ["SET `sql_mode` = 'ANSI'", 'refused', 'SET SQL_MODE'],
  ["SET /* x */ sql_mode /* y */ = /* z */ 'ANSI'", 'refused', 'SET SQL_MODE'],
  ["SET @x = 1, sql_mode = 'ANSI'", 'refused', 'SET SQL_MODE'],
  ["SET STATEMENT sql_mode = 'NO_BACKSLASH_ESCAPES' FOR SELECT 1", 'refused', 'SET SQL_MODE'],
  ["SET STATEMENT max_statement_time = 1, sql_mode = 'ANSI' FOR SELECT 1", 'refused', 'SET SQL_MODE'],
  ["/*!40101 SET sql_mode = 'NO_BACKSLASH_ESCAPES' */", 'refused', 'SET SQL_MODE'],
  ["/*M!100100 SET sql_mode = 'ANSI' */", 'refused', 'SET SQL_MODE'],
  ["select 1; SET sql_mode = 'ANSI'", 'refused', 'SET SQL_MODE'],
  ['SET NAMES gbk', 'refused', 'SET NAMES'],
  ["SET NAMES 'sjis'", 'refused', 'SET NAMES'],
  ['SET NAMES big5 COLLATE big5_chinese_ci', 'refused', 'SET NAMES'],
  ['SET CHARACTER SET cp932', 'refused', 'SET CHARACTER SET'],
  ['SET NAMES DEFAULT', 'refused', 'SET NAMES'],
  ['SET character_set_client = DEFAULT', 'refused', 'SET CHARACTER_SET_CLIENT'],
  ['SET CHARSET gb18030', 'refused', 'SET CHARSET'],
  ['SET character_set_client = gbk', 'refused', 'SET CHARACTER_SET_CLIENT'],
  ['SET @@character_set_connection = sjis', 'refused', 'SET CHARACTER_SET_CONNECTION'],
  ['SET collation_connection = gbk_chinese_ci', 'refused', 'SET COLLATION_CONNECTION'],
  // Sets the drivers encode with iconv-lite, whose gb2312 is GBK and whose eucjp writes ¥ as a backslash (red team 15): only UTF-8 and latin1 / ascii / binary remain.
  ['SET NAMES gb2312', 'refused', 'SET NAMES'],
  ["SET NAMES 'ujis'", 'refused', 'SET NAMES'],
  ['SET CHARACTER SET cp1250', 'refused', 'SET CHARACTER SET'],
  ['SET character_set_client = koi8r', 'refused', 'SET CHARACTER_SET_CLIENT'],
  ['SET NAMES eucjpms', 'refused', 'SET NAMES'],
  // A runtime SET may only choose UTF-8: the drivers follow it, and latin1 would then be written while the session is read as UTF-8 (red team 16).
  ['SET character_set_client = latin1', 'refused', 'SET CHARACTER_SET_CLIENT'],
  ['SET NAMES latin1', 'refused', 'SET NAMES'],
  ['SET CHARACTER SET ascii', 'refused', 'SET CHARACTER SET'],
  ['SET @@session.character_set_client = binary', 'refused', 'SET CHARACTER_SET_CLIENT'],
  // Back to the global value, which the guard does not read.
  ['SET sql_mode = DEFAULT', 'refused', 'SET SQL_MODE'],
  ['SET SESSION sql_mode=DEFAULT', 'refused', 'SET SQL_MODE'],
  ['SET @@sql_mode = DEFAULT', 'refused', 'SET SQL_MODE'],
  ['set @@session.sql_mode = default', 'refused', 'SET SQL_MODE'],
  ['SET time_zone = DEFAULT, sql_mode = DEFAULT', 'refused', 'SET SQL_MODE'],
  ['SET NAMES DEFAULT', 'refused', 'SET NAMES'],
  ['SET character_set_client = DEFAULT', 'refused', 'SET CHARACTER_SET_CLIENT'],
  // SET CHARACTER SET / CHARSET take the connection set from character_set_database, whatever they name (red team 32).
  ['SET CHARACTER SET utf8', 'refused', 'SET CHARACTER SET'],
  ['set /* c */ character /* c */ set utf8mb4', 'refused', 'SET CHARACTER SET'],
  ['SET CHARSET utf8mb4', 'refused', 'SET CHARSET'],
  ['SET STATEMENT max_statement_time = 1 FOR SET CHARSET utf8mb4', 'refused', 'SET CHARSET'],
  ["SET SESSION character_set_database = 'sjis'", 'refused', 'SET CHARACTER_SET_DATABASE'],
  ['SET @@collation_database = big5_chinese_ci', 'refused', 'SET COLLATION_DATABASE'],
  ['set @@SESSION.`character_set_database` = ucs2', 'refused', 'SET CHARACTER_SET_DATABASE'],
  ["SELECT 'sjis' INTO @@character_set_database", 'refused'],
  ['SET STATEMENT character_set_database = sjis FOR SELECT 1', 'refused', 'SET CHARACTER_SET_DATABASE'],
  ["SET character_set_server = 'gbk'", 'refused', 'SET CHARACTER_SET_SERVER'],
  ['SET collation_server = latin1_swedish_ci', 'refused', 'SET COLLATION_SERVER'],
];

const MYSQL_ALLOWED: Case[] = [
  ["SET sql_mode = 'STRICT_TRANS_TABLES'", 'session', 'SET'],
  ["SET sql_mode = 'MYSQL40,NO_ZERO_DATE'", 'session'],
  ["SET sql_mode = ''", 'session'],
  ['SET time_zone = DEFAULT', 'session'],
  ["SET SESSION sql_mode = 'TRADITIONAL,ONLY_FULL_GROUP_BY'", 'session'],
  ["SET @sql_mode = 'ANSI'", 'session'],
  ["SET @@session.time_zone = '+00:00'", 'session'],
  ['SET NAMES utf8mb4', 'session'],
  ['SET character_set_database = utf8mb4', 'session'],
  ["SET SESSION collation_server = 'utf8mb4_unicode_ci'", 'session'],
  ["SET NAMES 'utf8mb4' COLLATE 'utf8mb4_unicode_ci'", 'session'],
  ["SET sql_mode = 'STRICT_ALL_TABLES', @x = 1", 'session'],
  ['SET STATEMENT max_statement_time = 1 FOR SELECT 1', 'read', 'SET STATEMENT'],
];

describe('classifySql: settings that change lexing', () => {
  describe('postgres', () => describeCaseGroups('postgres', [['refused', POSTGRES_REFUSED], ['allowed', POSTGRES_ALLOWED]]));
  describe('mysql', () => describeCaseGroups('mysql', [['refused', MYSQL_REFUSED], ['allowed', MYSQL_ALLOWED]]));

  it('says which setting and why', () => {
    const refused = classifySql("SET client_encoding TO 'SJIS'", 'postgres').statements[0];
    expect(refused?.reason).to.match(/client_encoding/);
    expect(refused?.kind).to.equal('session');
  });

  it('reads MySQL text under ANSI_QUOTES alone (sql_mode=ANSI), where "…" is an identifier', () => {
    // Default: one string. NO_BACKSLASH_ESCAPES: the server cannot lex it. ANSI_QUOTES: `"\"` is an identifier.
    const result = classifySql(`select "\\" , '\\'' ; drop table t; -- '" `, 'mysql');
    expect(result.allowedOnRuntime).to.equal(false);
    expect(result.statements[1]?.keyword).to.equal('DROP TABLE');
    expect(result.statements[1]?.reason).to.match(/ANSI_QUOTES/);
  });

  describe('with the session settings known (read from the server)', () => {
    const ansi = { ansiQuotes: true };
    const scsOff = { altBackslash: true };
    const cases: Array<[sql: string, dialect: 'postgres' | 'mysql', session: { ansiQuotes?: boolean; altBackslash?: boolean }, allowed: boolean]> = [
      // Read only the server's way: no false alarm from the readings it does not use...
      [`select 1 as "x\\"`, 'mysql', ansi, true],
      [`select 'a\\' , 1`, 'postgres', scsOff, false],
      [`select 'it\\'s'`, 'postgres', scsOff, true],
      // ...and no miss in the one it does.
      [`select 1 as "\\" , '\\'' ; drop table t; -- '"`, 'mysql', ansi, false],
      [`select 'a\\'' ; drop table t; -- '`, 'postgres', scsOff, false],
      [`select 'a\\' ; drop table t; -- '`, 'postgres', scsOff, true],
      // Keeping the current reading is allowed; leaving it is a change.
      [`set sql_mode = 'ANSI'`, 'mysql', ansi, true],
      [`set sql_mode = 'TRADITIONAL'`, 'mysql', ansi, false],
      [`set sql_mode = DEFAULT`, 'mysql', ansi, false],
      [`set sql_mode = 'ANSI,NO_BACKSLASH_ESCAPES'`, 'mysql', ansi, false],
      // MariaDB's MSSQL keeps ANSI_QUOTES but adds [bracket] names, which the guard does not read (red team 12).
      [`set sql_mode = 'MSSQL'`, 'mysql', ansi, false],
      [`SET SESSION sql_mode = 'ANSI_QUOTES,mssql'`, 'mysql', ansi, false],
      [`set statement sql_mode = 'MSSQL' for select 1`, 'mysql', ansi, false],
      [`select @@session.sql_mode := 'ANSI,MSSQL'`, 'mysql', ansi, false],
      [`/*M!100100 set sql_mode = 'MSSQL' */`, 'mysql', ansi, false],
      [`set sql_mode = 'ANSI_QUOTES,PIPES_AS_CONCAT'`, 'mysql', ansi, true],
      ['set standard_conforming_strings = off', 'postgres', scsOff, true],
      ['set standard_conforming_strings = on', 'postgres', scsOff, false],
      [`select set_config('standard_conforming_strings', 'on', false)`, 'postgres', scsOff, false],
      ['RESET ALL', 'postgres', scsOff, false],
      ['reset standard_conforming_strings', 'postgres', scsOff, false],
      ['DISCARD ALL', 'postgres', scsOff, false],
      ['RESET search_path', 'postgres', scsOff, true],
      ['DISCARD PLANS', 'postgres', scsOff, true],
      // Back to the default is refused in every reading: the default is not what was read.
      ['RESET ALL', 'postgres', {}, false],
      ['DISCARD ALL', 'postgres', {}, false],
      ['RESET standard_conforming_strings', 'postgres', {}, false],
      ['SET standard_conforming_strings TO DEFAULT', 'postgres', {}, false],
      ['SET client_encoding TO DEFAULT', 'postgres', {}, false],
      ['RESET client_encoding', 'postgres', scsOff, false],
      [`set sql_mode = DEFAULT`, 'mysql', {}, false],
      ['SET SESSION sql_mode=DEFAULT', 'mysql', {}, false],
      ['SET @@sql_mode = DEFAULT', 'mysql', {}, false],
      ['RESET search_path', 'postgres', {}, true],
    ];
    for (const [sql, dialect, session, allowed] of cases) {
      it(`${dialect} ${JSON.stringify(session)}: ${sql}`, () => {
        expect(classifySql(sql, dialect, session).allowedOnRuntime, JSON.stringify(classifySql(sql, dialect, session))).to.equal(allowed);
      });
    }
    it('the default reading refuses what only the known session reads safely', () => {
      expect(classifySql(`select 1 as "x\\"`, 'mysql').allowedOnRuntime).to.equal(false);
      expect(classifySql(`select 'it\\'s'`, 'postgres').allowedOnRuntime).to.equal(false);
      expect(classifySql(`select 'a\\'' ; drop table t; -- '`, 'postgres').allowedOnRuntime).to.equal(false);
    });
  });
});
