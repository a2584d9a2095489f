// Board definitions: what ferry knows about each supported ESP32 board.
export { BoardError, type BoardProblem } from "./board-error.js";
export { listBoards, loadBoard } from "./load.js";
export type { BoardDefinition, FlashImage, LedPin, SdCardPins } from "./types.js";
export { validateBoard } from "./validate.js";
