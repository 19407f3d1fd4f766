import { describeCaseGroups, type Case } from '../support/classify-cases';

/**
 * PostgreSQL: only the bare keyword NONE (`SET ROLE NONE`, also the plain string 'none',
 * which the server reads the same) and the keyword DEFAULT (`SET SESSION AUTHORIZATION
 * DEFAULT`) are the RESET forms and allowed. A quoted identifier is a name: `"none"` and
 * `"default"` (any case, any spelling of the statement) are refused like any other role.
 */
const REFUSED: Case[] = [
  ['SET ROLE "none"', 'refused', 'SET ROLE'],
  ['set role "NONE"', 'refused', 'SET ROLE'],
  ['set local role "none"', 'refused', 'SET ROLE'],
  ['set session role "none"', 'refused', 'SET ROLE'],
  ['set role /* c */ "none"', 'refused', 'SET ROLE'],
  ['set\trole\n"none"', 'refused', 'SET ROLE'],
  ['SET role = "none"', 'refused', 'SET ROLE'],
  ['set "role" to "none"', 'refused', 'SET ROLE'],
  ['set role U&"none"', 'refused', 'SET ROLE'],
  ['set role U&"\\006eone"', 'refused', 'SET ROLE'],
  ['set role "none"; select 1', 'refused', 'SET ROLE'],
  ['SET SESSION AUTHORIZATION "default"', 'refused', 'SET SESSION AUTHORIZATION'],
  ['set session authorization "DEFAULT"', 'refused', 'SET SESSION AUTHORIZATION'],
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
  ['set role = none', 'session', 'SET ROLE'],
  ['set session authorization default', 'session', 'SET SESSION AUTHORIZATION'],
  ['SET SESSION AUTHORIZATION DEFAULT', 'session', 'SET SESSION AUTHORIZATION'],
  ['set session_authorization = default', 'session', 'SET SESSION AUTHORIZATION'],
];

describe('classifySql: PostgreSQL SET ROLE / SESSION AUTHORIZATION reset forms', () => {
  describeCaseGroups('postgres', [
    ['quoted "none" / "default" are role names', REFUSED],
    ['the keywords NONE / DEFAULT reset', ALLOWED],
  ]);
});
