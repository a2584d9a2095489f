/**
 * What the presigner benchmark's parts say to each other over IPC.
 */

/** "echo": the broker's ceiling, a trivial responder; "presign": the real service. */
export type PhaseName = "echo" | "presign";

/** Where each phase's requests go: the same topic shape, so the broker does the same work. */
export const PHASE_PREFIX: Readonly<Record<PhaseName, string>> = { echo: "echo", presign: "ferry" };

export interface Setup {
  readonly type: "setup";
  readonly brokerUrl: string;
  readonly devices: readonly string[];
}

export interface RunPhase {
  readonly type: "run";
  readonly phase: PhaseName;
  readonly warmupMs: number;
  readonly measureMs: number;
}

export type ToLoad = Setup | RunPhase;

export interface Connected {
  readonly type: "connected";
}

export interface PhaseDone {
  readonly type: "done";
  /** Round trips completed inside the measured window. */
  readonly completed: number;
  /** Their round-trip times, ms. */
  readonly latenciesMs: number[];
  /** Replies that were refusals, over the whole phase (a presign benchmark counts only grants). */
  readonly refused: number;
  readonly firstRefusal?: string;
  /** Replies that were not JSON or answered another id. */
  readonly unexpected: number;
  /** Clients still waiting for a reply after the drain: lost replies. */
  readonly stalled: number;
}

export type FromLoad = Connected | PhaseDone;

export interface Ready {
  readonly type: "ready";
}
