// The helpers TypeScript emits for ES5 output (classes, spread, rest,
// async/await), written for the Espruino engine. tslib's own helpers fail
// there: `__spreadArray` reads `Array.prototype.slice` (undefined on the
// engine) and `__generator` calls `verb` before its declaration has run (the
// engine does not hoist). See docs/engine.md.
//
// Rules for this file: ES5 syntax only; every function is declared before
// anything can call it; no built-in is read through a prototype object except
// Object.prototype.hasOwnProperty (the engine keeps that one reachable).
// The build passes it to @rollup/plugin-typescript as its `tslib`.

export function __extends(derived, base) {
  if (typeof base !== "function" && base !== null) {
    throw new TypeError("Class extends value " + String(base) + " is not a constructor or null");
  }
  function Prototype() {
    this.constructor = derived;
  }
  Object.setPrototypeOf(derived, base);
  if (base === null) {
    derived.prototype = Object.create(null);
  } else {
    Prototype.prototype = base.prototype;
    derived.prototype = new Prototype();
  }
}

export function __assign(target) {
  for (var i = 1; i < arguments.length; i++) {
    var source = arguments[i];
    if (source === null || source === void 0) continue;
    for (var key in source) {
      if (Object.prototype.hasOwnProperty.call(source, key)) target[key] = source[key];
    }
  }
  return target;
}

export function __rest(source, excluded) {
  var rest = {};
  for (var key in source) {
    if (Object.prototype.hasOwnProperty.call(source, key) && excluded.indexOf(key) < 0) rest[key] = source[key];
  }
  return rest;
}

export function __spreadArray(to, from) {
  for (var i = 0; i < from.length; i++) to.push(from[i]);
  return to;
}

export function __makeTemplateObject(cooked, raw) {
  Object.defineProperty(cooked, "raw", { value: raw });
  return cooked;
}

export function __awaiter(thisArg, args, PromiseType, generator) {
  var P = PromiseType || Promise;
  return new P(function (resolve, reject) {
    var iterator;
    function settle(result) {
      if (result.done) {
        resolve(result.value);
        return;
      }
      var awaited = result.value;
      var promise = awaited instanceof P ? awaited : new P(function (adopt) {
        adopt(awaited);
      });
      promise.then(resume, fail);
    }
    function resume(value) {
      try {
        settle(iterator.next(value));
      } catch (error) {
        reject(error);
      }
    }
    function fail(error) {
      try {
        settle(iterator["throw"](error));
      } catch (rethrown) {
        reject(rethrown);
      }
    }
    iterator = generator.apply(thisArg, args || []);
    resume(void 0);
  });
}

// Runs the state machine TypeScript compiles a generator body into. The body
// takes `state` and returns an instruction [op, value]:
//   0 next, 1 throw (only ever sent in), 2 return, 3 break to a label,
//   4 yield, 5 yield*, 6 an exception caught here, 7 end of a finally block.
// `state.trys` holds the active try regions as [tryLabel, catchLabel,
// finallyLabel, endLabel]; `state.ops` the completions a finally block
// interrupted, resumed when the block ends.
export function __generator(thisArg, body) {
  var RUN_BODY = 0, YIELDED = 1, FINISHED = 2;
  var started = false, finished = false, running = false;
  var pending, resumedWith, yielded, delegate, state;

  function sent() {
    if (resumedWith[0] & 1) throw resumedWith[1];
    return resumedWith[1];
  }

  function resumeBody(op) {
    resumedWith = op;
    return RUN_BODY;
  }

  // Moves `pending` through yield*, the try regions and finally blocks until
  // the body must run, a value is yielded, or the generator is done.
  function route() {
    for (;;) {
      var op = pending;
      if (delegate) {
        var method = op[0] === 2 ? delegate["return"] : op[0] === 1 ? delegate["throw"] : delegate.next;
        if (!method && op[0] === 1 && delegate["return"]) delegate["return"]();
        if (method) {
          var inner = method.call(delegate, op[1]);
          if (!inner.done) {
            yielded = inner;
            return YIELDED;
          }
          op = pending = [op[0] & 2, inner.value];
        }
        delegate = null;
      }
      if (op[0] === 0 || op[0] === 1) return resumeBody(op);
      if (op[0] === 4) {
        state.label++;
        yielded = { value: op[1], done: false };
        return YIELDED;
      }
      if (op[0] === 5) {
        state.label++;
        delegate = op[1];
        pending = [0, void 0];
        continue;
      }
      if (op[0] === 7) {
        pending = state.ops.pop();
        state.trys.pop();
        continue;
      }
      var trys = state.trys;
      var region = trys.length > 0 ? trys[trys.length - 1] : null;
      if (!region && (op[0] === 6 || op[0] === 2)) return FINISHED;
      if (op[0] === 3 && (!region || (op[1] > region[0] && op[1] < region[3]))) {
        state.label = op[1];
        return resumeBody(op);
      }
      if (op[0] === 6 && state.label < region[1]) {
        state.label = region[1];
        return resumeBody(op);
      }
      if (state.label < region[2]) {
        state.label = region[2];
        state.ops.push(op);
        return resumeBody(op);
      }
      if (region[2]) state.ops.pop();
      trys.pop();
    }
  }

  function step(op) {
    if (running) throw new TypeError("Generator is already executing.");
    if (!started) {
      started = true;
      if (op[0]) finished = true;
    }
    pending = op;
    while (!finished) {
      running = true;
      try {
        var next = route();
        if (next === YIELDED) return yielded;
        if (next === FINISHED) finished = true;
        else pending = body.call(thisArg, state);
      } catch (error) {
        pending = [6, error];
        delegate = null;
      } finally {
        running = false;
        resumedWith = null;
      }
    }
    if (pending[0] & 5) throw pending[1];
    return { value: pending[0] ? pending[1] : void 0, done: true };
  }

  function verb(kind) {
    return function (value) {
      return step([kind, value]);
    };
  }

  state = { label: 0, sent: sent, trys: [], ops: [] };
  return { next: verb(0), "throw": verb(1), "return": verb(2) };
}
