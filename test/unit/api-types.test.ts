import { expect } from 'chai';
import { join, sep } from 'node:path';
import * as ts from 'typescript';
import { ROOT } from '../support/run-command';

const LIB = join(ROOT, 'lib') + sep;

/**
 * The named types (interfaces, type aliases, classes) of lib/ that the signatures of an
 * entry point's exports reach, through parameters, results, properties, unions and type
 * arguments; types of other packages (knex's) are not followed.
 */
let program: ts.Program | undefined;

function reachedTypes(entry: string): { exported: Set<ts.Symbol>; reached: Map<ts.Symbol, string> } {
  // One program for both entry points: building it is most of the time.
  program ??= ts.createProgram(['lib/index.ts', 'lib/testing.ts', 'lib/error-classes.ts'].map((file) => join(ROOT, file)), {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (!source) throw new Error(`cannot read ${entry}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${entry} is not a module`);
  const resolve = (symbol: ts.Symbol): ts.Symbol => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
  const exports = checker.getExportsOfModule(moduleSymbol).map(resolve);
  const exported = new Set(exports);
  const reached = new Map<ts.Symbol, string>();
  const seen = new Set<ts.Type>();
  const inLib = (symbol: ts.Symbol | undefined): boolean => (symbol?.declarations ?? []).some((d) => d.getSourceFile().fileName.startsWith(LIB.split(sep).join('/')));
  const NAMED = ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class | ts.SymbolFlags.Enum;

  const visit = (type: ts.Type, via: string): void => {
    if (seen.has(type)) return;
    seen.add(type);
    for (const symbol of [type.aliasSymbol, type.getSymbol()]) {
      if (symbol && symbol.flags & NAMED && inLib(symbol) && !reached.has(symbol)) reached.set(symbol, via);
    }
    for (const argument of type.aliasTypeArguments ?? []) visit(argument, via);
    if (type.isUnionOrIntersection()) for (const member of type.types) visit(member, via);
    if (type.flags & ts.TypeFlags.Object) {
      for (const argument of checker.getTypeArguments(type as ts.TypeReference) ?? []) visit(argument, via);
      for (const signature of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
        for (const parameter of signature.getParameters()) visit(checker.getTypeOfSymbol(parameter), `${via}(${parameter.getName()})`);
        visit(signature.getReturnType(), `${via}()`);
      }
      // Properties only of lib's own types (and anonymous object types written in lib): knex's are not ours to export.
      const symbol = type.aliasSymbol ?? type.getSymbol();
      if (symbol === undefined || inLib(symbol)) {
        for (const property of type.getProperties()) {
          if (property.getName().startsWith('_') || !inLib(property)) continue;
          visit(checker.getTypeOfSymbol(property), `${via}.${property.getName()}`);
        }
      }
    }
  };
  for (const symbol of exports) {
    const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
    if (!declaration) continue;
    if (symbol.flags & ts.SymbolFlags.Value) visit(checker.getTypeOfSymbolAtLocation(symbol, declaration), symbol.getName());
    if (symbol.flags & NAMED) visit(checker.getDeclaredTypeOfSymbol(symbol), symbol.getName());
  }
  return { exported, reached };
}

// "Types used in signatures are exported": a user can name every type they are handed.
describe('the public API exports every type its signatures use', function () {
  this.timeout(120_000);
  const entries: Array<[string, string[]]> = [
    ['lib/index.ts', ['lib/error-classes.ts']],
    ['lib/testing.ts', ['lib/index.ts']],
    ['lib/error-classes.ts', ['lib/index.ts']],
  ];
  for (const [entry, alsoFrom] of entries) {
    it(`${entry}: every lib/ type reachable from its exports is exported (from it${alsoFrom.length ? ` or ${alsoFrom.join(', ')}` : ''})`, () => {
      const { reached } = reachedTypes(join(ROOT, entry));
      const exportedNames = new Set<string>();
      for (const from of [entry, ...alsoFrom]) for (const symbol of reachedTypes(join(ROOT, from)).exported) exportedNames.add(symbol.getName());
      const missing = [...reached].filter(([symbol]) => !exportedNames.has(symbol.getName())).map(([symbol, via]) => `${symbol.getName()} (via ${via})`);
      expect(missing, 'types used in public signatures but not exported').to.deep.equal([]);
    });
  }
});
