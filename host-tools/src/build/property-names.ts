// Which property names the minifier may shorten. terser shortens local names
// on its own but leaves property names alone, and in device code they are a
// sixth of the bundle (options, callbacks, fields of internal records). A
// property name can be shortened only when no code outside the bundle ever
// sees it: the engine's own objects and methods, JSON on the wire or in
// Storage, anything printed. The type checker decides which names those are:
//
// - a name declared anywhere in a declaration file (the engine's API, the
//   ES5 library) is kept, on any object;
// - a name read or written where the checker cannot say which declaration it
//   means (a value typed `any`, a dictionary) is kept;
// - quoted names are kept (terser leaves them too);
// - a value that crosses the edge keeps every property name of its type, all
//   the way down: one that flows to `any`, `unknown` or `object` (JSON.stringify,
//   print, writeJSON, a logger's parts), an `any` that flows into a type
//   (JSON.parse, readJSON), a type argument of the source's own generic
//   functions (a record kept in Storage), and whatever for-in or `in` looks at;
// - a type whose documentation carries the `@wire` tag keeps its names too,
//   for an edge the checker cannot see.
//
// Every other name declared in the app's own source is shortened, the same
// way everywhere in the bundle.
import ts from "typescript";

/** The names to shorten: declared in the app's source and never seen outside the bundle. */
export function shortenableProperties(program: ts.Program): string[] {
  const checker = program.getTypeChecker();
  const declared = new Set<string>();
  const kept = new Set<string>();
  const keptTypes = new Set<ts.Type>();

  const inDeclarationFile = (node: ts.Node): boolean => node.getSourceFile().isDeclarationFile;

  function keepType(type: ts.Type): void {
    if (keptTypes.has(type)) return;
    keptTypes.add(type);
    if (type.isUnionOrIntersection()) return type.types.forEach(keepType);
    if (checker.isArrayType(type) || checker.isTupleType(type)) {
      return checker.getTypeArguments(type as ts.TypeReference).forEach(keepType);
    }
    if (!(type.flags & ts.TypeFlags.Object)) return;
    // The library's generic types hold the app's types too: Record<string, T>, Promise<T>.
    if ((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) checker.getTypeArguments(type as ts.TypeReference).forEach(keepType);
    for (const property of checker.getPropertiesOfType(type)) {
      kept.add(property.name);
      const declaration = property.valueDeclaration ?? property.declarations?.[0];
      if (declaration) keepType(checker.getTypeOfSymbolAtLocation(property, declaration));
    }
    const index = checker.getIndexTypeOfType(type, ts.IndexKind.String) ?? checker.getIndexTypeOfType(type, ts.IndexKind.Number);
    if (index) keepType(index);
  }

  /** any, unknown, object and `{}`: a type that says nothing of the names inside. */
  function isOpaque(type: ts.Type): boolean {
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.NonPrimitive)) return true;
    if (type.isUnion()) return type.types.some(isOpaque);
    return (
      !!(type.flags & ts.TypeFlags.Object) &&
      checker.getPropertiesOfType(type).length === 0 &&
      checker.getSignaturesOfType(type, ts.SignatureKind.Call).length === 0 &&
      !checker.getIndexTypeOfType(type, ts.IndexKind.String)
    );
  }

  function isAny(type: ts.Type): boolean {
    return !!(type.flags & ts.TypeFlags.Any);
  }

  /** An object type the engine or the ES5 library declares (not a container such as Promise<T>). */
  function isForeign(type: ts.Type): boolean {
    if (type.isUnion()) return type.types.some(isForeign);
    if (!(type.flags & ts.TypeFlags.Object)) return false;
    const symbol = type.getSymbol();
    if (!symbol || !symbol.declarations || !symbol.declarations.some(inDeclarationFile)) return false;
    // Pick<T, K>, Partial<T>, Record<K, T> are the app's own types reshaped.
    if ((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Mapped) return false;
    return !((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference && checker.getTypeArguments(type as ts.TypeReference).length);
  }

  /**
   * A value crossing from one type to another: when one side is opaque or the
   * engine's own, the other side's names are the engine's or the wire's.
   */
  function flow(value: ts.Expression, target: ts.Type | undefined): void {
    // An empty `{}` or `[]` starts a value of the target's type: it carries no names across.
    if (!target || isEmptyLiteral(value)) return;
    const source = checker.getTypeAtLocation(value);
    if (isOpaque(target)) {
      // A literal's own type may have widened to any[] (one element is any):
      // each element carries its own names out.
      if (ts.isArrayLiteralExpression(value)) value.elements.forEach((element) => flow(element, target));
      if (ts.isObjectLiteralExpression(value)) {
        for (const member of value.properties) if (ts.isPropertyAssignment(member)) flow(member.initializer, target);
      }
    }
    if ((isOpaque(target) || isForeign(target)) && !isAny(source)) keepType(source);
    if ((isOpaque(source) && !isOpaque(target)) || isForeign(source)) keepType(target);
  }

  function isEmptyLiteral(value: ts.Expression): boolean {
    return (ts.isObjectLiteralExpression(value) && value.properties.length === 0) || (ts.isArrayLiteralExpression(value) && value.elements.length === 0);
  }

  function isShortenable(symbol: ts.Symbol | undefined): boolean {
    return !!symbol && !!symbol.declarations && symbol.declarations.length > 0 && !symbol.declarations.some(inDeclarationFile);
  }

  function visitPropertyName(name: ts.PropertyName, symbol: ts.Symbol | undefined): void {
    if (!ts.isIdentifier(name)) {
      if (ts.isStringLiteral(name) || ts.isNumericLiteral(name)) kept.add(name.text);
      return;
    }
    declared.add(name.text);
    if (!isShortenable(symbol)) kept.add(name.text);
  }

  function isWire(node: ts.Node): boolean {
    return ts.getJSDocTags(node).some((tag) => tag.tagName.text === "wire");
  }

  function visit(node: ts.Node): void {
    // Any value the checker can say where it goes: an any into a typed
    // place (an arrow's body, a field, an array element), or a typed value
    // into an opaque one.
    if (ts.isExpression(node) && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node)) {
      flow(node, checker.getContextualType(node));
    }
    if (ts.isObjectBindingPattern(node)) {
      // Destructuring reads the names off the value: from an any or an
      // engine object, those are names from outside.
      const source = checker.getTypeAtLocation(node);
      if (isOpaque(source) || isForeign(source)) {
        for (const element of node.elements) {
          const name = element.propertyName ?? element.name;
          if (ts.isIdentifier(name)) kept.add(name.text);
        }
      }
    }
    if (ts.isPropertyAccessExpression(node)) {
      const objectType = checker.getTypeAtLocation(node.expression);
      visitPropertyName(node.name, isAny(objectType) ? undefined : checker.getSymbolAtLocation(node.name));
    } else if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) {
      kept.add(node.argumentExpression.text);
    } else if (ts.isObjectLiteralExpression(node)) {
      const contextual = checker.getContextualType(node);
      if (!contextual || isOpaque(contextual)) keepType(checker.getTypeAtLocation(node));
      for (const member of node.properties) {
        if (!member.name) continue;
        const target = contextual && !isOpaque(contextual) && ts.isIdentifier(member.name) ? contextual.getProperty(member.name.text) : undefined;
        visitPropertyName(member.name, target ?? (contextual ? undefined : checker.getSymbolAtLocation(member.name)));
      }
    } else if (
      ts.isPropertySignature(node) ||
      ts.isMethodSignature(node) ||
      ts.isPropertyDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node)
    ) {
      if (!ts.isObjectLiteralExpression(node.parent)) visitPropertyName(node.name, checker.getSymbolAtLocation(node.name));
    } else if ((ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) && isWire(node)) {
      keepType(checker.getTypeAtLocation(node.name));
    } else if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      // A generic function of the source may move values of its type
      // arguments across the edge (storedRecord<T> keeps a T in Storage).
      const declaration = checker.getResolvedSignature(node)?.getDeclaration();
      if (declaration && !inDeclarationFile(declaration) && declaration.typeParameters) {
        for (const type of node.typeArguments ?? []) keepType(checker.getTypeFromTypeNode(type));
        (node.arguments ?? []).forEach((argument, i) => {
          const parameter = declaration.parameters[i];
          if (parameter && parameter.type && mentionsTypeParameter(parameter.type)) keepType(checker.getTypeAtLocation(argument));
        });
      }
    } else if (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) {
      // A cast is no contextual type: the asserted one is where the value goes.
      flow(node.expression, checker.getTypeFromTypeNode(node.type));
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.InKeyword) {
      keepType(checker.getTypeAtLocation(node.right));
    } else if (ts.isForInStatement(node)) {
      keepType(checker.getTypeAtLocation(node.expression));
    }
    ts.forEachChild(node, visit);
  }

  function mentionsTypeParameter(type: ts.TypeNode): boolean {
    let found = false;
    const look = (node: ts.Node): void => {
      if (ts.isTypeReferenceNode(node) && checker.getTypeFromTypeNode(node).flags & ts.TypeFlags.TypeParameter) found = true;
      else ts.forEachChild(node, look);
    };
    look(type);
    return found;
  }

  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile) keepDeclaredNames(file);
    else if (!program.isSourceFileFromExternalLibrary(file)) visit(file);
  }
  return [...declared].filter((name) => !kept.has(name)).sort();

  /**
   * Every name the engine's API or the library declares is kept, whatever
   * the flows above show: an engine object can reach the app's own types
   * through paths the checker follows only in part (a generic helper that
   * passes an engine file through, say), and then a shortened `close` is
   * called on the real file.
   */
  function keepDeclaredNames(file: ts.SourceFile): void {
    const look = (node: ts.Node): void => {
      if ((ts.isPropertySignature(node) || ts.isMethodSignature(node) || ts.isPropertyDeclaration(node) || ts.isMethodDeclaration(node)) && ts.isIdentifier(node.name)) {
        kept.add(node.name.text);
      }
      ts.forEachChild(node, look);
    };
    look(file);
  }
}
