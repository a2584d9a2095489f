// What the engine's memory allows on this board: the variable store is fixed
// by the firmware build, and each open TLS session takes a measured share of
// it (docs/espruino-profile.md, "Memory" and "Sockets").
import { TLS_SESSION_VARIABLES, VARIABLE_STORE } from "../engine/profile.js";
import type { BoardProblem } from "./board-error.js";
import type { BoardDefinition } from "./types.js";

export function checkEngineBudget(board: BoardDefinition): BoardProblem[] {
  const problems: BoardProblem[] = [];
  const store = board.psram ? VARIABLE_STORE.psram : VARIABLE_STORE.noPsram;
  if (board.variables > store) {
    problems.push({
      field: "variables",
      message: `must be at most ${store}, the engine's store on an ESP32 ${board.psram ? "with" : "without"} PSRAM; got ${board.variables}`,
    });
  }
  const usable = Math.min(board.variables, store);
  const fits = Math.floor(usable / TLS_SESSION_VARIABLES);
  const needed = board.tlsSessions * TLS_SESSION_VARIABLES;
  if (fits === 0) {
    problems.push({
      field: "variables",
      message: `must leave room for one TLS session (about ${TLS_SESSION_VARIABLES} variables, measured), got ${board.variables}`,
    });
  } else if (needed > usable) {
    problems.push({
      field: "tlsSessions",
      message:
        `must be at most ${fits}: ${board.tlsSessions} TLS sessions take about ${needed} variables ` +
        `(${TLS_SESSION_VARIABLES} each, measured) but the store holds ${usable}`,
    });
  }
  return problems;
}
