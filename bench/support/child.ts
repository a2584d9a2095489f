/**
 * Benchmark parts that run in processes of their own (load generators,
 * responders, the service), driven over Node's IPC channel. A child ends when
 * its parent goes, however the parent ended, so a benchmark never leaves
 * processes behind.
 */
import { fork, type ChildProcess } from "node:child_process";

const STOP_GRACE_MS = 5_000;

export interface ChildMessage {
  readonly type: string;
}

export class BenchChild<Out extends ChildMessage, In extends ChildMessage> {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<string, (message: In) => void>();
  private failure: Error | undefined;
  private readonly failed: Promise<never>;

  constructor(
    readonly name: string,
    module: string,
    args: readonly string[] = [],
    env: NodeJS.ProcessEnv = process.env,
  ) {
    // stdout goes to /dev/null: a service's per-request log lines cost it their formatting, not a terminal.
    this.child = fork(module, args, { stdio: ["ignore", "ignore", "pipe", "ipc"], env });
    let stderr = "";
    this.child.stderr?.setEncoding("utf8").on("data", (text: string) => {
      stderr = (stderr + text).slice(-4000);
    });
    this.child.on("message", (message: In) => {
      const resolve = this.waiting.get(message.type);
      this.waiting.delete(message.type);
      resolve?.(message);
    });
    this.failed = new Promise((_, reject) => {
      this.child.once("exit", (code, signal) => {
        this.failure = new Error(`${name} exited (${signal ?? `code ${code}`}) during the benchmark; its stderr:\n${stderr}`);
        reject(this.failure);
      });
    });
    this.failed.catch(() => undefined);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  send(message: Out): void {
    if (this.failure) throw this.failure;
    this.child.send(message);
  }

  /** The next message of `type`; rejects if the child exits first. */
  next<T extends In["type"]>(type: T): Promise<Extract<In, { type: T }>> {
    const arrival = new Promise<Extract<In, { type: T }>>((resolve) => {
      this.waiting.set(type, resolve as (message: In) => void);
    });
    return Promise.race([arrival, this.failed]);
  }

  /**
   * Closes the IPC channel, which the child takes as its cue to exit (so
   * `node --cpu-prof` children still write their profiles); kills it if it
   * has not gone after a grace period.
   */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    const kill = setTimeout(() => this.child.kill("SIGKILL"), STOP_GRACE_MS);
    if (this.child.connected) this.child.disconnect();
    else this.child.kill("SIGTERM");
    await exited;
    clearTimeout(kill);
  }
}

/** In a child: sends to the parent. */
export function toParent(message: ChildMessage): void {
  process.send?.(message);
}

/** In a child: handles the parent's messages, and exits when the parent is gone. */
export function fromParent<In extends ChildMessage>(handle: (message: In) => void | Promise<void>): void {
  if (process.send === undefined) throw new Error("this module is a benchmark part: bench/run.js starts it, not node directly");
  process.on("message", (message: In) => {
    Promise.resolve(handle(message)).catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
  });
  process.on("disconnect", () => process.exit(0));
}
