// The engine's File object (`E.openFile`): reads give strings, undefined at
// the end of the file; a closed file ignores further calls, as the engine's
// does.
import { binaryOf, bytesOf } from "./binary.js";
import type { EngineScope } from "./engine-scope.js";
import { startPipe } from "./pipe.js";
import type { OpenFile } from "./sd-mount.js";

export function deviceFile(file: OpenFile, scope: EngineScope): Record<string, unknown> {
  const device = scope.realm.object();
  Object.assign(device, {
    read: scope.guard((length: unknown) => {
      const chunk = file.read(Math.max(0, Math.floor(Number(length) || 0)));
      return chunk === undefined ? undefined : binaryOf(chunk);
    }),
    write: scope.guard((data: unknown) => (data === undefined ? 0 : file.write(bytesOf(data)))),
    seek: scope.guard((position: unknown) => {
      const to = Math.floor(Number(position) || 0);
      if (to < 0) scope.print("WARNING: Position to seek to must be >=0\n");
      else file.seek(to);
    }),
    skip: scope.guard((count: unknown) => {
      const by = Math.floor(Number(count) || 0);
      if (by < 0) scope.print("WARNING: Bytes to skip must be >=0\n");
      else file.skip(by);
    }),
    close: scope.guard(() => file.close()),
    pipe: scope.guard((destination: unknown, options: unknown) => startPipe(device, destination, options, scope)),
  });
  return device;
}
