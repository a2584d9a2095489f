// Numbers in protocol fields, read strictly: the engine's `+s` and parseInt
// accept signs, spaces, exponents and hex prefixes, which a header must not
// smuggle in.

/** The value of 1 to 15 digits in base 10 or 16 (either case); -1 for anything else. */
export function digits(text: string, radix: number): number {
  let value = text && text.length < 16 ? 0 : -1;
  for (let i = 0; i < text.length && value >= 0; i++) {
    // One character at a time, parseInt can take no sign, space or prefix:
    // anything but a digit of the radix is NaN.
    const digit = parseInt(text.charAt(i), radix);
    value = digit >= 0 ? value * radix + digit : -1;
  }
  return value;
}
