import { describeCaseGroups, type Case } from '../support/classify-cases';

/**
 * PostgreSQL: the RESET forms are allowed: `SET ROLE NONE` (the keyword in any case, or the
 * value exactly `none`: the server compares the role setting's string with "none", so
 * `'none'` and `"none"` reset too, red team 45) and `SET SESSION AUTHORIZATION DEFAULT` (the
 * keyword only). Any other spelling of the value is a role name: `'NONE'`, `' none'`,
 * `"None"` name roles a DBA may have created, and `"default"` is a role named default.
 */
const REFUSED: Case[] = [
  ['set role "NONE"', 'refused', 'SET ROLE'],
  ['set role "None"', 'refused', 'SET ROLE'],
  ["SET ROLE 'NONE'", 'refused', 'SET ROLE'],
  ["set role to 'None'", 'refused', 'SET ROLE'],
  ["set local role ' none'", 'refused', 'SET ROLE'],
  ["set role 'none '", 'refused', 'SET ROLE'],
  ["SET \"role\" = 'NONE'", 'refused', 'SET ROLE'],
  ["select set_config('role', 'NONE', false)", 'refused', 'SET ROLE'],
  ["select set_config('role', ' none', false)", 'refused', 'SET ROLE'],
  ["select set_config('role', 'None', true)", 'refused', 'SET ROLE'],
  // U&"…" is not decoded here: refused, whatever it spells.
  ['set role U&"none"', 'refused', 'SET ROLE'],
  ['set role U&"\\006eone"', 'refused', 'SET ROLE'],
  ['set role "none", admin', 'refused', 'SET ROLE'],
  ['SET SESSION AUTHORIZATION "default"', 'refused', 'SET SESSION AUTHORIZATION'],
  ['set session authorization "DEFAULT"', 'refused', 'SET SESSION AUTHORIZATION'],
  ["set session authorization 'default'", 'refused', 'SET SESSION AUTHORIZATION'],
  ['set local session authorization "default"', 'refused', 'SET SESSION AUTHORIZATION'],
  ['set session /* c */ authorization /* c */ "default"', 'refused', 'SET SESSION AUTHORIZATION'],
  ['set session_authorization = "default"', 'refused', 'SET SESSION AUTHORIZATION'],
  ['set session_authorization to U&"default"', 'refused', 'SET SESSION AUTHORIZATION'],
];

const ALLOWED: Case[] = [
  ['set role none', 'session', 'SET ROLE'],
  ['SET ROLE NONE', 'session', 'SET ROLE'],
  ['set role /* c */ None', 'session', 'SET ROLE'],
  ["set role 'none'", 'session', 'SET ROLE'],
  ['SET ROLE "none"', 'session', 'SET ROLE'],
  ['set local role "none"', 'session', 'SET ROLE'],
  ['set session role "none"', 'session', 'SET ROLE'],
  ['set role /* c */ "none"', 'session', 'SET ROLE'],
  ['set\trole\n"none"', 'session', 'SET ROLE'],
  ['SET role = "none"', 'session', 'SET ROLE'],
  ['set "role" to "none"', 'session', 'SET ROLE'],
  ['set role "none"; select 1', 'session', 'SET ROLE'],
  ["select set_config('role', 'none', false)", 'read', 'SELECT'],
  ['set role = none', 'session', 'SET ROLE'],
  ['set session authorization default', 'session', 'SET SESSION AUTHORIZATION'],
  ['SET SESSION AUTHORIZATION DEFAULT', 'session', 'SET SESSION AUTHORIZATION'],
  ['set session_authorization = default', 'session', 'SET SESSION AUTHORIZATION'],
];

describe('classifySql: PostgreSQL SET ROLE / SESSION AUTHORIZATION reset forms', () => {
  describeCaseGroups('postgres', [
    ['other spellings of none, and a quoted "default", are role names', REFUSED],
    ['the keywords NONE / DEFAULT, and none exactly, reset', ALLOWED],
  ]);
});
