// Numbers in protocol fields, read strictly: the engine's `+s` and parseInt
// accept signs, spaces, exponents and hex prefixes, which a header must not
// smuggle in.

/** The value of 1 to 15 digits in base 10 or 16 (either case); -1 for anything else. */
export function digits(text: string, radix: number): number {
  let value = text && text.length < 16 ? 0 : -1;
  for (let i = 0; i < text.length && value >= 0; i++) {
    const digit = "0123456789abcdef".indexOf(text.charAt(i).toLowerCase());
    value = digit < 0 || digit >= radix ? -1 : value * radix + digit;
  }
  return value;
}
