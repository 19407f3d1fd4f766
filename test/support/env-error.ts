import { expect } from 'chai';
import { EnvContractError } from '../../lib/error-classes';

export interface ExpectedEnvError {
  error: string;
  variables: string[];
  message?: RegExp;
  remedy?: RegExp;
}

/** `resolve` throws the EnvContractError described: code, variables (each named in the message), message, remedy, no `hunter2`. */
export function expectEnvError(resolve: () => unknown, expected: ExpectedEnvError): void {
  let caught: unknown;
  try {
    resolve();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'throws').to.be.instanceOf(EnvContractError);
  const error = caught as EnvContractError;
  expect(error.code).to.equal(expected.error);
  expect([...error.variables].sort()).to.deep.equal([...expected.variables].sort());
  for (const variable of expected.variables) expect(`${error.message}`).to.include(variable);
  if (expected.message) expect(error.message).to.match(expected.message);
  if (expected.remedy) expect(error.remedy).to.match(expected.remedy);
  expect(error.remedy).to.be.a('string').and.not.equal('');
  for (const text of [error.message, error.stack ?? '', JSON.stringify(error)]) expect(text).not.to.include('hunter2');
}
