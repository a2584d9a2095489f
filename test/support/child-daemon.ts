/**
 * A long-running child process owned by a test: its output is kept for error
 * messages, and it is killed when stopped or when the owning process exits.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";

export interface DaemonExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface DaemonOptions {
  /**
   * Files of the daemon (its config, keys) to delete if the owning process
   * ends without stopping it. After a normal `stop()` the caller removes them.
   */
  readonly ownedPaths?: readonly string[];
}

const KEPT_LINES = 500;
const STOP_GRACE_MS = 5_000;

export class ChildDaemon {
  /** Settles when the process has exited, for whatever reason. */
  readonly exited: Promise<DaemonExit>;
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private exit: DaemonExit | undefined;
  private readonly watchdog: ChildProcess | undefined;
  private readonly killOnOwnerExit = () => {
    this.child.kill("SIGKILL");
    this.endWatchdog();
    for (const path of this.ownedPaths) rmSync(path, { recursive: true, force: true });
  };
  private readonly ownedPaths: readonly string[];

  constructor(command: string, args: readonly string[], options: DaemonOptions = {}) {
    this.ownedPaths = options.ownedPaths ?? [];
    this.child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout?.setEncoding("utf8").on("data", (text: string) => this.keep(text));
    this.child.stderr?.setEncoding("utf8").on("data", (text: string) => this.keep(text));
    this.exited = new Promise((resolve) => {
      this.child.once("error", (error) => {
        this.keep(`${command}: ${error.message}\n`);
        this.settle({ code: null, signal: null }, resolve);
      });
      // "close" rather than "exit": the output is complete only once stdio closes.
      this.child.once("close", (code, signal) => this.settle({ code, signal }, resolve));
    });
    // A test worker that ends without stopping its daemons must not leave
    // them running. An "exit" listener covers a normal exit (it runs
    // synchronously, so only a kill fits); a worker killed by a signal runs
    // no listener, so a detached watchdog waits for this process to go.
    process.once("exit", this.killOnOwnerExit);
    this.watchdog = this.child.pid === undefined ? undefined : startWatchdog(this.child.pid, this.ownedPaths);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  /** The last lines the process wrote to stdout and stderr. */
  output(): string {
    return this.lines.join("");
  }

  /** SIGTERM, then SIGKILL if the process is still there after a grace period. */
  async stop(): Promise<DaemonExit> {
    if (this.exit !== undefined) return this.exit;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), STOP_GRACE_MS);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private keep(text: string): void {
    for (const line of text.split(/(?<=\n)/)) {
      const last = this.lines.length - 1;
      if (last >= 0 && !this.lines[last]!.endsWith("\n")) this.lines[last] += line;
      else this.lines.push(line);
    }
    if (this.lines.length > KEPT_LINES) this.lines.splice(0, this.lines.length - KEPT_LINES);
  }

  private settle(exit: DaemonExit, resolve: (exit: DaemonExit) => void): void {
    if (this.exit !== undefined) return;
    this.exit = exit;
    process.removeListener("exit", this.killOnOwnerExit);
    this.endWatchdog();
    resolve(exit);
  }

  private endWatchdog(): void {
    if (this.watchdog?.pid === undefined) return;
    try {
      // It leads its own process group: this ends its `tail` too.
      process.kill(-this.watchdog.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
}

/**
 * Kills `pid` and deletes `paths` once this process is gone, whatever ended
 * it. It is stopped as soon as the daemon exits, so it never signals a
 * reused pid.
 */
function startWatchdog(pid: number, paths: readonly string[]): ChildProcess {
  const script = 'tail --pid="$1" -s 1 -f /dev/null; kill -KILL "$2" 2>/dev/null; shift 2; rm -rf "$@"';
  const watchdog = spawn("sh", ["-c", script, "watchdog", String(process.pid), String(pid), ...paths], {
    // Detached: its own session, so a Ctrl-C to the test run's process group
    // does not end it before it has done its job.
    detached: true,
    stdio: "ignore",
  });
  watchdog.unref();
  return watchdog;
}
