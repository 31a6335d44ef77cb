// How the benchmark prints a figure: `label: value` on a line of its own (three decimals), with its
// target when it has one. Tools and docs grep these prefixes, so a label is never reworded lightly.

export function ratioLine(label: string, value: number, target?: string): void {
  console.log(`${label}: ${value.toFixed(3)}${target ? `   (target ${target})` : ''}`);
}
