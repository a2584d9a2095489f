// The helpers firmware/runtime/helpers.js provides. The build points
// TypeScript's "tslib" at this file, so a feature that needs a helper the
// engine build lacks (e.g. `#private` fields, which need WeakMap) fails to
// compile with TypeScript's own message naming the helper.
export declare function __extends(d: Function, b: Function | null): void;
export declare function __assign(t: any, ...sources: any[]): any;
export declare function __rest(t: any, propertyNames: string[]): any;
export declare function __awaiter(thisArg: any, _arguments: any, P: Function, generator: Function): any;
export declare function __generator(thisArg: any, body: Function): any;
export declare function __spreadArray(to: any[], from: any[], pack?: boolean): any[];
export declare function __makeTemplateObject(cooked: string[], raw: string[]): TemplateStringsArray;
