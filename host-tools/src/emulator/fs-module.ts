// `require("fs")` on the engine (libs/filesystem/jswrap_fs.c): synchronous
// calls over the SD card, with the non-Sync names as aliases. There is no
// rename. readFileSync gives undefined for an empty file, since the engine
// reads nothing back; writeFileSync reports false when it wrote no bytes.
import { binaryOf, bytesOf } from "./binary.js";
import type { EngineScope } from "./engine-scope.js";
import { startPipe } from "./pipe.js";
import type { SdMount } from "./sd-mount.js";

function pathOf(path: unknown): string {
  if (path === undefined) throw new Error("Path is undefined");
  return String(path);
}

export function createFsModule(mount: SdMount, scope: EngineScope): Record<string, unknown> {
  const { realm } = scope;
  const readFile = (path: unknown): string | undefined => {
    const file = mount.open(pathOf(path), "r");
    if (!file) return undefined;
    const chunks: Buffer[] = [];
    for (let chunk = file.read(4096); chunk; chunk = file.read(4096)) chunks.push(chunk);
    file.close();
    const all = Buffer.concat(chunks);
    return all.length === 0 ? undefined : binaryOf(all);
  };
  const writeFile = (mode: "w" | "a") => (path: unknown, data: unknown): boolean => {
    if (data === undefined) return false;
    const file = mount.open(pathOf(path), mode);
    if (!file) return false;
    const written = file.write(bytesOf(data));
    file.close();
    return written > 0;
  };
  const readdir = (path: unknown): string[] => realm.array(mount.readdir(path === undefined ? "" : String(path)));
  const stat = (path: unknown): unknown => {
    const entry = mount.stat(path === undefined ? "" : String(path));
    if (!entry) return undefined;
    const DeviceDate = realm.global.Date as DateConstructor;
    return realm.object({ size: entry.size, dir: entry.dir, mtime: new DeviceDate(entry.mtimeMs) });
  };
  const unlink = (path: unknown): boolean => {
    mount.unlink(pathOf(path));
    return true;
  };
  const mkdir = (path: unknown): boolean => {
    mount.mkdir(pathOf(path));
    return true;
  };
  const functions: Record<string, (...args: never[]) => unknown> = {
    readFileSync: readFile,
    readFile,
    writeFileSync: writeFile("w"),
    writeFile: writeFile("w"),
    appendFileSync: writeFile("a"),
    appendFile: writeFile("a"),
    readdirSync: readdir,
    readdir,
    statSync: stat,
    unlinkSync: unlink,
    unlink,
    mkdirSync: mkdir,
    mkdir,
    pipe: (source: unknown, destination: unknown, options: unknown) => startPipe(source, destination, options, scope),
  };
  const fs = realm.object();
  for (const [name, fn] of Object.entries(functions)) fs[name] = scope.guard(fn as (...args: unknown[]) => unknown);
  return fs;
}
