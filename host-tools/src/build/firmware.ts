// Device code to one ES5 bundle: TypeScript and Rollup, then terser, then the
// Espruino compatibility gate. The terser options are not cosmetic: the
// engine does not hoist declarations, and some names are reserved there
// (docs/engine.md).
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import typescriptPluginModule from "@rollup/plugin-typescript";
import { parse } from "acorn";
import { rollup, type RollupLog } from "rollup";
import { minify, type MinifyOptions } from "terser";
import ts from "typescript";
import { fillArrayHoles } from "../gate/array-holes.js";
import { RESERVED_NAMES, TAKEN_GLOBALS } from "../engine/profile.js";
import { checkBundle, formatFinding, type GateResult } from "../gate/index.js";
import { FIRMWARE_DIR, PACKAGE_ROOT } from "../paths.js";
import { shortenableProperties } from "./property-names.js";

// The plugin's types describe its CommonJS build; loaded as ESM, its default
// export is the plugin function itself.
const typescript = typescriptPluginModule as unknown as (typeof typescriptPluginModule)["default"];

export interface FirmwareBuildOptions {
  /** The app's entry module (TypeScript). */
  entry: string;
  /** Where to write the bundle; nothing is written when omitted. */
  outFile?: string;
  /** The device tsconfig; ferry's own firmware/tsconfig.json by default. */
  tsconfig?: string;
  /** false keeps names and layout readable (declarations are still hoisted). */
  minify?: boolean;
  /**
   * Move function and var declarations to the top of their scope. Only tests
   * turn this off, to show the gate rejecting what the engine would.
   */
  hoist?: boolean;
  /** "tslib" swaps in tslib's helpers; only tests do, for the same reason. */
  helpers?: "engine" | "tslib";
  /**
   * Fill the empty slots TypeScript leaves in array literals (`[0, 2, , 3]`),
   * which the engine cannot parse. Only tests turn this off.
   */
  fillHoles?: boolean;
  /**
   * Shorten the property names no code outside the bundle sees
   * (property-names.ts); on unless `minify` is false.
   */
  shortenProperties?: boolean;
}

export interface FirmwareBuild {
  code: string;
  /** Size of the bundle in bytes (it is ASCII). */
  bytes: number;
  outFile?: string;
  gate: GateResult;
}

/** The build failed: type errors, a missing module, or a bundle the engine cannot run. */
export class FirmwareBuildError extends Error {
  override name = "FirmwareBuildError";
  constructor(
    message: string,
    readonly build?: FirmwareBuild,
  ) {
    super(message);
  }
}

export const ENGINE_HELPERS = resolve(FIRMWARE_DIR, "runtime/helpers.js");
const ENGINE_HELPER_DECLARATIONS = resolve(FIRMWARE_DIR, "runtime/helpers.d.ts");
const TSLIB_HELPERS = resolve(PACKAGE_ROOT, "node_modules/tslib/tslib.es6.js");
const TSLIB_DECLARATIONS = resolve(PACKAGE_ROOT, "node_modules/tslib/tslib.d.ts");
export const DEFAULT_TSCONFIG = resolve(FIRMWARE_DIR, "tsconfig.json");

/** Builds a bundle and checks it; throws FirmwareBuildError if it cannot run on the engine. */
export async function buildFirmware(options: FirmwareBuildOptions): Promise<FirmwareBuild> {
  const build = await compileFirmware(options);
  if (!build.gate.ok) {
    const name = options.outFile ? relative(process.cwd(), options.outFile) : "bundle";
    const findings = build.gate.findings.map((finding) => `  ${formatFinding(finding)}`).join("\n");
    throw new FirmwareBuildError(`${name} would not run on the Espruino engine:\n${findings}`, build);
  }
  if (options.outFile) {
    await mkdir(dirname(options.outFile), { recursive: true });
    await writeFile(options.outFile, build.code);
  }
  return build;
}

/** Compiles, minifies and gates without judging the result (tests use this directly). */
export async function compileFirmware(options: FirmwareBuildOptions): Promise<FirmwareBuild> {
  const bundled = await bundle(options);
  const code = await shrink(bundled.code, bundled.properties, options);
  const file = options.outFile ? relative(process.cwd(), options.outFile) : "bundle.js";
  return { code, bytes: Buffer.byteLength(code), outFile: options.outFile, gate: checkBundle(code, { file }) };
}

async function bundle(options: FirmwareBuildOptions): Promise<{ code: string; properties: string[] }> {
  const entry = resolve(options.entry);
  const project = await projectFor(options.tsconfig ?? DEFAULT_TSCONFIG, entry, options);
  try {
    const code = await bundleProject(entry, project.tsconfig, options);
    const shorten = options.shortenProperties ?? options.minify !== false;
    return { code, properties: shorten ? shortenableProperties(typeProgram(project.rootNames, project.compilerOptions)) : [] };
  } finally {
    await project.dispose();
  }
}

/** The last program checked: the next build reuses its unchanged files (tests build many apps in one process). */
let lastProgram: ts.Program | undefined;

