// docs/protocol.md's worked example must stay true: this reads the example
// out of the page and recomputes every value with the code.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { presignMacInput } from "../../firmware/src/protocol/hmac-input.js";
import { parsePresignReply } from "../../firmware/src/protocol/presign-reply.js";
import { PRESIGN_ERROR_CODES } from "../../firmware/src/protocol/presign.js";
import { PACKAGE_ROOT } from "../../host-tools/src/paths.js";
import { deriveDeviceKey, presignReplyMac } from "../../host-tools/src/presigner/keys.js";

async function page(): Promise<string> {
  return readFile(join(PACKAGE_ROOT, "docs/protocol.md"), "utf8");
}

/** The fenced block right after `<!-- checked: name -->`. */
function block(text: string, name: string): string {
  const marker = `<!-- checked: ${name} -->`;
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`docs/protocol.md has no "${marker}"`);
  const match = /^\s*```[a-z]*\n([\s\S]*?)\n```/.exec(text.slice(at + marker.length));
  if (!match) throw new Error(`no fenced block after "${marker}"`);
  return match[1]!;
}

function field(text: string, name: string): string {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${name}: `));
  if (line === undefined) throw new Error(`the device key block has no "${name}:" line`);
  return line.slice(name.length + 2);
}

describe("docs/protocol.md worked example", () => {
  it("derives the device key it shows", async () => {
    const keys = block(await page(), "device key");
    expect(deriveDeviceKey(field(keys, "masterSecret"), field(keys, "deviceId")).toString("hex")).toBe(field(keys, "deviceKey"));
  });

  for (const reply of ["grant", "refusal"]) {
    it(`shows the ${reply}'s MAC input and MAC as the code computes them`, async () => {
      const text = await page();
      const keys = block(text, "device key");
      const device = field(keys, "deviceId");
      const parsed = parsePresignReply(block(text, reply));
      expect(parsed, `the ${reply} example does not parse as a reply`).toBeDefined();
      expect(presignMacInput(device, parsed!)).toBe(block(text, `${reply} MAC input`));
      expect(presignReplyMac(Buffer.from(field(keys, "deviceKey"), "hex"), device, parsed!)).toBe(parsed!.mac);
    });
  }

  it("lists every error code the code can send", async () => {
    const text = await page();
    for (const code of PRESIGN_ERROR_CODES) expect(text).toContain(`| \`${code}\` |`);
  });
});
