/**
 * Checks that a system user can read files, by reading them as that user.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A daemon started as root that switches to `user` before opening its files
 * (Mosquitto 2.0 does, design.md "Facts about the parts") fails on any file
 * that user cannot reach. Reading each file as `user` shows that up front,
 * with the path, instead of as a broker that exits at start-up. A no-op when
 * not root: the daemon then keeps the caller's identity.
 */
export async function assertReadableAs(user: string, paths: readonly string[]): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const uid = await idOf(user, "-u");
  const gid = await idOf(user, "-g");
  try {
    await run("head", ["-c", "1", ...paths], { uid, gid, encoding: "buffer" });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? error);
    throw new Error(
      `user '${user}' cannot read the files it needs after dropping root:\n${stderr.trim()}\n` +
        "Keep them in a directory every user can enter (mode 0755, e.g. under /tmp) with mode 0644.",
    );
  }
}

async function idOf(user: string, flag: "-u" | "-g"): Promise<number> {
  try {
    const { stdout } = await run("id", [flag, user]);
    return Number(stdout.trim());
  } catch {
    throw new Error(`system user '${user}' does not exist; the Debian package creates it: apt-get install -y mosquitto`);
  }
}