function typeProgram(rootNames: string[], options: ts.CompilerOptions): ts.Program {
  lastProgram = ts.createProgram({ rootNames, options: { ...options, noEmit: true }, oldProgram: lastProgram });
  return lastProgram;
}

/**
 * The TypeScript program for one app: the tsconfig's options and declaration
 * files, the entry, and whatever the entry imports. Listing the entry makes
 * apps outside the tsconfig's folders build; leaving the tsconfig's other
 * sources out keeps one app's build from failing on another app's errors.
 */
async function projectFor(
  tsconfig: string,
  entry: string,
  options: FirmwareBuildOptions,
): Promise<{ tsconfig: string; rootNames: string[]; compilerOptions: ts.CompilerOptions; dispose(): Promise<void> }> {
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new FirmwareBuildError(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
    },
  });
  if (!parsed) throw new FirmwareBuildError(`cannot read ${tsconfig}`);
  const declarations = parsed.fileNames.filter((file) => file.endsWith(".d.ts")).map((file) => resolve(file));
  const dir = await mkdtemp(join(tmpdir(), "ferry-build-"));
  const project = join(dir, "tsconfig.json");
  const helpers = options.helpers === "tslib" ? TSLIB_DECLARATIONS : ENGINE_HELPER_DECLARATIONS;
  await writeFile(
    project,
    JSON.stringify({ extends: resolve(tsconfig), compilerOptions: { paths: { tslib: [helpers] } }, files: [...declarations, entry], include: [] }),
  );
  return {
    tsconfig: project,
    rootNames: [...declarations, entry],
    compilerOptions: { ...parsed.options, paths: { ...parsed.options.paths, tslib: [helpers] } },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

async function bundleProject(entry: string, tsconfig: string, options: FirmwareBuildOptions): Promise<string> {
  const problems: string[] = [];
  const onLog = (level: string, log: RollupLog): void => {
    if (level === "warn") problems.push(describeLog(log));
  };
  let build;
  try {
    build = await rollup({
      input: entry,
      onLog,
      plugins: [
        typescript({
          tsconfig,
          tslib: options.helpers === "tslib" ? TSLIB_HELPERS : ENGINE_HELPERS,
          filterRoot: false,
          noEmitOnError: true,
          compilerOptions: { noEmit: false, sourceMap: false, declaration: false, outDir: undefined },
        }),
      ],
    });
  } catch (err) {
    throw new FirmwareBuildError(describeFailure(err, problems));
  }
  try {
    const { output } = await build.generate({ format: "iife", strict: false, generatedCode: "es5" });
    const code = output[0].code;
    return options.fillHoles === false ? code : fillArrayHoles(code, parse(code, { ecmaVersion: "latest" }));
  } finally {
    await build.close();
  }
}

async function shrink(code: string, properties: string[], options: FirmwareBuildOptions): Promise<string> {
  const hoist = options.hoist ?? true;
  const readable = options.minify === false;
  const reserved = [...RESERVED_NAMES, ...Object.keys(TAKEN_GLOBALS)];
  const terserOptions: MinifyOptions = {
    ecma: 5,
    ie8: false,
    compress: {
      ecma: 5,
      // The engine runs a declaration only when its statement is reached.
      hoist_funs: hoist,
      hoist_vars: hoist,
      // `typeof x == "undefined"` is the only safe test for a missing name on
      // the engine; terser would turn it into `x === void 0`.
      typeofs: false,
      passes: readable ? 1 : 2,
      // Inlining a function that has parameters or vars leaves a `var` after
      // the code that assigns it (`return x = 1, ...; var x`), past what
      // hoist_vars fixes: on the engine that assignment makes a global.
      inline: 1,
    },
    mangle: readable
      ? false
      : {
          reserved,
          // Only names the type checker showed never leave the bundle; quoted
          // names never. `builtins` lets terser shorten names on that list
          // that it would otherwise keep for the browser's DOM (`body`,
          // `target`, `info`, ...), which the engine does not have.
          // A copy: with keep_quoted, terser adds every quoted name to this
          // list, and the same array as `reserved` would keep locals of
          // those names (`connection`) unshortened.
          properties: properties.length
            ? { regex: new RegExp(`^(?:${properties.join("|")})$`), keep_quoted: true, builtins: true, reserved: [...reserved] }
            : false,
        },
    format: { ascii_only: true, beautify: readable, comments: false },
  };
  const result = await minify(code, terserOptions);
  if (result.code === undefined) throw new FirmwareBuildError("terser produced no output");
  return result.code;
}

function describeLog(log: RollupLog): string {
  const where = log.loc ? `${relative(process.cwd(), log.loc.file ?? log.id ?? "")}:${log.loc.line}:${log.loc.column + 1} ` : "";
  return `${where}${log.message}`;
}

function describeFailure(err: unknown, warnings: string[]): string {
  const log = err as RollupLog;
  const lines = [describeLog(log), ...warnings];
  if (/is not exported by .*helpers\.js/.test(log.message ?? "")) {
    lines.push(
      "TypeScript needs a helper that firmware/runtime/helpers.js does not provide: the source uses a feature the engine build does not support yet (see docs/device-code.md).",
    );
  }
  return lines.join("\n");
}
